"""Terrain features: Horn slope/aspect with real cell sizes, positions."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from deerstream.engine.terrain import Position, compute_terrain_features, horn_slope_aspect
from tests.engine.builders import flat_grid, grid_from, plane_grid


@pytest.mark.parametrize("aspect", [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0])
@pytest.mark.parametrize("slope", [3.0, 12.0, 28.0])
def test_horn_recovers_plane_slope_and_downhill_aspect(slope: float, aspect: float) -> None:
    feats = compute_terrain_features(plane_grid(44.0, -72.0, slope, aspect))
    centre = feats.at(3, 3)
    assert centre.slope_deg == pytest.approx(slope, abs=0.05)
    assert centre.aspect_deg is not None
    diff = (centre.aspect_deg - aspect + 180.0) % 360.0 - 180.0
    assert abs(diff) < 0.5


def test_gradient_divides_by_real_cell_size_with_cos_lat() -> None:
    # 10 m rise per 90 m cell eastwards at 60° N, where a degree of longitude is half as
    # long as at the equator: the slope is atan(10/90), not atan(10/180).
    grid = grid_from(60.0, 10.0, lambda e, n: 100.0 + e / 9.0)
    feats = compute_terrain_features(grid)
    assert feats.dx_m == pytest.approx(90.0, rel=1e-6)
    assert feats.dy_m == pytest.approx(90.0, rel=1e-6)
    assert feats.at(3, 3).slope_deg == pytest.approx(math.degrees(math.atan(10 / 90)), abs=0.01)
    assert feats.at(3, 3).aspect_deg == pytest.approx(270.0)  # downhill is west


def test_horn_window_directly() -> None:
    # North-facing: the northern row is 9 m lower over 2 × 90 m.
    window = (91.0, 91.0, 91.0, 95.5, 95.5, 95.5, 100.0, 100.0, 100.0)
    slope, aspect = horn_slope_aspect(window, 90.0, 90.0)
    assert slope == pytest.approx(math.degrees(math.atan(9.0 / 180.0)))
    assert aspect == pytest.approx(0.0)
    assert horn_slope_aspect((5.0,) * 9, 90.0, 90.0) == (0.0, None)


def test_missing_values_are_never_filled_in() -> None:
    grid = plane_grid(44.0, -72.0, 12.0, 180.0)
    hole = 2 * 7 + 2  # a neighbour of the centre
    elev = list(grid.elevations_m)
    elev[hole] = None
    from dataclasses import replace

    feats = compute_terrain_features(replace(grid, elevations_m=tuple(elev)))
    assert feats.at(2, 2).elevation_m is None
    # Every cell whose 3×3 window contains the hole has no slope, aspect or position.
    for r in (1, 2, 3):
        for c in (1, 2, 3):
            cell = feats.at(r, c)
            assert (cell.slope_deg, cell.aspect_deg, cell.position) == (None, None, None)
    assert feats.at(4, 4).slope_deg == pytest.approx(12.0, abs=0.05)
    # Edge cells lack a full window too.
    assert feats.at(0, 3).slope_deg is None


def test_odd_grid_sizes() -> None:
    small = compute_terrain_features(plane_grid(44.0, -72.0, 15.0, 90.0, size=3))
    assert small.at(1, 1).slope_deg == pytest.approx(15.0, abs=0.05)
    big = compute_terrain_features(plane_grid(44.0, -72.0, 15.0, 90.0, size=9))
    assert sum(c.slope_deg is not None for c in big.cells) == 49


def _ridge(e: float, n: float) -> float:
    return 400.0 + 40.0 * math.exp(-(e**2) / (2 * 100.0**2))


def _saddle(e: float, n: float) -> float:
    return 400.0 + 0.002 * n * n - 0.002 * e * e


def _bench(e: float, n: float) -> float:
    # A 31° slope rising northwards with a flat shelf three cells (270 m) deep.
    steep = 0.6
    if abs(n) <= 90.0:
        return 400.0
    return 400.0 + steep * (n - 90.0 if n > 0 else n + 90.0)


def _upper(e: float, n: float) -> float:
    # A gentle dome: the centre stands slightly above its neighbours.
    return 400.0 - 0.0002 * (e * e + n * n)


POSITIONS = [
    ("ridge crest", _ridge, Position.RIDGE),
    ("valley bottom", lambda e, n: 800.0 - _ridge(e, n), Position.VALLEY),
    ("saddle", _saddle, Position.SADDLE),
    ("bench", _bench, Position.BENCH),
    ("flat", lambda e, n: 300.0, Position.FLAT),
    ("mid slope (plane)", lambda e, n: 400.0 + 0.3 * n, Position.MID_SLOPE),
    ("upper slope", _upper, Position.UPPER_SLOPE),
]


@pytest.mark.parametrize(("name", "height", "position"), POSITIONS)
def test_topographic_position_classes(
    name: str, height: Callable[[float, float], float], position: Position
) -> None:
    grid = grid_from(44.0, -72.0, height)
    assert compute_terrain_features(grid).at(3, 3).position is position, name


def test_flat_ground_has_no_aspect() -> None:
    centre = compute_terrain_features(flat_grid(44.0, -72.0)).at(3, 3)
    assert centre.slope_deg == 0.0 and centre.aspect_deg is None and centre.tpi_m == 0.0


def test_unrolled_horn_matches_the_reference_function() -> None:
    grid = grid_from(44.0, -72.0, lambda e, n: 400.0 + 0.2 * e - 0.1 * n + 0.0005 * e * n)
    feats = compute_terrain_features(grid)
    z = grid.elevations_m
    for r in range(1, 6):
        for c in range(1, 6):
            vals = [z[(r + dr) * 7 + c + dc] for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
            window = tuple(v for v in vals if v is not None)
            assert len(window) == 9
            slope, aspect = horn_slope_aspect(window, feats.dx_m, feats.dy_m)
            assert feats.at(r, c).slope_deg == pytest.approx(slope)
            assert feats.at(r, c).aspect_deg == pytest.approx(aspect)
