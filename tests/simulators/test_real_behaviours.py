"""The simulators answer the way the real Open-Meteo API answers, not only its happy path.

Every test talks raw HTTP to a real aiohttp server on a free 127.0.0.1 port and, where the
bytes matter (``nan``, a missing ``location_id``, the 400/429 bodies, headers), checks them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDictProxy

from deerstream.errors import ConfigError
from deerstream.simulators.elevation_server import create_elevation_app
from deerstream.simulators.knobs import RATE_LIMIT_REASONS, REAL_OPEN_METEO, Knobs, SimConfig
from deerstream.simulators.server import RunningSimulators, start_simulators
from deerstream.simulators.weather_server import create_weather_app

NOW = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
VARS = (
    "temperature_2m,pressure_msl,wind_speed_10m,wind_direction_10m,"
    "wind_gusts_10m,precipitation,snow_depth"
)
MINUTELY = (
    b'{"reason":"Minutely API request limit exceeded. Please try again in one minute.",'
    b'"error":true}'
)


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """``app`` on a free loopback port; yields its base URL."""
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@asynccontextmanager
async def weather(config: SimConfig | None = None) -> AsyncIterator[tuple[str, Knobs]]:
    """A weather simulator whose clock reads ``NOW``."""
    knobs = Knobs(config or SimConfig(seed=5))
    async with serve(create_weather_app(knobs, now=lambda: NOW)) as url:
        yield url, knobs


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def sims() -> AsyncIterator[RunningSimulators]:
    running = await start_simulators(SimConfig(seed=5))
    yield running
    await running.stop()


async def raw(
    http: aiohttp.ClientSession, url: str, **params: str
) -> tuple[int, bytes, CIMultiDictProxy[str]]:
    async with http.get(url, params=params) as resp:
        return resp.status, await resp.read(), resp.headers


async def configure(http: aiohttp.ClientSession, base: str, **knobs: Any) -> Any:
    async with http.post(base + "/_sim/config", json=knobs) as resp:
        return resp.status, await resp.json()


def forecast_params(**over: str) -> dict[str, str]:
    params = {
        "latitude": "45,46,47",
        "longitude": "-90,-91,-92",
        "hourly": VARS,
        "start_date": "2026-11-14",
        "end_date": "2026-11-15",
        "timezone": "GMT",
        "wind_speed_unit": "ms",
    }
    params.update(over)
    return params


# 1. Many locations: an array in request order; item 0 has no location_id at all.


async def test_first_location_has_no_location_id_key(http: aiohttp.ClientSession) -> None:
    async with weather() as (url, _):
        status, body, _ = await raw(http, url + "/v1/forecast", **forecast_params())
    assert status == 200
    items = orjson.loads(body)
    assert isinstance(items, list) and [i["latitude"] for i in items] == [45.0, 46.0, 47.0]
    assert "location_id" not in items[0]
    assert [i.get("location_id") for i in items[1:]] == [1, 2]
    assert body.count(b'"location_id"') == 2 and b'"location_id":0' not in body
    # Like the real writer, location_id follows elevation in each object.
    assert b'"elevation":' in body.split(b'"location_id":1')[0].rsplit(b'{"latitude"', 1)[1]


async def test_location_id_on_every_item_when_the_knob_is_off(
    http: aiohttp.ClientSession,
) -> None:
    async with weather(SimConfig(omit_first_location_id=False)) as (url, _):
        _, body, _ = await raw(http, url + "/v1/forecast", **forecast_params())
        _, one, _ = await raw(
            http, url + "/v1/forecast", **forecast_params(latitude="45", longitude="-90")
        )
    assert [i["location_id"] for i in orjson.loads(body)] == [0, 1, 2]
    single = orjson.loads(one)
    assert isinstance(single, dict) and b'"location_id"' not in one


async def test_single_location_is_one_object_without_location_id(
    http: aiohttp.ClientSession,
) -> None:
    async with weather() as (url, _):
        _, body, _ = await raw(
            http, url + "/v1/forecast", **forecast_params(latitude="45", longitude="-90")
        )
    assert body.startswith(b'{"latitude":') and b'"location_id"' not in body


# 2. A variable the weather model lacks: unit "undefined", all nulls.


async def test_undefined_variable_has_undefined_unit_and_only_nulls(
    http: aiohttp.ClientSession,
) -> None:
    async with weather() as (url, _):
        _, before, _ = await raw(http, url + "/v1/forecast", **forecast_params())
        status, cfg = await configure(http, url, undefined_variables=["snow_depth"])
        assert status == 200 and cfg["undefined_variables"] == ["snow_depth"]
        _, after, _ = await raw(http, url + "/v1/forecast", **forecast_params())
    assert b'"undefined"' not in before
    for item in orjson.loads(after):
        units, hourly = item["hourly_units"], item["hourly"]
        assert units["snow_depth"] == "undefined"
        assert hourly["snow_depth"] == [None] * len(hourly["time"]) and len(hourly["time"]) == 48
        assert units["pressure_msl"] == "hPa"
        assert all(isinstance(v, float) for v in hourly["pressure_msl"])
    assert b'"snow_depth":"undefined"' in after
    assert b'"snow_depth":[null,null,' in after


# 3. Null gaps inside hourly series.


async def test_trailing_null_gap_hours(http: aiohttp.ClientSession) -> None:
    async with weather(SimConfig(null_gap_hours=6)) as (url, _):
        _, body, _ = await raw(http, url + "/v1/forecast", **forecast_params())
    for item in orjson.loads(body):
        hourly = item["hourly"]
        assert len(hourly["time"]) == 48 and all(t is not None for t in hourly["time"])
        for var in VARS.split(","):
            series = hourly[var]
            assert len(series) == 48
            assert series[-6:] == [None] * 6
            assert all(v is not None for v in series[:-6]), var
    assert b",null,null,null,null,null,null]" in body


async def test_null_gap_rate_is_seeded_and_roughly_at_its_rate(
    http: aiohttp.ClientSession,
) -> None:
    params = forecast_params(start_date="2026-11-01", end_date="2026-11-10")
    async with weather(SimConfig(null_gap_rate=0.2, seed=9)) as (url, _):
        _, first, _ = await raw(http, url + "/v1/forecast", **params)
        _, again, _ = await raw(http, url + "/v1/forecast", **params)
    assert _strip_times(first) == _strip_times(again)
    values = [
        v
        for item in orjson.loads(first)
        for k, s in item["hourly"].items()
        if k != "time"
        for v in s
    ]
    share = sum(v is None for v in values) / len(values)
    assert 0.15 < share < 0.25


def _strip_times(body: bytes) -> Any:
    items = orjson.loads(body)
    for item in items:
        item.pop("generationtime_ms")
    return items


async def test_no_nulls_by_default(http: aiohttp.ClientSession) -> None:
    async with weather() as (url, _):
        _, body, _ = await raw(http, url + "/v1/forecast", **forecast_params())
    assert b"null" not in body


# 4. The date window: today − 92 days .. today + 15 days, else HTTP 400.


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"start_date": "2026-08-30", "end_date": "2026-09-02"}, "start_date"),
        ({"start_date": "2026-12-10", "end_date": "2026-12-17"}, "end_date"),
        ({"start_date": "2027-01-01", "end_date": "2027-01-02"}, "start_date"),
        ({"start_hour": "2026-08-30T23:00", "end_hour": "2026-09-01T00:00"}, "start_hourly"),
        ({"start_hour": "2026-12-16T20:00", "end_hour": "2026-12-17T00:00"}, "end_hourly"),
    ],
)
async def test_dates_outside_the_window_are_a_400_with_the_real_body(
    http: aiohttp.ClientSession, params: dict[str, str], name: str
) -> None:
    query = {"latitude": "45", "longitude": "-90", "hourly": "temperature_2m", **params}
    async with weather() as (url, _):
        status, body, headers = await raw(http, url + "/v1/forecast", **query)
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    assert body == (
        b'{"reason":"Parameter \''
        + name.encode()
        + b'\' is out of allowed range from 2026-08-31 to 2026-12-16","error":true}'
    )


async def test_window_edges_are_allowed(http: aiohttp.ClientSession) -> None:
    async with weather() as (url, _):
        dates, _, _ = await raw(
            http,
            url + "/v1/forecast",
            **forecast_params(start_date="2026-08-31", end_date="2026-12-16"),
        )
        hours, body, _ = await raw(
            http,
            url + "/v1/forecast",
            **forecast_params(start_hour="2026-08-31T00:00", end_hour="2026-12-16T23:00"),
        )
        past, _, _ = await raw(
            http, url + "/v1/forecast", latitude="45", longitude="-90", past_days="92"
        )
    assert (dates, hours, past) == (200, 200, 200)
    assert orjson.loads(body)[0]["hourly"]["time"][-1] == "2026-12-16T23:00"


async def test_window_off_serves_any_date(http: aiohttp.ClientSession) -> None:
    async with weather(SimConfig(enforce_date_window=False)) as (url, _):
        status, body, _ = await raw(
            http,
            url + "/v1/forecast",
            **forecast_params(start_date="2025-01-01", end_date="2025-01-01"),
        )
    assert status == 200 and orjson.loads(body)[0]["hourly"]["time"][0] == "2025-01-01T00:00"


async def test_window_is_on_by_default_against_the_real_clock(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    today = datetime.now(UTC).date()
    far = (today - timedelta(days=100)).isoformat()
    status, body, _ = await raw(
        http,
        sims.urls["weather"] + "/v1/forecast",
        **forecast_params(start_date=far, end_date=far),
    )
    low, high = today - timedelta(days=92), today + timedelta(days=15)
    assert status == 400
    assert orjson.loads(body) == {
        "reason": f"Parameter 'start_date' is out of allowed range from {low} to {high}",
        "error": True,
    }


# 5. HTTP 429 as the real API sends it.


async def test_429_has_the_real_body_and_no_retry_after(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    sims.knobs["weather"].configure(SimConfig(seed=5, script=(429,)))
    status, body, headers = await raw(
        http, sims.urls["weather"] + "/v1/forecast", latitude="45", longitude="-90"
    )
    assert status == 429 and body == MINUTELY
    assert "Retry-After" not in headers


@pytest.mark.parametrize("reason", sorted(RATE_LIMIT_REASONS))
async def test_rate_limit_reason_picks_the_limit(
    sims: RunningSimulators, http: aiohttp.ClientSession, reason: str
) -> None:
    base = sims.urls["elevation"]
    status, _ = await configure(http, base, rate_limit_rate=1.0, rate_limit_reason=reason)
    assert status == 200
    status, body, headers = await raw(http, base + "/v1/elevation", latitude="45", longitude="1")
    assert status == 429 and "Retry-After" not in headers
    assert orjson.loads(body) == {"reason": RATE_LIMIT_REASONS[reason], "error": True}
    assert body.startswith(b'{"reason":"' + reason.capitalize().encode() + b" API request")


async def test_retry_after_only_when_asked_for(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    base = sims.urls["elevation"]
    url = base + "/v1/elevation"
    await configure(http, base, script=[429], send_retry_after=True, retry_after_s=3)
    _, _, with_header = await raw(http, url, latitude="45", longitude="1")
    # Setting retry_after_s alone implies wanting the header (the existing knob keeps working).
    await configure(http, base, script=[429], retry_after_s=0.5)
    _, _, implied = await raw(http, url, latitude="45", longitude="1")
    await configure(http, base, script=[429], send_retry_after=False)
    _, _, without = await raw(http, url, latitude="45", longitude="1")
    assert with_header["Retry-After"] == "3" and implied["Retry-After"] == "0.5"
    assert "Retry-After" not in without


async def test_quota_per_minute_counts_every_location(http: aiohttp.ClientSession) -> None:
    clock = [1_000_000.0 * 60]
    knobs = Knobs(SimConfig(quota_per_minute=5, seed=5), clock=lambda: clock[0])
    async with serve(create_weather_app(knobs, now=lambda: NOW)) as url:
        endpoint = url + "/v1/forecast"

        async def call(n: int) -> tuple[int, bytes, CIMultiDictProxy[str]]:
            lats = ",".join(str(45 + i) for i in range(n))
            return await raw(http, endpoint, **forecast_params(latitude=lats, longitude=lats))

        assert (await call(3))[0] == 200
        status, body, headers = await call(3)  # 3 + 3 > 5
        assert status == 429 and body == MINUTELY and "Retry-After" not in headers
        assert (await call(2))[0] == 200  # the refused call was not charged: 3 + 2 = 5
        assert (await call(1))[0] == 429
        clock[0] += 60  # the next clock minute
        assert (await call(5))[0] == 200
        assert (await call(1))[0] == 429
    assert knobs.faults["quota"] == 3
    assert knobs.points["forecast"] == 10


async def test_quota_applies_to_elevation_points(http: aiohttp.ClientSession) -> None:
    knobs = Knobs(SimConfig(quota_per_minute=4), clock=lambda: 120.0)
    async with serve(create_elevation_app(knobs)) as url:
        ok, _, _ = await raw(http, url + "/v1/elevation", latitude="1,2,3", longitude="1,2,3")
        refused, body, _ = await raw(http, url + "/v1/elevation", latitude="1,2", longitude="1,2")
    assert (ok, refused) == (200, 429) and body == MINUTELY


# 6. Elevation: ≤ 100 points, bare nan at lat ≥ 90 or lon ≥ 180.


async def test_elevation_writes_bare_nan_at_the_pole_and_antimeridian(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    url = sims.urls["elevation"] + "/v1/elevation"
    status, body, headers = await raw(http, url, latitude="90,45,-90,10", longitude="0,-90,0,180")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert body.startswith(b'{"elevation":[nan,') and body.endswith(b",nan]}")
    parts = body[len(b'{"elevation":[') : -len(b"]}")].split(b",")
    assert parts[0] == b"nan" and parts[3] == b"nan"
    assert float(parts[1]) >= 0.0 and float(parts[2]) >= 0.0  # -90 and -180 are read
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(body)
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    _, edge, _ = await raw(http, url, latitude="-90", longitude="-180")
    assert b"nan" not in edge and isinstance(orjson.loads(edge)["elevation"][0], float)


async def test_elevation_nan_knob_off_and_out_of_range_still_rejected(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    base = sims.urls["elevation"]
    url = base + "/v1/elevation"
    status, body, _ = await raw(http, url, latitude="90.5", longitude="0")
    assert status == 400 and orjson.loads(body)["error"] is True
    status, body, _ = await raw(http, url, latitude="0", longitude="180.01")
    assert status == 400 and body.startswith(b'{"reason":"Longitude must be in range')
    await configure(http, base, nan_at_poles=False)
    status, body, _ = await raw(http, url, latitude="90", longitude="180")
    assert status == 200 and isinstance(orjson.loads(body)["elevation"][0], float)


async def test_elevation_more_than_100_points_is_a_400(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    url = sims.urls["elevation"] + "/v1/elevation"
    hundred = ",".join(["45"] * 100)
    ok, body, _ = await raw(http, url, latitude=hundred, longitude=hundred)
    assert ok == 200 and len(orjson.loads(body)["elevation"]) == 100
    many = ",".join(["45"] * 101)
    status, body, _ = await raw(http, url, latitude=many, longitude=many)
    assert status == 400
    assert body == (
        b"{\"reason\":\"Parameter 'latitude' and 'longitude' must not exceed 100 coordinates.\","
        b'"error":true}'
    )


# 7. Wind speed is km/h unless wind_speed_unit=ms is sent.


async def test_wind_speed_defaults_to_kmh(http: aiohttp.ClientSession) -> None:
    common = {
        "latitude": "45",
        "longitude": "-90",
        "hourly": "wind_speed_10m,wind_gusts_10m",
        "start_date": "2026-11-15",
        "end_date": "2026-11-15",
    }
    async with weather() as (url, _):
        _, default, _ = await raw(http, url + "/v1/forecast", **common)
        _, si, _ = await raw(http, url + "/v1/forecast", **common, wind_speed_unit="ms")
    kmh, ms = orjson.loads(default), orjson.loads(si)
    assert kmh["hourly_units"]["wind_speed_10m"] == "km/h"
    assert kmh["hourly_units"]["wind_gusts_10m"] == "km/h"
    assert ms["hourly_units"]["wind_speed_10m"] == "m/s"
    for a, b in zip(kmh["hourly"]["wind_speed_10m"], ms["hourly"]["wind_speed_10m"], strict=True):
        assert a == pytest.approx(b * 3.6, abs=0.2)
    assert b'"wind_speed_10m":"km/h"' in default


# 8. The preset, and the admin endpoint taking the new knobs.


def test_preset_turns_every_real_behaviour_on() -> None:
    cfg = SimConfig.real_open_meteo(seed=3)
    assert cfg.seed == 3
    assert cfg.omit_first_location_id and cfg.enforce_date_window and cfg.nan_at_poles
    assert cfg.undefined_variables == ("snow_depth",) and cfg.null_gap_hours == 6
    assert cfg.send_retry_after is False and cfg.rate_limit_reason == "minutely"
    assert cfg.quota_per_minute == 600
    assert SimConfig.real_open_meteo(null_gap_hours=0).null_gap_hours == 0
    defaults = SimConfig()
    assert defaults.undefined_variables == () and defaults.null_gap_hours == 0
    assert defaults.null_gap_rate == 0.0 and defaults.quota_per_minute == 0
    assert defaults.omit_first_location_id and defaults.enforce_date_window
    assert defaults.nan_at_poles and not defaults.send_retry_after


async def test_preset_end_to_end(http: aiohttp.ClientSession) -> None:
    running = await start_simulators(SimConfig.real_open_meteo(seed=5))
    try:
        today = datetime.now(UTC).date()
        params = forecast_params(start_date=str(today), end_date=str(today + timedelta(days=1)))
        status, body, _ = await raw(http, running.urls["weather"] + "/v1/forecast", **params)
        far = str(today + timedelta(days=20))
        bad, _, _ = await raw(
            http,
            running.urls["weather"] + "/v1/forecast",
            **forecast_params(start_date=far, end_date=far),
        )
        _, elevation, _ = await raw(
            http, running.urls["elevation"] + "/v1/elevation", latitude="90", longitude="0"
        )
    finally:
        await running.stop()
    assert status == 200 and bad == 400 and elevation == b'{"elevation":[nan]}'
    items = orjson.loads(body)
    assert "location_id" not in items[0] and items[1]["location_id"] == 1
    for item in items:
        assert item["hourly_units"]["snow_depth"] == "undefined"
        assert item["hourly"]["temperature_2m"][-6:] == [None] * 6
        assert item["hourly"]["temperature_2m"][0] is not None


async def test_admin_config_takes_new_knobs_and_the_preset(
    sims: RunningSimulators, http: aiohttp.ClientSession
) -> None:
    base = sims.urls["weather"]
    status, cfg = await configure(
        http,
        base,
        undefined_variables=["wind_gusts_10m", "snow_depth"],
        null_gap_hours=2,
        null_gap_rate=0.1,
        enforce_date_window=False,
        rate_limit_reason="daily",
        send_retry_after=True,
        quota_per_minute=50,
        nan_at_poles=False,
        omit_first_location_id=False,
    )
    assert status == 200
    live = sims.knobs["weather"].config
    assert live.undefined_variables == ("wind_gusts_10m", "snow_depth")
    assert (live.null_gap_hours, live.quota_per_minute, live.rate_limit_reason) == (2, 50, "daily")
    assert cfg["undefined_variables"] == ["wind_gusts_10m", "snow_depth"]
    status, cfg = await configure(http, base, preset="real_open_meteo", null_gap_hours=1)
    assert status == 200
    expected = {**REAL_OPEN_METEO, "undefined_variables": ["snow_depth"], "null_gap_hours": 1}
    assert {k: cfg[k] for k in expected} == expected
    assert cfg["seed"] == 5  # a preset keeps the knobs it does not name
    for bad in (
        {"preset": "nope"},
        {"rate_limit_reason": "weekly"},
        {"null_gap_rate": 2},
        {"null_gap_hours": -1},
        {"quota_per_minute": "many"},
    ):
        status, body = await configure(http, base, **bad)
        assert status == 400 and body["error"] is True, bad


def test_updated_rejects_bad_values_and_splits_a_string_list() -> None:
    cfg = SimConfig().updated({"undefined_variables": "snow_depth,wind_gusts_10m"})
    assert cfg.undefined_variables == ("snow_depth", "wind_gusts_10m")
    assert SimConfig().updated({"retry_after_s": 2}).send_retry_after is True
    with pytest.raises(ConfigError):
        SimConfig(undefined_variables=["snow_depth"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        SimConfig(null_gap_hours=True)
