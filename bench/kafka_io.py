"""Feeding requests to a worker and timing its predictions, over plain aiokafka.

Latency is measured between two producer timestamps (``CreateTime``): the request's, set by
the bench's producer when it sends, and the prediction's, set by the worker's producer when
it sends the prediction. Both clocks are this machine's, so no clock skew enters.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from deerstream.bench.stats import count_in_window
from deerstream.settings import KafkaConnection
from deerstream.streams.kafka import client_kwargs

Message = tuple[bytes, bytes]  # (key = request id, value)
MAX_SEND_PER_TICK = 2_000
TICK_S = 0.02


class RequestProducer:
    """Sends requests and remembers each one's Kafka timestamp (ms) by key."""

    def __init__(self, conn: KafkaConnection, topic: str) -> None:
        self.topic = topic
        self.sent_ms: dict[bytes, int] = {}
        self.sent = 0
        self._producer = AIOKafkaProducer(
            **client_kwargs(conn), linger_ms=5, acks=1, max_batch_size=256 * 1024
        )
        self._pending: list[asyncio.Future[RecordMetadata]] = []

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self.flush()
        await self._producer.stop()

    async def send(self, key: bytes, value: bytes) -> None:
        fut = await self._producer.send(self.topic, value=value, key=key)
        self.sent += 1

        def record(f: asyncio.Future[RecordMetadata]) -> None:
            if not f.cancelled() and f.exception() is None:
                self.sent_ms[key] = f.result().timestamp

        fut.add_done_callback(record)
        self._pending.append(fut)
        if len(self._pending) > 10_000:
            await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            await asyncio.gather(*pending)


@dataclass
class PredictionCollector:
    """Reads the prediction topic from the start; remembers each key's first timestamp."""

    conn: KafkaConnection
    topic: str
    received_ms: dict[bytes, int] = field(default_factory=dict)
    timestamps_s: list[float] = field(default_factory=list)
    duplicates: int = 0
    _task: asyncio.Task[None] | None = None
    _consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            self.topic,
            **client_kwargs(self.conn),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            fetch_max_bytes=16 * 1024 * 1024,
        )
        await self._consumer.start()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batch = await self._consumer.getmany(timeout_ms=200, max_records=5_000)
            for records in batch.values():
                for r in records:
                    if r.key is None:
                        continue
                    if r.key in self.received_ms:
                        self.duplicates += 1
                        continue
                    self.received_ms[r.key] = r.timestamp
                    self.timestamps_s.append(r.timestamp / 1000)

    @property
    def count(self) -> int:
        return len(self.received_ms)

    def recent_rate(self, seconds: float = 2.0) -> float:
        """Predictions per second over the last ``seconds`` (by prediction timestamp)."""
        now = time.time()
        return count_in_window(self.timestamps_s[-50_000:], now - seconds, now + 1) / seconds

    async def wait_for(self, keys: Sequence[bytes], timeout_s: float) -> bool:
        """True once every key has a prediction; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(k in self.received_ms for k in keys):
                return True
            await asyncio.sleep(0.1)
        return all(k in self.received_ms for k in keys)


def latencies_ms(
    producer: RequestProducer, collector: PredictionCollector, keys: Sequence[bytes]
) -> list[float]:
    """Request → prediction latency of every key that has both timestamps."""
    out = []
    for k in keys:
        sent, got = producer.sent_ms.get(k), collector.received_ms.get(k)
        if sent is not None and got is not None:
            out.append(float(got - sent))
    return out


async def run_closed_loop(
    producer: RequestProducer,
    collector: PredictionCollector,
    source: Iterator[Message],
    *,
    duration_s: float,
    min_outstanding: int,
    backlog_s: float = 1.0,
) -> list[bytes]:
    """Keep the worker saturated for ``duration_s``: whenever the backlog (sent, not yet
    predicted) falls below ``2 × max(min_outstanding, backlog_s × recent rate)``, top it up,
    so the worker never waits for input and what is left at the end drains in about two
    seconds. Closed-loop latency is therefore mostly time spent queued in that backlog."""
    keys: list[bytes] = []
    end = time.monotonic() + duration_s
    while time.monotonic() < end:
        target = max(min_outstanding, int(backlog_s * collector.recent_rate()))
        # Outstanding counts this phase's keys only (earlier phases have drained).
        outstanding = producer.sent - collector.count
        for _ in range(min(MAX_SEND_PER_TICK, max(0, 2 * target - outstanding))):
            key, value = next(source)
            await producer.send(key, value)
            keys.append(key)
        await asyncio.sleep(TICK_S)
    await producer.flush()
    return keys


async def run_open_loop(
    producer: RequestProducer, source: Iterator[Message], *, rate: float, duration_s: float
) -> list[bytes]:
    """Send at a fixed ``rate`` for ``duration_s`` whatever the worker does (paced producer)."""
    total = max(1, int(rate * duration_s))
    keys: list[bytes] = []
    start = time.monotonic()
    while len(keys) < total:
        due = min(total, int((time.monotonic() - start) * rate) + 1)
        while len(keys) < due:
            key, value = next(source)
            await producer.send(key, value)
            keys.append(key)
        await asyncio.sleep(0.005)
    await producer.flush()
    return keys
