"""The Enricher end to end: real simulators over real HTTP, real Redis."""

from __future__ import annotations

import asyncio
import math
import time
from datetime import timedelta
from typing import Any

import pytest

from deerstream.enrich import EnrichConfig, SourceTuning
from deerstream.enrich.keys import M_PER_DEG_LAT, scouting_cell, terrain_cell, weather_cell
from deerstream.models.geo import distance_m
from deerstream.models.records import SourceStatus
from deerstream.simulators.server import RunningSimulators
from tests.enrich.conftest import TARGET, EnricherFactory, request, settings_for


def _grid_points(n: int, spacing_m: float = 200.0) -> list[tuple[float, float]]:
    """n points on a square lattice ``spacing_m`` apart around (45, -90)."""
    side = math.ceil(math.sqrt(n))
    dlon = spacing_m / (M_PER_DEG_LAT * math.cos(math.radians(45.0)))
    return [
        (45.0 + (k // side) * spacing_m / M_PER_DEG_LAT, -90.0 + (k % side) * dlon)
        for k in range(n)
    ]


async def test_one_request_gets_all_three_sources_fresh_then_cached(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    enricher = make_enricher(settings_for(sims), redis_client)
    async with enricher:
        assert enricher.sessions_open
        (first,) = await enricher.enrich_batch([request(1, radius_m=1000.0)])
        (again,) = await enricher.enrich_batch([request(2, radius_m=1000.0)])
    assert not enricher.sessions_open
    assert [
        q.status for q in (first.terrain_quality, first.weather_quality, first.scouting_quality)
    ] == [SourceStatus.FRESH] * 3
    assert [
        q.status for q in (again.terrain_quality, again.weather_quality, again.scouting_quality)
    ] == [SourceStatus.CACHED] * 3
    assert again.weather_quality.age_s is not None and again.weather_quality.age_s >= 0
    grid = first.terrain
    assert grid is not None and (grid.rows, grid.cols) == (7, 7)
    assert all(e is not None for e in grid.elevations_m)
    assert distance_m(45.0, -90.0, grid.center_lat, grid.center_lon) < 90.0
    assert grid.point(0, 0)[0] > grid.center_lat  # row 0 is north
    weather = first.weather
    assert weather is not None
    assert weather.times[0] <= TARGET - timedelta(hours=24)
    assert weather.times[-1] >= TARGET + timedelta(hours=48)
    assert all(
        b - a == timedelta(hours=1) for a, b in zip(weather.times, weather.times[1:], strict=False)
    )
    assert first.scouting is not None and len(first.scouting) > 0
    for obs in first.scouting:
        assert distance_m(45.0, -90.0, obs.lat, obs.lon) <= 1000.0
        assert obs.observed_at >= TARGET - timedelta(days=365)
    assert again.terrain == first.terrain and again.weather == first.weather
    assert again.scouting == first.scouting


async def test_200_concurrent_lookups_for_50_points_are_batched(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    points = _grid_points(50)
    reqs = [request(n, lat, lon) for n, (lat, lon) in enumerate(points * 4)]
    distinct = {
        "elevation": len({terrain_cell(r.lat, r.lon).key for r in reqs}),
        "weather": len({weather_cell(r.lat, r.lon, r.target_time).key for r in reqs}),
        "scouting": len({scouting_cell(r.lat, r.lon, r.radius_m, r.target_time).key for r in reqs}),
    }
    batch = {"elevation": 2, "weather": 50, "scouting": 50}
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        results = await asyncio.gather(*(enricher.enrich_batch([r]) for r in reqs))
        stats = enricher.stats()
    problems = {
        (e.terrain_quality.reason, e.weather_quality.reason, e.scouting_quality.reason)
        for (e,) in results
        if e.terrain is None or e.weather is None or e.scouting is None
    }
    assert not problems
    assert distinct["elevation"] == 50
    for name in ("elevation", "weather", "scouting"):
        bound = math.ceil(distinct[name] / batch[name]) + 2
        assert sims.requests(name) <= bound, (name, sims.requests(name), bound)
    assert stats["terrain"]["coalesced"] >= 150  # every repeat joined an in-flight fetch
    assert stats["terrain"]["upstream_calls"] == sims.requests("elevation")


async def test_one_big_batch_is_one_mget_and_one_write_per_source(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    reqs = [request(n, lat, lon) for n, (lat, lon) in enumerate(_grid_points(40) * 5)]
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        await enricher.enrich_batch(reqs)
        stats = enricher.stats()
        await enricher.enrich_batch(reqs)
        again = enricher.stats()
    for source in ("terrain", "weather", "scouting"):
        assert stats[source]["redis_roundtrips"] == 2  # one MGET + one pipeline
        assert again[source]["redis_roundtrips"] == 3  # all hits: one MGET
    assert sims.requests("elevation") == 20  # 40 grids, 2 per call
    assert again["terrain"]["cache_hit"] == 40


async def test_50_identical_concurrent_misses_make_one_upstream_call(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        results = await asyncio.gather(*(enricher.enrich_batch([request(n)]) for n in range(50)))
    assert all(e.terrain_quality.status is SourceStatus.FRESH for (e,) in results)
    assert sims.requests("elevation") == 1
    assert sims.requests("weather") == 1
    assert sims.requests("scouting") == 1


async def test_500_500_then_200_succeeds(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    sims.configure("elevation", script=[500, 500])
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        (e,) = await enricher.enrich_batch([request(1)])
        stats = enricher.stats()["terrain"]
    assert e.terrain_quality.status is SourceStatus.FRESH and e.terrain is not None
    assert sims.requests("elevation") == 3
    assert (stats["upstream_calls"], stats["upstream_errors"], stats["upstream_retries"]) == (
        3,
        2,
        2,
    )


async def test_429_with_retry_after_waits_that_long(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    sims.configure("weather", script=[429], retry_after_s=0.4)
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        started = time.monotonic()
        (e,) = await enricher.enrich_batch([request(1)])
        waited = time.monotonic() - started
    assert e.weather_quality.status is SourceStatus.FRESH
    assert sims.requests("weather") == 2
    assert waited >= 0.4  # the client waited at least Retry-After before trying again


async def test_a_hang_times_out_within_the_deadline(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    sims.configure("weather", hang_rate=1.0, hang_s=30.0)
    settings = settings_for(sims, upstream_request_timeout_s=0.3, upstream_deadline_s=1.0)
    async with make_enricher(settings, redis_client) as enricher:
        started = time.monotonic()
        (e,) = await enricher.enrich_batch([request(1)])
        elapsed = time.monotonic() - started
    assert e.weather is None and e.weather_quality.status is SourceStatus.MISSING
    assert e.weather_quality.reason is not None and "weather" in e.weather_quality.reason
    assert e.terrain_quality.status is SourceStatus.FRESH  # other sources unaffected
    assert elapsed < 30.0  # did not wait for the hang to end


async def test_consecutive_failures_open_the_circuit_then_it_recovers(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    sims.configure("scouting", error_rate=1.0)
    settings = settings_for(
        sims, upstream_retries=0, breaker_failure_threshold=3, breaker_reset_s=0.3
    )
    async with make_enricher(settings, redis_client) as enricher:
        for n in range(3):
            (e,) = await enricher.enrich_batch([request(n, lat=45.0 + n * 0.01)])
            assert e.scouting_quality.status is SourceStatus.MISSING
        assert enricher.stats()["scouting"]["circuit_state"] == 2  # open
        assert sims.requests("scouting") == 3
        (e,) = await enricher.enrich_batch([request(9, lat=45.5)])
        assert "circuit open" in (e.scouting_quality.reason or "")
        assert sims.requests("scouting") == 3  # failed fast, the upstream was spared
        sims.configure("scouting", error_rate=0.0)
        await asyncio.sleep(0.35)
        (e,) = await enricher.enrich_batch([request(10, lat=45.6)])
        assert e.scouting_quality.status is SourceStatus.FRESH  # the half-open probe passed
        assert enricher.stats()["scouting"]["circuit_state"] == 0
        assert sims.requests("scouting") == 4


async def test_expired_copy_is_served_stale_when_the_upstream_fails(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any, unique_name: str
) -> None:
    quick = SourceTuning(fresh_ttl_s=0.2, keep_ttl_s=60.0, negative_ttl_s=1.0, batch_max=50)
    config = EnrichConfig(namespace=f"{unique_name}:", weather=quick)
    settings = settings_for(sims, upstream_retries=1)
    async with make_enricher(settings, redis_client, config=config) as enricher:
        (fresh,) = await enricher.enrich_batch([request(1)])
        await asyncio.sleep(0.3)
        sims.configure("weather", error_rate=1.0)
        (stale,) = await enricher.enrich_batch([request(2)])
        stats = enricher.stats()["weather"]
    assert fresh.weather_quality.status is SourceStatus.FRESH
    assert stale.weather_quality.status is SourceStatus.STALE
    assert stale.weather == fresh.weather
    assert (stale.weather_quality.age_s or 0) >= 0.2
    assert "HTTP 500" in (stale.weather_quality.reason or "")
    assert stats["cache_stale"] == 1


async def test_no_data_answers_are_negative_cached(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    sims.configure("weather", script=[400])
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        (e1,) = await enricher.enrich_batch([request(1)])
        (e2,) = await enricher.enrich_batch([request(2)])
    assert e1.weather_quality.status is SourceStatus.MISSING
    assert e2.weather_quality.status is SourceStatus.MISSING
    assert "no data" in (e2.weather_quality.reason or "")
    assert sims.requests("weather") == 1  # the second lookup was answered by the cache


async def test_bodies_that_do_not_parse_are_retried_then_missing(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    # A 200 whose body does not parse was most likely cut off mid-stream: worth a retry.
    sims.configure("elevation", malformed_rate=1.0)
    settings = settings_for(sims)
    async with make_enricher(settings, redis_client) as enricher:
        (e,) = await enricher.enrich_batch([request(1)])
    assert e.terrain is None and "not valid JSON" in (e.terrain_quality.reason or "")
    assert sims.requests("elevation") == settings.upstream_retries + 1


async def test_all_upstreams_down_never_raises(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    settings = settings_for(sims, upstream_deadline_s=1.0)
    await sims.stop()  # connection refused everywhere
    latencies: list[tuple[str, float]] = []
    enricher = make_enricher(
        settings, redis_client, on_source_latency=lambda s, t: latencies.append((s, t))
    )
    async with enricher:
        out = await enricher.enrich_batch([request(1), request(2, lat=46.0)])
    assert len(out) == 2
    for e in out:
        assert (e.terrain, e.weather, e.scouting) == (None, None, None)
        assert e.terrain_quality.status is SourceStatus.MISSING
        assert "connection failed" in (e.terrain_quality.reason or "")
    assert sorted(s for s, _ in latencies) == ["scouting", "terrain", "weather"]
    assert all(t >= 0 for _, t in latencies)


async def test_results_follow_request_order(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any
) -> None:
    reqs = [request(n, lat, lon) for n, (lat, lon) in enumerate(_grid_points(9, 2000.0))]
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        out = await enricher.enrich_batch(reqs)
    for r, e in zip(reqs, out, strict=True):
        assert e.terrain is not None
        assert distance_m(r.lat, r.lon, e.terrain.center_lat, e.terrain.center_lon) < 90.0


async def test_without_redis_everything_goes_upstream_as_bypass(
    sims: RunningSimulators, make_enricher: EnricherFactory
) -> None:
    def broken_hook(source: str, seconds: float) -> None:
        raise RuntimeError("metrics down")

    async with make_enricher(settings_for(sims), None, on_source_latency=broken_hook) as e:
        (first,) = await e.enrich_batch([request(1)])
        (second,) = await e.enrich_batch([request(2)])
        stats = e.stats()
    assert first.terrain_quality.status is SourceStatus.FRESH
    assert second.terrain_quality.status is SourceStatus.FRESH
    for source in ("terrain", "weather", "scouting"):
        assert stats[source]["cache_bypass"] == 2
        assert stats[source]["redis_roundtrips"] == 0
        assert stats[source]["cache_hit"] == stats[source]["cache_miss"] == 0


async def test_a_fetched_cell_is_not_decoded_again_by_the_worker_that_wrote_it(
    sims: RunningSimulators,
    make_enricher: EnricherFactory,
    redis_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bytes written to Redis are remembered with the value just fetched, so the next
    read of that cell is a memo hit; another worker (an empty memo) decodes the same bytes
    to the same value."""
    import deerstream.enrich.enricher as module

    decodes: dict[str, int] = {}

    def counting(name: str, fn: Any) -> Any:
        def wrapped(data: Any) -> Any:
            decodes[name] = decodes.get(name, 0) + 1
            return fn(data)

        return wrapped

    for name in ("decode_grid", "decode_series", "decode_observations"):
        monkeypatch.setattr(module, name, counting(name, getattr(module, name)))
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        (first,) = await enricher.enrich_batch([request(1, radius_m=1000.0)])
        (again,) = await enricher.enrich_batch([request(2, radius_m=1000.0)])
    assert again.scouting_quality.status is SourceStatus.CACHED
    assert decodes == {}
    async with make_enricher(settings_for(sims), redis_client) as other:
        (elsewhere,) = await other.enrich_batch([request(3, radius_m=1000.0)])
    assert decodes == {"decode_grid": 1, "decode_series": 1, "decode_observations": 1}
    for e in (again, elsewhere):
        assert (e.terrain, e.weather, e.scouting) == (first.terrain, first.weather, first.scouting)
