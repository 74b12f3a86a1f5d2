"""An event stuck in enrichment is never committed past, whatever finishes after it.

The shape that lost events (faust-streaming #606 meeting overlapping batches): request A is
stuck because its upstreams refuse connections; request B, later on the same partition, is
a prediction-cache hit and finishes in the next batch. The committed offset must stay at or
below A until A is answered, so a ``kill -9`` followed by a restart still answers A.

Each cycle stages A in three positions at once, on three partitions of fresh topics:
  * p0, "at the committed offset": one request before it was answered and committed;
  * p1, "offset 0 of a fresh partition" (Faust skips its gap check when committed is 0);
  * p2, "mid-batch": A between two cache hits produced with it, then B after.
and B (a cache hit) behind each. It checks the group's committed offsets at the moment of
the kill, then restarts upstreams and worker and waits for every answer.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from deerstream.models.codec import decode_prediction
from deerstream.simulators.knobs import SimConfig
from deerstream.simulators.server import RunningSimulators, start_simulators
from tests.agents.harness import (
    WorkerProcess,
    collect,
    create_topics,
    day_ahead,
    request_ids,
    topic_env,
    upstream_env,
)

pytestmark = pytest.mark.integration

CYCLES = int(os.environ.get("STUCK_EVENT_CYCLES", "2"))
GRACE_S = 3.0
STUCK_DB = 7  # a Redis database of its own, flushed per cycle: A must find nothing cached


def _request(request_id: str, lat: float, lon: float) -> bytes:
    return orjson.dumps(
        {
            "request_id": request_id,
            "lat": lat,
            "lon": lon,
            "target_time": f"{day_ahead(2)}T06:30:00-05:00",
        }
    )


def _redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


async def _send(bootstrap: str, topic: str, items: list[tuple[int, str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value=v, key=k.encode(), partition=p) for p, k, v in items
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def _committed(bootstrap: str, group: str, topic: str, parts: int) -> dict[int, int]:
    """The group's committed offset per partition (-1: never committed)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        got = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    out = {}
    for p in range(parts):
        meta = got.get(TopicPartition(topic, p))
        out[p] = meta.offset if meta is not None else -1
    return out


async def _wait_committed(
    bootstrap: str, group: str, topic: str, want: dict[int, int], timeout_s: float = 30
) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        now = await _committed(bootstrap, group, topic, max(want) + 1)
        if all(now[p] >= o for p, o in want.items()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"committed offsets {now}, waited for {want}")
        await asyncio.sleep(0.25)


