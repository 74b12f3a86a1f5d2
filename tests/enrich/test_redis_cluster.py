"""The caches on a real 3-master, 3-replica Redis Cluster (redis-server --cluster-enabled).

A plain client at one node gets MOVED for most keys (the field report: every lookup
bypassed); the cluster client, chosen by asking the node, splits reads per slot. The worker
gives the same prediction-cache hit ratio on the cluster as on a single node, survives a
master's ``kill -9`` (its replica is promoted) and says "bypassed" while it is, never
"reachable".
"""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import redis.asyncio as aioredis

from deerstream.enrich.cache import RedisCache
from deerstream.enrich.redis_client import RedisOptions, open_redis
from deerstream.errors import ConfigError
from deerstream.simulators.server import RunningSimulators
from deerstream.stack.redis_cluster import RedisClusterNodes
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

pytestmark = pytest.mark.integration


def _free_run(count: int) -> int:
    """A first port with ``count`` free loopback ports from it on."""
    for base in range(7101, 7900, 10):
        ok = True
        for port in range(base, base + count):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise AssertionError("no run of free ports for the cluster")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterNodes]:
    state = tmp_path_factory.mktemp("redis-cluster")
    nodes = RedisClusterNodes(state, f"redis://127.0.0.1:{_free_run(6)}/0")
    nodes.start()
    try:
        yield nodes
    finally:
        nodes.stop()


def _url(cluster: RedisClusterNodes) -> str:
    return f"redis://127.0.0.1:{cluster.ports[0]}/0"


async def test_a_plain_client_at_one_node_is_bypassed_the_cluster_client_is_not(
    cluster: RedisClusterNodes,
) -> None:
    keys = [f"deerstream:test:{i}" for i in range(200)]
    plain = aioredis.Redis.from_url(_url(cluster))
    cache = RedisCache(plain, name="plain")
    await cache.set_many([(k, b"v", 60) for k in keys])
    assert cache.stats()["errors"] == 1 and "MovedError" in cache.last_error
    await plain.aclose()

    client = await open_redis(RedisOptions(url=_url(cluster)))  # auto: asks the node
    cache = RedisCache(client, name="cluster")
    await cache.set_many([(k, b"v", 60) for k in keys])
    found = await cache.get_many([*keys, "deerstream:test:absent"])
    await client.aclose()
    assert sum(v is not None for v in found) == 200 and found[-1] is None
    assert cache.stats()["errors"] == 0 and cache.stats()["roundtrips"] == 2


async def test_cluster_settings_that_cannot_work_fail_at_start(
    cluster: RedisClusterNodes, redis_url: str
) -> None:
    with pytest.raises(ConfigError, match="not a cluster node"):
        await open_redis(RedisOptions(url=redis_url, cluster="true"))
    with pytest.raises(ConfigError, match="only database 0"):
        await open_redis(RedisOptions(url=f"redis://127.0.0.1:{cluster.ports[0]}/3"))


def _metric(port: int, name: str, **labels: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        body = r.read().decode()
    total = 0.0
    for line in body.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def _ready(port: int) -> dict[str, object]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as r:
            return dict(orjson.loads(r.read()))
    except urllib.error.HTTPError as err:
        return dict(orjson.loads(err.read()))


async def _hit_ratio(
    bootstrap: str, sims: RunningSimulators, tmp_path: Path, redis_url: str, tag: str
) -> float:
    """One worker, the same seeded workload: 300 requests, then the same 300 places again."""
    name = f"t-rc-{tag}-{time.monotonic_ns() % 10**9}"
    env = {**topic_env(name), **upstream_env(sims), "REDIS_URL": redis_url}
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path, name=f"worker-{tag}")
    worker.start()
    try:
        await worker.wait_ready()
        for round_ in range(2):
            items = [
                (f"{tag}{round_}-{i}".encode(), request_json(i, tag=f"{tag}{round_}"))
                for i in range(300)
            ]
            await produce(bootstrap, settings.request_topic, items)
            want = {f"{tag}{round_}-{i}" for i in range(300)}
            got = await collect(bootstrap, settings.prediction_topic, keys=want, timeout_s=120)
            assert want <= set(request_ids(got))
        hits = _metric(worker.web_port, "deerstream_prediction_cache_total", result="hit")
        misses = _metric(worker.web_port, "deerstream_prediction_cache_total", result="miss")
        ready = _ready(worker.web_port)
    finally:
        worker.terminate()
    assert "reachable" in str(ready), ready
    return hits / (hits + misses)


async def test_same_hit_ratio_on_the_cluster_as_on_one_node(
    kafka_bootstrap: str,
    redis_client: aioredis.Redis,
    redis_url: str,
    sims: RunningSimulators,
    tmp_path: Path,
    cluster: RedisClusterNodes,
) -> None:
    for port in cluster.masters():
        flush = aioredis.Redis(host="127.0.0.1", port=port)
        await flush.flushall()
        await flush.aclose()
    single = await _hit_ratio(kafka_bootstrap, sims, tmp_path, redis_url, "single")
    on_cluster = await _hit_ratio(kafka_bootstrap, sims, tmp_path, _url(cluster), "cluster")
    print(f"\nprediction-cache hit ratio: single node {single:.3f}, cluster {on_cluster:.3f}")
    assert on_cluster > 0.4  # the second round is answered from the cache
    assert abs(single - on_cluster) <= 0.05


