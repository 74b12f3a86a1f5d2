"""Micro-batching and coalescing, with an in-memory fetch."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from deerstream.enrich.batching import Batcher
from deerstream.errors import UpstreamBadResponse, UpstreamUnavailable


class Recorder:
    def __init__(self, fail: bool = False, drop: str | None = None) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.stored: list[dict[str, str]] = []
        self.fail = fail
        self.drop = drop

    async def fetch(self, group: str, keys: list[str]) -> Mapping[str, str]:
        self.calls.append((group, list(keys)))
        await asyncio.sleep(0.01)
        if self.fail:
            raise UpstreamUnavailable("t", "down")
        return {k: k.upper() for k in keys if k != self.drop}

    async def store(self, found: Mapping[str, str]) -> None:
        self.stored.append(dict(found))


async def test_concurrent_keys_merge_into_batches_of_max_size() -> None:
    rec = Recorder()
    batcher: Batcher[str, str, str] = Batcher(
        "t", rec.fetch, max_size=4, window_s=0.005, store=rec.store
    )

    async def one(key: str) -> str:
        return await batcher.submit("g", [key])[key]

    keys = [f"k{i}" for i in range(10)]
    results = await asyncio.gather(*(one(k) for k in keys))
    assert results == [k.upper() for k in keys]
    assert sorted(len(ks) for _, ks in rec.calls) == [2, 4, 4]


async def test_identical_keys_share_one_fetch() -> None:
    rec = Recorder()
    batcher: Batcher[str, str, str] = Batcher("t", rec.fetch, max_size=10, window_s=0.005)
    futures = [batcher.submit("g", ["same"])["same"] for _ in range(50)]
    assert await asyncio.gather(*futures) == ["SAME"] * 50
    assert len(rec.calls) == 1
    assert batcher.coalesced == 49


async def test_one_submit_is_one_flush_and_one_store() -> None:
    rec = Recorder()
    batcher: Batcher[str, str, str] = Batcher(
        "t", rec.fetch, max_size=2, window_s=0.005, store=rec.store
    )
    futures = batcher.submit("g", [f"k{i}" for i in range(7)])
    await asyncio.gather(*futures.values())
    await asyncio.sleep(0.02)
    assert len(rec.calls) == 4  # ceil(7 / 2) upstream calls ...
    assert len(rec.stored) == 1 and len(rec.stored[0]) == 7  # ... one write-back


async def test_groups_are_never_mixed() -> None:
    rec = Recorder()
    batcher: Batcher[str, str, str] = Batcher("t", rec.fetch, max_size=10, window_s=0.005)
    a = batcher.submit("day1", ["a"])
    b = batcher.submit("day2", ["b"])
    await asyncio.gather(*a.values(), *b.values())
    assert sorted(rec.calls) == [("day1", ["a"]), ("day2", ["b"])]


async def test_failures_reach_every_waiter_and_missing_keys_are_bad_responses() -> None:
    failing: Batcher[str, str, str] = Batcher(
        "t", Recorder(fail=True).fetch, max_size=5, window_s=0.001
    )
    futs = failing.submit("g", ["a", "b"])
    for fut in futs.values():
        with pytest.raises(UpstreamUnavailable):
            await fut
    dropping: Batcher[str, str, str] = Batcher(
        "t", Recorder(drop="b").fetch, max_size=5, window_s=0.001
    )
    futs = dropping.submit("g", ["a", "b"])
    assert await futs["a"] == "A"
    with pytest.raises(UpstreamBadResponse):
        await futs["b"]


async def test_close_cancels_pending_work() -> None:
    rec = Recorder()
    batcher: Batcher[str, str, str] = Batcher("t", rec.fetch, max_size=100, window_s=10.0)
    fut = batcher.submit("g", ["x"])["x"]
    await batcher.stop()
    assert fut.cancelled() and rec.calls == []