async def _one_cycle(
    bootstrap: str,
    redis_url: str,
    tmp_path: Path,
    cycle: int,
    ports: dict[str, int],
    *,
    stop: str = "kill9",
    exactly_once: bool = False,
) -> dict[str, object]:
    import redis.asyncio as aioredis

    name = f"t-stuck-{uuid.uuid4().hex[:10]}"
    sims: RunningSimulators | None = await start_simulators(SimConfig(seed=7), ports=ports)
    assert sims is not None
    worker_redis = _redis_db(redis_url, STUCK_DB)
    client = aioredis.Redis.from_url(worker_redis)
    await client.flushdb()
    await client.aclose()
    env = {
        **topic_env(name),
        **upstream_env(sims),
        "REDIS_URL": worker_redis,
        "TOPIC_PARTITIONS": "3",
        # A stays stuck for the whole observation (it is dead-lettered only after this).
        "ENRICHMENT_UNAVAILABLE_DEADLINE_S": "600",
        "COMMIT_INTERVAL_S": "1",
        # One slot per stuck batch plus one for B, whatever way A's land in batches.
        "BATCHES_IN_FLIGHT": "4",
        "BATCH_WITHIN_S": "0.2",
        "SHUTDOWN_GRACE_S": str(GRACE_S),
        "EXACTLY_ONCE": "true" if exactly_once else "false",
    }
    settings = await create_topics(env)
    topic = settings.request_topic
    worker = WorkerProcess(env, tmp_path, name=f"worker-{cycle}")
    worker.start()
    try:
        await worker.wait_ready()
        # Where B's cached answers come from, and p0's committed offset 1.
        warm_lat, warm_lon = 44.2 + cycle * 0.01, -72.6
        await _send(
            bootstrap,
            topic,
            [
                (0, "w0", _request("w0", warm_lat, warm_lon)),
                (2, "w2", _request("w2", warm_lat, warm_lon)),
            ],
        )
        warm = await collect(bootstrap, settings.prediction_topic, keys={"w0", "w2"})
        assert set(request_ids(warm)) == {"w0", "w2"}
        await _wait_committed(bootstrap, name, topic, {0: 1, 2: 1})

        await sims.stop()  # every upstream now refuses connections
        sims = None
        # Places no cache has seen (a fresh Redis database), so A cannot be scored.
        stuck = {f"a{p}": (30.0 + cycle * 0.37 + p * 0.11, -100.0 - p * 0.13) for p in range(3)}
        await _send(
            bootstrap,
            topic,
            [
                (0, "a0", _request("a0", *stuck["a0"])),  # offset 1: the committed offset
                (1, "a1", _request("a1", *stuck["a1"])),  # offset 0 of a fresh partition
                (2, "h2", _request("h2", warm_lat, warm_lon)),  # offset 1
                (2, "a2", _request("a2", *stuck["a2"])),  # offset 2: mid-batch
                (2, "i2", _request("i2", warm_lat, warm_lon)),  # offset 3
            ],
        )
        await asyncio.sleep(1.0)  # A's batches are taken and stuck before B arrives
        hits = {"b0": 0, "b1": 1, "b2": 2}
        await _send(
            bootstrap, topic, [(p, k, _request(k, warm_lat, warm_lon)) for k, p in hits.items()]
        )
        if not exactly_once:  # exactly-once runs one batch at a time: B waits behind A
            later = await collect(
                bootstrap, settings.prediction_topic, keys={"w0", "w2", *hits}, timeout_s=60
            )
            assert set(hits) <= set(request_ids(later)), "B (a cache hit) did not finish"
        await asyncio.sleep(3 * 1.0)  # three commit intervals, as in the field report
        stuck_offsets = {0: 1, 1: 0, 2: 2}
        stopped_in_s = None
        if stop == "kill9":
            committed = await _committed(bootstrap, name, topic, 3)
            worker.kill9()
        else:
            t0 = time.monotonic()
            rc = worker.terminate(timeout_s=GRACE_S + 30)
            stopped_in_s = round(time.monotonic() - t0, 1)
            # Exactly-once cannot commit a transaction a cancelled batch may have written to.
            assert rc == (70 if exactly_once else 0), worker.tail()
            assert "left uncommitted for redelivery" in worker.tail(100)
            committed = await _committed(bootstrap, name, topic, 3)
        for p, a_offset in stuck_offsets.items():
            assert committed[p] <= a_offset, (
                f"partition {p}: committed {committed[p]} passed stuck A at {a_offset}"
            )

        sims = await start_simulators(SimConfig(seed=7), ports=ports)
        worker.start()
        await worker.wait_ready()
        want = {"w0", "w2", "h2", "i2", *hits, *stuck}
        isolation = "read_committed" if exactly_once else "read_uncommitted"
        answered = await collect(
            bootstrap,
            settings.prediction_topic,
            keys=want,
            timeout_s=120,
            quiet_s=2 if exactly_once else 0,
            isolation_level=isolation,
        )
        ids = request_ids(answered)
        assert want <= set(ids), f"never answered: {sorted(want - set(ids))}"
        if exactly_once:
            assert len(ids) == len(set(ids)), f"duplicates under read_committed: {ids}"
        for record in answered:
            prediction = decode_prediction(record.value)
            if prediction.request_id in stuck:
                assert prediction.data_quality["terrain"].status.value == "fresh"
        dead = await collect(bootstrap, settings.dlq_topic, until=1, timeout_s=2)
        assert dead == []
        assert worker.terminate() == 0
        return {
            "stop": stop,
            "exactly_once": exactly_once,
            "committed_at_stop": committed,
            "stopped_in_s": stopped_in_s,
            "duplicates": len(ids) - len(set(ids)),
        }
    finally:
        if worker.proc is not None and worker.proc.poll() is None:
            worker.kill9()  # a failed cycle: do not wait for a graceful stop
        if sims is not None:
            await sims.stop()


@pytest.fixture
async def ports(sims: RunningSimulators) -> dict[str, int]:
    """The fixture's free ports, reused by every cycle so a restarted worker finds them."""
    found = {n: int(u.rsplit(":", 1)[1]) for n, u in sims.urls.items()}
    await sims.stop()
    return found


async def test_stuck_event_is_never_committed_past_and_survives_kill_9(
    kafka_bootstrap: str, redis_url: str, tmp_path: Path, ports: dict[str, int]
) -> None:
    results = []
    for cycle in range(CYCLES):
        results.append(await _one_cycle(kafka_bootstrap, redis_url, tmp_path, cycle, ports))
    print(f"\nstuck event, kill -9, {CYCLES} cycles x 3 positions: {results}")


@pytest.mark.parametrize(
    ("stop", "exactly_once"), [("sigterm", False), ("kill9", True), ("sigterm", True)]
)
async def test_stuck_event_survives_sigterm_and_exactly_once(
    kafka_bootstrap: str,
    redis_url: str,
    tmp_path: Path,
    ports: dict[str, int],
    stop: str,
    exactly_once: bool,
) -> None:
    result = await _one_cycle(
        kafka_bootstrap, redis_url, tmp_path, 0, ports, stop=stop, exactly_once=exactly_once
    )
    print(f"\nstuck event: {result}")
