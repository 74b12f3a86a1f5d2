"""The prediction page's terrain shading reads the grid the enricher cached (never an
upstream): what the enricher wrote comes back, anything else is "no shading", never an
error."""

from __future__ import annotations

from typing import Any

import fakeredis
import orjson
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from deerstream.enrich.keys import terrain_cell
from deerstream.enrich.terrain_view import cached_terrain_grid
from deerstream.simulators.server import RunningSimulators
from deerstream.views.page import render_prediction_page
from tests.enrich.conftest import EnricherFactory, request, settings_for
from tests.views.dom import data_elements


@pytest.mark.integration
async def test_the_grid_the_enricher_cached_comes_back_and_shades_the_page(
    sims: RunningSimulators, make_enricher: EnricherFactory, redis_client: Any, unique_name: str
) -> None:
    req = request(1, lat=44.4, lon=-72.9)
    async with make_enricher(settings_for(sims), redis_client) as enricher:
        (enrichment,) = await enricher.enrich_batch([req])
    assert enrichment.terrain is not None
    grid = await cached_terrain_grid(redis_client, req.lat, req.lon, namespace=f"{unique_name}:")
    assert grid is not None
    assert tuple(grid["e"]) == enrichment.terrain.elevations_m
    assert (grid["rows"], grid["cols"]) == (enrichment.terrain.rows, enrichment.terrain.cols)
    prediction = {"request_id": "r1", "lat": req.lat, "lon": req.lon}
    (shading,) = data_elements(render_prediction_page(prediction, elevation_grid=grid), "terrain")
    assert float(shading["data-max-m"]) > float(shading["data-min-m"])
    # Without the enricher's namespace the key is another one: nothing, not an error.
    assert await cached_terrain_grid(redis_client, req.lat, req.lon) is None


async def test_absent_negative_and_garbled_entries_are_no_grid() -> None:
    redis = fakeredis.FakeAsyncRedis()
    key = terrain_cell(45.0, -90.0).key
    assert await cached_terrain_grid(redis, 45.0, -90.0) is None
    await redis.set(key, orjson.dumps({"t": 1.0, "d": None, "r": "no data: 404"}))
    assert await cached_terrain_grid(redis, 45.0, -90.0) is None
    await redis.set(key, b"\x00not json")
    assert await cached_terrain_grid(redis, 45.0, -90.0) is None
    await redis.set(key, orjson.dumps({"t": 1.0, "d": {"e": [1.0]}, "r": None}))
    assert await cached_terrain_grid(redis, 45.0, -90.0) == {"e": [1.0]}
    assert await cached_terrain_grid(None, 45.0, -90.0) is None


async def test_a_redis_that_fails_is_no_grid() -> None:
    class Down:
        async def get(self, key: str) -> bytes:
            raise RedisConnectionError("connection refused")

    assert await cached_terrain_grid(Down(), 45.0, -90.0) is None


async def test_a_predictions_page_reads_the_grid_of_its_evaluated_cell() -> None:
    """The enricher fetched terrain at the evaluation point (the request's ~100 m cell), so the
    page looks the grid up there, not at the exact point, which may lie in the next cell."""
    from deerstream.agents.quantise import evaluation_point
    from deerstream.agents.recent import cached_terrain_for

    redis = fakeredis.FakeAsyncRedis()
    lat, lon = 44.400507, -72.9  # its own 90 m cell differs from its evaluation point's
    cell = terrain_cell(*evaluation_point(lat, lon))
    assert cell.key != terrain_cell(lat, lon).key
    await redis.set(cell.key, orjson.dumps({"t": 1.0, "d": {"e": [5.0]}, "r": None}))
    assert await cached_terrain_for(redis, {"lat": lat, "lon": lon}) == {"e": [5.0]}
    assert await cached_terrain_for(redis, {"lat": "44.4", "lon": lon}) is None
    assert await cached_terrain_for(redis, {"lat": True, "lon": lon}) is None
    assert await cached_terrain_for(redis, {}) is None
