"""Produce and collect with the project's own client settings (so with SASL/TLS too)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable, Mapping

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from deerstream.settings import Settings
from deerstream.streams.kafka import client_kwargs


def settings_for(env: Mapping[str, str]) -> Settings:
    """The settings a worker started with ``env`` would see."""
    return Settings.from_env({**os.environ, **env})


async def produce(settings: Settings, topic: str, items: Iterable[tuple[bytes, bytes]]) -> int:
    producer = AIOKafkaProducer(**client_kwargs(settings.kafka.connection), acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=v, key=k) for k, v in items]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(futures)


async def collect_ids(settings: Settings, topic: str, want: set[str], timeout_s: float) -> set[str]:
    """The ``request_id``s read from ``topic`` until all of ``want`` arrived (or timeout)."""
    consumer = AIOKafkaConsumer(
        topic,
        **client_kwargs(settings.kafka.connection),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + timeout_s
        while not want <= seen and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                seen.update(orjson.loads(r.value)["request_id"] for r in records if r.value)
    finally:
        await consumer.stop()
    return seen
