"""A realistic workload: 1,000 requests around 100 hunting spots, in micro-batches of 50.

Prints upstream calls per request and the cache hit ratio per source (run with ``-s``);
the benchmark issue consumes the same counters. Asserts only generous upper bounds on
upstream calls, never timings.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from deerstream.enrich.keys import M_PER_DEG_LAT
from deerstream.models.records import PredictionRequest, SourceStatus
from deerstream.simulators.server import RunningSimulators
from tests.enrich.conftest import TARGET, EnricherFactory, settings_for


def workload(n: int = 1000, spots: int = 100, seed: int = 1) -> list[PredictionRequest]:
    """``n`` requests: each at one of ``spots`` places (±60 m), over three days."""
    rng = random.Random(seed)
    places = [(45.0 + rng.uniform(0, 0.5), -90.0 + rng.uniform(0, 0.5)) for _ in range(spots)]
    out = []
    for i in range(n):
        lat, lon = rng.choice(places)
        d = 60.0 / M_PER_DEG_LAT
        when = TARGET + timedelta(days=rng.randrange(3), hours=rng.choice((-1, 0, 10, 11)))
        out.append(
            PredictionRequest(
                request_id=f"w{i}",
                lat=lat + rng.uniform(-d, d),
                lon=lon + rng.uniform(-d, d) / math.cos(math.radians(lat)),
                target_time=when,
                radius_m=rng.choice((500.0, 800.0, 800.0, 1000.0)),
            )
        )
    return out


async def test_realistic_workload_upstream_calls_and_hit_ratio(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    reqs = workload()
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        for start in range(0, len(reqs), 50):
            out = await enricher.enrich_batch(reqs[start : start + 50])
            assert all(e.terrain_quality.status is not SourceStatus.MISSING for e in out)
        stats = enricher.stats()
        calls_cold = sum(sims.requests(n) for n in ("elevation", "weather", "scouting"))
        # The same workload again (a replay within the TTLs) is served from the cache.
        for start in range(0, len(reqs), 50):
            out = await enricher.enrich_batch(reqs[start : start + 50])
            assert all(e.weather_quality.status is SourceStatus.CACHED for e in out)
        assert sum(sims.requests(n) for n in ("elevation", "weather", "scouting")) == calls_cold
    upstream = {"terrain": "elevation", "weather": "weather", "scouting": "scouting"}
    print("\nsource    upstream_calls  calls/request  hit_ratio  redis_roundtrips")
    for source, server in upstream.items():
        s = stats[source]
        calls = sims.requests(server)
        ratio = s["cache_hit"] / max(1.0, s["cache_hit"] + s["cache_miss"])
        print(
            f"{source:9} {calls:14d} {calls / len(reqs):14.3f} {ratio:10.3f} "
            f"{s['redis_roundtrips']:17.0f}"
        )
        assert calls == s["upstream_calls"]
        assert calls / len(reqs) < 0.25
