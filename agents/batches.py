"""Overlapping micro-batches with acknowledgements in offset order, and a bounded drain.

``BatchRunner`` is what the agent does with each batch ``take_events`` hands it: hold its
events in the ``OffsetGate``, run it in a slot (``BATCHES_IN_FLIGHT`` at once), and when
its outputs are acknowledged release what the gate allows, in offset order, then commit.

Draining (a stop or a rebalance): Faust waits for every consumed event to be acknowledged
before it stops or gives partitions away. A batch stuck on its upstreams would hold that
wait for as long as the enrichment deadline, so the runner replaces the consumer's wait:
batches get ``SHUTDOWN_GRACE_S`` to finish; the rest are cancelled, their events (and
everything after them in their partitions) are abandoned unacknowledged, and what is
contiguous and done is committed. The abandoned events are consumed again by the next
owner of the partition: nothing is lost, and a stop never waits longer than the grace.
In exactly-once mode a cancelled batch may have sent outputs into the open transaction,
so the process exits without committing it; the broker aborts it when the next instance
starts, and the batch's outputs are never seen by a ``read_committed`` reader.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import faust
from faust.streams import Stream
from faust.types import EventT

from deerstream.agents.offsets import OffsetGate
from deerstream.agents.records import InputMessage

log = logging.getLogger("deerstream.agent")

BatchHandler = Callable[[list[InputMessage]], Awaitable[object]]
ToInput = Callable[[EventT[Any]], InputMessage]


class BatchRunner:
    """Runs the agent's batches; one per agent instance, created when the agent starts."""

    def __init__(
        self,
        app: faust.App,
        stream: Stream[bytes],
        handle: BatchHandler,
        gate: OffsetGate[EventT[Any]],
        to_input: ToInput,
        *,
        in_flight: int,
        grace_s: float,
        exactly_once: bool,
    ) -> None:
        self.app = app
        self.stream = stream
        self.handle = handle
        self.gate = gate
        self.to_input = to_input
        self.grace_s = grace_s
        self.exactly_once = exactly_once
        self._slots = asyncio.Semaphore(in_flight)
        self._batches: dict[asyncio.Task[None], list[EventT[Any]]] = {}
        self._commits: set[asyncio.Task[None]] = set()
        self._commit_guard = self._guard_commits() if exactly_once else None
        self._install_drain()

    async def submit(self, events: list[EventT[Any]]) -> None:
        """Hold the batch's events, wait for a free slot, and start the batch."""
        now = time.monotonic()
        for event in events:
            event.message.incref()  # released by the gate, not by take_events
            self.gate.hold(event.message.tp, event.message.offset, event, now=now)
        await self._slots.acquire()
        task = asyncio.create_task(self._run(events))
        self._batches[task] = events
        task.add_done_callback(self._batches.pop)

    async def _run(self, events: list[EventT[Any]]) -> None:
        try:
            if self._commit_guard is not None:
                async with self._commit_guard:
                    await self._process(events)
            else:
                await self._process(events)
        finally:
            self._slots.release()

    async def _process(self, events: list[EventT[Any]]) -> None:
        try:
            await self.handle([self.to_input(event) for event in events])
        except asyncio.CancelledError:
            raise  # drained: the batch stays unacknowledged and is redelivered
        except Exception as exc:
            _die("batch could not be delivered; exiting for redelivery", exc)
        releasable = self.gate.finish((e.message.tp, e.message.offset) for e in events)
        for event in releasable:
            await self.stream.ack(event)
        if releasable and self._commit_guard is None:
            self._commit_soon()

    def _commit_soon(self) -> None:
        """Commit what the gate just released without waiting for Faust's interval.

        Faust runs one commit at a time (a second caller waits for it and returns without
        committing), so batches finishing together cost one round trip, and what finished
        during it waits at most one commit interval for the periodic commit.
        """

        async def commit() -> None:
            try:
                await self.app.consumer.commit()
            except Exception as exc:  # the next commit retries; the offsets stay held
                log.warning("commit after a batch failed: %r", exc)

        task = asyncio.create_task(commit())
        self._commits.add(task)
        task.add_done_callback(self._commits.discard)

    async def drain(self) -> None:
        """Let running batches finish within the grace; cancel and abandon the rest."""
        running = list(self._batches)
        if running:
            _, late = await asyncio.wait(running, timeout=self.grace_s)
            if late:
                abandoned = [event for task in late for event in self._batches.get(task, [])]
                for task in late:
                    task.cancel()
                await asyncio.wait(late)
                dropped = self.gate.abandon((e.message.tp, e.message.offset) for e in abandoned)
                log.warning(
                    "%d batches still in flight after %.1f s; %d events left uncommitted "
                    "for redelivery",
                    len(late),
                    self.grace_s,
                    dropped,
                )
                if self.exactly_once:
                    _die("a cancelled batch may have sent into the open transaction", None)
        if self._commits:
            await asyncio.wait(list(self._commits))

    def _install_drain(self) -> None:
        """Replace the consumer's wait for acknowledgements (used by Faust before a stop
        and before a rebalance) with ``drain`` followed by Faust's final commit."""
        consumer = self.app.consumer

        async def wait_empty() -> None:
            await self.drain()
            # What Faust's own wait ends with: commit everything done, end transactions.
            await consumer.commit(start_new_transaction=False)

        setattr(consumer, "wait_empty", wait_empty)  # noqa: B010 - an instance override

    def _guard_commits(self) -> asyncio.Lock:
        """Make the consumer's commit wait on a lock a batch holds while it delivers."""
        consumer = self.app.consumer
        original = consumer.commit
        lock = asyncio.Lock()

        async def commit(*args: Any, **kwargs: Any) -> bool:
            async with lock:
                return bool(await original(*args, **kwargs))

        setattr(consumer, "commit", commit)  # noqa: B010 - an instance override, on purpose
        return lock


def _die(why: str, exc: BaseException | None) -> NoReturn:
    """Stop the process at once, like a crash, so nothing uncommitted is committed.

    Used when a batch's outputs could not be delivered (its offsets were never released, so
    a restarted worker or the partition's next owner gets the batch again; going on would
    leave a gap that blocks the partition's commits until the next rebalance), and when an
    exactly-once drain had to cancel a batch mid-transaction.
    """
    log.critical(why, exc_info=exc)
    logging.shutdown()
    os._exit(70)
