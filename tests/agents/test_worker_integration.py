"""The worker end to end on the real broker, real Redis and the simulators over HTTP:
nothing lost, malformed input dead-lettered with its reason, crashes and rebalances survived."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from pathlib import Path

import orjson
import pytest

from deerstream.models.codec import decode_prediction
from deerstream.models.deadletter import dead_letter_from_message
from deerstream.simulators.knobs import SimConfig
from deerstream.simulators.server import RunningSimulators
from tests.agents.harness import (
    WorkerProcess,
    collect,
    create_topics,
    feed_in_chunks,
    produce,
    request_ids,
    request_json,
    topic_env,
    upstream_env,
)

pytestmark = pytest.mark.integration


def _env(unique_name: str, sims: RunningSimulators, **extra: str) -> dict[str, str]:
    return {**topic_env(unique_name), **upstream_env(sims), **extra}


def _malformed() -> list[tuple[bytes, str]]:
    """100 bad events of five kinds, each with the reason the DLQ must carry."""
    good = orjson.loads(request_json(0))
    bad: list[tuple[bytes, str]] = []
    for i in range(20):
        bad.append((b'{"request_id": "bad-%d", "lat": ' % i, "invalid_json"))
        bad.append(
            (orjson.dumps({**good, "request_id": f"oor-{i}", "lat": 90.5 + i}), "out_of_range")
        )
        bad.append(
            (
                orjson.dumps(
                    {**good, "request_id": f"naive-{i}", "target_time": "2026-11-15T06:30:00"}
                ),
                "naive_datetime",
            )
        )
        bad.append(
            (orjson.dumps({**good, "request_id": f"big-{i}", "pad": "x" * 70_000}), "too_large")
        )
        bad.append((orjson.dumps({**good, "request_id": f"type-{i}", "lon": "west"}), "wrong_type"))
    return bad


async def test_5000_requests_predicted_and_100_malformed_dead_lettered(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    env = _env(unique_name, sims)
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    try:
        await worker.wait_ready()
        valid = [(f"r-{i}".encode(), request_json(i)) for i in range(5000)]
        bad = _malformed()
        mixed: list[tuple[bytes | None, bytes]] = list(valid)
        rng = random.Random(5)
        for value, _ in bad:
            mixed.insert(rng.randrange(len(mixed)), (b"bad", value))
        await produce(kafka_bootstrap, settings.request_topic, mixed)

        want = {f"r-{i}" for i in range(5000)}
        predictions = await collect(
            kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=300
        )
        dead = await collect(
            kafka_bootstrap, settings.dlq_topic, until=100, timeout_s=60, quiet_s=2
        )
    finally:
        assert worker.terminate() == 0

    ids = request_ids(predictions)
    assert set(ids) == want
    assert all(r.key == orjson.loads(r.value)["request_id"].encode() for r in predictions)
    assert len(dead) == 100
    expected = Counter(reason for _, reason in bad)
    got = Counter(dead_letter_from_message(r.value, r.headers).reason for r in dead)
    assert got == expected
    assert {r.value for r in dead} == {v for v, _ in bad}  # original bytes preserved
    sample = decode_prediction(predictions[0].value)
    assert 0 <= sample.movement_score <= 10 and 0 <= sample.confidence <= 1


async def test_kill_9_three_times_loses_nothing(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    env = _env(unique_name, sims)
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    await worker.wait_ready()
    rng = random.Random(11)
    total = 5000

    feeder = asyncio.create_task(
        feed_in_chunks(kafka_bootstrap, settings.request_topic, total=total, pause_s=0.4)
    )
    try:
        for _ in range(3):
            await asyncio.sleep(rng.uniform(0.5, 3.0))
            worker.kill9()
            worker.start()
            await worker.wait_ready()
        await feeder
        want = {f"r-{i}" for i in range(total)}
        predictions = await collect(
            kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=300, quiet_s=3
        )
    finally:
        feeder.cancel()
        worker.terminate()
    ids = request_ids(predictions)
    assert set(ids) == want
    duplicates = len(ids) - len(set(ids))
    # Redelivered requests give byte-identical ids, so consumers can drop them.
    by_id: dict[str, set[str]] = {}
    for r in predictions:
        d = orjson.loads(r.value)
        by_id.setdefault(d["request_id"], set()).add(d["prediction_id"])
    assert all(len(v) == 1 for v in by_id.values())
    print(f"\nkill -9 x3 over {total} requests: {duplicates} duplicate predictions")


async def test_two_workers_share_partitions_and_survive_losing_one(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    env = _env(unique_name, sims)
    settings = await create_topics(env)
    a = WorkerProcess(env, tmp_path, name="a")
    b = WorkerProcess(env, tmp_path, name="b")
    a.start()
    b.start()
    try:
        await asyncio.gather(a.wait_ready(), b.wait_ready())
        await produce(
            kafka_bootstrap,
            settings.request_topic,
            [(f"r-{i}".encode(), request_json(i)) for i in range(1000)],
        )
        first = await collect(
            kafka_bootstrap, settings.prediction_topic, keys={f"r-{i}" for i in range(1000)}
        )
        assert set(request_ids(first)) == {f"r-{i}" for i in range(1000)}
        a.kill9()
        await produce(
            kafka_bootstrap,
            settings.request_topic,
            [(f"r-{i}".encode(), request_json(i)) for i in range(1000, 2000)],
        )
        want = {f"r-{i}" for i in range(2000)}
        everything = await collect(
            kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=180
        )
    finally:
        b.terminate()
        if a.proc is not None and a.proc.poll() is None:
            a.terminate()
    assert set(request_ids(everything)) == want
    # Both workers really processed: each wrote "batch" activity to its own log.
    assert "worker resources started" in a.tail(400) and "worker resources started" in b.tail(400)


async def test_upstream_faults_degrade_predictions_honestly(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    sims.knobs["weather"].configure(SimConfig(seed=7, error_rate=0.3))
    env = _env(unique_name, sims, SCOUTING_URL="http://127.0.0.1:9")  # scouting is down
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    try:
        await worker.wait_ready()
        items = [(f"f-{i}".encode(), request_json(i, base_lat=45.1, tag="f")) for i in range(600)]
        await produce(kafka_bootstrap, settings.request_topic, items)
        want = {f"f-{i}" for i in range(600)}
        predictions = await collect(
            kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=240
        )
    finally:
        worker.terminate()
    assert set(request_ids(predictions)) == want
    preds = [decode_prediction(r.value) for r in predictions]
    assert sims.counts()["weather"]["faults"].get("error", 0) > 0  # faults really were injected
    for p in preds:
        scouting = p.data_quality["scouting"]
        assert scouting.status.value == "missing" and scouting.reason
        assert p.data_quality["terrain"].status.value in ("fresh", "cached")
        weather = p.data_quality["weather"]
        if weather.status.value == "missing":
            assert not any(f.name == "cold_front" and f.effect > 0 for f in p.factors)
        assert p.confidence < 1.0  # a missing source always costs confidence


@pytest.mark.parametrize(
    ("commit_interval", "kill_after_s"),
    # 6 s: the crash lands inside the first open transaction. 0.5 s: commits keep happening
    # while batches are in flight, so the crash lands after many committed transactions.
    [("6", 2.0), ("0.5", 4.0)],
)
async def test_exactly_once_mode_survives_a_crash_without_duplicates(
    kafka_bootstrap: str,
    unique_name: str,
    tmp_path: Path,
    sims: RunningSimulators,
    commit_interval: str,
    kill_after_s: float,
) -> None:
    env = _env(unique_name, sims, EXACTLY_ONCE="true", COMMIT_INTERVAL_S=commit_interval)
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    await worker.wait_ready()
    total = 6000

    feeder = asyncio.create_task(
        feed_in_chunks(kafka_bootstrap, settings.request_topic, total=total)
    )
    try:
        await asyncio.sleep(kill_after_s)
        worker.kill9()
        worker.start()
        await worker.wait_ready()
        await feeder
        want = {f"r-{i}" for i in range(total)}
        predictions = await collect(
            kafka_bootstrap,
            settings.prediction_topic,
            keys=want,
            timeout_s=300,
            quiet_s=5,
            isolation_level="read_committed",
        )
    finally:
        feeder.cancel()
        worker.terminate()
    ids = request_ids(predictions)
    assert set(ids) == want
    assert len(ids) == len(set(ids)), (
        f"{len(ids) - len(set(ids))} duplicates seen by read_committed"
    )
    # What the crash left uncommitted is visible only to a read_uncommitted reader.
    raw = await collect(kafka_bootstrap, settings.prediction_topic, until=10**9, timeout_s=10)
    print(f"\nexactly-once: {len(ids)} committed predictions; {len(raw)} records incl. aborted")
    if float(commit_interval) > kill_after_s:
        # No commit before the crash: the aborted first transaction must be there, unseen.
        assert len(raw) > len(ids)


async def test_sigterm_finishes_cleanly_and_commits(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    env = _env(unique_name, sims)
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    await worker.wait_ready()
    await produce(
        kafka_bootstrap,
        settings.request_topic,
        [(f"r-{i}".encode(), request_json(i)) for i in range(2000)],
    )
    await asyncio.sleep(1.0)  # mid-stream
    assert worker.terminate() == 0
    assert "worker resources stopped" in worker.tail(200)
    worker.start()
    await worker.wait_ready()
    try:
        want = {f"r-{i}" for i in range(2000)}
        predictions = await collect(
            kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=180, quiet_s=3
        )
    finally:
        worker.terminate()
    ids = request_ids(predictions)
    assert set(ids) == want
    # A graceful stop commits what it finished: at most the batches in flight are seen twice.
    assert len(ids) - len(set(ids)) <= settings.batch_max * settings.batches_in_flight
