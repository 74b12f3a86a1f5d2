"""``PredictionSubscriber``: tail the prediction topic, filtered, as an async iterator.

By default it joins no consumer group: it assigns itself every partition, so watching
predictions never takes partitions away from another consumer and commits nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from deerstream.errors import ConfigError, ContractError
from deerstream.lifecycle import AsyncStartStop
from deerstream.models.codec import decode_prediction
from deerstream.models.records import Prediction
from deerstream.settings import KafkaSettings
from deerstream.streams.kafka import BrokerError, client_kwargs, partitions_of
from deerstream.streams.ranges import close_consumer
from deerstream.streams.times import to_ms

Start = Literal["now", "beginning"] | datetime


@dataclass(frozen=True, slots=True)
class BBox:
    """A latitude/longitude box (inclusive); ``min_lon > max_lon`` crosses the antimeridian."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.min_lon <= self.max_lon:
            return self.min_lon <= lon <= self.max_lon
        return lon >= self.min_lon or lon <= self.max_lon


class PredictionSubscriber(AsyncStartStop):
    """Iterate over predictions from ``start`` ("now", "beginning" or a time), filtered.

    ::

        async with PredictionSubscriber(settings.kafka, start="beginning", hunter_id="h1") as sub:
            async for prediction in sub:
                print(prediction.request_id, prediction.movement_score)

    Events that are not valid predictions are skipped and counted in ``invalid``.
    """

    def __init__(
        self,
        kafka: KafkaSettings,
        *,
        topic: str | None = None,
        start: Start = "now",
        request_ids: Collection[str] | None = None,
        hunter_id: str | None = None,
        bbox: BBox | None = None,
        group_id: str | None = None,
    ) -> None:
        if group_id is not None and isinstance(start, datetime):
            raise ConfigError(
                "a start time cannot be combined with a consumer group (the group has offsets)"
            )
        self._conn = kafka.connection
        self.topic = topic or kafka.topics.prediction
        self._start = start
        self._keys = {r.encode() for r in request_ids} if request_ids else None
        self._hunter_id = hunter_id
        self._bbox = bbox
        self._group_id = group_id
        self._consumer: Any = None
        self._buffer: deque[Any] = deque()
        self.invalid = 0

    async def start(self) -> None:
        """Connect and position on every partition."""
        grouped = self._group_id is not None
        partitions = await partitions_of(self._conn, self.topic)
        consumer = AIOKafkaConsumer(
            **client_kwargs(self._conn),
            client_id="deerstream-subscriber",
            group_id=self._group_id,
            enable_auto_commit=grouped,
            auto_offset_reset="earliest" if self._start == "beginning" else "latest",
        )
        try:
            await consumer.start()
            if grouped:
                consumer.subscribe([self.topic])
            else:
                await self._position(consumer, [TopicPartition(self.topic, p) for p in partitions])
        except KafkaError as exc:
            await close_consumer(consumer)
            raise BrokerError(f"cannot subscribe to {self.topic!r}: {exc}") from exc
        except BaseException:
            await close_consumer(consumer)
            raise
        self._consumer = consumer

    async def _position(self, consumer: Any, tps: list[TopicPartition]) -> None:
        consumer.assign(tps)
        # Resolve "now" to concrete end offsets immediately: a lazy seek_to_end would
        # skip predictions published between start() and the first fetch.
        ends = await consumer.end_offsets(tps)
        if self._start == "beginning":
            targets = await consumer.beginning_offsets(tps)
        elif isinstance(self._start, datetime):
            found = await consumer.offsets_for_times(dict.fromkeys(tps, to_ms(self._start)))
            targets = {tp: (found[tp].offset if found.get(tp) else ends[tp]) for tp in tps}
        else:
            targets = ends
        for tp in tps:
            consumer.seek(tp, targets[tp])

    async def stop(self) -> None:
        """Disconnect (commits nothing unless a group was given)."""
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await close_consumer(consumer)

    def __aiter__(self) -> PredictionSubscriber:
        return self

    async def __anext__(self) -> Prediction:
        """The next matching prediction; waits for one (it never ends by itself).

        Fetched records are buffered on the subscriber, not in a generator, so breaking out
        of an ``async for`` and iterating again loses nothing.
        """
        if self._consumer is None:
            raise RuntimeError("PredictionSubscriber is not started; use `async with`")
        while True:
            while self._buffer:
                prediction = self._accept(self._buffer.popleft())
                if prediction is not None:
                    return prediction
            try:
                batches = await self._consumer.getmany(timeout_ms=1000, max_records=500)
            except KafkaError as exc:
                raise BrokerError(f"cannot read {self.topic!r}: {exc}") from exc
            for records in batches.values():
                self._buffer.extend(records)

    def _accept(self, record: Any) -> Prediction | None:
        if self._keys is not None and record.key not in self._keys:
            return None
        try:
            prediction = decode_prediction(record.value or b"")
        except ContractError:
            self.invalid += 1
            return None
        if self._keys is not None and prediction.request_id.encode() not in self._keys:
            return None
        if self._hunter_id is not None and prediction.hunter_id != self._hunter_id:
            return None
        if self._bbox is not None and not self._bbox.contains(prediction.lat, prediction.lon):
            return None
        return prediction
