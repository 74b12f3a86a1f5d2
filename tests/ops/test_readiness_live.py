"""`/ready` of a real worker follows its dependencies: it turns 503 (saying why) when its
Redis or its Kafka broker stops, and 200 again when they come back. Private servers on free
ports, so the shared stack is never touched."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from deerstream.simulators.server import RunningSimulators
from deerstream.stack.kafka import KafkaBroker
from deerstream.stack.redis import RedisServer
from tests.agents.harness import WorkerProcess, create_topics, topic_env, upstream_env
from tests.ports import free_port
from tests.security.conftest import private_state

pytestmark = pytest.mark.integration


def _ready(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


async def _wait_for(port: int, status: int, timeout_s: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    body: dict[str, object] = {}
    while time.monotonic() < deadline:
        code, body = await asyncio.to_thread(_ready, port)
        if code == status:
            return body
        await asyncio.sleep(0.5)
    raise AssertionError(f"/ready never answered {status}; last body {body}")


async def test_ready_follows_redis_and_kafka(
    unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    with private_state("ready") as state:
        broker = KafkaBroker(state, "127.0.0.1", free_port(pair=True), heap_mb=512)
        redis = RedisServer(state, f"redis://127.0.0.1:{free_port()}/0")
        try:
            await asyncio.to_thread(broker.start)
            await asyncio.to_thread(redis.start)
            env = {
                **topic_env(unique_name),
                "KAFKA_BOOTSTRAP_SERVERS": broker.address,
                "REDIS_URL": f"redis://{redis.address}/0",
                **upstream_env(sims),
                "STATE_DIR": str(state / "worker"),
            }
            await create_topics(env)
            worker = WorkerProcess(env, tmp_path)
            worker.start()
            try:
                await worker.wait_ready()

                await asyncio.to_thread(redis.stop)
                body = await _wait_for(worker.web_port, 503)
                checks = body["checks"]
                assert isinstance(checks, dict) and checks["redis"]["ok"] is False
                assert checks["kafka"]["ok"] is True
                await asyncio.to_thread(redis.start)
                await _wait_for(worker.web_port, 200)

                await asyncio.to_thread(broker.stop)
                body = await _wait_for(worker.web_port, 503)
                checks = body["checks"]
                assert isinstance(checks, dict) and checks["kafka"]["ok"] is False
                await asyncio.to_thread(broker.start)
                await _wait_for(worker.web_port, 200, timeout_s=120)
            finally:
                worker.terminate()
        finally:
            await asyncio.to_thread(redis.stop)
            await asyncio.to_thread(broker.stop)
