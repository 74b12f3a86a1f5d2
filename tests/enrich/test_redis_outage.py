"""Redis stopped mid-test: lookups go upstream; Redis back: the cache is used again.

Uses a private redis-server on a free port (never the shared one), killed by its pid and
restarted on the same port.
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from deerstream.models.records import SourceStatus
from deerstream.simulators.server import RunningSimulators
from tests.enrich.conftest import EnricherFactory, PrivateRedis, request, settings_for


async def test_lookups_survive_a_redis_outage_and_hit_again_after(
    sims: RunningSimulators, make_enricher: EnricherFactory, private_redis: PrivateRedis
) -> None:
    client = aioredis.Redis.from_url(
        private_redis.url, socket_connect_timeout=0.3, socket_timeout=0.3
    )
    try:
        async with make_enricher(settings_for(sims), client) as enricher:
            (warm,) = await enricher.enrich_batch([request(1)])
            (hit,) = await enricher.enrich_batch([request(2)])
            assert warm.terrain_quality.status is SourceStatus.FRESH
            assert hit.terrain_quality.status is SourceStatus.CACHED
            calls_before = sims.requests("elevation")

            private_redis.kill()
            outage = [await enricher.enrich_batch([request(3 + n)]) for n in range(3)]
            for (e,) in outage:
                assert e.terrain is not None and e.weather is not None  # straight upstream
                assert e.terrain_quality.status is SourceStatus.FRESH
            stats = enricher.stats()["terrain"]
            assert stats["cache_bypass"] >= 3
            assert sims.requests("elevation") > calls_before

            private_redis.start()  # same port, empty (no persistence)
            # The cache retries Redis after a short backoff (≤ 5 s) by itself: poll until a
            # lookup is answered from the cache again.
            statuses = []
            for n in range(100):
                (e,) = await enricher.enrich_batch([request(10 + n)])
                statuses.append(e.terrain_quality.status)
                if e.terrain_quality.status is SourceStatus.CACHED:
                    break
                await asyncio.sleep(0.1)
            assert statuses[-1] is SourceStatus.CACHED  # hits again
            assert enricher.stats()["terrain"]["redis_roundtrips"] > stats["redis_roundtrips"]
            assert await client.dbsize() > 0
    finally:
        await client.aclose()
