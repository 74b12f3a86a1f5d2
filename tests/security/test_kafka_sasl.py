"""The worker on a broker that demands SASL logins, in the clear and over TLS: SCRAM-SHA-512
round trips, PLAIN for plain clients, and wrong credentials or an untrusted certificate end
the worker at once with one clear line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deerstream.agents.preflight import check_kafka
from deerstream.errors import ConfigError
from deerstream.settings import Settings
from deerstream.simulators.server import RunningSimulators
from deerstream.streams.admin import ensure_topics
from deerstream.streams.kafka import BrokerError
from tests.agents.harness import WorkerProcess, request_json, topic_env, upstream_env
from tests.security.certs import make_certs
from tests.security.clients import collect_ids, produce, settings_for
from tests.security.conftest import (
    ALICE,
    ALICE_PASSWORD,
    BOB,
    BOB_PASSWORD,
    SaslBroker,
)

pytestmark = pytest.mark.integration

#: The worker must give up on bad credentials well before this (it is a hang guard).
FAIL_FAST_S = 30


def _sasl(broker: SaslBroker, **changes: str) -> Settings:
    base: dict[str, str] = {
        "kafka_bootstrap_servers": broker.sasl_bootstrap,
        "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": ALICE,
        "kafka_sasl_password": ALICE_PASSWORD,
    }
    return Settings(**{**base, **changes})


def _assert_no_secrets(*paths: Path) -> None:
    for path in paths:
        text = path.read_text(errors="replace")
        for secret in (ALICE_PASSWORD, BOB_PASSWORD):
            assert secret not in text, f"a password leaked into {path}"


@pytest.mark.parametrize("tls", [False, True], ids=["SASL_PLAINTEXT", "SASL_SSL"])
async def test_scram_worker_round_trip_and_no_password_in_logs(
    tls: bool, sasl_broker: SaslBroker, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    env = {**topic_env(unique_name), **upstream_env(sims), **sasl_broker.env(ALICE, ALICE_PASSWORD)}
    # aiokafka's own INFO lines too: they say it authenticated, and must not leak the password.
    env["LOG_LIBRARY_LEVEL"] = "INFO"
    if tls:
        env |= {
            "KAFKA_BOOTSTRAP_SERVERS": sasl_broker.ssl_bootstrap,
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SSL_CAFILE": str(sasl_broker.certs.ca),
        }
    settings = settings_for(env)
    await ensure_topics(settings.kafka)  # through the SASL listener, as alice
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    try:
        await worker.wait_ready()
        want = {f"sasl-{i}" for i in range(200)}
        sent = await produce(
            settings,
            settings.request_topic,
            ((f"sasl-{i}".encode(), request_json(i, tag="sasl")) for i in range(200)),
        )
        got = await collect_ids(settings, settings.prediction_topic, want, timeout_s=120)
    finally:
        assert worker.terminate() == 0
    assert sent == 200
    assert got == want
    log = worker.log_path.read_text()
    assert "Authenticated as alice via SCRAM-SHA-512" in log  # it really logged in
    assert '"message":"kafka login accepted"' in log and '"user":"alice"' in log  # preflight
    _assert_no_secrets(worker.log_path, sasl_broker.broker.log_path)


async def test_plain_mechanism_round_trip(sasl_broker: SaslBroker, unique_name: str) -> None:
    settings = _sasl(
        sasl_broker,
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username=BOB,
        kafka_sasl_password=BOB_PASSWORD,
        request_topic=unique_name,
    )
    await ensure_topics(settings.kafka, topics=[unique_name])
    await produce(settings, unique_name, [(b"k", request_json(1, tag="plain"))])
    got = await collect_ids(settings, unique_name, {"plain-1"}, timeout_s=30)
    assert got == {"plain-1"}


async def test_wrong_password_stops_the_worker_with_one_clear_line(
    sasl_broker: SaslBroker, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    wrong = "Wr0ng-" + ALICE_PASSWORD
    env = {**topic_env(unique_name), **upstream_env(sims), **sasl_broker.env(ALICE, wrong)}
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    assert worker.proc is not None
    try:
        code = await asyncio.to_thread(worker.proc.wait, FAIL_FAST_S)
    except subprocess.TimeoutExpired:
        worker.terminate()
        pytest.fail(
            f"worker still running {FAIL_FAST_S} s after a rejected login:\n{worker.tail()}"
        )
    assert code != 0
    log = worker.log_path.read_text()
    last = log.strip().splitlines()[-1]
    assert last.startswith("deerstream: error: Kafka authentication failed"), worker.tail()
    assert f"user '{ALICE}'" in last and "SCRAM-SHA-512" in last
    assert "Traceback" not in log
    assert wrong not in log
    _assert_no_secrets(worker.log_path)


@pytest.mark.parametrize(
    ("mechanism", "user", "password"),
    [
        ("SCRAM-SHA-512", ALICE, ALICE_PASSWORD),
        ("SCRAM-SHA-256", BOB, BOB_PASSWORD),
        ("PLAIN", ALICE, ALICE_PASSWORD),
        ("scram-sha-512", BOB, BOB_PASSWORD),  # mechanism names are case-insensitive
    ],
)
async def test_preflight_accepts_every_enabled_mechanism(
    sasl_broker: SaslBroker, mechanism: str, user: str, password: str
) -> None:
    await check_kafka(
        _sasl(
            sasl_broker,
            kafka_sasl_mechanism=mechanism,
            kafka_sasl_username=user,
            kafka_sasl_password=password,
        ).kafka
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kafka_sasl_password": "nope"}, "Kafka authentication failed at .* user 'alice'"),
        ({"kafka_sasl_username": "mallory"}, "Kafka authentication failed .* 'mallory'"),
        (
            {"kafka_sasl_mechanism": "PLAIN", "kafka_sasl_password": BOB_PASSWORD},
            "Kafka authentication failed .* with PLAIN",
        ),
        ({"kafka_security_protocol": "PLAINTEXT"}, "KAFKA_SECURITY_PROTOCOL=PLAINTEXT matches"),
        ({"kafka_security_protocol": "SASL_SSL"}, "closed the connection during the handshake"),
        ({"plain_listener": "yes"}, "is not a SASL listener"),
        ({"kafka_sasl_password": ""}, "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
    ],
)
async def test_preflight_names_the_configuration_mistake(
    sasl_broker: SaslBroker, changes: dict[str, str], message: str
) -> None:
    changes = dict(changes)
    if changes.pop("plain_listener", None):
        changes["kafka_bootstrap_servers"] = sasl_broker.plain_bootstrap
    with pytest.raises(ConfigError, match=message) as caught:
        await check_kafka(_sasl(sasl_broker, **changes).kafka)
    assert ALICE_PASSWORD not in str(caught.value) and BOB_PASSWORD not in str(caught.value)


async def test_preflight_over_tls_checks_certificate_and_password(
    sasl_broker: SaslBroker, tmp_path: Path
) -> None:
    tls = {
        "kafka_bootstrap_servers": sasl_broker.ssl_bootstrap,
        "kafka_security_protocol": "SASL_SSL",
        "kafka_ssl_cafile": str(sasl_broker.certs.ca),
    }
    await check_kafka(_sasl(sasl_broker, **tls).kafka)
    await check_kafka(_sasl(sasl_broker, **tls, kafka_sasl_mechanism="PLAIN").kafka)
    with pytest.raises(ConfigError, match="Kafka authentication failed"):
        await check_kafka(_sasl(sasl_broker, **tls, kafka_sasl_password="nope").kafka)
    with pytest.raises(ConfigError, match="closed the connection during the handshake"):
        # A client without TLS on the TLS listener.
        await check_kafka(
            _sasl(sasl_broker, **tls | {"kafka_security_protocol": "SASL_PLAINTEXT"}).kafka
        )
    other_ca = make_certs(tmp_path / "other").ca  # did not sign the broker's certificate
    with pytest.raises(ConfigError, match=r"certificate of .* not trusted.*KAFKA_SSL_CAFILE"):
        await check_kafka(_sasl(sasl_broker, **tls | {"kafka_ssl_cafile": str(other_ca)}).kafka)
    with pytest.raises(ConfigError, match=r"certificate of .* not trusted"):
        # No CA file: the system CAs do not know the test CA.
        await check_kafka(_sasl(sasl_broker, **tls | {"kafka_ssl_cafile": ""}).kafka)


async def test_preflight_unreachable_broker_is_retriable() -> None:
    from tests.ports import free_port

    settings = Settings(kafka_bootstrap_servers=f"127.0.0.1:{free_port()}")
    with pytest.raises(BrokerError, match="no Kafka bootstrap server answered") as caught:
        await check_kafka(settings.kafka, timeout_s=2)
    assert caught.value.retriable


@pytest.mark.parametrize(
    "argv",
    [
        ["produce", "--lat", "44.2", "--lon", "-72.6", "--at", "2026-11-15T06:30:00-05:00"],
        ["subscribe", "--count", "1", "--timeout", "5"],
        ["replay", "--offsets", "0:0-1", "--dry-run"],
    ],
)
def test_a_wrong_password_is_one_clear_line_for_the_client_commands(
    sasl_broker: SaslBroker, unique_name: str, argv: list[str]
) -> None:
    wrong = "Wr0ng-" + ALICE_PASSWORD
    env = {**os.environ, **topic_env(unique_name), **sasl_broker.env(ALICE, wrong)}
    proc = subprocess.run(
        [sys.executable, "-m", "deerstream.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=FAIL_FAST_S + 30,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("deerstream: error: Kafka authentication failed"), lines[0]
    assert wrong not in proc.stderr
