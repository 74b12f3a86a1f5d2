"""Replay historical requests: a time range or an offset range of a topic, or an archive file.

Replayed events are forwarded byte for byte (keys and values unchanged) to the replay topic
(``settings.replay_topic`` by default), tagged with headers the agent reads:

- ``deerstream.replay`` = ``1`` on every replayed event (the prediction is marked ``replay``);
- ``deerstream.replay.no_cache`` = ``1`` with ``no_cache``: bypass the prediction cache;
- ``deerstream.replay.origin`` = ``<topic>:<partition>:<offset>`` or ``file:<name>:<line>``;
- ``deerstream.replay.timestamp`` = the original event time in epoch milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from deerstream.errors import ConfigError, ContractError
from deerstream.models import headers as hdr
from deerstream.models.codec import encode_request, request_from_dict
from deerstream.settings import KafkaSettings
from deerstream.streams.admin import require_topic
from deerstream.streams.archive import is_archive_line, iter_archive_lines, parse_line
from deerstream.streams.pacing import Pacer, Unpaced
from deerstream.streams.producer import Delivery, RequestProducer
from deerstream.streams.ranges import (
    Slice,
    check_source,
    close_consumer,
    open_reader,
    plan_offset_range,
    plan_time_range,
    read_slices,
)

# Unacknowledged sends kept in flight before waiting for the broker.
_WINDOW = 5000

#: Partition number reported for file lines that carry no original partition.
NO_PARTITION = -1


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Records with ``since <= timestamp <= until`` in every partition of ``topic``
    (default: the request topic), exact whatever the order of timestamps; ``monotonic``
    trusts timestamps to rise with offsets and stops each partition early."""

    since: datetime
    until: datetime
    topic: str | None = None
    monotonic: bool = False


@dataclass(frozen=True, slots=True)
class OffsetRange:
    """Offsets ``start..end`` (both inclusive) of one partition of ``topic``."""

    partition: int
    start: int
    end: int
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """A JSONL file of archive records (``deerstream archive``) or of plain requests."""

    path: str


ReplaySource = TimeRange | OffsetRange | ArchiveFile


@dataclass(frozen=True, slots=True)
class ReplayEvent:
    """One event to replay: the original bytes and where they came from."""

    key: bytes | None
    value: bytes
    origin: str
    partition: int
    timestamp_ms: int | None
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(slots=True)
class ReplayReport:
    """Counts per original partition (``NO_PARTITION`` for plain file lines)."""

    target_topic: str
    dry_run: bool
    counts: dict[int, int] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def replay_headers(event: ReplayEvent, *, no_cache: bool) -> list[tuple[str, bytes]]:
    """The event's own headers (minus stale replay tags) plus this replay's tags."""
    headers = [(k, v) for k, v in event.headers if k not in hdr.REPLAY_HEADERS]
    headers.append((hdr.REPLAY, b"1"))
    if no_cache:
        headers.append((hdr.REPLAY_NO_CACHE, b"1"))
    headers.append((hdr.REPLAY_ORIGIN, event.origin.encode()))
    if event.timestamp_ms is not None:
        headers.append((hdr.REPLAY_TIMESTAMP, str(event.timestamp_ms).encode()))
    return headers


def load_file(path: str) -> list[ReplayEvent]:
    """Every event of a replay file, validated before anything is sent.

    Archive lines are forwarded as archived; plain request lines must be valid requests
    (they are re-encoded with the codec). Any bad line is a ``ConfigError``.
    """
    file = Path(path)
    events: list[ReplayEvent] = []
    for number, raw in iter_archive_lines(file):
        if not raw.strip():
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"{file.name} line {number}: not JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise ConfigError(f"{file.name} line {number}: expected a JSON object")
        origin = f"file:{file.name}:{number}"
        if is_archive_line(obj):
            rec = parse_line(obj, number)
            events.append(ReplayEvent(rec.key, rec.value, origin, rec.partition, rec.timestamp_ms))
            continue
        try:
            request = request_from_dict(obj)
        except ContractError as exc:
            raise ConfigError(
                f"{file.name} line {number}: {exc.code} at {exc.path}: {exc.message}"
            ) from None
        events.append(
            ReplayEvent(
                request.request_id.encode(), encode_request(request), origin, NO_PARTITION, None
            )
        )
    return events


