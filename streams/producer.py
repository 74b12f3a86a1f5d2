"""``RequestProducer``: publish prediction requests with confirmed delivery.

The producer is idempotent (no duplicates from its own retries) and waits for all in-sync
replicas; it lingers a few milliseconds so many sends share one batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from deerstream.lifecycle import AsyncStartStop
from deerstream.models.codec import encode_request
from deerstream.models.records import PredictionRequest
from deerstream.settings import KafkaSettings
from deerstream.streams.kafka import BrokerError, client_kwargs
from deerstream.streams.times import to_ms

Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where the broker stored a message."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int


class RequestProducer(AsyncStartStop):
    """Publish ``PredictionRequest`` events (keyed by ``request_id``) to the request topic.

    Use as an async context manager::

        async with RequestProducer(settings.kafka) as producer:
            await producer.send(request)
            await producer.send_many(requests)

    Every ``send*`` returns only after the broker acknowledged the message(s); failures raise
    ``BrokerError``.
    """

    def __init__(
        self,
        kafka: KafkaSettings,
        *,
        topic: str | None = None,
        linger_ms: int = 10,
        window: int = 5000,
        client_id: str = "deerstream-producer",
    ) -> None:
        self._conn = kafka.connection
        self.topic = topic or kafka.topics.request
        self._linger_ms = linger_ms
        # How many unacknowledged sends send_many keeps in flight before waiting.
        self._window = max(1, window)
        self._client_id = client_id
        self._producer: Any = None

    async def start(self) -> None:
        """Connect to the cluster."""
        producer = AIOKafkaProducer(
            **client_kwargs(self._conn),
            client_id=self._client_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=self._linger_ms,
        )
        try:
            await producer.start()
        except KafkaError as exc:
            await producer.stop()
            raise BrokerError(f"cannot connect to Kafka: {exc}") from exc
        self._producer = producer

    async def stop(self) -> None:
        """Flush what is pending and disconnect."""
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    async def send(
        self,
        request: PredictionRequest,
        *,
        timestamp: datetime | None = None,
        headers: Headers = (),
    ) -> Delivery:
        """Publish one request and wait for the broker's acknowledgement."""
        pending = await self.enqueue(
            encode_request(request),
            key=request.request_id.encode(),
            timestamp_ms=to_ms(timestamp) if timestamp is not None else None,
            headers=headers,
        )
        return await pending

    async def send_many(
        self,
        requests: Iterable[PredictionRequest | tuple[PredictionRequest, datetime]],
        *,
        on_delivered: Callable[[int], None] | None = None,
    ) -> int:
        """Publish many requests (each optionally with its event time); return how many.

        Sends are pipelined; the call returns once every message is acknowledged.
        ``on_delivered(n)`` is called as acknowledgements arrive (for progress bars).
        """
        in_flight: list[Awaitable[Delivery]] = []
        sent = 0
        for item in requests:
            request, when = item if isinstance(item, tuple) else (item, None)
            in_flight.append(
                await self.enqueue(
                    encode_request(request),
                    key=request.request_id.encode(),
                    timestamp_ms=to_ms(when) if when is not None else None,
                )
            )
            if len(in_flight) >= self._window:
                sent += await _settle(in_flight, on_delivered)
                in_flight = []
        sent += await _settle(in_flight, on_delivered)
        return sent

    async def enqueue(
        self,
        value: bytes,
        *,
        key: bytes | None,
        timestamp_ms: int | None = None,
        headers: Headers = (),
        topic: str | None = None,
    ) -> Awaitable[Delivery]:
        """Hand raw bytes to the producer; await the result for the acknowledgement.

        The low-level path used by replay, which forwards original bytes unchanged.
        """
        if self._producer is None:
            raise RuntimeError("RequestProducer is not started; use `async with`")
        target = topic or self.topic
        try:
            future = await self._producer.send(
                target, value, key=key, timestamp_ms=timestamp_ms, headers=list(headers) or None
            )
        except KafkaError as exc:
            raise BrokerError(f"cannot send to {target!r}: {exc}") from exc
        return _chain(target, future)

    async def flush(self) -> None:
        """Wait until every enqueued message has been sent."""
        if self._producer is not None:
            await self._producer.flush()


def _chain(topic: str, future: asyncio.Future[Any]) -> asyncio.Future[Delivery]:
    """A future of ``Delivery`` resolved from aiokafka's record-metadata future."""
    out: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()

    def resolve(done: asyncio.Future[Any]) -> None:
        if out.cancelled():
            return
        if done.cancelled():
            out.cancel()
            return
        exc = done.exception()
        if exc is not None:
            out.set_exception(BrokerError(f"delivery to {topic!r} failed: {exc}"))
            return
        meta = done.result()
        out.set_result(Delivery(topic, meta.partition, meta.offset, meta.timestamp))

    future.add_done_callback(resolve)
    return out


async def _settle(
    pending: list[Awaitable[Delivery]], on_delivered: Callable[[int], None] | None
) -> int:
    """Wait for every pending delivery, reporting each; the first failure is raised."""
    for item in pending:
        await item
        if on_delivered is not None:
            on_delivered(1)
    return len(pending)
