"""A small bytes cache on Redis that batches its round trips and survives Redis outages.

One ``MGET`` per ``get_many`` and one pipeline per ``set_many``; concurrent ``get_many`` calls
share MGETs ("natural batching": when no read is in flight a call goes out at once, otherwise
it joins the next MGET, issued as soon as the current one returns; no timer, no added latency
when idle). On a Redis Cluster (redis-py's cluster client) the MGET is split per hash slot
and the pipeline per node by the client, still one call here. Any Redis failure marks the
cache unavailable for a short, growing backoff (0.25 s doubling to 5 s): meanwhile calls do
not touch Redis at all (reads count as bypass, writes are dropped), and afterwards the next
call tries again, so the cache comes back by itself once Redis does. Never raises.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisError

from deerstream.enrich.redis_client import is_cluster_client

if TYPE_CHECKING:
    import redis.asyncio

_ERRORS = (RedisError, OSError, TimeoutError)
#: A failure older than this, with no operation since, no longer makes the cache "bypassed".
RECENT_ERROR_S = 30.0


class RedisCache:
    """Batched get/set of byte values with TTLs (``name`` labels its counters)."""

    def __init__(
        self,
        redis: redis.asyncio.Redis | redis.asyncio.RedisCluster | None,
        *,
        name: str,
        op_timeout_s: float = 1.0,
        ttl_jitter: float = 0.1,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._cluster = is_cluster_client(redis)
        self.name = name
        self.last_error = ""  # the last failure, until an operation succeeds again
        self._last_error_at = -1e18
        self._op_timeout_s = op_timeout_s
        self._ttl_jitter = ttl_jitter
        # TTL jitter only spreads expiries; it needs no seed, but tests may pass one.
        self._rng = rng or random.Random()
        self._clock = clock
        self._down_until = 0.0
        self._queue: list[tuple[list[str], asyncio.Future[list[bytes | None]]]] = []
        self._reader: asyncio.Task[None] | None = None
        self._backoff_s = 0.0
        self._stats = {
            "gets": 0.0,
            "keys_read": 0.0,
            "found": 0.0,
            "bypass": 0.0,
            "sets": 0.0,
            "keys_written": 0.0,
            "errors": 0.0,
            "roundtrips": 0.0,
        }

    @property
    def available(self) -> bool:
        """False while Redis is known to be down (and within the retry backoff)."""
        return self._redis is not None and self._clock() >= self._down_until

    def recent_error(self, within_s: float = RECENT_ERROR_S) -> str:
        """The last failure if it happened within ``within_s`` and nothing has succeeded
        since ("" otherwise): what readiness reports as a bypassed cache."""
        if self.last_error and self._clock() - self._last_error_at <= within_s:
            return self.last_error
        return ""

    def stats(self) -> dict[str, float]:
        """Monotonic counters (``available`` is a 0/1 gauge); ``hit``/``miss`` count keys
        found / not found among those actually read from Redis (bypassed ones excluded)."""
        s = self._stats
        hit = s["found"]
        miss = max(0.0, s["keys_read"] - s["found"] - s["bypass"])
        return {**s, "hit": hit, "miss": miss, "available": 1.0 if self.available else 0.0}

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values for ``keys`` in order (``None`` = absent) in ONE ``MGET``."""
        if not keys:
            return []
        self._stats["gets"] += 1
        self._stats["keys_read"] += len(keys)
        if self._redis is None or not self.available:
            self._stats["bypass"] += len(keys)
            return [None] * len(keys)
        fut: asyncio.Future[list[bytes | None]] = asyncio.get_running_loop().create_future()
        self._queue.append((list(keys), fut))
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_queued())
        # Shielded: one caller giving up must not cancel the MGET others share.
        return await asyncio.shield(fut)

    async def _read_queued(self) -> None:
        """Serve queued reads, one MGET per round, until the queue is empty."""
        batch: list[tuple[list[str], asyncio.Future[list[bytes | None]]]] = []
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                wanted = list(dict.fromkeys(k for keys, _ in batch for k in keys))
                found = await self._mget(wanted)
                for keys, fut in batch:
                    if found is None:
                        self._stats["bypass"] += len(keys)
                        result: list[bytes | None] = [None] * len(keys)
                    else:
                        result = [found.get(k) for k in keys]
                        self._stats["found"] += sum(1 for v in result if v is not None)
                    if not fut.done():
                        fut.set_result(result)
        finally:
            # Cancelled (loop shutting down): nobody waiting may hang; a miss is harmless.
            leftover, self._queue = batch + self._queue, []
            for keys, fut in leftover:
                if not fut.done():
                    fut.set_result([None] * len(keys))

    async def _mget(self, keys: list[str]) -> dict[str, bytes] | None:
        """One MGET; ``None`` when Redis failed (and is now marked down)."""
        if self._redis is None or not self.available:
            return None
        self._stats["roundtrips"] += 1
        try:
            read = (
                self._redis.mget_nonatomic(keys)
                if isinstance(self._redis, RedisCluster)
                else self._redis.mget(keys)
            )
            values = await asyncio.wait_for(read, self._op_timeout_s)
        except _ERRORS as exc:
            self._mark_down(exc)
            return None
        self._mark_up()
        return {k: v for k, v in zip(keys, values, strict=True) if isinstance(v, bytes)}

    async def set_many(self, items: Sequence[tuple[str, bytes, float]]) -> None:
        """Store ``(key, value, ttl_s)`` items in ONE pipeline, TTLs jittered by ±10 %."""
        if not items or self._redis is None or not self.available:
            return
        self._stats["sets"] += 1
        self._stats["keys_written"] += len(items)
        self._stats["roundtrips"] += 1
        try:
            pipeline = (
                self._redis.pipeline() if self._cluster else self._redis.pipeline(transaction=False)
            )
            async with pipeline as pipe:
                for key, value, ttl_s in items:
                    jitter = 1.0 + self._rng.uniform(-self._ttl_jitter, self._ttl_jitter)
                    pipe.set(key, value, px=max(1, int(ttl_s * jitter * 1000)))
                await asyncio.wait_for(pipe.execute(), self._op_timeout_s)
        except _ERRORS as exc:
            self._mark_down(exc)
            return
        self._mark_up()

    def _mark_down(self, exc: BaseException) -> None:
        self._stats["errors"] += 1
        self.last_error = f"{exc.__class__.__name__}: {str(exc)[:120]}"
        self._last_error_at = self._clock()
        self._backoff_s = min(5.0, max(0.25, self._backoff_s * 2))
        self._down_until = self._clock() + self._backoff_s

    def _mark_up(self) -> None:
        self._backoff_s = 0.0
        self.last_error = ""