async def test_killing_a_master_loses_nothing_and_the_cache_resumes(
    kafka_bootstrap: str, sims: RunningSimulators, tmp_path: Path, cluster: RedisClusterNodes
) -> None:
    name = f"t-rc-kill-{time.monotonic_ns() % 10**9}"
    env = {**topic_env(name), **upstream_env(sims), "REDIS_URL": _url(cluster)}
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path, name="worker-kill")
    worker.start()
    total = 3000
    try:
        await worker.wait_ready()
        feed = [(f"k-{i}".encode(), request_json(i, tag="k")) for i in range(total)]
        await produce(kafka_bootstrap, settings.request_topic, feed[:1000])
        # The places asked again after the failover must be cached before the kill: what
        # the worker computes while the cache is down is (by design) not written.
        first = {f"k-{i}" for i in range(300)}
        early = await collect(kafka_bootstrap, settings.prediction_topic, keys=first, timeout_s=120)
        assert first <= set(request_ids(early))
        victim = cluster.masters()[-1]  # not the node in REDIS_URL: discovery must cope
        # Replication is asynchronous: what the replica has not acknowledged dies with the
        # master. Wait until it has (the writes themselves are done: cached before publish).
        written, acked = cluster.replication_offsets(victim)
        wait_from = time.monotonic()
        synced_by = wait_from + 10
        while time.monotonic() < synced_by:
            acked = cluster.replication_offsets(victim)[1]
            if acked >= written:
                break
            await asyncio.sleep(0.1)
        assert acked >= written > 0, f"replica acknowledged {acked} of {written} in 10 s"
        acked_s = round(time.monotonic() - wait_from, 1)
        cluster.kill_node(victim)
        killed_at = time.monotonic()
        await produce(kafka_bootstrap, settings.request_topic, feed[1000:])
        failover_s = None
        survivors = [p for p in cluster.ports if p != victim]
        while time.monotonic() - killed_at < 30:
            if len(set(cluster.masters()) & set(survivors)) == 3:
                failover_s = round(time.monotonic() - killed_at, 1)
                break
            await asyncio.sleep(0.2)
        assert failover_s is not None, "no replica was promoted within 30 s"
        want = {f"k-{i}" for i in range(total)}
        got = await collect(kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=180)
        assert want <= set(request_ids(got))  # nothing lost
        # The cache comes back by itself once its backoff after the last error is over (at
        # most 5 s): readiness says so after the first lookup that succeeds. A few probe
        # requests make lookups happen; without this wait the round below could fall inside
        # the last backoff and be bypassed whole (seen once: 0 hits of 300, no new error).
        # /ready follows the caches: a lookup that failed reads as bypassed until one
        # succeeds or 30 s pass without errors.
        deadline = time.monotonic() + 45  # RECENT_ERROR_S and a margin
        ready = _ready(worker.web_port)
        probe = 0
        while "redis cluster reachable" not in str(ready) and time.monotonic() < deadline:
            probes = [
                (f"p{probe}-{i}".encode(), request_json(i, tag=f"p{probe}")) for i in range(10)
            ]
            await produce(kafka_bootstrap, settings.request_topic, probes)
            probe += 1
            await asyncio.sleep(1.0)
            ready = _ready(worker.web_port)
        assert "redis cluster reachable" in str(ready), ready
        errors_before = _metric(
            worker.web_port, "deerstream_prediction_cache_total", result="errors"
        )
        hits_before = _metric(worker.web_port, "deerstream_prediction_cache_total", result="hit")
        again = [(f"k2-{i}".encode(), request_json(i, tag="k2")) for i in range(300)]
        await produce(kafka_bootstrap, settings.request_topic, again)
        want2 = {f"k2-{i}" for i in range(300)}
        got2 = await collect(kafka_bootstrap, settings.prediction_topic, keys=want2, timeout_s=60)
        assert want2 <= set(request_ids(got2))
        hits_after = _metric(worker.web_port, "deerstream_prediction_cache_total", result="hit")
        errors_after = _metric(
            worker.web_port, "deerstream_prediction_cache_total", result="errors"
        )
        bypassed = _metric(worker.web_port, "deerstream_prediction_cache_total", result="bypass")
        bypassed += _metric(worker.web_port, "deerstream_cache_requests_total", result="bypass")
        ready = _ready(worker.web_port)  # and still reachable after the round
    finally:
        worker.terminate()
    print(
        f"\nmaster {victim} killed (its replica had acknowledged in {acked_s} s): replica "
        f"promoted in {failover_s} s; "
        f"cache errors {errors_before:.0f}, lookups bypassed {bypassed:.0f}; "
        f"ready again after {probe} probe rounds; "
        f"hits after failover {hits_after - hits_before:.0f} of 300"
    )
    assert errors_before + bypassed >= 1  # the outage was seen and counted
    assert errors_after == errors_before  # the cache works again after the failover
    assert hits_after - hits_before >= 250  # the same places, served from the cache
    assert "redis cluster reachable" in str(ready), ready
