"""Model v2 as a hunter reads it: the hour-by-hour forecast, your stands, the windows."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from deerstream.engine import predict
from deerstream.engine.solar import compute_solar_day
from deerstream.engine.stand_ratings import SIT_RATING
from deerstream.models.geo import COMPASS_16
from deerstream.models.records import HunterStand, Prediction, PredictionRequest, RutPhase
from tests.engine.builders import enrichment, offset, plane_grid, request, series


def _v2(req: PredictionRequest, horizon: int, stands: tuple[HunterStand, ...]) -> PredictionRequest:
    return dataclasses.replace(req, schema_version=2, horizon_h=horizon, stands=stands)


def _stands(lat: float, lon: float) -> tuple[HunterStand, ...]:
    return (
        HunterStand("ridge-oak", *offset(lat, lon, 140.0, 280.0), "Ridge oak"),
        HunterStand("creek", *offset(lat, lon, -230.0, -300.0)),
    )


def _scene(lat: float, lon: float, target: datetime, horizon: int = 48) -> Prediction:
    """A south-facing slope, a light wind veering through the horizon, two stands."""
    wx = series(
        target,
        lat=lat,
        lon=lon,
        after_h=horizon + 1,
        wind=lambda h: 2.0 + 0.05 * h,
        wind_dir=lambda h: (200.0 + 6.0 * h) % 360.0,
    )
    req = _v2(request(lat, lon, target), horizon, _stands(lat, lon))
    return predict(req, enrichment(plane_grid(lat, lon, 12.0, 180.0), wx, ()), target)


def test_two_stands_48_hours_in_peak_rut_read_as_a_hunter_needs() -> None:
    """The issue's 'done when': tomorrow's dawn in peak rut (the South Carolina mountains'
    regional peak is 30 Nov), two stands, 48 h → a 1–3 h window at dawn and one at dusk,
    which stand to sit each hour and why."""
    lat, lon = 34.9, -83.0
    sun = compute_solar_day(datetime(2026, 12, 2).date(), lat, lon)
    assert sun.sunrise is not None
    target = sun.sunrise - timedelta(hours=1, minutes=30)
    p = _scene(lat, lon, target)
    assert p.rut_phase is RutPhase.PEAK_RUT
    assert any("South Carolina mountains" in n for n in p.notes)
    assert len(p.hourly) == 48 and p.hourly[0].start == target
    first_day = [w for w in p.hunt_windows if w.start < target + timedelta(hours=20)]
    kinds = {("dawn" if "dawn" in w.triggers else "dusk") for w in first_day}
    assert kinds == {"dawn", "dusk"}
    for w in p.hunt_windows:
        hours = (w.end - w.start).total_seconds() / 3600
        assert 1.0 <= hours <= 3.0, w
        assert w.start >= target and w.reason.startswith(("dawn peak", "dusk peak"))
        assert w.best_stand_id in {"ridge-oak", "creek"}, w
        assert f"sit {w.best_stand_id}" in w.reason
    ratings = {r.stand_id: r for r in p.stand_ratings}
    assert set(ratings) == {"ridge-oak", "creek"}
    for i, hour in enumerate(p.hourly):
        for r in ratings.values():
            assert (r.ratings[i] is not None) == hour.legal_light or hour.wind_ms is None
        if hour.best_stand_id is not None:
            rated = ratings[hour.best_stand_id].ratings[i]
            assert rated is not None and rated >= SIT_RATING
            assert all((x.ratings[i] or 0.0) <= rated for x in ratings.values())
    # The wind veers through the horizon, so the stand to sit changes and some hours say why
    # a stand is bad.
    assert len({h.best_stand_id for h in p.hourly if h.best_stand_id}) == 2
    bad = [x for r in ratings.values() for x in r.reasons if x and "carries scent over" in x]
    assert bad


@pytest.mark.parametrize(("lat", "lon"), [(44.4, -72.9), (-37.8, 145.0)])
def test_a_year_of_72_hour_forecasts_reads_right(lat: float, lon: float) -> None:
    for week in range(0, 52, 2):
        day = (datetime(2025, 1, 3, tzinfo=UTC) + timedelta(weeks=week)).date()
        sun = compute_solar_day(day, lat, lon)
        assert sun.sunrise is not None and sun.sunset is not None
        target = sun.sunrise - timedelta(hours=2)
        p = _scene(lat, lon, target, horizon=72)
        assert len(p.hourly) == 72
        assert len(p.hunt_windows) <= 3
        daylight = (sun.sunset - sun.sunrise).total_seconds() / 3600
        for w in p.hunt_windows:
            hours = (w.end - w.start).total_seconds() / 3600
            assert w.start >= target and 0.5 <= hours <= 3.5 and hours < 0.5 * daylight, w
        assert [h.start for h in p.hourly] == sorted(h.start for h in p.hourly)
        assert all(h.legal_light == ("legal_light" in h.triggers) for h in p.hourly)


def test_stand_ratings_are_the_same_across_the_antimeridian() -> None:
    """lon 10 and lon 179.9995 with the same layout give the same ratings and sectors
    (compared where both hours have legal light: the same local time is 11.3 h apart in
    UTC, so the sun's edges of an hour can differ by a minute)."""
    target = datetime(2025, 11, 15, 11, 0, tzinfo=UTC)
    here = _scene(44.0, 10.0, target)
    there = _scene(44.0, 179.9995, target - timedelta(hours=(179.9995 - 10.0) / 15.0))
    both = [
        i
        for i, (x, y) in enumerate(zip(here.hourly, there.hourly, strict=True))
        if x.legal_light and y.legal_light
    ]
    assert len(both) > 15
    for a, b in zip(here.stand_ratings, there.stand_ratings, strict=True):
        assert a.good_winds == b.good_winds and set(a.good_winds) <= set(COMPASS_16)
        assert [a.ratings[i] for i in both] == [b.ratings[i] for i in both]
        assert [a.reasons[i] for i in both] == [b.reasons[i] for i in both]


def test_a_version_1_request_gets_no_hourly_forecast_but_the_same_windows() -> None:
    """The version-1 answer has no hourly forecast, so none is computed; the windows are the
    same as the version-2 answer's (the same scan)."""
    lat, lon = 44.0, -72.0
    target = datetime(2026, 11, 14, 10, 0, tzinfo=UTC)
    wx = series(target, lat=lat, lon=lon, after_h=25)
    ground = enrichment(plane_grid(lat, lon, 12.0, 180.0), wx, ())
    v1 = predict(dataclasses.replace(request(lat, lon, target), schema_version=1), ground, target)
    v2 = predict(request(lat, lon, target), ground, target)
    assert v1.schema_version == 1 and v1.hourly == () and v1.stand_ratings == ()
    assert len(v2.hourly) == 24 and v2.hunt_windows
    assert [(w.start, w.end, w.score) for w in v1.hunt_windows] == [
        (w.start, w.end, w.score) for w in v2.hunt_windows
    ]
