"""Bounded in-process memos of the engine's static, pure computations.

What depends only on a terrain grid (slope, aspect, TPI, positions), on a weather series
(the per-hour facts: trends, fronts, sustained wind), on a place and a date (sunrise,
sunset, solar noon) or on where an observation lies on a grid (the cells it reaches) is
the same for every request that shares it, so it is computed once and kept, least
recently used first out, within a fixed number of entries per memo. The results are
immutable (or, for a weather series, memoise pure facts themselves), so a memo never
changes an answer: ``tests/engine/test_memo.py`` checks predictions are identical with
cold and warm memos. Keys are the values themselves (frozen records), never ids.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_MEMOS: Final[dict[str, Any]] = {}


def memo(name: str, maxsize: int) -> Callable[[F], F]:
    """Memoise a pure function of hashable arguments, at most ``maxsize`` entries."""

    def wrap(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _MEMOS[name] = cached
        return cached  # type: ignore[return-value]

    return wrap


def clear_memos() -> None:
    """Empty every memo (tests and the benchmark's cold runs)."""
    for cached in _MEMOS.values():
        cached.cache_clear()


def memo_stats() -> dict[str, dict[str, int]]:
    """Hits, misses and size of each memo."""
    out = {}
    for name, cached in _MEMOS.items():
        info = cached.cache_info()
        out[name] = {"hits": info.hits, "misses": info.misses, "size": info.currsize}
    return out
