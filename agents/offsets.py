"""Release finished events to the consumer in offset order, per partition.

Kafka commits one number per partition: committing offset N means "everything below N is
done". Faust computes that number from the offsets it was told are acknowledged, and its
gap check is off by one (faust-streaming issue #606: ``min(acked) - committed > 1``, skipped
when the committed offset is 0). If one event at the committed position is still in flight
while later offsets are acknowledged, Faust commits past it, and a crash loses it.

Batches overlap (one waits on upstreams while the next one runs the model), so they finish
in any order. ``OffsetGate`` is the fence between finishing and acknowledging: an event is
handed back for acknowledgement only once it *and every earlier event of its partition that
the gate holds* are finished. Faust then only ever sees contiguous acknowledgements, and
its commit cannot jump over an unfinished event, whatever the batch timing.

Pure bookkeeping (no I/O, no Faust), so it is tested with tables and properties.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
Partition = Hashable


@dataclass(slots=True)
class _Held(Generic[T]):
    offset: int
    item: T
    since: float
    done: bool = False


@dataclass
class _Lane(Generic[T]):
    """One partition's held events, oldest first (the order they were consumed)."""

    queue: deque[_Held[T]] = field(default_factory=deque)
    by_offset: dict[int, _Held[T]] = field(default_factory=dict)


class OffsetGate(Generic[T]):
    """Holds consumed events until they can be acknowledged without leaving a gap."""

    def __init__(self) -> None:
        self._lanes: dict[Partition, _Lane[T]] = {}

    def hold(self, partition: Partition, offset: int, item: T, *, now: float = 0.0) -> None:
        """Register an event as consumed and unfinished. Call in consumption order.

        An offset at or below one already held means the consumer sought back (a
        rebalance handed the partition back, or a redelivery): what is held from that
        offset on will be consumed again, so it is dropped and can never be released.
        """
        lane = self._lanes.setdefault(partition, _Lane())
        if lane.queue and offset <= lane.queue[-1].offset:
            self._truncate(partition, lane, offset)
            lane = self._lanes.setdefault(partition, _Lane())
        held = _Held(offset, item, now)
        lane.queue.append(held)
        lane.by_offset[offset] = held

    def abandon(self, events: Iterable[tuple[Partition, int]]) -> int:
        """Give up on unfinished events (a stop or rebalance cancelled their batch).

        Each one and everything held after it in its partition is dropped: later events
        may be finished, but acknowledging them would commit past the abandoned one, so
        all of them are left for redelivery. Returns how many events were dropped.
        """
        lowest: dict[Partition, int] = {}
        for partition, offset in events:
            lowest[partition] = min(offset, lowest.get(partition, offset))
        dropped = 0
        for partition, offset in lowest.items():
            lane = self._lanes.get(partition)
            if lane is not None:
                dropped += self._truncate(partition, lane, offset)
        return dropped

    def _truncate(self, partition: Partition, lane: _Lane[T], offset: int) -> int:
        dropped = 0
        while lane.queue and lane.queue[-1].offset >= offset:
            del lane.by_offset[lane.queue.pop().offset]
            dropped += 1
        if not lane.queue:
            del self._lanes[partition]
        return dropped

    def finish(self, events: Iterable[tuple[Partition, int]]) -> list[T]:
        """Mark events finished; return every item now releasable, in offset order per
        partition. Events the gate does not hold (forgotten partitions) are ignored."""
        touched: set[Partition] = set()
        for partition, offset in events:
            lane = self._lanes.get(partition)
            if lane is None:
                continue
            held = lane.by_offset.get(offset)
            if held is not None:
                held.done = True
                touched.add(partition)
        released: list[T] = []
        for partition in touched:
            lane = self._lanes[partition]
            while lane.queue and lane.queue[0].done:
                head = lane.queue.popleft()
                del lane.by_offset[head.offset]
                released.append(head.item)
            if not lane.queue:
                del self._lanes[partition]
        return released

    def held(self) -> int:
        """How many events are held (finished or not)."""
        return sum(len(lane.queue) for lane in self._lanes.values())

    def blocking(self) -> dict[Partition, tuple[int, float]]:
        """Per partition with held events: the oldest unfinished offset, which every later
        acknowledgement of that partition waits for, and when it was consumed."""
        out: dict[Partition, tuple[int, float]] = {}
        for partition, lane in self._lanes.items():
            head = lane.queue[0]
            out[partition] = (head.offset, head.since)
        return out

    def stats(self, now: float) -> dict[str, float]:
        """Gauges for the ops server: events held, and how long the oldest unfinished
        event has been blocking its partition's commits (0 when nothing is held)."""
        blocking = self.blocking()
        oldest = min((since for _, since in blocking.values()), default=now)
        return {"held": float(self.held()), "oldest_unfinished_age_seconds": now - oldest}
