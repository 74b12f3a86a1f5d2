"""Start-up checks: wrong credentials become one clear ``ConfigError`` before Faust starts.

Left to themselves, aiokafka reports a rejected SASL login as "Unable to bootstrap from
[...]" (the reason only in a separate log line) and the worker treats a Redis that refuses
its password as a cache outage to bypass. Both are configuration mistakes that no retry
fixes, so the worker checks them once at start and exits with a message naming the cause.

Neither the messages nor the logs here carry a password: only host, port, user name and
mechanism.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from urllib.parse import unquote, urlparse

import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.conn import create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    AuthenticationMethodNotSupported,
    IllegalSaslStateError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from redis import exceptions as redis_errors

from deerstream.enrich.redis_client import RedisOptions, open_redis
from deerstream.errors import ConfigError
from deerstream.logs import log_event
from deerstream.settings import KafkaSettings, RedisSettings
from deerstream.streams.kafka import BrokerError, client_kwargs

__all__ = ["check_kafka", "check_redis", "run_checks"]

log = logging.getLogger("deerstream.preflight")

_AUTH_ERRORS = (SaslAuthenticationFailed, AuthenticationFailedError)
_MECHANISM_ERRORS = (UnsupportedSaslMechanismError, AuthenticationMethodNotSupported)
# The arguments of create_conn that client_kwargs also produces.
_CONN_ARGS = (
    "security_protocol",
    "ssl_context",
    "sasl_mechanism",
    "sasl_plain_username",
    "sasl_plain_password",
)


async def check_kafka(kafka: KafkaSettings, *, timeout_s: float = 10.0) -> None:
    """Log in to a bootstrap server and read cluster metadata with ``kafka``'s connection.

    Raises ``ConfigError`` when the broker rejects the credentials, the SASL mechanism or
    the TLS handshake, or when the security protocol does not match the listener; raises
    ``BrokerError`` (retriable) when no bootstrap server can be reached at all.
    """
    kwargs = client_kwargs(kafka.connection)
    conn_args = {k: v for k, v in kwargs.items() if k in _CONN_ARGS}
    unreachable: list[str] = []
    for address in kafka.connection.bootstrap:
        server, host, port = str(address), address.host, address.port
        try:
            conn = await asyncio.wait_for(
                create_conn(host, port, request_timeout_ms=int(timeout_s * 1000), **conn_args),
                timeout_s,
            )
        except _AUTH_ERRORS as exc:
            raise ConfigError(
                f"Kafka authentication failed at {server} for user "
                f"{kafka.connection.sasl_username!r} with {kwargs.get('sasl_mechanism')}: "
                f"{_reason(exc)}; check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and "
                "KAFKA_SASL_MECHANISM"
            ) from None
        except IllegalSaslStateError:
            # The SASL handshake request itself was refused: a listener without SASL.
            raise ConfigError(
                f"Kafka at {server} is not a SASL listener; check that "
                f"KAFKA_SECURITY_PROTOCOL={kwargs['security_protocol']} matches the listener"
            ) from None
        except _MECHANISM_ERRORS as exc:
            raise ConfigError(
                f"Kafka at {server} does not accept SASL mechanism "
                f"{kwargs.get('sasl_mechanism')}: {_reason(exc)}; check KAFKA_SASL_MECHANISM"
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise ConfigError(
                f"Kafka TLS certificate of {server} not trusted: {exc.verify_message}; "
                "check KAFKA_SSL_CAFILE"
            ) from None
        except ssl.SSLError as exc:
            raise ConfigError(
                f"Kafka TLS handshake with {server} failed ({exc.reason or exc}); check that "
                f"the listener speaks KAFKA_SECURITY_PROTOCOL={kwargs['security_protocol']}"
            ) from None
        except (ConnectionResetError, KafkaConnectionError) as exc:
            if isinstance(exc, KafkaConnectionError) and "closed" not in str(exc):
                unreachable.append(f"{server}: {_reason(exc)}")
                continue
            # The broker accepted the connection and then dropped it mid-handshake: what a
            # plain listener does with a TLS hello, and a TLS listener with a plain request.
            raise ConfigError(
                f"Kafka at {server} closed the connection during the handshake; check that "
                f"the listener speaks KAFKA_SECURITY_PROTOCOL={kwargs['security_protocol']}"
            ) from None
        except (OSError, TimeoutError, KafkaError) as exc:
            unreachable.append(f"{server}: {_reason(exc)}")
            continue
        conn.close()
        await _read_metadata(kwargs, server, timeout_s, kafka.topics.replication)
        if kwargs.get("sasl_mechanism"):
            log_event(
                log,
                logging.INFO,
                "kafka login accepted",
                server=server,
                user=kafka.connection.sasl_username,
                mechanism=kwargs.get("sasl_mechanism"),
            )
        return
    raise BrokerError("no Kafka bootstrap server answered (" + "; ".join(unreachable) + ")")


async def _read_metadata(
    kwargs: dict[str, object], server: str, timeout_s: float, replication: int
) -> None:
    """A full client bootstrap: catches a SASL_* client on a plain listener (it logs in to
    nothing and is then cut off) and a plain client on a SASL listener. Also refuses a
    replication factor the cluster cannot hold (more replicas than brokers)."""
    admin = AIOKafkaAdminClient(**kwargs, request_timeout_ms=int(timeout_s * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        cluster = await asyncio.wait_for(admin.describe_cluster(), timeout_s)
    except (KafkaError, TimeoutError, OSError) as exc:
        raise ConfigError(
            f"Kafka at {server} accepted the connection but not a metadata request "
            f"({_reason(exc)}); check that KAFKA_SECURITY_PROTOCOL="
            f"{kwargs['security_protocol']} matches the broker's listener"
        ) from None
    finally:
        await admin.close()
    brokers = len(cluster.get("brokers", []))
    if replication > brokers:
        raise ConfigError(
            f"TOPIC_REPLICATION={replication}, but the Kafka cluster at {server} has "
            f"{brokers} broker{'s' if brokers != 1 else ''}"
        )


async def check_redis(redis: RedisSettings, *, timeout_s: float = 5.0) -> None:
    """PING Redis with the credentials in ``REDIS_URL``.

    Raises ``ConfigError`` when Redis rejects the user name or password, refuses the
    user the commands the cache needs, or fails the TLS handshake. A Redis that cannot be
    reached (or answers with any other error) is only logged: the cache is bypassable and
    the worker runs without it until Redis is back.
    """
    where = _redis_where(redis.url)
    client = aioredis.Redis.from_url(
        redis.url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s
    )
    try:
        await client.ping()
        await client.exists("deerstream:preflight")  # a key command: ACL key patterns apply
    except redis_errors.AuthenticationError as exc:
        raise ConfigError(
            f"Redis authentication failed at {where}: {str(exc).rstrip('.')}; check the user "
            "name and password in REDIS_URL (redis://user:password@host:port/db)"
        ) from None
    except redis_errors.NoPermissionError as exc:
        raise ConfigError(
            f"Redis user at {where} lacks permissions the cache needs: {exc}"
        ) from None
    except (redis_errors.RedisError, OSError) as exc:
        # Unreachable, timed out, or an answer that is not about credentials (a cluster
        # node's MOVED, a replica still LOADING): the cache copes with those at run time.
        cause = _ssl_cause(exc)
        if cause is not None:
            raise ConfigError(
                f"Redis TLS handshake with {where} failed: {cause}; check the rediss:// "
                "URL's ssl_ca_certs (and ssl_certfile/ssl_keyfile for client certificates)"
            ) from None
        log_event(
            log,
            logging.WARNING,
            "redis not usable at start; running with the cache bypassed until it is",
            redis=where,
            error=exc.__class__.__name__,
        )
    finally:
        await client.aclose()


async def check_redis_mode(redis: RedisSettings) -> None:
    """``ConfigError`` for Redis Cluster settings that cannot work (``REDIS_CLUSTER=true``
    at a plain node, a database other than 0 on a cluster); opening the client decides."""
    client = await open_redis(RedisOptions.from_settings(redis))
    await client.aclose()


def run_checks(kafka: KafkaSettings, redis: RedisSettings) -> None:
    """Run both checks on a private event loop (for synchronous entry points).

    A fresh loop, closed afterwards and never installed as the current loop, so a
    framework that later asks for the current loop (Faust's worker) is unaffected.
    """
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(check_kafka(kafka))
        loop.run_until_complete(check_redis(redis))
        loop.run_until_complete(check_redis_mode(redis))
    finally:
        loop.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or exc.__class__.__name__


def _redis_where(url: str) -> str:
    """``user@host:port`` of a Redis URL, never the password."""
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return parsed.path
    user = f"{unquote(parsed.username)}@" if parsed.username else ""
    return f"{user}{parsed.hostname or '127.0.0.1'}:{parsed.port or 6379}"


def _ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` behind a redis-py connection error, if any."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
