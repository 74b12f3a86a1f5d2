"""The simulators over real HTTP on free 127.0.0.1 ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from deerstream.simulators.knobs import Knobs, SimConfig
from deerstream.simulators.server import RunningSimulators, start_simulators
from deerstream.simulators.weather_server import create_weather_app


@pytest.fixture
async def sims() -> AsyncIterator[RunningSimulators]:
    running = await start_simulators(SimConfig(seed=11))
    yield running
    await running.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _get(http: aiohttp.ClientSession, url: str, **params: str) -> tuple[int, Any]:
    async with http.get(url, params=params) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_servers_bind_loopback_on_distinct_ports(sims: RunningSimulators) -> None:
    assert set(sims.urls) == {"weather", "elevation", "scouting"}
    assert all(u.startswith("http://127.0.0.1:") for u in sims.urls.values())
    assert len(set(sims.urls.values())) == 3


async def test_elevation_open_meteo_shape_and_limit(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    url = sims.urls["elevation"] + "/v1/elevation"
    status, body = await _get(http, url, latitude="45,45.01", longitude="-90,-90")
    assert status == 200 and len(body["elevation"]) == 2
    assert all(isinstance(v, float) for v in body["elevation"])
    many = ",".join(["45"] * 101)
    status, body = await _get(http, url, latitude=many, longitude=many.replace("45", "-90"))
    assert status == 400 and body["error"] is True and "100" in body["reason"]
    status, body = await _get(http, url, latitude="45", longitude="-90,1")
    assert status == 400 and body["error"] is True
    stats = sims.counts()["elevation"]
    assert stats["requests"]["GET /v1/elevation"] == 3
    assert stats["points"]["elevation"] == 2


async def test_elevation_opentopodata_shape(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    url = sims.urls["elevation"] + "/v1/srtm30m"
    status, body = await _get(http, url, locations="45,-90|45.01,-90")
    assert status == 200 and body["status"] == "OK"
    assert [r["location"]["lat"] for r in body["results"]] == [45.0, 45.01]
    status, body = await _get(http, url, locations="nonsense")
    assert status == 400 and body["status"] == "INVALID_REQUEST"


async def test_weather_multi_location_is_an_array_with_units(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    status, body = await _get(
        http,
        sims.urls["weather"] + "/v1/forecast",
        latitude="45,46",
        longitude="-90,-91",
        hourly="temperature_2m,pressure_msl,wind_speed_10m",
        start_date="2026-11-14",
        end_date="2026-11-16",
        timezone="GMT",
        wind_speed_unit="ms",
    )
    assert status == 200 and isinstance(body, list) and len(body) == 2
    loc = body[0]
    assert loc["timezone"] == "GMT" and loc["utc_offset_seconds"] == 0
    assert loc["hourly_units"] == {
        "time": "iso8601",
        "temperature_2m": "°C",
        "pressure_msl": "hPa",
        "wind_speed_10m": "m/s",
    }
    assert loc["hourly"]["time"][0] == "2026-11-14T00:00"
    assert loc["hourly"]["time"][-1] == "2026-11-16T23:00"
    assert len(loc["hourly"]["pressure_msl"]) == 72


async def test_weather_units_convert(sims: RunningSimulators, http: aiohttp.ClientSession) -> None:
    url = sims.urls["weather"] + "/v1/forecast"
    common = {"latitude": "45", "longitude": "-90", "hourly": "temperature_2m,wind_speed_10m"}
    window = {"start_hour": "2026-11-15T06:00", "end_hour": "2026-11-15T08:00"}
    _, si = await _get(http, url, **common, **window, wind_speed_unit="ms")
    _, imp = await _get(
        http, url, **common, **window, wind_speed_unit="mph", temperature_unit="fahrenheit"
    )
    assert isinstance(si, dict) and len(si["hourly"]["time"]) == 3
    assert imp["hourly_units"]["wind_speed_10m"] == "mp/h"
    assert imp["hourly_units"]["temperature_2m"] == "°F"
    c, f = si["hourly"]["temperature_2m"][0], imp["hourly"]["temperature_2m"][0]
    assert f == pytest.approx(c * 9 / 5 + 32, abs=0.11)


async def test_weather_past_and_forecast_days_follow_the_clock() -> None:
    now = datetime(2026, 11, 15, 13, 30, tzinfo=UTC)
    app = create_weather_app(Knobs(SimConfig()), now=lambda: now)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as http:
            status, body = await _get(
                http,
                f"http://127.0.0.1:{port}/v1/forecast",
                latitude="45",
                longitude="-90",
                hourly="pressure_msl",
                past_days="1",
                forecast_days="2",
            )
    finally:
        await runner.cleanup()
    assert status == 200
    assert body["hourly"]["time"][0] == "2026-11-14T00:00"
    assert body["hourly"]["time"][-1] == "2026-11-16T23:00"


async def test_weather_rejects_unknown_variables_with_open_meteo_error(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    status, body = await _get(
        http, sims.urls["weather"] + "/v1/forecast", latitude="45", longitude="-90", hourly="nope"
    )
    assert status == 400
    assert body == {
        "error": True,
        "reason": "Cannot initialize WeatherVariable from invalid String value nope for key hourly",
    }


async def test_scouting_query_batch_and_add(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    base = sims.urls["scouting"] + "/v1/observations"
    since = "2025-11-15T00:00:00Z"
    status, one = await _get(
        http, base, lat="45", lon="-90", radius_m="1500", since=since, until="2026-11-15T00:00:00Z"
    )
    assert status == 200 and one["observations"]
    obs = {
        "type": "rub",
        "lat": 45.0001,
        "lon": -90.0001,
        "observed_at": "2026-11-01T07:00:00Z",
        "confidence": 8,
        "hunter_id": "h1",
        "rub_trunk_diameter_cm": 22.0,
    }
    async with http.post(base, json=obs) as resp:
        assert resp.status == 201
        added = (await resp.json())["observation"]
    queries = [
        {
            "id": "a",
            "lat": 45,
            "lon": -90,
            "radius_m": 1500,
            "since": since,
            "until": "2026-11-15T00:00:00Z",
        },
        {"id": "b", "lat": 45, "lon": -90, "radius_m": 100, "since": since, "hunter_id": "h1"},
    ]
    async with http.post(base + "/query", json={"queries": queries}) as resp:
        assert resp.status == 200
        results = (await resp.json())["results"]
    assert [r["id"] for r in results] == ["a", "b"]
    assert len(results[0]["observations"]) == len(one["observations"]) + 1
    assert [o["observation_id"] for o in results[1]["observations"]] == [added["observation_id"]]
    async with http.post(base + "/query", json={"queries": [{"id": "x"}]}) as resp:
        assert resp.status == 400 and (await resp.json())["error"] is True


async def test_admin_config_faults_and_reset(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    base = sims.urls["elevation"]
    async with http.post(
        base + "/_sim/config", json={"script": [500, 429], "retry_after_s": 2.5}
    ) as resp:
        assert resp.status == 200
    url = base + "/v1/elevation?latitude=45&longitude=-90"
    async with http.get(url) as r1:
        assert r1.status == 500 and (await r1.json())["error"] is True
    async with http.get(url) as r2:
        assert r2.status == 429 and r2.headers["Retry-After"] == "2.5"
    async with http.get(url) as r3:
        assert r3.status == 200
    sims.configure("elevation", malformed_rate=1.0)
    async with http.get(url) as r4:
        assert r4.status == 200
        with pytest.raises(ValueError):
            await r4.json()
    async with http.get(base + "/_sim/stats") as resp:
        stats = await resp.json()
    assert stats["total_requests"] == 4
    assert stats["faults"] == {"error": 1, "rate_limit": 1, "malformed": 1}
    async with http.post(base + "/_sim/reset") as resp:
        assert resp.status == 200
    assert sims.requests("elevation") == 0
    async with http.post(base + "/_sim/config", json={"bogus": 1}) as resp:
        assert resp.status == 400
