"""Wrong topology settings stop the worker at start with one line, before Faust starts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from deerstream.agents.preflight import check_kafka, check_redis_mode
from deerstream.errors import ConfigError
from deerstream.settings import Settings

pytestmark = pytest.mark.integration


async def test_more_replicas_than_brokers_is_refused(
    settings: Settings, kafka_bootstrap: str
) -> None:
    with pytest.raises(
        ConfigError, match=r"TOPIC_REPLICATION=3, but the Kafka cluster .* 1 broker"
    ):
        await check_kafka(settings.replace(topic_replication=3).kafka)
    await check_kafka(settings.replace(topic_replication=1).kafka)


async def test_cluster_mode_at_a_plain_redis_is_refused(settings: Settings, redis_url: str) -> None:
    with pytest.raises(ConfigError, match="not a cluster node"):
        await check_redis_mode(settings.replace(redis_cluster="true").redis)
    await check_redis_mode(settings.replace(redis_cluster="auto").redis)


def test_the_worker_says_it_in_one_line(kafka_bootstrap: str, unique_name: str) -> None:
    env = {"TOPIC_REPLICATION": "3", "APP_ID": unique_name, "REQUEST_TOPIC": unique_name}
    proc = subprocess.run(
        [sys.executable, "-m", "deerstream.cli", "worker"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("deerstream: error: TOPIC_REPLICATION=3"), proc.stderr[-2000:]
    assert proc.stdout.strip() == ""  # nothing started: no Faust banner, no JSON logs
