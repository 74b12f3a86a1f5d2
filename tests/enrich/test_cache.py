"""RedisCache against the real Redis (and against a Redis that is not there)."""

from __future__ import annotations

import random
from typing import Any

import redis.asyncio as aioredis

from deerstream.enrich.cache import RedisCache
from tests.ports import free_port


async def test_get_many_and_set_many_are_one_round_trip_each(
    redis_client: Any, unique_name: str
) -> None:
    cache = RedisCache(redis_client, name="t", rng=random.Random(1))
    keys = [f"{unique_name}:{i}" for i in range(50)]
    assert await cache.get_many(keys) == [None] * 50
    await cache.set_many([(k, k.encode(), 60.0) for k in keys[:30]])
    values = await cache.get_many(keys)
    assert values[:30] == [k.encode() for k in keys[:30]] and values[30:] == [None] * 20
    stats = cache.stats()
    assert stats["roundtrips"] == 3 and stats["found"] == 30 and stats["bypass"] == 0
    assert cache.available


async def test_ttls_are_jittered_around_the_requested_ttl(
    redis_client: Any, unique_name: str
) -> None:
    cache = RedisCache(redis_client, name="t", rng=random.Random(2))
    await cache.set_many([(f"{unique_name}:{i}", b"x", 100.0) for i in range(20)])
    ttls = [await redis_client.pttl(f"{unique_name}:{i}") for i in range(20)]
    assert all(89_000 <= t <= 110_000 for t in ttls)
    assert len(set(ttls)) > 10


async def test_no_redis_at_all_is_a_bypass() -> None:
    cache = RedisCache(None, name="t")
    assert await cache.get_many(["a", "b"]) == [None, None]
    await cache.set_many([("a", b"1", 1.0)])
    assert cache.stats()["bypass"] == 2 and not cache.available


async def test_unreachable_redis_never_raises_and_backs_off() -> None:
    client = aioredis.Redis.from_url(
        f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    cache = RedisCache(client, name="t")
    try:
        assert await cache.get_many(["a"]) == [None]
        assert not cache.available
        # While backing off, Redis is not touched again.
        assert await cache.get_many(["b", "c"]) == [None, None]
        await cache.set_many([("a", b"1", 1.0)])
        stats = cache.stats()
        assert stats["roundtrips"] == 1 and stats["bypass"] == 3 and stats["errors"] == 1
    finally:
        await client.aclose()


async def test_a_failure_reads_as_recent_only_for_a_while() -> None:
    """Readiness reports a bypassed cache from recent failures, not from one long ago."""
    now = [100.0]

    class Down:
        async def mget(self, keys: list[str]) -> list[bytes | None]:
            raise ConnectionError("refused")

    down: Any = Down()
    cache = RedisCache(down, name="t", clock=lambda: now[0])
    assert await cache.get_many(["k"]) == [None]
    assert "ConnectionError" in cache.recent_error()
    now[0] += 31.0
    assert cache.recent_error() == ""
