"""As a user would: produce 1,000 requests from a file with the CLI while a worker runs,
then `subscribe --count 1000` sees 1,000 predictions, one per request."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import orjson
import pytest

from deerstream.simulators.server import RunningSimulators
from tests.agents.harness import WorkerProcess, create_topics, request_json, topic_env, upstream_env

pytestmark = pytest.mark.integration


async def _cli(env: dict[str, str], *args: str, timeout_s: float = 120) -> tuple[int, bytes, bytes]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "deerstream.cli",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    return proc.returncode or 0, out, err


async def test_produce_file_then_subscribe_count(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    env = {
        **topic_env(unique_name),
        **upstream_env(sims),
    }
    await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    try:
        await worker.wait_ready()
        path = tmp_path / "requests.jsonl"
        path.write_bytes(b"\n".join(request_json(i, tag="cli") for i in range(1000)) + b"\n")
        subscriber = asyncio.create_task(
            _cli(
                env,
                "subscribe",
                "--from-beginning",
                "--count",
                "1000",
                "--timeout",
                "180",
                "--format",
                "jsonl",
            )
        )
        code, out, err = await _cli(env, "produce", "--file", str(path))
        assert code == 0, err.decode()
        code, out, err = await subscriber
    finally:
        worker.terminate()
    assert code == 0, err.decode()
    lines = [orjson.loads(line) for line in out.splitlines() if line.strip()]
    assert len(lines) == 1000
    assert {p["request_id"] for p in lines} == {f"cli-{i}" for i in range(1000)}
