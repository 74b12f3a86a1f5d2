"""The local broker is the real Apache Kafka: keyed round trips over 8 partitions,
timestamp lookups and transactions behave as Kafka's do."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import TopicPartition

pytestmark = pytest.mark.integration


async def _create_topic(bootstrap: str, name: str, partitions: int = 8) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


async def _drain(consumer: AIOKafkaConsumer, want: int, timeout_s: float = 30) -> list[object]:
    out: list[object] = []
    deadline = time.monotonic() + timeout_s
    while len(out) < want and time.monotonic() < deadline:
        batch = await consumer.getmany(timeout_ms=500)
        for records in batch.values():
            out.extend(records)
    return out


async def test_keyed_round_trip_over_eight_partitions(
    kafka_bootstrap: str, unique_name: str
) -> None:
    await _create_topic(kafka_bootstrap, unique_name)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        futures = [
            await producer.send(unique_name, value=f"v{i}".encode(), key=f"k{i % 100}".encode())
            for i in range(1000)
        ]
        metas = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    assert len({m.partition for m in metas}) == 8
    # Same key → same partition, always.
    by_key: dict[str, set[int]] = {}
    for i, m in enumerate(metas):
        by_key.setdefault(f"k{i % 100}", set()).add(m.partition)
    assert all(len(p) == 1 for p in by_key.values())

    consumer = AIOKafkaConsumer(
        unique_name,
        bootstrap_servers=kafka_bootstrap,
        group_id=unique_name,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        records = await _drain(consumer, 1000)
    finally:
        await consumer.stop()
    values = sorted(r.value for r in records)
    assert values == sorted(f"v{i}".encode() for i in range(1000))


async def test_offsets_for_times_returns_first_offset_at_or_after(
    kafka_bootstrap: str, unique_name: str
) -> None:
    await _create_topic(kafka_bootstrap, unique_name, partitions=1)
    base = 1_700_000_000_000
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for i in range(20):
            await producer.send_and_wait(unique_name, b"x", timestamp_ms=base + i * 1000)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap)
    await consumer.start()
    try:
        tp = TopicPartition(unique_name, 0)
        exact = await consumer.offsets_for_times({tp: base + 7000})
        between = await consumer.offsets_for_times({tp: base + 7500})
        past_end = await consumer.offsets_for_times({tp: base + 99_000})
    finally:
        await consumer.stop()
    assert exact[tp] is not None and exact[tp].offset == 7
    assert between[tp] is not None and between[tp].offset == 8
    assert between[tp].timestamp == base + 8000
    assert past_end[tp] is None


async def test_transactions_commit_visible_abort_invisible(
    kafka_bootstrap: str, unique_name: str
) -> None:
    await _create_topic(kafka_bootstrap, unique_name, partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, transactional_id=unique_name)
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send(unique_name, b"committed")
        await producer.begin_transaction()
        await producer.send(unique_name, b"aborted")
        await producer.abort_transaction()
        async with producer.transaction():
            await producer.send(unique_name, b"after")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        unique_name,
        bootstrap_servers=kafka_bootstrap,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        records = await _drain(consumer, 2, timeout_s=20)
        # Give an aborted record every chance to show up if isolation were broken.
        records += await _drain(consumer, 1, timeout_s=2)
    finally:
        await consumer.stop()
    assert [r.value for r in records] == [b"committed", b"after"]
