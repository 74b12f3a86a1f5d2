"""Connection settings shared by every Kafka client in the project, and small helpers.

``client_kwargs`` is the one place that turns the Kafka connection settings
(``Settings.kafka.connection``) into aiokafka constructor arguments, so producers,
consumers and admin clients all speak the same security protocol.
"""

from __future__ import annotations

import ssl

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from aiokafka.helpers import create_ssl_context

from deerstream.errors import BrokerError, ConfigError
from deerstream.settings import KafkaConnection

__all__ = ["BrokerError", "client_kwargs", "partitions_of"]


def client_kwargs(conn: KafkaConnection) -> dict[str, object]:
    """aiokafka keyword arguments (bootstrap servers and security) for ``conn``.

    The protocol and mechanism were validated when the settings were parsed. Raises
    ``ConfigError`` for SASL without a user name or password, and for TLS files that are
    missing or unreadable.
    """
    protocol = conn.security_protocol
    kwargs: dict[str, object] = {
        "bootstrap_servers": conn.bootstrap_servers,
        "security_protocol": protocol,
    }
    if conn.uses_sasl:
        if not (conn.sasl_username and conn.sasl_password):
            # Without this, the broker's answer is a bare "authentication failed".
            raise ConfigError(
                f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME and "
                "KAFKA_SASL_PASSWORD"
            )
        kwargs["sasl_mechanism"] = conn.sasl_mechanism
        kwargs["sasl_plain_username"] = conn.sasl_username
        kwargs["sasl_plain_password"] = conn.sasl_password
    if conn.uses_tls:
        kwargs["ssl_context"] = ssl_context(conn)
    return kwargs


def ssl_context(conn: KafkaConnection) -> ssl.SSLContext:
    """A verifying TLS context: the CA file when given (else the system CAs), and the
    client certificate for mutual TLS when given."""
    if conn.ssl_keyfile and not conn.ssl_certfile:
        raise ConfigError("KAFKA_SSL_KEYFILE is set but KAFKA_SSL_CERTFILE is not")
    try:
        context: ssl.SSLContext = create_ssl_context(
            cafile=conn.ssl_cafile or None,
            certfile=conn.ssl_certfile or None,
            keyfile=conn.ssl_keyfile or None,
        )
    except (OSError, ssl.SSLError) as exc:
        # FileNotFoundError, a PEM that does not parse, a key that does not match the cert.
        raise ConfigError(
            "cannot load the Kafka TLS files (KAFKA_SSL_CAFILE="
            f"{conn.ssl_cafile!r}, KAFKA_SSL_CERTFILE={conn.ssl_certfile!r}, "
            f"KAFKA_SSL_KEYFILE={conn.ssl_keyfile!r}): {exc}"
        ) from exc
    return context


async def partitions_of(conn: KafkaConnection, topic: str) -> list[int]:
    """The partition numbers of ``topic``.

    Raises ``ConfigError`` when the topic does not exist (a user typo, not a retriable fault).
    """
    admin = AIOKafkaAdminClient(**client_kwargs(conn))
    try:
        await admin.start()
        # Describe only a topic known to exist: a metadata request naming a missing topic
        # makes a broker with auto.create.topics.enable create it, typo and all.
        if topic not in set(await admin.list_topics()):
            raise ConfigError(f"unknown topic {topic!r}")
        described = await admin.describe_topics([topic])
    except KafkaError as exc:
        raise BrokerError(f"cannot describe topic {topic!r}: {exc}") from exc
    finally:
        await admin.close()
    for entry in described:
        if entry["topic"] == topic and entry["error_code"] == 0 and entry["partitions"]:
            return sorted(int(p["partition"]) for p in entry["partitions"])
    raise ConfigError(f"unknown topic {topic!r}")
