"""Wind, thermals, scent cones and stand placement (docs/how-prediction-works.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pytest

from deerstream.engine.solar import compute_solar_day
from deerstream.engine.stands import (
    STRONG_WIND_MS,
    StandPlan,
    blend_bearings,
    cone_covers,
    place_stands,
    scent_half_width_deg,
    scent_reach_m,
    thermal_at,
)
from deerstream.models.geo import bearing_deg, destination, normalize_point
from deerstream.models.records import Zone

LAT, LON = 44.0, -72.0
DAY = compute_solar_day(date(2025, 11, 15), LAT, LON)
assert DAY.sunrise and DAY.sunset
RISE, SET = DAY.sunrise, DAY.sunset
MIDDAY = DAY.solar_noon


@pytest.mark.parametrize(
    ("wind", "reach", "half"),
    [
        (0.0, 80.0, 55.0),
        (1.0, 125.0, 55.0),
        (2.0, 170.0, 40.0),
        (2.2, 179.0, 40.0),
        (4.47, 281.15, 30.0),  # at or below 10 mph (4.4704 m/s)
        (4.5, 282.5, 22.0),  # above 10 mph: was 30° when the cone used 4.5 as 10 mph
        (6.7, 381.5, 22.0),
        (6.8, 386.0, 18.0),
        (9.0, 450.0, 18.0),  # capped at 450 m
    ],
)
def test_scent_reach_and_cone_width(wind: float, reach: float, half: float) -> None:
    assert scent_reach_m(wind) == pytest.approx(reach)
    assert scent_half_width_deg(wind) == half


def test_scent_cone_points_downwind() -> None:
    # Wind from the north-west: scent drifts south-east.
    se = destination(LAT, LON, 135.0, 150.0)
    nw = destination(LAT, LON, 315.0, 150.0)
    off = destination(LAT, LON, 135.0 + 45.0, 150.0)
    assert cone_covers(LAT, LON, 315.0, 3.0, *se)
    assert not cone_covers(LAT, LON, 315.0, 3.0, *nw)
    assert not cone_covers(LAT, LON, 315.0, 3.0, *off)  # outside the 30° half-width
    far = destination(LAT, LON, 135.0, 400.0)
    assert not cone_covers(LAT, LON, 315.0, 3.0, *far)  # beyond the 215 m reach


def _plan(
    *,
    when: datetime = MIDDAY,
    solar_hour: float = 12.0,
    wind_ms: float | None = 3.0,
    wind_from: float | None = 315.0,
    slope_deg: float | None = None,
    aspect_deg: float | None = None,
    bedding: tuple[Zone, ...] = (),
    next_winds: Sequence[tuple[float, float]] = (),
) -> StandPlan:
    return place_stands(
        lat=LAT,
        lon=LON,
        when=when,
        day=DAY,
        solar_hour=solar_hour,
        wind_ms=wind_ms,
        wind_from=wind_from,
        slope_deg=slope_deg,
        aspect_deg=aspect_deg,
        bedding=bedding,
        next_winds=next_winds,
    )


def test_stand_is_downwind_of_the_movement_point_at_80m() -> None:
    plan = _plan()
    stand = plan.stands[0]
    assert stand.primary and stand.bearing_deg == 135.0 and stand.distance_m == 80.0
    assert bearing_deg(LAT, LON, stand.lat, stand.lon) == pytest.approx(135.0, abs=0.1)
    assert stand.wind_from_deg == 315.0


@pytest.mark.parametrize(
    ("solar_hour", "aspect", "bearing"),
    [
        # Strong west wind: crosswind is north or south. Slope faces south (downhill = 180).
        (8.0, 180.0, 0.0),  # morning: deer come from uphill (north) → stand on that side
        (16.0, 180.0, 180.0),  # evening: deer come from downhill (south)
        (8.0, None, 0.0),  # flat: wind + 90° (deterministic)
    ],
)
def test_strong_wind_prefers_crosswind_on_the_approach_side(
    solar_hour: float, aspect: float | None, bearing: float
) -> None:
    plan = _plan(
        wind_ms=7.0, wind_from=270.0, solar_hour=solar_hour, slope_deg=15.0, aspect_deg=aspect
    )
    assert plan.stands[0].bearing_deg == bearing
    assert "crosswind" in plan.stands[0].reason


@pytest.mark.parametrize(
    ("when", "kind", "strength"),
    [
        (RISE + timedelta(minutes=20), None, 0.0),  # too early for thermals
        (RISE + timedelta(hours=1.5), "upslope", 0.5),  # 15° south slope, full timing
        (SET - timedelta(minutes=15), "downslope", 0.5),  # last hour of light
        (MIDDAY, None, 0.0),
    ],
)
def test_thermal_timing_and_strength(when: datetime, kind: str | None, strength: float) -> None:
    t = thermal_at(when, DAY, 15.0, 180.0, lat=LAT)
    if kind is None:
        assert t is None
    else:
        assert t is not None and t.kind == kind
        assert t.strength == pytest.approx(strength)  # min(15/30, 1) × south 1.0


def test_thermal_exposure_by_aspect() -> None:
    when = RISE + timedelta(hours=2)
    found = [thermal_at(when, DAY, 30.0, a, lat=LAT) for a in (180.0, 90.0, 270.0, 0.0)]
    thermals = [t for t in found if t is not None]
    assert [t.strength for t in thermals] == pytest.approx([1.0, 0.7, 0.7, 0.4])
    # Morning air climbs: it arrives from downhill (the aspect); evening air from uphill.
    assert thermals[0].from_deg == 180.0
    evening = thermal_at(SET, DAY, 30.0, 180.0, lat=LAT)
    assert evening is not None and evening.from_deg == 0.0


def test_light_wind_at_dawn_blends_thermal_and_wind() -> None:
    when = RISE + timedelta(hours=1.5)
    plan = _plan(
        when=when, solar_hour=8.0, wind_ms=1.0, wind_from=270.0, slope_deg=30.0, aspect_deg=180.0
    )
    assert plan.thermal is not None and plan.thermal.strength == pytest.approx(1.0)
    # Thermal (strength 1, from 180°) dominates a 1 m/s west wind (weight 1/4.5).
    assert plan.effective_wind_from == pytest.approx(
        blend_bearings(270.0, 1.0 / STRONG_WIND_MS, plan.thermal)
    )
    assert plan.effective_wind_from is not None and 180.0 < plan.effective_wind_from < 225.0
    assert "thermal" in plan.stands[0].reason
    # Strong wind ignores thermals.
    assert _plan(when=when, wind_ms=6.0, slope_deg=30.0, aspect_deg=180.0).thermal is None


def test_stand_whose_cone_covers_bedding_is_rejected_with_a_reason() -> None:
    # Bedding 200 m downwind (south-east) of the movement point.
    b_lat, b_lon = destination(LAT, LON, 135.0, 200.0)
    plan = _plan(bedding=(Zone(b_lat, b_lon, 8.0),))
    assert plan.rejections and "scent cone covers the bedding zone" in plan.rejections[0]
    for stand in plan.stands:
        assert not cone_covers(stand.lat, stand.lon, stand.wind_from_deg, 3.0, b_lat, b_lon)
    assert plan.stands[0].bearing_deg != 135.0


def test_alternates_for_other_likely_winds() -> None:
    winds = [(3.0, 315.0)] * 10 + [(3.0, 180.0)] * 8 + [(3.0, 90.0)] * 2 + [(3.0, 45.0)] * 4
    plan = _plan(next_winds=winds)
    assert [s.primary for s in plan.stands] == [True, False, False]
    assert [s.wind_from_deg for s in plan.stands] == [315.0, 180.0, 45.0]  # 90° blew only 2 h
    assert plan.stands[1].bearing_deg == 0.0


def test_no_wind_no_stand() -> None:
    plan = _plan(wind_ms=None, wind_from=None)
    assert plan.stands == () and "no wind data" in plan.rejections[0]


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (10.0, 185.0, (10.0, -175.0)),
        (10.0, -181.0, (10.0, 179.0)),
        (90.5, 10.0, (89.5, -170.0)),
        (-90.5, -170.0, (-89.5, 10.0)),
        (45.0, 180.0, (45.0, 180.0)),
    ],
)
def test_points_fold_back_into_range(lat: float, lon: float, expected: tuple[float, float]) -> None:
    assert normalize_point(lat, lon) == pytest.approx(expected)
