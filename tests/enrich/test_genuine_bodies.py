"""Every adapter over genuine Open-Meteo bodies, served byte for byte by a real HTTP server.

The bodies come from Open-Meteo's own server tests and from recorded fixtures of a public
client (provenance: ``fixtures/open_meteo/README.md``). They are what the adapters were not
built against: arrays whose first item has no ``location_id``, variables with unit
``"undefined"`` and only nulls, nulls past a model's range, times in a local offset, bare
``nan`` in place of numbers.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiohttp import web

from deerstream.enrich.adapters.elevation import fetch_elevations
from deerstream.enrich.adapters.weather import fetch_forecasts, parse_forecast
from deerstream.enrich.http import HttpLimits, UpstreamHttp
from deerstream.enrich.limits import split_on_rejection
from deerstream.enrich.nodata import NoData
from deerstream.enrich.resilience import CircuitBreaker, RetryPolicy
from deerstream.errors import UpstreamRejected
from deerstream.models.records import WeatherSeries

BODIES = Path(__file__).parent / "fixtures" / "open_meteo"


@pytest.fixture
async def serve() -> AsyncIterator[tuple[str, dict[str, tuple[int, bytes]]]]:
    """A server answering /v1/forecast and /v1/elevation with the body set for that path."""
    answers: dict[str, tuple[int, bytes]] = {}

    async def handle(request: web.Request) -> web.Response:
        status, body = answers[request.path]
        return web.Response(status=status, body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", answers
    await runner.cleanup()


def _http(source: str, url: str) -> UpstreamHttp:
    return UpstreamHttp(
        source,
        url,
        limits=HttpLimits(max_connections=2, request_timeout_s=2.0),
        policy=RetryPolicy(attempts=1),
        breaker=CircuitBreaker(source, threshold=100),
        rng=random.Random(1),
    )


async def _forecast(
    url: str, points: list[tuple[float, float]], start: date, end: date
) -> list[WeatherSeries | NoData]:
    http = _http("weather", url)
    await http.start()
    try:
        return await fetch_forecasts(http, points, start, end, time.monotonic() + 5)
    finally:
        await http.stop()


async def test_the_servers_multi_location_array_gives_both_locations(
    serve: tuple[str, dict[str, tuple[int, bytes]]],
) -> None:
    url, answers = serve
    answers["/v1/forecast"] = (200, (BODIES / "forecast_multi_location.json").read_bytes())
    first, second = await _forecast(
        url, [(41.0, 2.0), (42.0, 3.0)], date(2022, 7, 12), date(2022, 7, 13)
    )
    assert isinstance(first, WeatherSeries) and isinstance(second, WeatherSeries)
    # Local times (utc_offset_seconds 3600) are read back to UTC.
    assert first.times[0] == datetime(2022, 7, 12, 0, tzinfo=UTC)
    assert any(t is not None for t in first.temperature_c)
    assert first.pressure_msl_hpa == (None,) * len(first.times)  # not asked of that server


async def test_a_window_the_answer_does_not_cover_is_missing_with_the_reason(
    serve: tuple[str, dict[str, tuple[int, bytes]]],
) -> None:
    url, answers = serve
    answers["/v1/forecast"] = (200, (BODIES / "forecast_single_hourly.json").read_bytes())
    (only,) = await _forecast(url, [(52.5, 13.4)], date(2026, 10, 3), date(2026, 10, 4))
    assert isinstance(only, NoData) and "do not cover the window" in only.reason


def test_undefined_variables_are_missing_and_the_rest_is_kept() -> None:
    import orjson

    data = orjson.loads((BODIES / "forecast_undefined_variable.json").read_bytes())
    (series,) = parse_forecast(data, 1)
    assert isinstance(series, WeatherSeries)
    undefined = {k for k, v in data["hourly_units"].items() if v == "undefined"}
    assert undefined  # the body really has them
    assert any(v is not None for v in series.temperature_c)
    # km/h in the body, m/s out: converted at the edge.
    kmh = data["hourly"]["wind_speed_10m"][0]
    assert series.wind_speed_ms[0] == pytest.approx(kmh / 3.6, abs=1e-3)


def test_nulls_past_the_models_range_are_missing_not_fresh() -> None:
    import orjson

    data = orjson.loads((BODIES / "forecast_beyond_model_range_nulls.json").read_bytes())
    (found,) = parse_forecast(data, 1)
    values = data["hourly"]["temperature_2m"]
    if all(v is None for v in values):
        assert isinstance(found, NoData) and "neither temperature" in found.reason
    else:
        assert isinstance(found, WeatherSeries)
        assert [v is None for v in found.temperature_c] == [v is None for v in values]


async def test_the_error_body_of_one_bad_location_names_it_and_spares_the_others(
    serve: tuple[str, dict[str, tuple[int, bytes]]],
) -> None:
    url, answers = serve
    error = (BODIES / "error_latitude_out_of_range.json").read_bytes()
    good = (BODIES / "forecast_single_location_server.json").read_bytes()

    async def call(part: list[tuple[float, float]]) -> list[WeatherSeries | NoData]:
        # The real API refuses a whole call for one bad latitude; the others are fine.
        answers["/v1/forecast"] = (400, error) if (95.0, 0.0) in part else (200, good)
        return await _forecast(url, part, date(2022, 7, 12), date(2022, 7, 13))

    found = await split_on_rejection(call, [(41.0, 2.0), (95.0, 0.0)])
    assert isinstance(found[(41.0, 2.0)], WeatherSeries)
    bad = found[(95.0, 0.0)]
    assert isinstance(bad, NoData) and "Latitude must be in range" in bad.reason
    with pytest.raises(UpstreamRejected):
        await call([(95.0, 0.0)])


@pytest.mark.parametrize(
    ("name", "count", "expected"),
    [
        ("elevation_single.json", 1, [29.0]),
        ("elevation_single_compact.json", 1, [38.0]),
        ("elevation_multi.json", 2, [29.0, 46.0]),
    ],
)
async def test_elevation_bodies(
    serve: tuple[str, dict[str, tuple[int, bytes]]], name: str, count: int, expected: list[float]
) -> None:
    url, answers = serve
    answers["/v1/elevation"] = (200, (BODIES / name).read_bytes())
    http = _http("terrain", url)
    await http.start()
    try:
        got = await fetch_elevations(http, [(45.0, 1.0)] * count, time.monotonic() + 5)
    finally:
        await http.stop()
    assert got == expected


async def test_a_genuine_bare_nan_body_is_read(
    serve: tuple[str, dict[str, tuple[int, bytes]]],
) -> None:
    url, answers = serve
    answers["/v1/satellite"] = (
        200,
        (BODIES / "satellite_radiation_nan_not_covered.txt").read_bytes(),
    )
    http = _http("weather", url)
    await http.start()
    try:
        parsed = await http.request_json("GET", "/v1/satellite", deadline=time.monotonic() + 5)
    finally:
        await http.stop()
    assert parsed["latitude"] is None and parsed["timezone"] == "GMT"
