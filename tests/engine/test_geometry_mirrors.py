"""Geometry that holds everywhere (docs/how-prediction-works.md), checked with mirrored layouts.

(a) Antimeridian: the same layout (terrain, winds, scouting offsets in metres) at lon 10
    and astride the antimeridian (lon 179.9995 and −179.9995) gives the same zones, stands
    and scent-cone verdicts, in metres and bearings, within float noise.
(b) Hemispheres: a layout at 44° N and its north↔south mirror at 44° S (terrain n → −n,
    winds d → 180° − d) give mirrored answers: equator-facing bedding when cold, the most
    sun (strongest thermals) on equator-facing slopes.
(c) One 10 mph constant: stand choice, cone width and the leeward bedding rule all put
    4.48 m/s (just over 10 mph = 4.4704 m/s) on the same side.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from deerstream.engine import predict
from deerstream.engine.maps import LEEWARD_WIND_MS, bedding_aspect_factor
from deerstream.engine.solar import compute_solar_day
from deerstream.engine.stands import (
    STRONG_WIND_MS,
    WIND_10_MPH_MS,
    WIND_15_MPH_MS,
    cone_covers,
    place_stands,
    scent_half_width_deg,
    thermal_at,
)
from deerstream.engine.weather import SUSTAINED_WIND_MS
from deerstream.models.geo import (
    angle_diff_deg,
    bearing_deg,
    distance_m,
    local_xy,
    wrap_deg,
    wrap_lon,
)
from deerstream.models.records import ObservationType, Prediction, ScoutingObservation, Stand, Zone
from tests.engine.builders import enrichment, grid_from, obs, offset, plane_grid, request, series

DAY = date(2025, 11, 15)
LAT = 44.0
LONS_MIRRORED = (179.9995, -179.9995)
LON_PLAIN = 10.0
# Published positions are rounded to 1e-6° (≤ 0.11 m); compare metres with that slack.
POS_TOL_M = 0.25
Height = Callable[[float, float], float | None]


@dataclass(frozen=True)
class Layout:
    """A scenario in relative terms: nothing in it depends on where on earth it is."""

    seed: int
    height: Height
    moment: str  # "morning" (thermal plateau), "midday" or "evening" (thermal plateau)
    wind_ms: float
    wind_from: float
    alt_from: float  # a second wind blowing hours 4..11 of the coming day
    temp_c: float
    scouting: tuple[tuple[str, ObservationType, float, float, float, bool], ...]
    # (id, type, east m, north m, age days, mature)


def _terrain(rng: random.Random) -> Height:
    tilt_e = rng.uniform(-0.3, 0.3)
    tilt_n = rng.uniform(-0.3, 0.3)
    bumps = [
        (
            rng.uniform(-60.0, 60.0),
            rng.uniform(-300.0, 300.0),
            rng.uniform(-300.0, 300.0),
            rng.uniform(60.0, 200.0),
        )
        for _ in range(rng.randint(1, 4))
    ]
    hole = (rng.randrange(7) * 90.0 - 270.0, rng.randrange(7) * 90.0 - 270.0)
    has_hole = rng.random() < 0.2

    def height(e: float, n: float) -> float | None:
        if has_hole and (e, n) == hole:
            return None  # a missing elevation stays missing
        z = 500.0 + tilt_e * e + tilt_n * n
        for a, be, bn, s in bumps:
            z += a * math.exp(-((e - be) ** 2 + (n - bn) ** 2) / (2.0 * s * s))
        return z

    return height


def _layout(seed: int) -> Layout:
    rng = random.Random(seed)
    kinds = list(ObservationType)
    scouting = tuple(
        (
            f"o{k}",
            rng.choice(kinds),
            rng.uniform(-450.0, 450.0),
            rng.uniform(-450.0, 450.0),
            rng.uniform(0.5, 25.0),
            rng.random() < 0.3,
        )
        for k in range(rng.randint(0, 6))
    )
    # Keep directions off the 45° alternate-sector boundaries (22.5° + k·45°).
    wind_from = rng.choice(range(8)) * 45.0 + rng.uniform(-18.0, 18.0)
    alt_from = (wind_from + rng.choice((90.0, 135.0, 180.0, 225.0, 270.0))) % 360.0
    return Layout(
        seed=seed,
        height=_terrain(rng),
        moment=rng.choice(("morning", "midday", "evening")),
        wind_ms=rng.choice((0.5, 1.5, 3.0, 4.0, 4.48, 5.5, 7.0, 9.0)),
        wind_from=wind_from % 360.0,
        alt_from=alt_from,
        temp_c=rng.choice((-6.0, 2.0, 12.0, 28.0)),
        scouting=scouting,
    )


def _target(lat: float, lon: float, moment: str) -> datetime:
    """A whole UTC hour at the same point of the local sun's day everywhere: inside the
    full-strength thermal plateau (morning, evening) or clear of thermals (midday, taken
    half to one and a half hours after solar noon so the evening feeding weight applies)."""
    day = compute_solar_day(DAY, lat, lon)
    assert day.sunrise is not None and day.sunset is not None
    if moment == "morning":
        t = day.sunrise + timedelta(hours=1.75)
    elif moment == "evening":
        t = day.sunset
    else:
        t = day.solar_noon + timedelta(hours=1)  # afternoon on every side of the rounding
    return (t + timedelta(minutes=30)).replace(minute=0, second=0, microsecond=0)


def _run(lay: Layout, lat: float, lon: float, *, mirror_ns: bool = False) -> Prediction:
    """Predict ``lay`` placed at (lat, lon); ``mirror_ns`` mirrors it north↔south."""
    ns = -1.0 if mirror_ns else 1.0

    def height(e: float, n: float) -> float | None:
        return lay.height(e, ns * n)

    def wind_dir(d: float) -> float:
        return (180.0 - d) % 360.0 if mirror_ns else d

    t = _target(lat, lon, lay.moment)
    wx = series(
        t,
        lat=lat,
        lon=wrap_lon(lon),
        temp=lambda h: lay.temp_c,
        wind=lambda h: lay.wind_ms if not 4 <= h < 12 else 3.0,
        wind_dir=lambda h: wind_dir(lay.wind_from if not 4 <= h < 12 else lay.alt_from),
    )
    scouting: list[ScoutingObservation] = []
    for oid, kind, e, n, age, mature in lay.scouting:
        o_lat, o_lon = offset(lat, lon, e, ns * n)
        scouting.append(
            obs(
                oid,
                kind,
                o_lat,
                wrap_lon(o_lon),
                t - timedelta(days=age),
                rub_trunk_diameter_cm=25.0 if mature else None,
                scrape_large=mature,
                licking_branch=mature,
                mature_buck_seen=mature,
            )
        )
    return predict(
        request(lat, lon, t),
        enrichment(grid_from(lat, lon, height), wx, tuple(scouting)),
        t - timedelta(hours=2),
    )


def _xy(lat: float, lon: float, z_lat: float, z_lon: float) -> tuple[float, float]:
    return local_xy(z_lat, z_lon, lat, lon)


def _zones(p: Prediction) -> dict[str, tuple[Zone, ...]]:
    return {"bedding": p.bedding_zones, "feeding": p.feeding_zones, "travel": p.travel_zones}


def _rejections(p: Prediction) -> list[str]:
    # The rejected zone's coordinates differ by place; the rest of the reason must not.
    return [
        re.sub(r" at [-0-9.]+,[-0-9.]+$", "", f.value)
        for f in p.factors
        if f.name == "stand_rejected"
    ]


def _verdicts(p: Prediction, wind_ms: float) -> list[bool]:
    zones = p.bedding_zones + p.travel_zones + p.feeding_zones
    return [
        cone_covers(s.lat, s.lon, s.wind_from_deg, speed, z.lat, z.lon)
        for s in p.stands
        for z in zones
        for speed in (wind_ms, 1.0, 6.0)
    ]


def _all_lons(p: Prediction) -> list[float]:
    zones = p.bedding_zones + p.feeding_zones + p.travel_zones
    return [z.lon for z in zones] + [s.lon for s in p.stands]


def _assert_same_place(
    a: Prediction, b: Prediction, lat: float, lon_a: float, lon_b: float
) -> None:
    for kind, za in _zones(a).items():
        zb = _zones(b)[kind]
        assert [z.score for z in za] == [z.score for z in zb], kind
        for x, y in zip(za, zb, strict=True):
            xa, ya = _xy(lat, lon_a, x.lat, x.lon)
            xb, yb = _xy(lat, lon_b, y.lat, y.lon)
            assert math.hypot(xa - xb, ya - yb) < POS_TOL_M, kind
    assert len(a.stands) == len(b.stands)
    for s, t in zip(a.stands, b.stands, strict=True):
        assert (s.bearing_deg, s.distance_m, s.wind_from_deg, s.primary, s.reason) == (
            t.bearing_deg,
            t.distance_m,
            t.wind_from_deg,
            t.primary,
            t.reason,
        )
        xa, ya = _xy(lat, lon_a, s.lat, s.lon)
        xb, yb = _xy(lat, lon_b, t.lat, t.lon)
        assert math.hypot(xa - xb, ya - yb) < POS_TOL_M
    assert _rejections(a) == _rejections(b)


SEEDS = range(30)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_layout_astride_the_antimeridian_behaves_like_one_at_lon_10(seed: int) -> None:
    lay = _layout(seed)
    plain = _run(lay, LAT, LON_PLAIN)
    assert plain.bedding_zones or plain.travel_zones or plain.stands  # the layout says something
    for lon in LONS_MIRRORED:
        p = _run(lay, LAT, lon)
        _assert_same_place(plain, p, LAT, LON_PLAIN, lon)
        assert _verdicts(p, lay.wind_ms) == _verdicts(plain, lay.wind_ms)
        assert all(-180.0 <= x <= 180.0 for x in _all_lons(p))
        # No published stand's scent cone covers a predicted bedding zone, across the line too.
        for s in p.stands:
            if s.primary:
                assert not any(
                    cone_covers(s.lat, s.lon, s.wind_from_deg, lay.wind_ms, z.lat, z.lon)
                    for z in p.bedding_zones
                )


def test_the_two_sides_of_the_antimeridian_agree_with_each_other() -> None:
    # A stand on one side, a bedding zone on the other: 50 m apart, not 40 000 km.
    for seed in SEEDS:
        lay = _layout(seed)
        east, west = (_run(lay, LAT, lon) for lon in LONS_MIRRORED)
        _assert_same_place(east, west, LAT, LONS_MIRRORED[0], LONS_MIRRORED[1])


def test_geometry_primitives_wrap_the_longitude_difference() -> None:
    assert wrap_deg(359.999) == pytest.approx(-0.001)
    assert wrap_deg(-359.999) == pytest.approx(0.001)
    assert wrap_deg(12.5) == 12.5
    assert wrap_lon(180.0004) == pytest.approx(-179.9996)
    a = (LAT, 179.9995)
    b = offset(LAT, 179.9995, 60.0, 30.0)
    b = (b[0], wrap_lon(b[1]))
    assert b[1] < 0.0  # the point is across the line
    ref_a, ref_b = (LAT, 10.0), offset(LAT, 10.0, 60.0, 30.0)
    assert distance_m(*a, *b) == pytest.approx(distance_m(*ref_a, *ref_b), abs=1e-6)
    assert bearing_deg(*a, *b) == pytest.approx(bearing_deg(*ref_a, *ref_b), abs=1e-6)
    assert local_xy(*b, *a) == pytest.approx((60.0, 30.0), abs=1e-3)
    # A cone pointing east across the line (wind from the west) covers the point there.
    assert cone_covers(*a, 270.0, 3.0, *b) == cone_covers(*ref_a, 270.0, 3.0, *ref_b)
    assert cone_covers(*a, 270.0, 3.0, *b)
    assert not cone_covers(*a, 90.0, 3.0, *b)


def _mirror_bearing(b: float) -> float:
    return (180.0 - b) % 360.0


@pytest.mark.parametrize("seed", SEEDS)
def test_a_layout_mirrored_across_the_equator_gives_mirrored_answers(seed: int) -> None:
    lay = _layout(seed)
    north = _run(lay, LAT, LON_PLAIN)
    south = _run(lay, -LAT, LON_PLAIN, mirror_ns=True)
    for kind, zn in _zones(north).items():
        zs = _zones(south)[kind]
        assert [z.score for z in zn] == pytest.approx([z.score for z in zs], abs=0.011), kind
        for a, b in zip(zn, zs, strict=True):
            xa, ya = _xy(LAT, LON_PLAIN, a.lat, a.lon)
            xb, yb = _xy(-LAT, LON_PLAIN, b.lat, b.lon)
            assert math.hypot(xa - xb, ya + yb) < POS_TOL_M, kind
    assert len(north.stands) == len(south.stands)
    for s, t in zip(north.stands, south.stands, strict=True):
        assert angle_diff_deg(_mirror_bearing(s.bearing_deg), t.bearing_deg) <= 0.11
        assert angle_diff_deg(_mirror_bearing(s.wind_from_deg), t.wind_from_deg) <= 0.11
        assert (s.distance_m, s.primary) == (t.distance_m, t.primary)
        assert (
            s.reason.split(" of the movement point")[0]
            == t.reason.split(" of the movement point")[0]
        )
        xa, ya = _xy(LAT, LON_PLAIN, s.lat, s.lon)
        xb, yb = _xy(-LAT, LON_PLAIN, t.lat, t.lon)
        assert math.hypot(xa - xb, ya + yb) < 0.5
    assert len(_rejections(north)) == len(_rejections(south))
    assert _verdicts(north, lay.wind_ms) == _verdicts(south, lay.wind_ms)


@pytest.mark.parametrize(("lat", "good_aspect"), [(LAT, 180.0), (-LAT, 0.0)])
def test_cold_bedding_prefers_equator_facing_slopes(lat: float, good_aspect: float) -> None:
    """South-facing in the north, north-facing in the south; pole-facing when hot."""
    t = _target(lat, LON_PLAIN, "midday")

    def bedding_score(aspect: float, temp: float) -> float:
        wx = series(t, lat=lat, lon=LON_PLAIN, temp=lambda h: temp, wind=lambda h: 1.0)
        p = predict(
            request(lat, LON_PLAIN, t),
            enrichment(plane_grid(lat, LON_PLAIN, 15.0, aspect), wx, ()),
            t - timedelta(hours=2),
        )
        return p.bedding_zones[0].score

    bad_aspect = (good_aspect + 180.0) % 360.0
    assert bedding_score(good_aspect, -5.0) == pytest.approx(8.5)  # 4 + 3·0.5 + 3·1
    assert bedding_score(bad_aspect, -5.0) < bedding_score(good_aspect, -5.0) - 2.5
    assert bedding_score(bad_aspect, 30.0) > bedding_score(good_aspect, 30.0) + 2.5
    assert bedding_aspect_factor(good_aspect, None, None, -5.0, lat=lat) == pytest.approx(1.0)
    assert bedding_aspect_factor(good_aspect, None, None, 30.0, lat=lat) == pytest.approx(0.0)


@pytest.mark.parametrize("lat", [LAT, -LAT])
def test_sun_exposure_is_highest_on_equator_facing_slopes(lat: float) -> None:
    day = compute_solar_day(DAY, lat, LON_PLAIN)
    assert day.sunrise is not None
    when = day.sunrise + timedelta(hours=2)
    equator, pole = (180.0, 0.0) if lat > 0 else (0.0, 180.0)
    got = [thermal_at(when, day, 30.0, a, lat=lat) for a in (equator, 90.0, 270.0, pole)]
    assert [t.strength if t else None for t in got] == pytest.approx([1.0, 0.7, 0.7, 0.4])


def _stand_for(wind_ms: float, bedding: tuple[Zone, ...] = ()) -> Stand:
    day = compute_solar_day(DAY, LAT, LON_PLAIN)
    plan = place_stands(
        lat=LAT,
        lon=LON_PLAIN,
        when=day.solar_noon,
        day=day,
        solar_hour=12.0,
        wind_ms=wind_ms,
        wind_from=270.0,
        slope_deg=None,
        aspect_deg=None,
        bedding=bedding,
        next_winds=(),
    )
    return plan.stands[0]


def test_one_10_mph_constant_for_stands_cones_and_leeward_bedding() -> None:
    assert WIND_10_MPH_MS == pytest.approx(4.4704, abs=1e-12)
    assert WIND_15_MPH_MS == pytest.approx(6.7056, abs=1e-12)
    assert STRONG_WIND_MS == WIND_10_MPH_MS == LEEWARD_WIND_MS
    assert WIND_15_MPH_MS == SUSTAINED_WIND_MS
    # 4.48 m/s is just over 10 mph: every 10 mph rule treats it as strong wind.
    over, under = 4.48, 4.47
    assert "crosswind" in _stand_for(over).reason and _stand_for(over).bearing_deg in (0.0, 180.0)
    assert scent_half_width_deg(over) == 22.0  # past the 10 mph band, not the 30° one
    assert bedding_aspect_factor(90.0, over, 270.0, 10.0, lat=LAT) == pytest.approx(1.0)  # lee
    # 4.47 m/s is just under: downwind stand, 30° cone, no lee preference.
    assert _stand_for(under).reason.startswith("downwind") and _stand_for(under).bearing_deg == 90.0
    assert scent_half_width_deg(under) == 30.0
    assert bedding_aspect_factor(90.0, under, 270.0, 10.0, lat=LAT) == pytest.approx(0.5)
    # 15 mph: the 22° band ends exactly where sustained wind starts.
    assert scent_half_width_deg(6.70) == 22.0 and scent_half_width_deg(6.71) == 18.0
