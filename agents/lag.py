"""Consumer lag per partition: end offset minus the group's committed offset."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from deerstream.settings import KafkaConnection
from deerstream.streams.kafka import client_kwargs


async def consumer_lag(
    conn: KafkaConnection, group_id: str, topics: Sequence[str]
) -> dict[tuple[str, int], int]:
    """{(topic, partition): lag} for the partitions of ``topics``; a partition the group
    never committed counts from its beginning."""
    kwargs = client_kwargs(conn)
    admin = AIOKafkaAdminClient(**kwargs)
    consumer = AIOKafkaConsumer(**kwargs)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group_id)
        tps = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not tps:
            return {}
        ends = await consumer.end_offsets(tps)
        begins = await consumer.beginning_offsets(tps)
        lag: dict[tuple[str, int], int] = {}
        for tp in tps:
            meta = committed.get(tp)
            start = meta.offset if meta is not None and meta.offset >= 0 else begins[tp]
            lag[(tp.topic, tp.partition)] = max(0, ends[tp] - start)
        return lag
    finally:
        await consumer.stop()
        await admin.close()
