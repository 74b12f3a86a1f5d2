"""Read bounded slices of a topic: per partition an offset range, optionally a time window.

Used by replay (and its dry run). The slice is fixed when it is planned (end offsets are
snapshotted), so reading always terminates even while producers keep writing.
Records of all partitions come out merged in timestamp order, which speed pacing needs.

Time windows are exact even when timestamps do not rise with offsets (a backfill, offline
clients, producer clock skew, ``CreateTime`` set by the app): a partition is read from the
first offset whose timestamp is at or after the window's start (``offsets_for_times``; every
earlier record is older) to the end offset snapshotted at planning, and each record is kept
or skipped by its own timestamp. That reads the partition's whole tail after the window's
start. When timestamps are known to be monotonic per partition (``LogAppendTime`` topics),
``monotonic`` stops each partition at its first record past the window instead.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from deerstream.errors import ConfigError
from deerstream.settings import KafkaConnection
from deerstream.streams.kafka import BrokerError, client_kwargs, partitions_of
from deerstream.streams.times import to_ms


@dataclass(frozen=True, slots=True)
class Slice:
    """Offsets ``[start, stop)`` of one partition; reading also stops at the first record
    whose timestamp is after ``until_ms`` and skips records before ``since_ms``."""

    partition: int
    start: int
    stop: int
    since_ms: int | None = None
    until_ms: int | None = None
    stop_at_first_late: bool = False  # only when timestamps are monotonic per partition

    @property
    def upper_bound(self) -> int:
        """How many records the slice can hold at most (exact without a time window)."""
        return max(0, self.stop - self.start)


def open_reader(conn: KafkaConnection, *, client_id: str = "deerstream-reader") -> Any:
    """An aiokafka consumer without a group (it never commits or steals partitions)."""
    return AIOKafkaConsumer(
        **client_kwargs(conn),
        client_id=client_id,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="none",
    )


async def close_consumer(consumer: Any) -> None:
    """Stop an aiokafka consumer, even one started a moment ago.

    aiokafka's group-less coordinator starts a background task on start(); stopping before
    that task first runs makes stop() raise CancelledError. One loop turn lets it run.
    """
    await asyncio.sleep(0)
    await consumer.stop()


async def check_source(conn: KafkaConnection, topic: str, partition: int | None = None) -> None:
    """``ConfigError`` unless ``topic`` (and ``partition``, if given) exists."""
    partitions = await partitions_of(conn, topic)
    if partition is not None and partition not in partitions:
        raise ConfigError(f"topic {topic!r} has no partition {partition}")


async def plan_time_range(
    conn: KafkaConnection,
    consumer: Any,
    topic: str,
    since: datetime,
    until: datetime,
    *,
    monotonic: bool = False,
) -> list[Slice]:
    """Slices holding the records with ``since <= timestamp <= until`` in every partition.

    Each partition starts at ``offsets_for_times(since)`` and is read to the end offset seen
    now, filtered by timestamp; with ``monotonic`` its reading stops at the first record
    past ``until``.
    """
    if until < since:
        raise ConfigError(
            f"the window ends ({until.isoformat()}) before it starts ({since.isoformat()})"
        )
    since_ms, until_ms = to_ms(since), to_ms(until)
    tps = [TopicPartition(topic, p) for p in await partitions_of(conn, topic)]
    try:
        starts = await consumer.offsets_for_times(dict.fromkeys(tps, since_ms))
        ends = await consumer.end_offsets(tps)
    except KafkaError as exc:
        raise BrokerError(f"cannot look up offsets of {topic!r}: {exc}") from exc
    slices = []
    for tp in tps:
        found = starts.get(tp)
        if found is None:  # no record at or after `since` in this partition
            continue
        slices.append(Slice(tp.partition, found.offset, ends[tp], since_ms, until_ms, monotonic))
    return slices


async def plan_offset_range(
    conn: KafkaConnection, consumer: Any, topic: str, partition: int, start: int, end: int
) -> list[Slice]:
    """The slice of offsets ``start..end`` (both inclusive) of one partition."""
    if end < start:
        raise ConfigError(f"end offset {end} is before start offset {start}")
    partitions = await partitions_of(conn, topic)
    if partition not in partitions:
        raise ConfigError(f"topic {topic!r} has no partition {partition}")
    tp = TopicPartition(topic, partition)
    try:
        first = (await consumer.beginning_offsets([tp]))[tp]
        last = (await consumer.end_offsets([tp]))[tp]
    except KafkaError as exc:
        raise BrokerError(f"cannot look up offsets of {topic!r}: {exc}") from exc
    if first == last:
        raise ConfigError(f"partition {partition} of {topic!r} is empty (next offset {last})")
    if start < first or start >= last:
        raise ConfigError(
            f"start offset {start} is outside partition {partition}'s offsets {first}..{last - 1}"
        )
    return [Slice(partition, start, min(end + 1, last))]


async def read_slices(consumer: Any, topic: str, slices: list[Slice]) -> AsyncIterator[Any]:
    """Yield the aiokafka records of ``slices``, merged across partitions by timestamp."""
    active = {s.partition: s for s in slices if s.start < s.stop}
    if not active:
        return
    tps = {p: TopicPartition(topic, p) for p in active}
    consumer.assign(list(tps.values()))
    for p, s in active.items():
        consumer.seek(tps[p], s.start)
    buffers: dict[int, deque[Any]] = {p: deque() for p in active}
    done: set[int] = set()

    async def refill(p: int) -> None:
        s, tp = active[p], tps[p]
        while not buffers[p] and p not in done:
            try:
                batch = await consumer.getmany(tp, timeout_ms=500, max_records=1000)
            except KafkaError as exc:
                raise BrokerError(f"cannot read {topic!r}: {exc}") from exc
            records = batch.get(tp, [])
            for record in records:
                if record.offset >= s.stop:
                    done.add(p)
                    break
                if s.until_ms is not None and record.timestamp > s.until_ms:
                    if s.stop_at_first_late:
                        done.add(p)
                        break
                    continue
                if s.since_ms is not None and record.timestamp < s.since_ms:
                    continue
                buffers[p].append(record)
            if records and p not in done and records[-1].offset + 1 >= s.stop:
                done.add(p)
            # Offsets may have gaps (compaction, transaction markers): the position tells.
            if p not in done and not records and await consumer.position(tp) >= s.stop:
                done.add(p)
            if p in done:
                consumer.pause(tp)

    heap: list[tuple[int, int, int]] = []
    for p in active:
        await refill(p)
        if buffers[p]:
            head = buffers[p][0]
            heapq.heappush(heap, (head.timestamp, p, head.offset))
    while heap:
        _, p, _ = heapq.heappop(heap)
        yield buffers[p].popleft()
        if not buffers[p]:
            await refill(p)
        if buffers[p]:
            head = buffers[p][0]
            heapq.heappush(heap, (head.timestamp, p, head.offset))
