"""Settings → client arguments: aiokafka's (``client_kwargs``), Faust's broker credentials
(``_credentials``) and redis-py's (``rediss://`` URLs). No servers involved."""

from __future__ import annotations

import ssl

import pytest
import redis.asyncio as aioredis
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from redis.asyncio.connection import SSLConnection

from deerstream.agents.app import _credentials
from deerstream.errors import ConfigError
from deerstream.logs import redact
from deerstream.settings import Settings
from deerstream.streams.kafka import client_kwargs
from tests.security.certs import Certs, make_certs

SECRET = "Kafka-S3cret-p4ss"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("tls"))


def _sasl_ssl(certs: Certs, **changes: str) -> Settings:
    values: dict[str, str] = {
        "kafka_bootstrap_servers": "kafka-1.example.com:9094,kafka-2.example.com:9094",
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": "deerstream",
        "kafka_sasl_password": SECRET,
        "kafka_ssl_cafile": str(certs.ca),
    }
    return Settings(**{**values, **changes})


def test_sasl_ssl_with_a_ca_file(certs: Certs) -> None:
    kwargs = client_kwargs(_sasl_ssl(certs).kafka.connection)
    context = kwargs.pop("ssl_context")
    assert kwargs == {
        "bootstrap_servers": "kafka-1.example.com:9094,kafka-2.example.com:9094",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "deerstream",
        "sasl_plain_password": SECRET,
    }
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    trusted = [dict(x[0] for x in ca["subject"]) for ca in context.get_ca_certs()]
    assert {"commonName": f"deerstream test CA {certs.ca.parent.name}"} in trusted


def test_mutual_tls_loads_the_client_certificate(certs: Certs) -> None:
    settings = _sasl_ssl(
        certs,
        kafka_security_protocol="SSL",
        kafka_ssl_certfile=str(certs.cert),
        kafka_ssl_keyfile=str(certs.key),
    )
    kwargs = client_kwargs(settings.kafka.connection)
    assert kwargs["security_protocol"] == "SSL"
    assert "sasl_mechanism" not in kwargs and "sasl_plain_password" not in kwargs
    assert isinstance(kwargs["ssl_context"], ssl.SSLContext)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kafka_ssl_cafile": "/nonexistent/ca.pem"}, "cannot load the Kafka TLS files"),
        ({"kafka_ssl_keyfile": "KEY"}, "KAFKA_SSL_KEYFILE is set but KAFKA_SSL_CERTFILE"),
        ({"kafka_ssl_certfile": "CA"}, "cannot load the Kafka TLS files"),  # no key in it
        ({"kafka_sasl_password": ""}, "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
        ({"kafka_sasl_username": ""}, "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
        ({"kafka_sasl_mechanism": "GSSAPI"}, "KAFKA_SASL_MECHANISM='GSSAPI' is not one of"),
        ({"kafka_security_protocol": "TLS"}, "KAFKA_SECURITY_PROTOCOL='TLS' is not one of"),
    ],
)
def test_bad_security_settings_are_config_errors(
    certs: Certs, changes: dict[str, str], message: str
) -> None:
    paths = {"KEY": str(certs.key), "CA": str(certs.ca)}
    changes = {k: paths.get(v, v) for k, v in changes.items()}
    with pytest.raises(ConfigError, match=message) as caught:
        client_kwargs(_sasl_ssl(certs, **changes).kafka.connection)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("protocol", "mechanism"),
    [
        ("PLAINTEXT", "SCRAM-SHA-512"),
        ("SSL", "SCRAM-SHA-512"),
        ("SASL_PLAINTEXT", "PLAIN"),
        ("SASL_PLAINTEXT", "scram-sha-256"),  # lower case, as people type it
        ("SASL_SSL", "SCRAM-SHA-512"),
        ("sasl_ssl", "scram-sha-512"),
    ],
)
def test_faust_credentials_match_client_kwargs(certs: Certs, protocol: str, mechanism: str) -> None:
    settings = _sasl_ssl(certs, kafka_security_protocol=protocol, kafka_sasl_mechanism=mechanism)
    direct = client_kwargs(settings.kafka.connection)
    via_faust = dict(credentials_to_aiokafka_auth(_credentials(settings.kafka.connection)))
    for kwargs in (direct, via_faust):
        context = kwargs.pop("ssl_context", None)
        # Each call builds its own context; what matters is TLS exactly when asked for.
        assert isinstance(context, ssl.SSLContext) == protocol.upper().endswith("SSL")
    direct.pop("bootstrap_servers")
    assert via_faust == direct


def test_faust_credentials_never_show_the_password(certs: Certs) -> None:
    assert SECRET not in repr(_credentials(_sasl_ssl(certs).kafka.connection))


def test_rediss_url_with_acl_user_and_ca_file(certs: Certs) -> None:
    url = (
        "rediss://deerstream:p%40ss%2Fw0rd@redis.example.com:6380/2"
        f"?ssl_ca_certs={certs.ca}&ssl_cert_reqs=required"
    )
    settings = Settings(redis_url=url)
    client = aioredis.Redis.from_url(settings.redis_url)
    pool = client.connection_pool
    assert pool.connection_class is SSLConnection
    kw = pool.connection_kwargs
    assert (kw["host"], kw["port"], kw["db"]) == ("redis.example.com", 6380, 2)
    assert (kw["username"], kw["password"]) == ("deerstream", "p@ss/w0rd")  # percent-decoded
    assert (kw["ssl_ca_certs"], kw["ssl_cert_reqs"]) == (str(certs.ca), "required")
    # Logs and the settings dump never show it.
    shown = settings.redacted()["redis_url"]
    assert "p%40ss" not in shown and shown.startswith("rediss://deerstream:***@")
    assert "p%40ss" not in str(redact(f"connecting to {url}"))


def test_redis_url_scheme_is_checked() -> None:
    with pytest.raises(ConfigError, match="REDIS_URL must start with"):
        Settings.from_env({"REDIS_URL": "tls://redis.example.com:6380"})
