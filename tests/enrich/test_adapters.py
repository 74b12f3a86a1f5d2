"""Adapters against hand-written fixtures in the real APIs' documented shapes.

Parsers are tested directly; the HTTP edge (status → error mapping, error bodies) is
tested against a small aiohttp server that replays the fixtures.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from deerstream.enrich.adapters.elevation import (
    build_elevation_request,
    decode_grid,
    encode_grid,
    fetch_elevations,
    parse_open_meteo_elevation,
    parse_opentopodata,
)
from deerstream.enrich.adapters.scouting import (
    build_query_body,
    encode_observation,
    fetch_observations,
    parse_observation,
    parse_query_results,
)
from deerstream.enrich.adapters.weather import (
    build_forecast_params,
    decode_series,
    encode_series,
    fetch_forecasts,
    parse_forecast,
    parse_location,
)
from deerstream.enrich.http import HttpLimits, UpstreamHttp
from deerstream.enrich.nodata import NoData
from deerstream.enrich.resilience import CircuitBreaker, RetryPolicy
from deerstream.errors import (
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamTruncated,
    UpstreamUnavailable,
)
from deerstream.models.records import ObservationType, TerrainGrid

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    return orjson.loads((FIXTURES / name).read_bytes())


# --------------------------------------------------------------------------- weather


def test_single_location_imperial_units_are_converted_to_si() -> None:
    (s,) = parse_forecast(load("open_meteo_forecast_single_imperial.json"), 1)
    assert s.times[0] == datetime(2026, 11, 15, 0, tzinfo=UTC)
    assert s.temperature_c[:2] == (0.0, -1.0) and s.temperature_c[2] is None
    assert s.wind_speed_ms == (5.0, 6.0, 10.0)  # km/h / 3.6
    assert s.wind_gusts_ms[0] == 8.0
    assert s.precipitation_mm[1] == pytest.approx(2.54)
    assert s.snow_depth_m[2] == pytest.approx(0.3048, abs=1e-4)
    assert s.pressure_msl_hpa == (1012.4, 1011.0, 1009.8)
    assert s.wind_direction_deg == (200.0, 215.0, 290.0)


def test_multi_location_array_keeps_order() -> None:
    series = parse_forecast(load("open_meteo_forecast_multi.json"), 2)
    assert [(s.lat, s.lon) for s in series] == [(45.02, -90.0), (46.0, -91.02)]
    assert series[1].snow_depth_m == (0.12, 0.12)
    assert decode_series(orjson.loads(orjson.dumps(encode_series(series[0])))) == series[0]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("hourly"),
        lambda d: d["hourly"]["pressure_msl"].pop(),
        lambda d: d["hourly_units"].update(pressure_msl="inHg"),
        lambda d: d["hourly"]["temperature_2m"].__setitem__(0, "warm"),
    ],
)
def test_weather_shape_violations_are_bad_responses(mutate: Callable[[Any], Any]) -> None:
    data = load("open_meteo_forecast_single_imperial.json")
    mutate(data)
    with pytest.raises(UpstreamBadResponse):
        parse_location(data)
    # In a whole answer, that location is NoData with the reason; the call does not fail.
    (only,) = parse_forecast(data, 1)
    assert isinstance(only, NoData) and only.reason.startswith("weather: ")


def test_weather_count_mismatch_is_a_bad_response() -> None:
    with pytest.raises(UpstreamBadResponse):
        parse_forecast(load("open_meteo_forecast_multi.json"), 3)


def test_missing_variable_is_missing_not_invented() -> None:
    data = load("open_meteo_forecast_single_imperial.json")
    del data["hourly"]["snow_depth"]
    (s,) = parse_forecast(data, 1)
    assert s.snow_depth_m == (None, None, None)


def test_forecast_params_ask_for_si_units_and_gmt() -> None:
    params = build_forecast_params(
        [(45.0, -90.0), (46.0, -91.0)], date(2026, 11, 14), date(2026, 11, 18)
    )
    assert params["latitude"] == "45.0000,46.0000"
    assert params["wind_speed_unit"] == "ms" and params["temperature_unit"] == "celsius"
    assert params["timezone"] == "GMT"
    assert (params["start_date"], params["end_date"]) == ("2026-11-14", "2026-11-18")
    assert "pressure_msl" in params["hourly"] and "surface_pressure" not in params["hourly"]


# --------------------------------------------------------------------------- elevation


def test_open_meteo_elevation_parses_and_checks_count() -> None:
    assert parse_open_meteo_elevation(load("open_meteo_elevation.json"), 3) == [38.0, 52.5, 1203.0]
    with pytest.raises(UpstreamBadResponse):
        parse_open_meteo_elevation(load("open_meteo_elevation.json"), 2)
    with pytest.raises(UpstreamBadResponse):
        parse_open_meteo_elevation(load("open_meteo_error.json"), 1)


def test_opentopodata_parses_null_as_missing() -> None:
    assert parse_opentopodata(load("opentopodata_elevation.json"), 2) == [45.0, None]
    with pytest.raises(UpstreamBadResponse):
        parse_opentopodata(load("opentopodata_error.json"), 2)


def test_grid_cache_form_round_trips() -> None:
    grid = TerrainGrid(45.0, -90.0, 7, 7, 0.0008, 0.0011, (1.5, None) + (2.0,) * 47)
    assert decode_grid(orjson.loads(orjson.dumps(encode_grid(grid)))) == grid


def test_elevation_api_is_a_setting_not_guessed_from_the_path() -> None:
    url, params = build_elevation_request("https://proxy.example/open-meteo", [(45.0, -90.0)])
    assert url == "https://proxy.example/open-meteo/v1/elevation"  # a proxy prefix is kept
    url, params = build_elevation_request("https://api.open-meteo.com/", [(45.0, -90.0), (1, 2)])
    assert url == "https://api.open-meteo.com/v1/elevation"
    assert params == {"latitude": "45.000000,1.000000", "longitude": "-90.000000,2.000000"}
    url, params = build_elevation_request(
        "https://api.opentopodata.org/v1/srtm30m", [(45, -90)], opentopodata=True
    )
    assert params == {"locations": "45.000000,-90.000000"}
    with pytest.raises(ValueError):
        build_elevation_request("http://x", [(0.0, 0.0)] * 101)


# --------------------------------------------------------------------------- scouting


def test_scouting_results_map_onto_records() -> None:
    found = parse_query_results(load("scouting_query.json"), ["q0", "q1"])
    rub, cam = found["q0"]
    assert rub.type is ObservationType.RUB and rub.rub_trunk_diameter_cm == 22.5
    assert rub.observed_at == datetime(2026, 10, 30, 7, 12, tzinfo=UTC)
    assert cam.hunter_id is None and cam.mature_buck_seen is True
    assert found["q1"] == ()
    assert parse_observation(encode_observation(rub)) == rub


def test_scouting_answer_must_match_the_queries() -> None:
    with pytest.raises(UpstreamBadResponse):
        parse_query_results(load("scouting_query.json"), ["q0"])
    bad = load("scouting_query.json")
    bad["results"][0]["observations"][0]["type"] = "unicorn"
    with pytest.raises(UpstreamBadResponse):
        parse_query_results(bad, ["q0", "q1"])


def test_scouting_query_body() -> None:
    since = datetime(2025, 11, 15, tzinfo=UTC)
    body = build_query_body([("q0", 45.0, -90.0, 1177.0, since)])
    assert body == {
        "queries": [
            {
                "id": "q0",
                "lat": 45.0,
                "lon": -90.0,
                "radius_m": 1177.0,
                "since": "2025-11-15T00:00:00Z",
            }
        ]
    }


# --------------------------------------------------------------------------- HTTP edge


Reply = tuple[int, bytes, dict[str, str]]


@pytest.fixture
async def replay_server() -> AsyncIterator[tuple[str, list[Reply], list[web.Request]]]:
    """A server answering each request with the next queued (status, body, headers)."""
    replies: list[Reply] = []
    seen: list[web.Request] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request)
        status, body, headers = replies.pop(0)
        return web.Response(
            status=status, body=body, headers=headers, content_type="application/json"
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", replies, seen
    await runner.cleanup()


def _client(source: str, url: str, attempts: int = 1) -> UpstreamHttp:
    return UpstreamHttp(
        source,
        url,
        limits=HttpLimits(max_connections=4, request_timeout_s=0.5),
        policy=RetryPolicy(attempts=attempts, base_s=0.01, cap_s=0.02),
        breaker=CircuitBreaker(source, threshold=100),
        rng=random.Random(1),
    )


def _far() -> float:
    import time

    return time.monotonic() + 5.0


async def test_weather_error_body_becomes_a_rejection_with_its_reason(
    replay_server: tuple[str, list[Reply], list[web.Request]],
) -> None:
    url, replies, seen = replay_server
    replies.append((400, (FIXTURES / "open_meteo_error.json").read_bytes(), {}))
    http = _client("weather", url, attempts=3)
    await http.start()
    try:
        with pytest.raises(UpstreamRejected, match="Latitude must be in range"):
            await fetch_forecasts(http, [(91.0, 0.0)], date(2026, 1, 1), date(2026, 1, 2), _far())
    finally:
        await http.stop()
    assert len(seen) == 1  # a 4xx is never retried
    assert seen[0].path == "/v1/forecast" and seen[0].query["wind_speed_unit"] == "ms"


async def test_fetch_round_trips_each_adapter(
    replay_server: tuple[str, list[Reply], list[web.Request]],
) -> None:
    url, replies, seen = replay_server
    replies.append((200, (FIXTURES / "open_meteo_forecast_multi.json").read_bytes(), {}))
    replies.append((200, (FIXTURES / "open_meteo_elevation.json").read_bytes(), {}))
    replies.append((200, (FIXTURES / "scouting_query.json").read_bytes(), {}))
    http = _client("any", url)
    await http.start()
    try:
        series = await fetch_forecasts(
            http, [(45.0, -90.0), (46.0, -91.0)], date(2026, 11, 15), date(2026, 11, 15), _far()
        )
        elevations = await fetch_elevations(http, [(1.0, 1.0)] * 3, _far())
        since = datetime(2025, 1, 1, tzinfo=UTC)
        found = await fetch_observations(
            http, [("q0", 45.0, -90.0, 500.0, since), ("q1", 46.0, -90.0, 500.0, since)], _far()
        )
    finally:
        await http.stop()
    assert len(series) == 2 and elevations == [38.0, 52.5, 1203.0] and len(found["q0"]) == 2
    assert [r.method for r in seen] == ["GET", "GET", "POST"]
    assert seen[2].path == "/v1/observations/query"


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (
            (429, b'{"error":true,"reason":"Too many requests"}', {"Retry-After": "7"}),
            UpstreamRateLimited,
        ),
        ((503, b"<html>Service Unavailable</html>", {}), UpstreamUnavailable),
        ((200, b'{"elevation": [1.0', {}), UpstreamTruncated),
        ((400, (FIXTURES / "opentopodata_error.json").read_bytes(), {}), UpstreamRejected),
    ],
)
async def test_http_statuses_map_onto_the_exception_tree(
    replay_server: tuple[str, list[Reply], list[web.Request]],
    reply: Reply,
    error: type[Exception],
) -> None:
    url, replies, _ = replay_server
    replies.append(reply)
    http = _client("terrain", url)
    await http.start()
    try:
        with pytest.raises(error) as info:
            await fetch_elevations(http, [(1.0, 1.0)], _far())
    finally:
        await http.stop()
    if isinstance(info.value, UpstreamRateLimited):
        assert info.value.retry_after_s == 7.0 and info.value.retriable
    if isinstance(info.value, UpstreamRejected):
        assert "the limit is 100" in str(info.value) and not info.value.retriable


async def test_connection_refused_and_timeouts_are_retriable_errors(
    replay_server: tuple[str, list[Reply], list[web.Request]],
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    http = _client("terrain", dead)
    await http.start()
    try:
        with pytest.raises(UpstreamUnavailable) as info:
            await fetch_elevations(http, [(1.0, 1.0)], _far())
        assert info.value.retriable
    finally:
        await http.stop()
    import time

    http = _client("terrain", replay_server[0])
    await http.start()
    try:
        with pytest.raises(UpstreamTimeout):
            await fetch_elevations(http, [(1.0, 1.0)], time.monotonic() - 1.0)
    finally:
        await http.stop()
