"""One cached, batched, coalesced source: cache-aside with stale fallback and counters.

Cache values are orjson envelopes ``{"t": fetched_at_epoch_s, "d": data | null, "r": reason}``;
``d = null`` is a negative entry ("the upstream has no data here"). The Redis key outlives
the freshness TTL so an expired copy is still there to be served, flagged STALE, when the
upstream fails.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import orjson

from deerstream.enrich.batching import Batcher
from deerstream.enrich.cache import RedisCache
from deerstream.enrich.config import SourceTuning
from deerstream.enrich.http import UpstreamHttp
from deerstream.enrich.nodata import NoData
from deerstream.errors import UpstreamError, UpstreamRejected, UpstreamTimeout
from deerstream.models.records import SourceQuality, SourceStatus


class Keyed(Hashable, Protocol):
    """A cache-key object: hashable, with its Redis key string."""

    @property
    def key(self) -> str: ...


K = TypeVar("K", bound=Keyed)
G = TypeVar("G", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[V]):
    """What a lookup found for one key."""

    value: V | None
    quality: SourceQuality


@dataclass
class _Entry:
    fetched_at: float
    data: Any
    reason: str | None
    decoded: Any = None  # the decoded value, once computed (entries are shared via the memo)


#: Decoded cache entries kept per source, keyed by their exact bytes: hot cells (a spot many
#: hunters ask about) are then decoded once, not once per batch. Bounded, so memory is too.
MEMO_ENTRIES = 128


def read_entry(raw: bytes) -> _Entry | None:
    """A cache value's envelope ``{"t": fetched_at, "d": data | null, "r": reason}``, or None
    when the bytes are not one."""
    try:
        body = orjson.loads(raw)
        return _Entry(float(body["t"]), body["d"], body.get("r"))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def budget_stats(http: UpstreamHttp) -> dict[str, float]:
    """Units of the shared call budget spent, refused and spent unchecked (Redis down)."""
    if http.budget is None:
        return {}
    return {f"budget_{k}": v for k, v in http.budget.stats.items()}


class CachedSource(Generic[G, K, V]):
    """Cache → coalesce → batch → upstream → write back, for one source."""

    def __init__(
        self,
        name: str,
        *,
        cache: RedisCache,
        http: UpstreamHttp,
        tuning: SourceTuning,
        fetch: Callable[[G, list[K], float], Any],
        group_of: Callable[[K], G],
        encode: Callable[[V], Any],
        decode: Callable[[Any], V],
        deadline_s: float,
        namespace: str = "",
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.cache = cache
        self.http = http
        self.tuning = tuning
        self._fetch_upstream = fetch
        self._group_of = group_of
        self._encode = encode
        self._decode = decode
        self._deadline_s = deadline_s
        self._now = wall_clock
        self._ns = namespace
        self.batcher: Batcher[G, K, V | NoData] = Batcher(
            name,
            self._fetch,
            max_size=tuning.batch_max,
            window_s=tuning.window_s,
            store=self._store,
        )
        self.counters = {"cache_hit": 0.0, "cache_miss": 0.0, "cache_stale": 0.0, "coalesced": 0.0}
        self._memo: OrderedDict[bytes, _Entry] = OrderedDict()

    def stats(self) -> dict[str, float]:
        """The source's monotonic counters plus the breaker state gauge."""
        cache = self.cache.stats()
        return {
            **self.counters,
            "cache_bypass": cache["bypass"],
            "coalesced": self.counters["coalesced"] + self.batcher.coalesced,
            "upstream_calls": float(self.http.stats.calls),
            "upstream_errors": float(self.http.stats.errors),
            "upstream_retries": float(self.http.stats.retries),
            "circuit_state": float(self.http.breaker.state.value),
            "circuit_open_seconds_left": self.http.breaker.open_seconds_left(),
            "redis_roundtrips": cache["roundtrips"],
            **budget_stats(self.http),
        }

    async def _fetch(self, group: G, keys: list[K]) -> Mapping[K, V | NoData]:
        deadline = time.monotonic() + self._deadline_s
        try:
            found: Mapping[K, V | NoData] = await self._fetch_upstream(group, keys, deadline)
        except UpstreamRejected as exc:
            # The upstream says these keys have no answer: remember that briefly.
            found = {k: NoData(str(exc)) for k in keys}
        return found

    async def _store(self, found: Mapping[K, V | NoData]) -> None:
        """Write a flush's results back in one pipeline."""
        now = self._now()
        items: list[tuple[str, bytes, float]] = []
        for key, value in found.items():
            if isinstance(value, NoData):
                entry = _Entry(now, None, value.reason)
                ttl = self.tuning.negative_ttl_s
            else:
                entry = _Entry(now, self._encode(value), None, value)
                ttl = self.tuning.keep_ttl_s
            raw = orjson.dumps({"t": now, "d": entry.data, "r": entry.reason})
            items.append((self._ns + key.key, raw, ttl))
            # The next read of this key gets these very bytes back: remember them with the
            # value already decoded (the adapters' cache forms round-trip exactly, tested in
            # test_sources), so a fresh cell is not decoded again on its next request.
            self._remember(raw, entry)
        await self.cache.set_many(items)

    def _read(self, raw: bytes | None) -> _Entry | None:
        if raw is None:
            return None
        memo = self._memo
        entry = memo.get(raw)
        if entry is not None:
            memo.move_to_end(raw)
            return entry
        entry = read_entry(raw)
        if entry is None:
            return None  # an unreadable entry is a miss; the fetch overwrites it
        self._remember(raw, entry)
        return entry

    def _remember(self, raw: bytes, entry: _Entry) -> None:
        memo = self._memo
        memo[raw] = entry
        memo.move_to_end(raw)
        if len(memo) > MEMO_ENTRIES:
            memo.popitem(last=False)

    def _from_entry(self, entry: _Entry, status: SourceStatus, reason: str | None) -> Outcome[V]:
        age = max(0.0, self._now() - entry.fetched_at)
        if entry.data is None:
            why = f"no data: {entry.reason}" if entry.reason else "no data"
            return Outcome(None, SourceQuality(SourceStatus.MISSING, None, why))
        value = entry.decoded
        if value is None:
            try:
                value = entry.decoded = self._decode(entry.data)
            except (KeyError, TypeError, ValueError) as exc:
                return Outcome(
                    None, SourceQuality(SourceStatus.MISSING, None, f"bad cache entry: {exc}")
                )
        return Outcome(value, SourceQuality(status, round(age, 3), reason))

    async def lookup(self, keys: Sequence[K], deadline: float) -> dict[K, Outcome[V]]:
        """Outcomes for ``keys`` (duplicates allowed); ``deadline`` is a monotonic instant.

        Never raises for upstream or Redis failures: those become STALE or MISSING.
        """
        unique = list(dict.fromkeys(keys))
        self.counters["coalesced"] += len(keys) - len(unique)
        consulted = self.cache.available
        raws = await self.cache.get_many([self._ns + k.key for k in unique])
        consulted = consulted and self.cache.available
        out: dict[K, Outcome[V]] = {}
        stale: dict[K, _Entry] = {}
        misses: list[K] = []
        for key, raw in zip(unique, raws, strict=True):
            entry = self._read(raw)
            if entry is not None and self._now() - entry.fetched_at <= self._fresh_ttl(entry):
                self.counters["cache_hit"] += 1
                out[key] = self._from_entry(entry, SourceStatus.CACHED, None)
                continue
            if consulted:
                self.counters["cache_miss"] += 1
            if entry is not None and entry.data is not None:
                stale[key] = entry
            misses.append(key)
        if not misses:
            return out
        groups: dict[G, list[K]] = {}
        for key in misses:
            groups.setdefault(self._group_of(key), []).append(key)
        futures: dict[K, asyncio.Future[V | NoData]] = {}
        for group, members in groups.items():
            futures.update(self.batcher.submit(group, members))
        remaining = deadline - time.monotonic()
        if remaining > 0:
            await asyncio.wait(set(futures.values()), timeout=remaining)
        for key in misses:
            fut = futures[key]
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                value = fut.result()
                if isinstance(value, NoData):
                    why = f"no data: {value.reason}"
                    out[key] = Outcome(None, SourceQuality(SourceStatus.MISSING, None, why))
                else:
                    out[key] = Outcome(value, SourceQuality(SourceStatus.FRESH, 0.0, None))
                continue
            reason = self._failure_reason(fut)
            if key in stale:
                self.counters["cache_stale"] += 1
                out[key] = self._from_entry(stale[key], SourceStatus.STALE, reason)
            else:
                out[key] = Outcome(None, SourceQuality(SourceStatus.MISSING, None, reason))
        return out

    def _fresh_ttl(self, entry: _Entry) -> float:
        return self.tuning.fresh_ttl_s if entry.data is not None else self.tuning.negative_ttl_s

    def _failure_reason(self, fut: asyncio.Future[Any]) -> str:
        if not fut.done():
            return str(UpstreamTimeout(self.name, "deadline exceeded"))
        if fut.cancelled():
            return f"{self.name}: lookup cancelled"
        exc = fut.exception()
        if isinstance(exc, UpstreamError):
            return str(exc)
        return f"{self.name}: {type(exc).__name__}: {exc}"
