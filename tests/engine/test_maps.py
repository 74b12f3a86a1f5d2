"""Bedding, feeding and travel maps and zones, with scouting applied."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.engine.maps import (
    TRAVEL_POINTS,
    ZONE_MIN_SCORE,
    Maps,
    _best,
    base_layers,
    bedding_aspect_factor,
    bedding_slope_factor,
    bedding_terrain_score,
    compute_maps,
    corridor_factor,
    feeding_terrain_score,
    pick_zones,
)
from deerstream.engine.scouting import Evidence, select_evidence
from deerstream.engine.terrain import Cell, Position, compute_terrain_features
from deerstream.models.records import ObservationType as O
from deerstream.models.records import TerrainGrid
from tests.engine.builders import flat_grid, grid_from, obs, offset, plane_grid

AT = datetime(2025, 11, 15, 12, tzinfo=UTC)
LAT, LON = 44.0, -72.0


def cell(
    slope: float | None, aspect: float | None = 180.0, pos: Position = Position.MID_SLOPE
) -> Cell:
    return Cell(3, 3, LAT, LON, 400.0, slope, aspect, 0.0, pos)


@pytest.mark.parametrize(
    ("slope", "factor"),
    [
        (0, 0.0),
        (4.9, 0.0),
        (5, 0.5),
        (9.9, 0.5),
        (10, 1.0),
        (18, 1.0),
        (25, 1.0),
        (25.1, 0.5),
        (30, 0.5),
    ],
)
def test_bedding_slope_bands(slope: float, factor: float) -> None:
    assert bedding_slope_factor(slope) == factor


def test_bedding_excludes_slopes_over_30_degrees() -> None:
    assert bedding_terrain_score(cell(31.0), None, None, None, lat=LAT) is None
    assert bedding_terrain_score(cell(30.0), None, None, None, lat=LAT) is not None


@pytest.mark.parametrize(
    ("aspect", "wind", "wind_from", "temp", "expected"),
    [
        # Wind > 4.5 m/s from the west: the east-facing (lee) slope scores 1, the windward 0.
        (90.0, 6.0, 270.0, 10.0, 1.0),
        (270.0, 6.0, 270.0, 10.0, 0.0),
        (90.0, 4.0, 270.0, 10.0, 0.5),  # light wind: no lee preference
        (180.0, 1.0, 0.0, 0.0, 1.0),  # cold: south-facing
        (0.0, 1.0, 0.0, 0.0, 0.0),
        (0.0, 1.0, 0.0, 28.0, 1.0),  # hot: north-facing
        (180.0, 1.0, 0.0, 28.0, 0.0),
        (90.0, None, None, None, 0.5),  # nothing known: neutral
        (None, 6.0, 270.0, 0.0, 0.5),  # flat: neutral
    ],
)
def test_bedding_aspect_preferences(
    aspect: float | None,
    wind: float | None,
    wind_from: float | None,
    temp: float | None,
    expected: float,
) -> None:
    assert bedding_aspect_factor(aspect, wind, wind_from, temp, lat=LAT) == pytest.approx(
        expected, abs=1e-9
    )


def test_benches_and_upper_slopes_beat_flats_for_bedding() -> None:
    score: dict[Position, float] = {}
    for p in Position:
        value = bedding_terrain_score(cell(15.0, pos=p), None, None, None, lat=LAT)
        assert value is not None
        score[p] = value
    assert score[Position.BENCH] == score[Position.UPPER_SLOPE] > score[Position.MID_SLOPE]
    assert score[Position.MID_SLOPE] > score[Position.FLAT]


def test_feeding_favours_flats_and_the_evening() -> None:
    flat = cell(1.0, None, Position.FLAT)
    steep = cell(20.0, 180.0, Position.MID_SLOPE)
    assert feeding_terrain_score(flat, evening=True) == pytest.approx(10.0)
    assert feeding_terrain_score(flat, evening=False) == pytest.approx(8.0)
    assert feeding_terrain_score(steep, evening=True) < 3.0
    valley = cell(3.0, 180.0, Position.VALLEY)
    assert feeding_terrain_score(valley, evening=True) > feeding_terrain_score(steep, evening=True)


@pytest.mark.parametrize(("d", "f"), [(0.0, 1.0), (200.0, math.exp(-0.5)), (400.0, math.exp(-2.0))])
def test_travel_corridor_gaussian_200m(d: float, f: float) -> None:
    assert corridor_factor((0.0, 50.0), (-100.0, 50.0 - d), (100.0, 50.0 - d)) == pytest.approx(f)
    # Beyond the segment's end the distance is to the end point.
    assert corridor_factor((300.0 + d, 0.0), (0.0, 0.0), (300.0, 0.0)) == pytest.approx(f)


def _maps(grid: TerrainGrid, evidence: Sequence[Evidence] = (), *, evening: bool = True) -> Maps:
    feats = compute_terrain_features(grid)
    return compute_maps(feats, evidence, wind_ms=2.0, wind_from=270.0, temp_c=5.0, evening=evening)


def test_saddle_is_the_best_travel_cell() -> None:
    grid = grid_from(LAT, LON, lambda e, n: 400.0 + 0.002 * n * n - 0.002 * e * e)
    m = _maps(grid)
    best = max(range(49), key=lambda i: m.travel[i])
    assert m.cells[best].position is Position.SADDLE


def test_scouting_is_applied_to_the_maps() -> None:
    grid = flat_grid(LAT, LON)
    o = obs("bed", O.BEDDING_AREA, LAT, LON, AT, confidence=10.0)
    ev = select_evidence((o,), lat=LAT, lon=LON, radius_m=800, at=AT, hunter_id=None, shared=False)
    bare, scouted = _maps(grid), _maps(grid, ev)
    centre = 24
    # A fresh, certain bedding area adds 25 × 30 / 100 = 7.5 bedding points where it is.
    assert scouted.bedding[centre] - bare.bedding[centre] == pytest.approx(7.5)
    assert scouted.travel[centre] - bare.travel[centre] == pytest.approx(25 * 5 / 100)


def test_two_mature_signs_add_a_bonus_to_every_map() -> None:
    grid = flat_grid(LAT, LON)
    far_lat, far_lon = offset(LAT, LON, 600.0, 0.0)  # outside every cell's reach
    signs = tuple(
        obs(f"r{i}", O.RUB, far_lat, far_lon, AT, rub_trunk_diameter_cm=25.0) for i in range(2)
    )
    ev = select_evidence(signs, lat=LAT, lon=LON, radius_m=800, at=AT, hunter_id=None, shared=False)
    bare, bonus = _maps(grid, evening=False), _maps(grid, ev, evening=False)
    assert bonus.mature_bonus and not bare.mature_bonus
    assert bonus.feeding[24] - bare.feeding[24] == pytest.approx(1.0)
    assert bonus.travel[24] - bare.travel[24] == pytest.approx(1.0)


def test_zones_keep_minimum_spacing_and_stay_in_radius() -> None:
    m = _maps(plane_grid(LAT, LON, 15.0, 180.0))
    zones = pick_zones(m, m.bedding, center_xy=(0.0, 0.0), radius_m=800.0)
    assert 1 <= len(zones) <= 3
    for a in zones:
        for b in zones:
            if a is not b:
                d = math.hypot(
                    (a.lat - b.lat) * 111_195,
                    (a.lon - b.lon) * 111_195 * math.cos(math.radians(LAT)),
                )
                assert d >= 150.0
    assert [z.score for z in zones] == sorted((z.score for z in zones), reverse=True)
    near = pick_zones(m, m.bedding, center_xy=(0.0, 0.0), radius_m=100.0)
    assert len(near) == 1 and (near[0].lat, near[0].lon) == (LAT, LON)


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(list(O)),
    east=st.floats(-250, 250),
    north=st.floats(-250, 250),
    days=st.floats(0, 100),
    fresher=st.floats(0, 30),
    shrink=st.floats(0, 1),
    target=st.integers(0, 48),
)
def test_fresher_or_closer_observation_never_lowers_the_map_it_feeds(
    kind: O, east: float, north: float, days: float, fresher: float, shrink: float, target: int
) -> None:
    grid = plane_grid(LAT, LON, 12.0, 135.0)
    feats = compute_terrain_features(grid)

    def maps_with(e: float, n: float, d: float) -> Maps:
        lat, lon = offset(LAT, LON, e, n)
        o = obs("o", kind, lat, lon, AT - timedelta(days=d))
        ev = select_evidence(
            (o,), lat=LAT, lon=LON, radius_m=800, at=AT, hunter_id=None, shared=False
        )
        return compute_maps(feats, ev, wind_ms=2.0, wind_from=270.0, temp_c=5.0, evening=True)

    base = maps_with(east, north, days)
    fresh = maps_with(east, north, max(0.0, days - fresher))
    for layer in ("bedding", "feeding", "travel"):
        assert all(
            f >= b - 1e-9 for f, b in zip(getattr(fresh, layer), getattr(base, layer), strict=True)
        )
    # Move the observation towards one cell: that cell never loses.
    tx, ty = base.xy[target]
    closer = maps_with(tx + (east - tx) * shrink, ty + (north - ty) * shrink, days)
    for layer in ("bedding", "feeding"):
        assert getattr(closer, layer)[target] >= getattr(base, layer)[target] - 1e-9


@settings(max_examples=60, deadline=None)
@given(
    slope=st.floats(0.0, 40.0),
    aspect=st.one_of(st.none(), st.floats(0.0, 359.9)),
    pos=st.sampled_from(list(Position)),
    wind=st.one_of(st.none(), st.floats(0.0, 12.0)),
    wind_from=st.floats(0.0, 359.9),
    temp=st.one_of(st.none(), st.floats(-20.0, 40.0)),
    evening=st.booleans(),
)
def test_compute_maps_terrain_part_matches_the_reference_functions(
    slope: float,
    aspect: float | None,
    pos: Position,
    wind: float | None,
    wind_from: float,
    temp: float | None,
    evening: bool,
) -> None:
    # compute_maps unrolls the per-cell scoring for speed; it must equal the helpers.
    base = compute_terrain_features(flat_grid(LAT, LON))
    centre = base.at(3, 3)._replace(slope_deg=slope, aspect_deg=aspect, position=pos)
    cells = tuple(centre if c.r == 3 and c.c == 3 else c for c in base.cells)
    feats = replace(base, cells=cells)
    m = compute_maps(feats, (), wind_ms=wind, wind_from=wind_from, temp_c=temp, evening=evening)
    expected_bed = bedding_terrain_score(centre, wind, wind_from, temp, lat=centre.lat)
    assert m.bedding[24] == pytest.approx(min(10.0, expected_bed or 0.0))
    assert m.feeding[24] == pytest.approx(min(10.0, feeding_terrain_score(centre, evening)))


@settings(max_examples=40, deadline=None)
@given(
    ridge=st.floats(0.0, 80.0),
    tilt=st.floats(-0.4, 0.4),
    phase=st.floats(0.0, 6.0),
    lat=st.sampled_from([44.0, -44.0, 0.0]),
    wind=st.one_of(st.none(), st.floats(0.0, 12.0)),
    temp=st.one_of(st.none(), st.floats(-20.0, 40.0)),
    evening=st.booleans(),
)
def test_travel_map_matches_corridor_factor(
    ridge: float,
    tilt: float,
    phase: float,
    lat: float,
    wind: float | None,
    temp: float | None,
    evening: bool,
) -> None:
    # compute_maps inlines corridor_factor; without scouting its travel map is exactly the
    # position points plus the corridor from the best bedding to the best feeding cell.
    grid = grid_from(
        lat,
        LON,
        lambda e, n: (
            400.0 + ridge * math.exp(-(e**2) / 3e4) * math.cos(n / 150.0 + phase) + tilt * (e + n)
        ),
    )
    feats = compute_terrain_features(grid)
    m = compute_maps(feats, (), wind_ms=wind, wind_from=200.0, temp_c=temp, evening=evening)
    base = base_layers(feats)
    # Without scouting the bedding and feeding maps are their terrain parts (≤ 10).
    best_bed = _best(m.bedding, base.near, base.order)
    best_feed = _best(m.feeding, base.near, base.order)
    line = m.bedding[best_bed] >= ZONE_MIN_SCORE and m.feeding[best_feed] >= ZONE_MIN_SCORE
    a, b = m.xy[best_bed], m.xy[best_feed]
    expected = [
        0.0
        if pos is None
        else min(10.0, pos + (TRAVEL_POINTS[1] * corridor_factor(xy, a, b) if line else 0.0))
        for pos, xy in zip(base.travel_pos, m.xy, strict=True)
    ]
    assert list(m.travel) == expected