async def replay(
    kafka: KafkaSettings,
    source: ReplaySource,
    *,
    target_topic: str | None = None,
    pacer: Pacer | None = None,
    no_cache: bool = False,
    dry_run: bool = False,
    on_planned: Callable[[int], None] | None = None,
    on_sent: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Replay ``source`` to ``target_topic`` (default ``kafka.topics.replay``).

    Arguments are checked (topics exist, ranges are sane, files are valid) before anything
    is sent. ``pacer`` spaces the sends (default: as fast as possible). With ``dry_run``
    nothing is sent and the report holds what would have been. ``on_planned(n)`` receives
    the upper bound of events as soon as it is known; ``on_sent(1)`` each sent event.
    """
    target = target_topic or kafka.topics.replay
    report = ReplayReport(target_topic=target, dry_run=dry_run)
    if not dry_run:
        await require_topic(kafka.connection, target)
    pace = pacer or Unpaced()
    started = time.monotonic()
    async with _events(kafka, source, on_planned) as events:
        if dry_run:
            async for event in events:
                report.counts[event.partition] = report.counts.get(event.partition, 0) + 1
        else:
            async with RequestProducer(
                kafka, topic=target, client_id="deerstream-replay"
            ) as producer:
                pending: list[Awaitable[Delivery]] = []
                async for event in events:
                    await pace.wait(event.timestamp_ms)
                    pending.append(
                        await producer.enqueue(
                            event.value,
                            key=event.key,
                            headers=replay_headers(event, no_cache=no_cache),
                        )
                    )
                    report.counts[event.partition] = report.counts.get(event.partition, 0) + 1
                    if on_sent is not None:
                        on_sent(1)
                    if len(pending) >= _WINDOW:
                        for delivery in pending:
                            await delivery
                        pending.clear()
                for delivery in pending:
                    await delivery
    report.elapsed_s = time.monotonic() - started
    return report


class _events:
    """Async context manager yielding the source's events as an async iterator."""

    def __init__(
        self, kafka: KafkaSettings, source: ReplaySource, on_planned: Callable[[int], None] | None
    ) -> None:
        self._kafka = kafka
        self._source = source
        self._on_planned = on_planned
        self._consumer: Any = None

    async def __aenter__(self) -> AsyncIterator[ReplayEvent]:
        source = self._source
        if isinstance(source, ArchiveFile):
            events = load_file(source.path)
            if self._on_planned is not None:
                self._on_planned(len(events))
            return _iterate(events)
        topic = source.topic or self._kafka.topics.request
        # Check the arguments before connecting a consumer, so mistakes fail fast and clean.
        if isinstance(source, TimeRange):
            await check_source(self._kafka.connection, topic)
        else:
            if source.end < source.start:
                raise ConfigError(f"end offset {source.end} is before start offset {source.start}")
            await check_source(self._kafka.connection, topic, source.partition)
        self._consumer = open_reader(self._kafka.connection, client_id="deerstream-replay-reader")
        try:
            await self._consumer.start()
            slices: list[Slice]
            if isinstance(source, TimeRange):
                slices = await plan_time_range(
                    self._kafka.connection,
                    self._consumer,
                    topic,
                    source.since,
                    source.until,
                    monotonic=source.monotonic,
                )
            else:
                slices = await plan_offset_range(
                    self._kafka.connection,
                    self._consumer,
                    topic,
                    source.partition,
                    source.start,
                    source.end,
                )
        except BaseException:
            await close_consumer(self._consumer)
            self._consumer = None
            raise
        if self._on_planned is not None:
            self._on_planned(sum(s.upper_bound for s in slices))
        return _from_records(read_slices(self._consumer, topic, slices))

    async def __aexit__(self, *exc: object) -> None:
        if self._consumer is not None:
            await close_consumer(self._consumer)


async def _iterate(events: list[ReplayEvent]) -> AsyncIterator[ReplayEvent]:
    for event in events:
        yield event


async def _from_records(records: AsyncIterator[Any]) -> AsyncIterator[ReplayEvent]:
    async for r in records:
        yield ReplayEvent(
            key=r.key,
            value=r.value or b"",
            origin=f"{r.topic}:{r.partition}:{r.offset}",
            partition=r.partition,
            timestamp_ms=r.timestamp,
            headers=tuple((k, bytes(v)) for k, v in (r.headers or ())),
        )
