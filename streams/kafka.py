"""Connection settings shared by every Kafka client in the project, and small helpers.

``client_kwargs`` is the one place that turns ``Settings`` into aiokafka constructor
arguments, so producers, consumers and admin clients all speak the same security protocol.
"""

from __future__ import annotations

import ssl

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from aiokafka.helpers import create_ssl_context

from deerstream.errors import BrokerError, ConfigError

__all__ = ["BrokerError", "client_kwargs", "partitions_of"]
from deerstream.settings import Settings

_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def client_kwargs(settings: Settings) -> dict[str, object]:
    """aiokafka keyword arguments (bootstrap servers and security) for ``settings``.

    Raises ``ConfigError`` for an unknown security protocol or SASL mechanism, SASL without
    a user name or password, and TLS files that are missing or unreadable.
    """
    protocol = settings.kafka_security_protocol.upper()
    if protocol not in _PROTOCOLS:
        raise ConfigError(
            f"KAFKA_SECURITY_PROTOCOL={settings.kafka_security_protocol!r} is not one of "
            + ", ".join(_PROTOCOLS)
        )
    kwargs: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": protocol,
    }
    if protocol.startswith("SASL_"):
        mechanism = settings.kafka_sasl_mechanism.upper()
        if mechanism not in _SASL_MECHANISMS:
            raise ConfigError(
                f"KAFKA_SASL_MECHANISM={settings.kafka_sasl_mechanism!r} is not one of "
                + ", ".join(_SASL_MECHANISMS)
            )
        if not (settings.kafka_sasl_username and settings.kafka_sasl_password):
            # Without this, the broker's answer is a bare "authentication failed".
            raise ConfigError(
                f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME and "
                "KAFKA_SASL_PASSWORD"
            )
        kwargs["sasl_mechanism"] = mechanism
        kwargs["sasl_plain_username"] = settings.kafka_sasl_username
        kwargs["sasl_plain_password"] = settings.kafka_sasl_password
    if protocol in ("SSL", "SASL_SSL"):
        kwargs["ssl_context"] = _ssl_context(settings)
    return kwargs


def _ssl_context(settings: Settings) -> ssl.SSLContext:
    """A verifying TLS context: the CA file when given (else the system CAs), and the
    client certificate for mutual TLS when given."""
    if settings.kafka_ssl_keyfile and not settings.kafka_ssl_certfile:
        raise ConfigError("KAFKA_SSL_KEYFILE is set but KAFKA_SSL_CERTFILE is not")
    try:
        context: ssl.SSLContext = create_ssl_context(
            cafile=settings.kafka_ssl_cafile or None,
            certfile=settings.kafka_ssl_certfile or None,
            keyfile=settings.kafka_ssl_keyfile or None,
        )
    except (OSError, ssl.SSLError) as exc:
        # FileNotFoundError, a PEM that does not parse, a key that does not match the cert.
        raise ConfigError(
            "cannot load the Kafka TLS files (KAFKA_SSL_CAFILE="
            f"{settings.kafka_ssl_cafile!r}, KAFKA_SSL_CERTFILE={settings.kafka_ssl_certfile!r}, "
            f"KAFKA_SSL_KEYFILE={settings.kafka_ssl_keyfile!r}): {exc}"
        ) from exc
    return context


async def partitions_of(settings: Settings, topic: str) -> list[int]:
    """The partition numbers of ``topic``.

    Raises ``ConfigError`` when the topic does not exist (a user typo, not a retriable fault).
    """
    admin = AIOKafkaAdminClient(**client_kwargs(settings))
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
