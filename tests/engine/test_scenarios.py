"""Three worked scenarios, with the reasoning a hunter (or reviewer) can check by hand.

Each scenario states its inputs, walks through the rules of the docs that apply, and
asserts the numbers and classes that reasoning predicts.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from deerstream.engine import predict
from deerstream.engine.solar import compute_solar_day
from deerstream.models.geo import bearing_deg, distance_m
from deerstream.models.records import ActivityLevel, Prediction, RutPhase
from deerstream.models.records import ObservationType as O
from tests.engine.builders import enrichment, grid_from, obs, offset, request, series


def factor(p: Prediction, name: str) -> str:
    return next(f.value for f in p.factors if f.name == name)


def effect(p: Prediction, name: str) -> float:
    return next(f.effect for f in p.factors if f.name == name)


def test_vermont_ridge_at_dawn_after_a_cold_front_with_a_nw_wind() -> None:
    """Green Mountains, 44.4° N 72.9° W, 20 minutes after sunrise on 15 Nov 2025.

    Inputs: a north–south ridge through the spot (60 m high, σ 120 m); yesterday at this
    hour it was 12 °C, now 2 °C; pressure bottomed at 1003 hPa 12 h ago and has risen
    0.75 hPa/h since (1012 hPa now); a steady 5.5 m/s north-west wind; a big rub 90 m east
    (22 cm trunk) and a big fresh scrape with a licking branch 90 m north.

    Reasoning:
    - 15 Nov is in peak_rut (10–22 Nov): +1.5 points.
    - 20 min after sunrise is within ±90 min of it: dawn, base activity high (7 points).
    - Cold front: 2 °C ≤ 15.5 °C, and both a 10 °C drop over 24 h (≥ 5.5) and a 9 hPa rise
      after a low (≥ 5). Strength = 0.35·0 (not falling) + 0.35·min(1, 10/11.1)
      + 0.15·(1012.5−1012)/20 + 0.15·0.9 = 0.45 → one level up, but dawn is already high,
      so the front is named with effect 0.
    - 5.5 m/s is not sustained wind (> 6.7), so no downgrade.
    - Two mature-buck signs in range: a bonus on every map, and scouting points.
    - Wind 5.5 m/s > 4.5: bedded deer favour the lee (south-east facing) side of the ridge,
      and the stand goes crosswind (315° ± 90° = 45° or 225°) rather than straight downwind.
    - Movement ≈ 7 + 1.5 + ~1 (scouting) + 0.5 (terrain) → about 10.
    """
    lat, lon = 44.4, -72.9
    day = compute_solar_day(date(2025, 11, 15), lat, lon)
    assert day.sunrise is not None
    t = day.sunrise + timedelta(minutes=20)
    ridge = grid_from(lat, lon, lambda e, n: 500 + 60 * math.exp(-e * e / (2 * 120**2)) + 0.05 * n)
    wx = series(
        t,
        lat=lat,
        lon=lon,
        temp=lambda h: 12.0 if h <= -24 else 2.0,
        pressure=lambda h: 1003.0 if h <= -12 else 1003.0 + 0.75 * (h + 12),
        wind=lambda h: 5.5,
        wind_dir=lambda h: 315.0 if h < 12 else 290.0,
    )
    scouting = (
        obs(
            "rub",
            O.RUB,
            *offset(lat, lon, 90, 0),
            t - timedelta(days=3),
            rub_trunk_diameter_cm=22.0,
        ),
        obs(
            "scr",
            O.SCRAPE,
            *offset(lat, lon, 0, 90),
            t - timedelta(days=2),
            scrape_large=True,
            licking_branch=True,
        ),
    )
    p = predict(request(lat, lon, t), enrichment(ridge, wx, scouting), t - timedelta(hours=10))

    assert p.rut_phase is RutPhase.PEAK_RUT and effect(p, "rut_phase") == 1.5
    assert p.activity_level is ActivityLevel.HIGH and effect(p, "time_of_day") == 7.0
    assert factor(p, "cold_front_detected").startswith("strength 0.45")
    assert effect(p, "cold_front") == 0.0  # already high
    assert "2 mature-buck sign; mature-buck bonus" in factor(p, "scouting")
    assert p.movement_score >= 9.5
    # Bedding on the lee (east) flank: the two best zones lie east of the crest (the third,
    # on the windward flank, is lifted there by the fresh mature-buck scrape next to it).
    assert [z.lon > lon for z in p.bedding_zones] == [True, True, False]
    primary = p.stands[0]
    assert primary.primary and "crosswind" in primary.reason
    assert primary.bearing_deg in (45.0, 225.0)
    assert any(not s.primary and s.wind_from_deg == pytest.approx(290.0) for s in p.stands)
    # The dawn window (from the target time on) carries the front; dusk may rank higher.
    assert any({"dawn", "cold_front"} <= set(w.triggers) for w in p.hunt_windows)
    assert p.confidence == 1.0


def test_south_facing_bench_on_a_cold_late_season_evening() -> None:
    """Finger Lakes, 42.5° N 76.5° W, 30 minutes before sunset on 20 Dec 2025.

    Inputs: a 31° south-facing hillside with a flat bench 270 m deep across the spot;
    −8 °C all day, 1026 hPa steady (stable high pressure), a light 1.5 m/s north wind;
    no scouting observations (the service answered, with nothing).

    Reasoning:
    - 20 Dec is late_season (6 Dec – 31 Jan): +0.4.
    - 30 min before sunset is dusk: high (7 points). Stable high pressure only caps midday.
    - Cold (< 4 °C): bedded deer seek south-facing slopes; the bench is a flat shelf on a
      south-facing bedding-grade slope, so it takes full slope marks, full position marks
      (bench) and full aspect marks (south when cold): bedding 10 at the spot.
    - Wind 1.5 m/s ≤ 4.5 near dusk: thermals could matter, but the bench itself is flat,
      so the wind rules; the stand sits downwind: 0° + 180° = due south, 80 m, below the
      bench, and its scent drifts south, away from the bedding.
    - Movement ≈ 7 + 0.4 + terrain (≤ 0.5) ≈ 7.8.
    """
    lat, lon = 42.5, -76.5
    day = compute_solar_day(date(2025, 12, 20), lat, lon)
    assert day.sunset is not None
    t = day.sunset - timedelta(minutes=30)

    def hillside(e: float, n: float) -> float:
        return 400.0 if abs(n) <= 90 else 400.0 + 0.6 * (n - 90 if n > 0 else n + 90)

    wx = series(
        t,
        lat=lat,
        lon=lon,
        temp=lambda h: -8.0,
        pressure=lambda h: 1026.0,
        wind=lambda h: 1.5,
        wind_dir=lambda h: 0.0,
    )
    p = predict(
        request(lat, lon, t),
        enrichment(grid_from(lat, lon, hillside), wx, ()),
        t - timedelta(hours=6),
    )

    assert p.rut_phase is RutPhase.LATE_SEASON and effect(p, "rut_phase") == 0.4
    assert p.activity_level is ActivityLevel.HIGH and factor(p, "time_of_day").startswith("dusk")
    assert (p.bedding_zones[0].lat, p.bedding_zones[0].lon, p.bedding_zones[0].score) == (
        lat,
        lon,
        10.0,
    )
    stand = p.stands[0]
    assert stand.bearing_deg == 180.0 and stand.distance_m == 80.0
    assert bearing_deg(lat, lon, stand.lat, stand.lon) == pytest.approx(180.0, abs=0.1)
    assert distance_m(lat, lon, stand.lat, stand.lon) == pytest.approx(80.0, abs=0.5)
    assert not any(f.name == "stand_rejected" for f in p.factors)
    assert 7.4 <= p.movement_score <= 7.9
    dusk = next(w for w in p.hunt_windows if "dusk" in w.triggers)
    assert dusk.triggers == ("dusk", "legal_light", "stable_thermals")


def test_hot_early_season_midday_with_no_wind() -> None:
    """Southern Appalachians, 35.5° N 84° W (outside every regional-rut row), solar noon
    on 10 Sep 2025.

    Inputs: a round knob (40 m, σ 150 m) on the spot; 33 °C all day; 1016 hPa steady;
    dead calm (0 m/s, vane reading 200°); no scouting observations.

    Reasoning:
    - 10 Sep is early_season: +0.2.
    - Solar noon is midday; outside the rut midday is low: 0.3 × 7 = 2.1 points.
    - The seasonal normal at 35° N in early September is ~19 °C; a 33 °C day is 14 °C above
      it (≥ 11.1 °C, "far above"): the heat modifier applies — named, but activity is
      already at its floor, so its effect is 0.
    - Hot (> 24 °C): bedding prefers north-facing slopes → the best bedding cell is on the
      north side of the knob.
    - Calm: the widest scent cone (55°) but the shortest reach (80 m).
    - Hunt windows come at dusk and the next dawn, never at midday.
    - Movement ≈ 2.1 + 0.2 + small terrain part ≈ 2.5.
    """
    lat, lon = 35.5, -84.0
    day = compute_solar_day(date(2025, 9, 10), lat, lon)
    t = day.solar_noon
    knob = grid_from(lat, lon, lambda e, n: 300 + 40 * math.exp(-(e * e + n * n) / (2 * 150**2)))
    wx = series(
        t,
        lat=lat,
        lon=lon,
        temp=lambda h: 33.0,
        pressure=lambda h: 1016.0,
        wind=lambda h: 0.0,
        wind_dir=lambda h: 200.0,
    )
    p = predict(request(lat, lon, t), enrichment(knob, wx, ()), t - timedelta(hours=6))

    assert p.rut_phase is RutPhase.EARLY_SEASON
    assert p.activity_level is ActivityLevel.LOW and effect(p, "time_of_day") == 2.1
    assert "vs seasonal normal" in factor(p, "heat") and effect(p, "heat") == 0.0
    assert p.bedding_zones[0].lat > lat  # north side of the knob
    assert 2.2 <= p.movement_score <= 2.8
    assert p.hunt_windows
    for w in p.hunt_windows:
        assert "dawn" in w.triggers or "dusk" in w.triggers
        assert not (w.start <= t < w.end)
