"""The SASL listeners of the local broker: the configuration written, the PEM keystore and
the storage format arguments, checked without starting Java."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deerstream.errors import StackError
from deerstream.stack.kafka import KafkaBroker
from deerstream.stack.kafka_sasl import BrokerTls, SaslConfig
from tests.security.certs import make_certs

USERS = {"alice": "a-Secret_1", "bob": "b.Secret:2"}


def _written(broker: KafkaBroker) -> dict[str, str]:
    broker.root.mkdir(parents=True, exist_ok=True)
    broker._write_config()
    lines = broker.config_path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line)


def test_plain_broker_config_is_unchanged(tmp_path: Path) -> None:
    broker = KafkaBroker(tmp_path, "127.0.0.1", 19092)
    props = _written(broker)
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["listener.security.protocol.map"] == "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    assert not any("sasl" in key for key in props)
    assert broker.sasl_address is None and broker.sasl_ssl_address is None


def test_sasl_plaintext_listener(tmp_path: Path) -> None:
    sasl = SaslConfig(users=USERS, port=19094)
    broker = KafkaBroker(tmp_path, "127.0.0.1", 19092, sasl=sasl)
    props = _written(broker)
    assert props["listeners"] == (
        "PLAINTEXT://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:19094,CONTROLLER://127.0.0.1:19093"
    )
    assert props["advertised.listeners"].endswith(",SASL_PLAINTEXT://127.0.0.1:19094")
    assert "SASL_PLAINTEXT:SASL_PLAINTEXT" in props["listener.security.protocol.map"]
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert set(props["sasl.enabled.mechanisms"].split(",")) == {
        "SCRAM-SHA-512",
        "SCRAM-SHA-256",
        "PLAIN",
    }
    plain = props["listener.name.sasl_plaintext.plain.sasl.jaas.config"]
    assert 'user_alice="a-Secret_1"' in plain and 'user_bob="b.Secret:2"' in plain
    assert (
        "ScramLoginModule" in props["listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"]
    )
    assert broker.config_path.stat().st_mode & 0o077 == 0  # PLAIN passwords: owner only
    assert broker.sasl_address == "127.0.0.1:19094" and broker.sasl_ssl_address is None
    args = sasl.scram_args()
    assert args.count("--add-scram") == 4
    assert "SCRAM-SHA-512=[name=alice,password=a-Secret_1]" in args
    assert "SCRAM-SHA-256=[name=bob,password=b.Secret:2]" in args
    assert sasl.redact(f"bad arg {args[1]}") == "bad arg SCRAM-SHA-512=[name=alice,password=***]"


def test_sasl_ssl_listener_gets_a_pem_keystore(tmp_path: Path) -> None:
    certs = make_certs(tmp_path / "tls")
    sasl = SaslConfig(users=USERS, ssl_port=19095, tls=BrokerTls(certs.cert, certs.key))
    broker = KafkaBroker(tmp_path, "127.0.0.1", 19092, sasl=sasl)
    props = _written(broker)
    assert "SASL_SSL://127.0.0.1:19095" in props["listeners"].split(",")
    assert "SASL_SSL:SASL_SSL" in props["listener.security.protocol.map"]
    assert props["listener.name.sasl_ssl.ssl.keystore.type"] == "PEM"
    keystore = Path(props["listener.name.sasl_ssl.ssl.keystore.location"])
    text = keystore.read_text()
    assert text.index("BEGIN PRIVATE KEY") < text.index("BEGIN CERTIFICATE")
    assert keystore.stat().st_mode & 0o077 == 0
    assert broker.sasl_ssl_address == "127.0.0.1:19095" and broker.sasl_address is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"users": {}, "port": 1}, "needs at least one user"),
        ({"users": {"alice": 'pa"ss'}, "port": 1}, "names and passwords may use"),
        ({"users": {"alice": "pa,ss"}, "port": 1}, "names and passwords may use"),
        ({"users": {"al ice": "pass"}, "port": 1}, "names and passwords may use"),
        ({"users": {"alice": ""}, "port": 1}, "names and passwords may use"),
        ({"users": USERS}, "needs port and/or ssl_port"),
        ({"users": USERS, "ssl_port": 1}, "needs the broker's certificate"),
    ],
)
def test_unusable_sasl_settings_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(StackError, match=message):
        SaslConfig(**kwargs)


def test_an_encrypted_or_pkcs1_key_is_refused(tmp_path: Path) -> None:
    certs = make_certs(tmp_path / "tls")
    old_key = tmp_path / "old.key"
    old_key.write_text("-----BEGIN EC PRIVATE KEY-----\n...\n-----END EC PRIVATE KEY-----\n")
    sasl = SaslConfig(users=USERS, ssl_port=19095, tls=BrokerTls(certs.cert, old_key))
    with pytest.raises(StackError, match="unencrypted PKCS#8"):
        sasl.write_keystore(tmp_path / "ks.pem")
