"""Shared fixtures.

Integration tests run against the real local stack started by ``make test``
(``deerstream stack up``): Apache Kafka at ``KAFKA_BOOTSTRAP_SERVERS`` and Redis at
``REDIS_URL``. They fail (not skip) when it is not running, so a green run always means the
real infrastructure was exercised.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from deerstream.settings import Settings
from deerstream.simulators.knobs import SimConfig
from deerstream.simulators.server import RunningSimulators, start_simulators


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def kafka_bootstrap(settings: Settings) -> str:
    first = settings.kafka.connection.bootstrap[0]
    if not _reachable(first.host, first.port):
        pytest.fail(
            f"Kafka is not reachable at {settings.kafka_bootstrap_servers}; "
            "start the local stack with `deerstream stack up` (make test does this)"
        )
    return settings.kafka_bootstrap_servers


@pytest.fixture(scope="session")
def redis_url(settings: Settings) -> str:
    from urllib.parse import urlparse

    u = urlparse(settings.redis_url)
    if not _reachable(u.hostname or "127.0.0.1", u.port or 6379):
        pytest.fail(
            f"Redis is not reachable at {settings.redis_url}; "
            "start the local stack with `deerstream stack up` (make test does this)"
        )
    return settings.redis_url


@pytest.fixture
async def sims() -> AsyncIterator[RunningSimulators]:
    """Upstream simulators owned by the test, on free ports (seeded), so faults can be
    injected per source without touching the stack's simulators."""
    running = await start_simulators(
        SimConfig(seed=7), ports={"weather": 0, "elevation": 0, "scouting": 0}
    )
    yield running
    await running.stop()


@pytest.fixture
def unique_name() -> str:
    """A name unique to this test, for topics, groups and key prefixes."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[object]:
    """A real Redis client on a database flushed before and after the test."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()
    await asyncio.sleep(0)


#: Fixtures that need the real local stack (Kafka, Redis, or a worker process on it).
STACK_FIXTURES = frozenset(
    {"kafka_bootstrap", "redis_url", "redis_client", "stream_settings", "sasl_broker"}
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test a compiled engine older than its source (an edit after ``make install``
    would otherwise be tested as the previous code): ``make install`` recompiles."""
    root = Path(__file__).resolve().parents[1]
    for so in [*root.glob("engine/*.so"), *root.glob("models/*.so")]:
        source = so.with_name(so.name.split(".", 1)[0] + ".py")
        if source.exists() and source.stat().st_mtime > so.stat().st_mtime:
            pytest.exit(
                f"{so.name} is older than {source.name}: run `make install` to recompile "
                "(or `DEERSTREAM_COMPILE=0 make install` for a pure-Python checkout)",
                returncode=4,
            )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the stack as ``integration``, whatever its module says,
    so ``pytest -m "not integration"`` runs without Kafka or Redis."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & STACK_FIXTURES:
            item.add_marker(pytest.mark.integration)
