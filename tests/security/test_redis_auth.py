"""The worker on a Redis that demands a password (``requirepass``) or an ACL user: it
caches through it, and a wrong password stops it at start with one clear line."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from deerstream.agents.preflight import check_redis
from deerstream.errors import ConfigError
from deerstream.settings import Settings
from deerstream.simulators.server import RunningSimulators
from tests.agents.harness import (
    WorkerProcess,
    collect,
    create_topics,
    produce,
    request_ids,
    request_json,
    topic_env,
    upstream_env,
)
from tests.ports import free_port
from tests.security.conftest import StartRedis

pytestmark = pytest.mark.integration

PASSWORD = "R3dis-S3cret-z9w4"
FAIL_FAST_S = 30


@pytest.mark.parametrize("user", ["", "cacheuser"], ids=["requirepass", "acl-user"])
async def test_worker_caches_through_password_protected_redis(
    user: str,
    redis_server: StartRedis,
    kafka_bootstrap: str,
    unique_name: str,
    tmp_path: Path,
    sims: RunningSimulators,
) -> None:
    url = f"redis://{user}:{PASSWORD}@127.0.0.1:{free_port()}/0"
    redis_server(url)
    env = {**topic_env(unique_name), **upstream_env(sims), "REDIS_URL": url}
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    try:
        await worker.wait_ready()  # /ready includes a Redis PING
        want = {f"r-{i}" for i in range(50)}
        await produce(
            kafka_bootstrap,
            settings.request_topic,
            ((f"r-{i}".encode(), request_json(i)) for i in range(50)),
        )
        predictions = await collect(kafka_bootstrap, settings.prediction_topic, keys=want)
    finally:
        assert worker.terminate() == 0
    assert set(request_ids(predictions)) == want
    client = aioredis.Redis.from_url(url)
    try:
        cached = await client.dbsize()
    finally:
        await client.aclose()
    assert cached > 0  # the worker wrote its cache entries, so it did log in
    assert PASSWORD not in worker.log_path.read_text()


async def test_wrong_redis_password_stops_the_worker_with_one_clear_line(
    redis_server: StartRedis, kafka_bootstrap: str, unique_name: str, tmp_path: Path,
    sims: RunningSimulators,
) -> None:  # fmt: skip
    port = free_port()
    redis_server(f"redis://:{PASSWORD}@127.0.0.1:{port}/0")
    wrong = f"Wr0ng-{PASSWORD}"
    env = {
        **topic_env(unique_name),
        **upstream_env(sims),
        "REDIS_URL": f"redis://:{wrong}@127.0.0.1:{port}/0",
    }
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    assert worker.proc is not None
    try:
        code = await asyncio.to_thread(worker.proc.wait, FAIL_FAST_S)
    except subprocess.TimeoutExpired:
        worker.terminate()
        pytest.fail(
            f"worker still running {FAIL_FAST_S} s after Redis refused it:\n{worker.tail()}"
        )
    assert code != 0
    log = worker.log_path.read_text()
    last = log.strip().splitlines()[-1]
    assert last.startswith("deerstream: error: Redis authentication failed"), worker.tail()
    assert f"127.0.0.1:{port}" in last
    assert "Traceback" not in log
    assert wrong not in log and PASSWORD not in log


async def test_preflight_names_each_redis_credential_mistake(redis_server: StartRedis) -> None:
    port = free_port()
    redis_server(f"redis://cacheuser:{PASSWORD}@127.0.0.1:{port}/0")
    limited = "limited-S3cret-1"
    admin = aioredis.Redis.from_url(f"redis://cacheuser:{PASSWORD}@127.0.0.1:{port}/0")
    try:
        # May PING but touch no key: what a too-narrow ACL looks like.
        await admin.acl_setuser("limited", enabled=True, passwords=[f"+{limited}"],
                                commands=["+ping", "+exists"])  # fmt: skip
    finally:
        await admin.aclose()
    base = f"127.0.0.1:{port}/0"
    await check_redis(Settings(redis_url=f"redis://cacheuser:{PASSWORD}@{base}").redis)
    cases = {
        f"redis://cacheuser:nope@{base}": "Redis authentication failed at cacheuser@127.0.0.1",
        f"redis://mallory:{PASSWORD}@{base}": "Redis authentication failed at mallory@",
        f"redis://{base}": "Redis authentication failed",  # the default user is disabled
        f"redis://limited:{limited}@{base}": "lacks permissions",
    }
    for url, message in cases.items():
        with pytest.raises(ConfigError, match=message) as caught:
            await check_redis(Settings(redis_url=url).redis)
        assert PASSWORD not in str(caught.value) and limited not in str(caught.value)


async def test_preflight_lets_an_unreachable_redis_be_bypassed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="deerstream.preflight"):
        await check_redis(
            Settings(redis_url=f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0").redis, timeout_s=1
        )
    assert "cache bypassed" in caplog.text
    assert PASSWORD not in caplog.text
