"""The worker on a real 3-broker KRaft cluster (RF 3, min.insync.replicas 2) while brokers
die: ``kill -9`` of the busiest partition's leader, and a rolling restart of all three.

Its own target (``make test-cluster``): three JVMs and 5,000 requests per scenario.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from deerstream.simulators.server import RunningSimulators
from deerstream.stack.kafka_cluster import KafkaCluster
from tests.agents.harness import (
    WorkerProcess,
    collect,
    create_topics,
    feed_in_chunks,
    request_ids,
    topic_env,
    upstream_env,
)
from tests.ports import free_port

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

TOTAL = 5000


@pytest.fixture(scope="module")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    while True:
        base = free_port(pair=True)
        if all(free_port_is(base + i) for i in range(2, 6)):
            break
    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"), "127.0.0.1", base)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def free_port_is(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def _busiest_leader(bootstrap: str, topic: str) -> tuple[int, int]:
    """(partition with the most records so far, its leader's node id)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        cluster = consumer._client.cluster
        tps = [TopicPartition(topic, p) for p in cluster.partitions_for_topic(topic) or ()]
        ends = await consumer.end_offsets(tps)
        busiest = max(tps, key=lambda tp: ends[tp])
        return busiest.partition, int(cluster.leader_for_partition(busiest))
    finally:
        await consumer.stop()


async def _arrivals(bootstrap: str, topic: str, want: set[str], timeout_s: float) -> list[float]:
    """Arrival times of the first prediction of each wanted request, while they come in."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    seen: set[str] = set()
    times: list[float] = []
    try:
        deadline = time.monotonic() + timeout_s
        while seen < want and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            for records in batch.values():
                for r in records:
                    if r.key is not None and r.key.decode() not in seen:
                        seen.add(r.key.decode())
                        times.append(now)
    finally:
        await consumer.stop()
    return times


async def _scenario(
    cluster: KafkaCluster, sims: RunningSimulators, tmp_path: Path, disrupt: str
) -> dict[str, object]:
    bootstrap = cluster.bootstrap
    name = f"t-kc-{disrupt}-{time.monotonic_ns() % 10**9}"
    env = {
        **topic_env(name),
        **upstream_env(sims),
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "TOPIC_REPLICATION": "3",
    }
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path, name=f"worker-{disrupt}")
    worker.start()
    try:
        await worker.wait_ready(timeout_s=120)
        pid = worker.proc.pid if worker.proc else None
        want = {f"r-{i}" for i in range(TOTAL)}
        feeder = asyncio.create_task(
            feed_in_chunks(bootstrap, settings.request_topic, total=TOTAL, chunk=250, pause_s=0.3)
        )
        watcher = asyncio.create_task(
            _arrivals(bootstrap, settings.prediction_topic, want, timeout_s=300)
        )
        await asyncio.sleep(3.0)
        partition, victim = await _busiest_leader(bootstrap, settings.request_topic)
        if disrupt == "leader-kill":
            await asyncio.to_thread(cluster.kill, victim)
            await asyncio.sleep(8.0)
            await asyncio.to_thread(cluster.restart, victim)
        else:  # rolling restart: stop, start, next
            for node in cluster.nodes:
                await asyncio.to_thread(node.stop)
                await asyncio.to_thread(cluster.restart, node.node_id)
        await feeder
        arrivals = await watcher
        predictions = await collect(
            bootstrap, settings.prediction_topic, keys=want, timeout_s=120, quiet_s=2
        )
        ids = request_ids(predictions)
        same_process = worker.proc is not None and worker.proc.poll() is None
        assert same_process and worker.proc is not None and worker.proc.pid == pid
    finally:
        rc = worker.terminate(timeout_s=90)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    result = {
        "disrupt": disrupt,
        "busiest_partition_leader": f"p{partition}@node{victim}",
        "lost": len(want - set(ids)),
        "duplicates": len(ids) - len(set(ids)),
        "longest_stall_s": round(max(gaps, default=0.0), 1),
        "exit": rc,
    }
    print(f"\n{result}")
    assert want <= set(ids), f"lost {len(want - set(ids))}"
    return result


async def test_killing_the_busiest_partitions_leader_loses_nothing(
    kafka_cluster: KafkaCluster, sims: RunningSimulators, tmp_path: Path
) -> None:
    await _scenario(kafka_cluster, sims, tmp_path, "leader-kill")


async def test_a_rolling_restart_of_all_brokers_loses_nothing(
    kafka_cluster: KafkaCluster, sims: RunningSimulators, tmp_path: Path
) -> None:
    await _scenario(kafka_cluster, sims, tmp_path, "rolling-restart")


async def test_two_brokers_down_the_worker_waits_and_resumes_by_itself(
    kafka_cluster: KafkaCluster, sims: RunningSimulators, tmp_path: Path
) -> None:
    """min.insync.replicas 2 cannot be met with one broker: writes are refused. The worker
    stops taking work, says why, loses nothing and carries on when a broker returns."""
    bootstrap = kafka_cluster.bootstrap
    name = f"t-kc-isr-{time.monotonic_ns() % 10**9}"
    env = {
        **topic_env(name),
        **upstream_env(sims),
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "TOPIC_REPLICATION": "3",
    }
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path, name="worker-isr")
    worker.start()
    total = 2000
    want = {f"r-{i}" for i in range(total)}
    try:
        await worker.wait_ready(timeout_s=120)
        pid = worker.proc.pid if worker.proc else None
        await feed_in_chunks(bootstrap, settings.request_topic, total=1000, chunk=250)
        first = await collect(
            bootstrap, settings.prediction_topic, keys={f"r-{i}" for i in range(1000)}
        )
        assert len(set(request_ids(first))) == 1000
        # Keep node 1 (the first bootstrap address): clients must still find the cluster.
        down = [2, 3]
        # Everything the worker logs from here on (aiokafka logs several errors a second
        # per missing broker, so a fixed tail can miss the worker's own line).
        log_start = len(worker.log_path.read_text(errors="replace"))
        for node in down:
            await asyncio.to_thread(kafka_cluster.kill, node)
        await asyncio.sleep(2.0)
        # Requests keep coming while writes cannot be acknowledged.
        survivor = kafka_cluster.node_for(1).address
        feeder = asyncio.create_task(_produce_when_possible(survivor, settings.request_topic))
        await asyncio.sleep(20.0)
        assert worker.proc is not None and worker.proc.poll() is None, worker.tail()
        log = worker.log_path.read_text(errors="replace")[log_start:]
        assert (
            "kafka not fully usable; work waits until it is" in log
            or "waiting for the broker to acknowledge" in log
        ), log[-3000:]
        down_for = time.monotonic()
        for node in down:
            await asyncio.to_thread(kafka_cluster.restart, node)
        await feeder
        everything = await collect(bootstrap, settings.prediction_topic, keys=want, timeout_s=240)
        resumed_in = round(time.monotonic() - down_for, 1)
        assert worker.proc.poll() is None and worker.proc.pid == pid
    finally:
        worker.terminate(timeout_s=90)
    ids = request_ids(everything)
    print(
        f"\ntwo brokers down 20 s: lost {len(want - set(ids))}, duplicates "
        f"{len(ids) - len(set(ids))}, all answered {resumed_in} s after the restarts began"
    )
    assert want <= set(ids)


async def _produce_when_possible(bootstrap: str, topic: str) -> None:
    """Requests 1000..1999 sent with acks=all: accepted once the ISR is back."""
    from tests.agents.harness import produce, request_json

    items = [(f"r-{i}".encode(), request_json(i)) for i in range(1000, 2000)]
    await produce(bootstrap, topic, items)
