"""Micro-batching of upstream lookups with coalescing of identical in-flight keys.

Concurrent lookups for different keys of one *group* (keys that can share one upstream
call, e.g. weather cells with the same date range) are merged into one call, flushed when
``max_size`` keys are waiting or ``window_s`` after the first one arrived. A key that is
already pending or in flight is not fetched again: its callers share one future.

A flush may need several upstream calls (more than ``max_size`` keys): each resolves its
own callers as soon as it answers, and when all are done ``store`` receives every result
of the flush at once (one cache write per flush). Until then the resolved futures stay
in the in-flight table, so a lookup arriving before the write lands still shares them
instead of calling the upstream again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from deerstream.errors import UpstreamBadResponse
from deerstream.lifecycle import AsyncStartStop

G = TypeVar("G", bound=Hashable)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Fetch = Callable[[G, list[K]], Awaitable[Mapping[K, V]]]
Store = Callable[[Mapping[K, V]], Awaitable[None]]


def _consume(fut: asyncio.Future[Any]) -> None:
    # Callers that gave up at their deadline never read the outcome; read it here so the
    # loop does not log "exception was never retrieved".
    if not fut.cancelled():
        fut.exception()


class Batcher(AsyncStartStop, Generic[G, K, V]):
    """Merges concurrent lookups into batched ``fetch(group, keys)`` calls."""

    def __init__(
        self,
        source: str,
        fetch: Fetch[G, K, V],
        *,
        max_size: int,
        window_s: float,
        store: Store[K, V] | None = None,
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be >= 1")
        self.source = source
        self._fetch = fetch
        self._store = store
        self.max_size = max_size
        self.window_s = window_s
        self._inflight: dict[K, asyncio.Future[V]] = {}
        self._pending: dict[G, list[K]] = {}
        self._timers: dict[G, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.coalesced = 0
        self.batches = 0

    def submit(self, group: G, keys: Iterable[K]) -> dict[K, asyncio.Future[V]]:
        """Futures for ``keys``; keys already pending or in flight share their future."""
        loop = asyncio.get_running_loop()
        out: dict[K, asyncio.Future[V]] = {}
        for key in keys:
            if key in out:
                continue
            fut = self._inflight.get(key)
            if fut is not None:
                self.coalesced += 1
                out[key] = fut
                continue
            fut = loop.create_future()
            fut.add_done_callback(_consume)
            self._inflight[key] = fut
            out[key] = fut
            self._pending.setdefault(group, []).append(key)
        pending = self._pending.get(group, [])
        # One flush for everything this call added, so a big batch is written back once.
        if len(pending) >= self.max_size:
            self._flush(group)
        elif pending and group not in self._timers:
            self._timers[group] = loop.call_later(self.window_s, self._flush, group)
        return out

    def _flush(self, group: G) -> None:
        timer = self._timers.pop(group, None)
        if timer is not None:
            timer.cancel()
        keys = self._pending.pop(group, [])
        if not keys:
            return
        task = asyncio.create_task(self._run_flush(group, keys))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_flush(self, group: G, keys: list[K]) -> None:
        chunks = [keys[i : i + self.max_size] for i in range(0, len(keys), self.max_size)]
        try:
            answers = await asyncio.gather(*(self._run_chunk(group, c) for c in chunks))
            merged: dict[K, V] = {}
            for answer in answers:
                merged.update(answer)
            if merged and self._store is not None:
                await self._store(merged)
        finally:
            for key in keys:
                self._inflight.pop(key, None)

    async def _run_chunk(self, group: G, keys: list[K]) -> Mapping[K, V]:
        self.batches += 1
        try:
            results = await self._fetch(group, keys)
        except Exception as exc:  # handed to every waiting caller
            for key in keys:
                self._fail(key, exc)
            return {}
        missing = UpstreamBadResponse(self.source, "upstream answer lacks a requested key")
        for key in keys:
            if key in results:
                fut = self._inflight.get(key)
                if fut is not None and not fut.done():
                    fut.set_result(results[key])
            else:
                self._fail(key, missing)
        return results

    def _fail(self, key: K, exc: BaseException) -> None:
        fut = self._inflight.get(key)
        if fut is not None and not fut.done():
            fut.set_exception(exc)

    async def start(self) -> None:
        """Nothing to open: timers start with the first request."""

    async def stop(self) -> None:
        """Cancel pending timers and in-flight fetches."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for key in [k for keys in self._pending.values() for k in keys]:
            fut = self._inflight.pop(key, None)
            if fut is not None and not fut.done():
                fut.cancel()
        self._pending.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for fut in self._inflight.values():
            if not fut.done():
                fut.cancel()
        self._inflight.clear()
