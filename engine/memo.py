"""Bounded in-process memos of the engine's static, pure computations.

What depends only on a terrain grid (slope, aspect, TPI, positions), on a weather series
(the per-hour facts: trends, fronts, sustained wind), on a place and a date (sunrise,
sunset, solar noon) or on where an observation lies on a grid (the cells it reaches) is
the same for every request that shares it, so it is computed once and kept, least
recently used first out, within a fixed number of entries per memo. The results are
immutable (or, for a weather series, memoise pure facts themselves), so a memo never
changes an answer: ``tests/engine/test_memo.py`` checks predictions are identical with
cold and warm memos. Keys are the values themselves (frozen records).

A memo of one record (a grid, a series) first looks the record up by identity: hashing a
72-hour series by value hashes some 700 numbers, and the worker hands the engine the same
decoded record for every request on a cell it has cached (``enrich.sources``). An entry
holds its record, so the id cannot be reused while the entry lives; a miss by identity
falls back to the value key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_MEMOS: Final[dict[str, Any]] = {}


#: Records remembered by identity per one-record memo (the most recent, oldest out first).
IDENTITY_SLOTS: Final = 64


class _ByIdentity:
    """A one-argument memo looked up by the argument's identity, then by its value."""

    def __init__(self, by_value: Any, slots: int) -> None:
        self.by_value = by_value
        self.slots = slots
        self.seen: dict[int, tuple[object, object]] = {}
        self.hits = 0

    def __call__(self, arg: object) -> object:
        entry = self.seen.get(id(arg))
        if entry is not None and entry[0] is arg:
            self.hits += 1
            return entry[1]
        result = self.by_value(arg)
        seen = self.seen
        if len(seen) >= self.slots:
            del seen[next(iter(seen))]
        seen[id(arg)] = (arg, result)
        return result

    def cache_clear(self) -> None:
        self.seen.clear()
        self.hits = 0
        self.by_value.cache_clear()

    def stats(self) -> dict[str, int]:
        info = self.by_value.cache_info()
        return {"hits": info.hits + self.hits, "misses": info.misses, "size": info.currsize}


def memo(name: str, maxsize: int) -> Callable[[F], F]:
    """Memoise a pure function of hashable arguments, at most ``maxsize`` entries."""

    def wrap(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _MEMOS[name] = cached
        return cached  # type: ignore[return-value]

    return wrap


def record_memo(name: str, maxsize: int) -> Callable[[F], F]:
    """``memo`` for a pure function of one frozen record, looked up by identity first."""

    def wrap(fn: F) -> F:
        cached = _ByIdentity(functools.lru_cache(maxsize=maxsize)(fn), IDENTITY_SLOTS)
        _MEMOS[name] = cached
        return cached  # type: ignore[return-value]

    return wrap


def clear_memos() -> None:
    """Empty every memo (tests and the benchmark's cold runs)."""
    for cached in _MEMOS.values():
        cached.cache_clear()


def memo_stats() -> dict[str, dict[str, int]]:
    """Hits, misses and size of each memo (hits by identity included)."""
    out = {}
    for name, cached in _MEMOS.items():
        if isinstance(cached, _ByIdentity):
            out[name] = cached.stats()
            continue
        info = cached.cache_info()
        out[name] = {"hits": info.hits, "misses": info.misses, "size": info.currsize}
    return out
