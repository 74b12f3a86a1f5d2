"""Test helper: read back everything in a topic (no group, exact end offsets)."""

from __future__ import annotations

from typing import Any

from aiokafka import TopicPartition

from deerstream.settings import Settings
from deerstream.streams.kafka import partitions_of
from deerstream.streams.ranges import close_consumer, open_reader


async def read_all(settings: Settings, topic: str) -> list[Any]:
    """Every record of ``topic`` up to its current end, in partition/offset order."""
    consumer = open_reader(settings.kafka.connection)
    await consumer.start()
    try:
        tps = [
            TopicPartition(topic, p) for p in await partitions_of(settings.kafka.connection, topic)
        ]
        consumer.assign(tps)
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        out: list[Any] = []
        for tp in tps:
            consumer.seek(tp, starts[tp])
        remaining = {tp for tp in tps if ends[tp] > starts[tp]}
        while remaining:
            batches = await consumer.getmany(timeout_ms=500)
            for tp, records in batches.items():
                out.extend(r for r in records if r.offset < ends[tp])
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        return sorted(out, key=lambda r: (r.partition, r.offset))
    finally:
        await close_consumer(consumer)
