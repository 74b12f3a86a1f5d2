"""The APIs' own limits: the forecast date window, bisecting a rejected multi-location call,
quota 429s without Retry-After, NaN elevations, cut-off bodies, valid grid coordinates, and
the call budget shared by every worker through Redis."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from datetime import date

import pytest
from aiohttp import web

from deerstream.enrich.adapters.elevation import fetch_elevations
from deerstream.enrich.budget import (
    OPEN_METEO_FREE,
    BudgetLimits,
    UpstreamBudget,
    parse_budget,
    resolve_budget,
)
from deerstream.enrich.http import HttpLimits, UpstreamHttp, quota_wait_s
from deerstream.enrich.keys import terrain_cell
from deerstream.enrich.limits import allowed_window, split_on_rejection
from deerstream.enrich.nodata import NoData
from deerstream.enrich.resilience import CircuitBreaker, RetryPolicy
from deerstream.errors import BudgetExhausted, CircuitOpen, ConfigError, UpstreamRejected

TODAY = date(2026, 12, 1)
Reply = tuple[int, bytes, dict[str, str]]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 14), date(2026, 11, 16), (date(2026, 11, 14), date(2026, 11, 16))),
        (date(2026, 8, 29), date(2026, 9, 2), (date(2026, 8, 31), date(2026, 9, 2))),  # −92 d
        (date(2026, 12, 14), date(2026, 12, 18), (date(2026, 12, 14), date(2026, 12, 16))),
        (date(2026, 12, 17), date(2026, 12, 19), None),  # beyond +15 d: do not call
        (date(2025, 11, 14), date(2025, 11, 16), None),  # a year back: the archive API's job
    ],
)
def test_the_forecast_window_is_clipped_to_what_the_api_serves(
    start: date, end: date, expected: tuple[date, date] | None
) -> None:
    assert allowed_window(start, end, today=TODAY) == expected


async def test_a_rejected_call_is_bisected_and_the_bad_location_named() -> None:
    calls: list[list[int]] = []

    async def call(part: list[int]) -> list[str | NoData]:
        calls.append(part)
        if 5 in part:
            raise UpstreamRejected("weather", "HTTP 400: Latitude must be in range of -90 to 90")
        return [f"series-{k}" for k in part]

    found = await split_on_rejection(call, list(range(8)))
    assert found[5] == NoData("weather: HTTP 400: Latitude must be in range of -90 to 90")
    assert all(found[k] == f"series-{k}" for k in range(8) if k != 5)
    assert len(calls) == 7  # 8 → 4+4 → 2+2 → 1+1: log2 steps, not one call per location


@pytest.mark.parametrize(
    ("reason", "left"),
    [
        ("Minutely API request limit exceeded. Please try again in one minute.", 60 - 30),
        ("Hourly API request limit exceeded. Please try again in the next hour.", 3600 - 30),
        ("Daily API request limit exceeded. Please try again tomorrow.", 86400 - 30),
        ("Too many requests", None),
    ],
)
def test_a_quota_reason_says_how_long_to_wait(reason: str, left: float | None) -> None:
    assert quota_wait_s(reason, now=86400 * 20000 + 30) == left


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[Reply], list[web.Request]]]:
    """Answers each request with the next queued (status, raw body, headers)."""
    replies: list[Reply] = []
    seen: list[web.Request] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request)
        status, body, headers = replies.pop(0)
        return web.Response(status=status, body=body, headers=headers)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", replies, seen
    await runner.cleanup()


def _http(url: str, attempts: int = 4) -> UpstreamHttp:
    return UpstreamHttp(
        "terrain",
        url,
        limits=HttpLimits(max_connections=2, request_timeout_s=1.0),
        policy=RetryPolicy(attempts=attempts, base_s=0.01, cap_s=0.02),
        breaker=CircuitBreaker("terrain", threshold=5, reset_s=1.0),
        rng=random.Random(3),
    )


async def test_a_daily_quota_429_is_not_retried_and_opens_the_breaker_with_its_reason(
    server: tuple[str, list[Reply], list[web.Request]],
) -> None:
    url, replies, seen = server
    body = b'{"reason":"Daily API request limit exceeded. Please try again tomorrow.","error":true}'
    replies.append((429, body, {}))  # no Retry-After, as the real API answers
    http = _http(url)
    await http.start()
    try:
        with pytest.raises(Exception, match="Daily API request limit exceeded"):
            await fetch_elevations(http, [(45.0, -90.0)], time.monotonic() + 5)
        assert len(seen) == 1  # not retried blindly
        # Open until the UTC day turns (whatever the time of day this runs at), not for a
        # retry back-off of seconds.
        to_midnight = 86400.0 - (time.time() % 86400.0)
        assert to_midnight - 5 < http.breaker.open_seconds_left() <= to_midnight + 1
        with pytest.raises(CircuitOpen, match="Daily API request limit"):
            await fetch_elevations(http, [(45.0, -90.0)], time.monotonic() + 5)
        assert len(seen) == 1  # failing fast: no call went out
    finally:
        await http.stop()


async def test_nan_elevations_parse_as_missing_points(
    server: tuple[str, list[Reply], list[web.Request]],
) -> None:
    url, replies, _ = server
    replies.append((200, b'{"elevation":[nan,12.0,-nan]}', {}))
    http = _http(url)
    await http.start()
    try:
        got = await fetch_elevations(
            http, [(90.0, 0.0), (45.0, 1.0), (0.0, 180.0)], time.monotonic() + 5
        )
    finally:
        await http.stop()
    assert got == [None, 12.0, None]


async def test_a_body_cut_off_mid_stream_is_retried(
    server: tuple[str, list[Reply], list[web.Request]],
) -> None:
    url, replies, seen = server
    replies += [(200, b'{"elevation":[12.0', {}), (200, b'{"elevation":[12.0]}', {})]
    http = _http(url)
    await http.start()
    try:
        assert await fetch_elevations(http, [(45.0, 1.0)], time.monotonic() + 5) == [12.0]
    finally:
        await http.stop()
    assert len(seen) == 2


@pytest.mark.parametrize(("lat", "lon"), [(89.999, 10.0), (-89.9995, 10.0), (45.0, 179.9995)])
def test_grids_ask_only_for_valid_coordinates(lat: float, lon: float) -> None:
    points = terrain_cell(lat, lon).points()
    assert all(-90.0 <= a <= 90.0 and -180.0 <= o <= 180.0 for a, o in points)
    assert len(points) == 49


def test_budget_settings() -> None:
    assert parse_budget("600/min,5000/h,10000/day", name="X") == OPEN_METEO_FREE
    assert parse_budget("none", name="X").unlimited
    with pytest.raises(ConfigError, match="X='lots'"):
        parse_budget("lots", name="X")
    free = resolve_budget("auto", "https://api.open-meteo.com", api_key="", name="weather")
    assert free == OPEN_METEO_FREE
    assert resolve_budget("auto", "http://127.0.0.1:8701", api_key="", name="weather").unlimited
    keyed = resolve_budget("auto", "https://customer-api.open-meteo.com", api_key="k", name="w")
    assert keyed.unlimited


@pytest.mark.integration
async def test_the_budget_is_shared_by_workers_and_never_overspent(redis_client: object) -> None:
    limits = BudgetLimits(per_minute=20, per_hour=30)
    clock = [1_800_000_000.0]  # mid-minute and mid-hour, fixed
    a = UpstreamBudget(redis_client, "weather", limits, namespace="t", clock=lambda: clock[0])
    b = UpstreamBudget(redis_client, "weather", limits, namespace="t", clock=lambda: clock[0])

    async def try_spend(budget: UpstreamBudget) -> bool:
        try:
            await budget.spend(1)
        except BudgetExhausted:
            return False
        return True

    results = await asyncio.gather(*(try_spend(a if i % 2 else b) for i in range(50)))
    assert sum(results) == 20  # two "workers", 50 concurrent calls, exactly the minute's 20
    with pytest.raises(BudgetExhausted, match="20 per minute is spent"):
        await a.spend(1)
    clock[0] += 60  # the next minute: the hour (30) now binds
    assert sum(await asyncio.gather(*(try_spend(b) for _ in range(20)))) == 10
    with pytest.raises(BudgetExhausted, match="30 per hour"):
        await b.spend(1)
    assert a.stats["spent"] + b.stats["spent"] == 30
