"""The naive baselines' pure part: which scouting observations a request keeps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from deerstream.bench.variants.naive import CONCURRENCY, REDIS_CONNECTIONS, nearby, redis_client
from deerstream.models.records import ObservationType, PredictionRequest, ScoutingObservation

T = datetime(2026, 11, 29, 11, 45, tzinfo=UTC)


def _obs(oid: str, lat: float, age_days: int) -> ScoutingObservation:
    return ScoutingObservation(
        observation_id=oid,
        type=ObservationType.SCRAPE,
        lat=lat,
        lon=-72.6,
        observed_at=T - timedelta(days=age_days),
        confidence=5.0,
    )


def test_keeps_observations_within_radius_and_max_age() -> None:
    req = PredictionRequest(request_id="r", lat=44.2, lon=-72.6, target_time=T, radius_m=800.0)
    close, far, old = _obs("a", 44.201, 3), _obs("b", 44.22, 3), _obs("c", 44.2, 400)
    assert nearby(req, (close, far, old)) == (close,)


@pytest.mark.integration
async def test_the_concurrent_baseline_holds_every_lookup_it_can_have_in_flight(
    redis_url: str,
) -> None:
    # 50 events in flight, each waiting on its three sources at once: on redis-py's default
    # pool (100 connections) the 101st raised MaxConnectionsError and the baseline crashed.
    client = redis_client(redis_url)
    try:
        keys = [f"naive:test:{i}" for i in range(3 * CONCURRENCY["concurrent"])]
        assert await asyncio.gather(*(client.get(k) for k in keys)) == [None] * len(keys)
        assert client.connection_pool.max_connections == REDIS_CONNECTIONS
    finally:
        await client.aclose()
