"""A worker as a real subprocess, plus plain-aiokafka producers and collectors.

Integration tests treat the worker as a black box, exactly as an app would: bytes in on
the request topic, bytes out on the prediction and dead-letter topics.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from deerstream.models.framing import unframe
from deerstream.settings import Settings
from deerstream.simulators.server import RunningSimulators
from deerstream.streams.admin import ensure_topics
from tests.ports import free_port
from tests.topics import KEEP_EVERYTHING


def topic_env(prefix: str) -> dict[str, str]:
    """Isolated topics, consumer group and cache-key space for one test."""
    return {
        "REQUEST_TOPIC": f"{prefix}.requests",
        "PREDICTION_TOPIC": f"{prefix}.predictions",
        "DLQ_TOPIC": f"{prefix}.requests.dlq",
        "REPLAY_TOPIC": f"{prefix}.requests.replay",
        "APP_ID": prefix,
    }


def upstream_env(sims: RunningSimulators) -> dict[str, str]:
    """Environment pointing a worker at the given simulators."""
    return {
        "WEATHER_URL": sims.urls["weather"],
        "ELEVATION_URL": sims.urls["elevation"],
        "SCOUTING_URL": sims.urls["scouting"],
    }


async def create_topics(env: Mapping[str, str]) -> Settings:
    settings = Settings.from_env({**os.environ, **env})
    await ensure_topics(settings.kafka, config=KEEP_EVERYTHING)
    return settings


@dataclass
class WorkerProcess:
    """``deerstream worker`` in a subprocess with its own web port and log file."""

    env: Mapping[str, str]
    log_dir: Path
    name: str = "worker"
    web_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    command: Sequence[str] | None = None  # default: this interpreter's deerstream.cli
    cwd: Path | None = None

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def start(self) -> None:
        self.starts += 1
        env = {
            **os.environ,
            **self.env,
            "WEB_PORT": str(self.web_port),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        }
        log = open(self.log_path, "ab")
        argv = list(self.command or [sys.executable, "-m", "deerstream.cli", "worker"])
        if self.command is not None:
            env.pop("PYTHONPATH", None)  # an installed command must not see the repository
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/ready", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    async def wait_ready(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"worker exited ({self.proc.returncode}):\n{self.tail()}")
            if await asyncio.to_thread(self.ready):
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"worker not ready within {timeout_s} s:\n{self.tail()}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def terminate(self, timeout_s: float = 60) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(
                f"worker ignored SIGTERM for {timeout_s} s:\n{self.tail()}"
            ) from None

    def rss_mb(self) -> float:
        assert self.proc is not None
        return float(psutil.Process(self.proc.pid).memory_info().rss) / 2**20

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def day_ahead(ahead: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=ahead)).isoformat()


def request_json(i: int, *, spots: int = 50, base_lat: float = 44.2, tag: str = "r") -> bytes:
    """A valid request; ``spots`` distinct places so caches and batching behave realistically."""
    spot = i % spots
    return orjson.dumps(
        {
            "request_id": f"{tag}-{i}",
            "lat": round(base_lat + (spot // 10) * 0.02 + (i % 3) * 0.0003, 5),
            "lon": round(-72.6 + (spot % 10) * 0.02, 5),
            # Days from tomorrow on: inside the forecast range whenever the suite runs.
            "target_time": f"{day_ahead(1 + i % 5)}T{6 + (i % 2) * 10:02d}:30:00-05:00",
            "hunter_id": f"h{i % 7}",
        }
    )


async def produce(bootstrap: str, topic: str, items: Iterable[tuple[bytes | None, bytes]]) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    try:
        futures = [await producer.send(topic, value=v, key=k) for k, v in items]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(futures)


async def feed_in_chunks(
    bootstrap: str, topic: str, *, total: int, chunk: int = 500, pause_s: float = 0.5
) -> None:
    """Produce requests 0..total-1 (keyed r-<i>) in chunks with pauses: traffic that keeps
    flowing while a test kills or restarts workers."""
    for start in range(0, total, chunk):
        items = [
            (f"r-{i}".encode(), request_json(i)) for i in range(start, min(total, start + chunk))
        ]
        await produce(bootstrap, topic, items)
        await asyncio.sleep(pause_s)


async def collect(
    bootstrap: str,
    topic: str,
    *,
    until: int | None = None,
    keys: set[str] | None = None,
    timeout_s: float = 120,
    quiet_s: float = 0.0,
    isolation_level: str = "read_uncommitted",
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read ``topic`` from the beginning until ``until`` records arrived, or until every key in
    ``keys`` was seen, then keep reading for ``quiet_s`` more to catch extras (duplicates)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        isolation_level=isolation_level,
        enable_auto_commit=False,
    )
    await consumer.start()
    out: list[ConsumerRecord[bytes, bytes]] = []
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for r in records:
                    out.append(r)
                    if r.key is not None:
                        seen.add(r.key.decode())
            if until is not None and len(out) >= until:
                break
            if keys is not None and keys <= seen:
                break
        quiet_deadline = time.monotonic() + quiet_s
        while time.monotonic() < quiet_deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                out.extend(records)
    finally:
        await consumer.stop()
    return out


def request_ids(records: Sequence[ConsumerRecord[bytes, bytes]]) -> list[str]:
    """The request ids of predictions, plain or framed for a schema registry."""
    return [
        orjson.loads(unframe(r.value).payload)["request_id"] for r in records if r.value is not None
    ]
