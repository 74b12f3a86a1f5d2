"""Secured servers of our own: a second Kafka broker with a SASL listener and redis-servers
that demand a password, on free ports in temporary folders. The shared stack (Kafka on
9092, Redis on 6379) is never touched."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from deerstream.stack.kafka import KafkaBroker
from deerstream.stack.kafka_sasl import BrokerTls, SaslConfig
from deerstream.stack.process import command_line, is_alive, stop
from deerstream.stack.redis import RedisServer
from tests.ports import free_port
from tests.security.certs import Certs, make_certs

#: Users of the SASL broker. Distinctive passwords, so a leak into a log is unmistakable.
ALICE, ALICE_PASSWORD = "alice", "Al1ce-S3cret-8f2k"
BOB, BOB_PASSWORD = "bob", "B0b-S3cret-q7x1"


@dataclass(frozen=True)
class SaslBroker:
    broker: KafkaBroker
    plain_bootstrap: str  # the unauthenticated PLAINTEXT listener
    sasl_bootstrap: str  # the SASL_PLAINTEXT listener
    ssl_bootstrap: str  # the SASL_SSL listener
    certs: Certs  # ``certs.ca`` signed the broker's certificate

    def env(self, user: str, password: str, mechanism: str = "SCRAM-SHA-512") -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.sasl_bootstrap,
            "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "KAFKA_SASL_MECHANISM": mechanism,
            "KAFKA_SASL_USERNAME": user,
            "KAFKA_SASL_PASSWORD": password,
        }


@contextmanager
def private_state(prefix: str) -> Iterator[Path]:
    """A state folder outside pytest's basetemp: concurrent pytest sessions of the same user
    prune each other's basetemp, and a server whose pid file vanished would never be
    stopped."""
    path = Path(tempfile.mkdtemp(prefix=f"deerstream-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def stop_owned(pid: int | None, marker: str) -> None:
    """Stop ``pid`` if it is still the process we started (its command line has ``marker``)."""
    if pid is not None and is_alive(pid) and marker in command_line(pid):
        stop(pid, timeout_s=30)


@pytest.fixture(scope="session")
def sasl_broker() -> Iterator[SaslBroker]:
    """One SASL-enabled broker for the whole security suite (it takes ~10 s to start)."""
    with private_state("sasl-kafka") as state:
        certs = make_certs(state / "tls")
        port = free_port(pair=True)
        sasl_port, ssl_port = free_port(), free_port()
        while len({port, port + 1, sasl_port, ssl_port}) < 4:
            sasl_port, ssl_port = free_port(), free_port()
        sasl = SaslConfig(
            users={ALICE: ALICE_PASSWORD, BOB: BOB_PASSWORD},
            port=sasl_port,
            ssl_port=ssl_port,
            tls=BrokerTls(cert_file=certs.cert, key_file=certs.key),
        )
        broker = KafkaBroker(state, "127.0.0.1", port, heap_mb=512, sasl=sasl)
        broker.start()
        pid = broker.pidfile.read()
        try:
            assert broker.sasl_address is not None and broker.sasl_ssl_address is not None
            yield SaslBroker(
                broker, broker.address, broker.sasl_address, broker.sasl_ssl_address, certs
            )
        finally:
            broker.stop()
            stop_owned(pid, str(broker.config_path))


StartRedis = Callable[[str], RedisServer]


@pytest.fixture
def redis_server() -> Iterator[StartRedis]:
    """A factory: ``redis_server(url)`` starts a redis-server secured by ``url``'s
    credentials; every server started is stopped after the test."""
    started: list[tuple[RedisServer, int | None]] = []
    with ExitStack() as folders:

        def start(url: str) -> RedisServer:
            server = RedisServer(folders.enter_context(private_state("redis")), url)
            assert server.start() is True
            started.append((server, server.pidfile.read()))
            return server

        yield start
        for server, pid in started:
            server.stop()
            stop_owned(pid, f"127.0.0.1:{server.port}")
