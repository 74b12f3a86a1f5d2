"""Fixtures for enrichment tests: real simulators on free ports, an Enricher factory, and
a private redis-server for outage tests."""

from __future__ import annotations

import random
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deerstream.enrich import EnrichConfig, Enricher
from deerstream.models.records import PredictionRequest
from deerstream.settings import Settings
from deerstream.simulators.knobs import SimConfig
from deerstream.simulators.server import RunningSimulators, start_simulators
from tests.ports import free_port

# Tomorrow 06:30 UTC: inside the forecast API's date range whenever the suite runs.
TARGET = (datetime.now(UTC) + timedelta(days=1)).replace(hour=6, minute=30, second=0, microsecond=0)


def request(n: int, lat: float = 45.0, lon: float = -90.0, **kw: Any) -> PredictionRequest:
    """A request near (lat, lon) with a unique id."""
    return PredictionRequest(request_id=f"r{n}", lat=lat, lon=lon, target_time=TARGET, **kw)


@pytest.fixture
async def sims() -> AsyncIterator[RunningSimulators]:
    running = await start_simulators(SimConfig(seed=3))
    yield running
    await running.stop()


def settings_for(sims: RunningSimulators, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "weather_url": sims.urls["weather"],
        "elevation_url": sims.urls["elevation"],
        "scouting_url": sims.urls["scouting"],
        "upstream_request_timeout_s": 1.0,
        "upstream_deadline_s": 4.0,
        "upstream_retries": 3,
        "breaker_failure_threshold": 5,
        "breaker_reset_s": 10.0,
    }
    base.update(overrides)
    return Settings(**base)


EnricherFactory = Callable[..., Enricher]


@pytest.fixture
async def make_enricher(unique_name: str) -> AsyncIterator[EnricherFactory]:
    """Builds started-on-use Enrichers with a key namespace unique to the test."""
    made: list[Enricher] = []

    def factory(settings: Settings, redis: Any, **kw: Any) -> Enricher:
        kw.setdefault("config", EnrichConfig(namespace=f"{unique_name}:"))
        kw.setdefault("rng", random.Random(7))
        e = Enricher(settings.upstreams, redis, **kw)
        made.append(e)
        return e

    yield factory
    for e in made:
        await e.stop()


@dataclass
class PrivateRedis:
    """A redis-server of our own (never the shared one), started and killed by pid."""

    port: int
    proc: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.1):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis(free_port())
    server.start()
    yield server
    server.kill()
