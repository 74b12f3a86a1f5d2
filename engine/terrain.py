"""Terrain features from the elevation grid (docs/how-prediction-works.md).

Slope and aspect use Horn's method on the 3×3 window, dividing by the real cell size in
metres (the longitude spacing shrinks by cos(lat)). A cell whose 3×3 window is not
complete gets no slope, aspect or position: a missing elevation stays missing and nothing
is filled in. Topographic position compares a cell with the mean of its eight neighbours.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Final, NamedTuple, cast

from deerstream.engine.memo import record_memo
from deerstream.models.geo import EARTH_RADIUS_M, degrees, radians, wrap_deg, wrap_lon
from deerstream.models.records import TerrainGrid

#: Below this slope a cell is "flat" for position classes (and has no meaningful aspect).
FLAT_SLOPE_DEG: Final = 5.0
#: A flat cell whose neighbours average at least this slope is a bench.
BENCH_SURROUND_SLOPE_DEG: Final = 10.0
#: Topographic position index thresholds (metres, centre minus neighbour mean) tuned for
#: ~90 m cells: convex crests stand a few metres above their neighbourhood.
RIDGE_TPI_M: Final = 3.0
UPPER_SLOPE_TPI_M: Final = 1.0
VALLEY_TPI_M: Final = -3.0
#: A saddle's highs and lows must differ from the centre by at least this much.
SADDLE_RELIEF_M: Final = 2.0


class Position(enum.StrEnum):
    """Topographic position classes."""

    RIDGE = "ridge"
    UPPER_SLOPE = "upper_slope"
    MID_SLOPE = "mid_slope"
    BENCH = "bench"
    FLAT = "flat"
    VALLEY = "valley"
    SADDLE = "saddle"


class Cell(NamedTuple):
    """One grid cell and what the terrain says about it (None = not computable)."""

    r: int
    c: int
    lat: float
    lon: float
    elevation_m: float | None
    slope_deg: float | None
    aspect_deg: float | None  # downhill direction, 0 = north, clockwise; None when flat
    tpi_m: float | None
    position: Position | None


@dataclass(frozen=True, slots=True)
class TerrainFeatures:
    """Per-cell features of one grid, row-major like the grid."""

    rows: int
    cols: int
    dx_m: float
    dy_m: float
    cells: tuple[Cell, ...]

    def at(self, r: int, c: int) -> Cell:
        """The cell at row ``r``, column ``c``."""
        return self.cells[r * self.cols + c]


class SiteLookup:
    """(lat, lon) → (slope°, aspect°) of the grid cell nearest to it: None outside the
    grid, without features, or where the cell has no slope or aspect (flat, or missing
    elevations).

    A plain class, not a closure: compiled, ``at`` is a native call with unboxed floats
    (stand placement and every hunter's stand look their site up)."""

    def __init__(self, features: TerrainFeatures | None, grid: TerrainGrid | None) -> None:
        self.features = features
        self.grid = grid

    def at(self, lat: float, lon: float) -> tuple[float, float] | None:
        features, grid = self.features, self.grid
        if features is None or grid is None:
            return None
        r = features.rows // 2 - round((lat - grid.center_lat) / grid.spacing_lat_deg)
        c = features.cols // 2 + round(wrap_deg(lon - grid.center_lon) / grid.spacing_lon_deg)
        if not (0 <= r < features.rows and 0 <= c < features.cols):
            return None
        cell = features.at(r, c)
        if cell.slope_deg is None or cell.aspect_deg is None:
            return None
        return cell.slope_deg, cell.aspect_deg


def cell_size_m(grid: TerrainGrid) -> tuple[float, float]:
    """(east-west, north-south) cell size in metres at the grid's latitude."""
    dy = EARTH_RADIUS_M * radians(grid.spacing_lat_deg)
    dx = EARTH_RADIUS_M * radians(grid.spacing_lon_deg) * math.cos(radians(grid.center_lat))
    return dx, dy


def horn_slope_aspect(
    window: tuple[float, ...], dx: float, dy: float
) -> tuple[float, float | None]:
    """Slope (degrees) and aspect (downhill bearing, None when level) of a 3×3 window.

    ``window`` is row-major a..i with row 0 to the north. Horn (1981):
    dz/dx = ((c + 2f + i) − (a + 2d + g)) / 8dx, dz/dy(north) = ((a + 2b + c) − (g + 2h + i)) / 8dy.
    """
    a, b, c, d, _, f, g, h, i = window
    dzdx = ((c + 2.0 * f + i) - (a + 2.0 * d + g)) / (8.0 * dx)
    dzdn = ((a + 2.0 * b + c) - (g + 2.0 * h + i)) / (8.0 * dy)
    grad = math.hypot(dzdx, dzdn)
    slope = degrees(math.atan(grad))
    if grad == 0.0:
        return slope, None
    # Downhill is against the gradient; bearing = atan2(east, north).
    return slope, degrees(math.atan2(-dzdx, -dzdn)) % 360.0


def _is_saddle(z: float, ring: tuple[float, ...]) -> bool:
    """True when one axis through the cell rises on both sides and the crossing axis falls."""
    nw, n, ne, w, e, sw, s, se = ring
    hi = z + SADDLE_RELIEF_M
    lo = z - SADDLE_RELIEF_M
    # Written out (not looped over the four axes): this runs for every interior cell.
    return (
        (n >= hi and s >= hi and e <= lo and w <= lo)
        or (e >= hi and w >= hi and n <= lo and s <= lo)
        or (ne >= hi and sw >= hi and nw <= lo and se <= lo)
        or (nw >= hi and se >= hi and ne <= lo and sw <= lo)
    )


def classify_position(
    z: float, ring: tuple[float, ...], slope_deg: float, neighbour_slope_deg: float | None
) -> tuple[float, Position]:
    """(TPI metres, position class) of a cell from its elevation and its eight neighbours
    (``ring``: NW, N, NE, W, E, SW, S, SE)."""
    tpi = z - sum(ring) / 8.0
    if _is_saddle(z, ring):
        return tpi, Position.SADDLE
    if tpi >= RIDGE_TPI_M:
        return tpi, Position.RIDGE
    if tpi >= UPPER_SLOPE_TPI_M:
        return tpi, Position.UPPER_SLOPE
    if tpi <= VALLEY_TPI_M:
        return tpi, Position.VALLEY
    if slope_deg >= FLAT_SLOPE_DEG:
        return tpi, Position.MID_SLOPE
    if neighbour_slope_deg is not None and neighbour_slope_deg >= BENCH_SURROUND_SLOPE_DEG:
        return tpi, Position.BENCH
    return tpi, Position.FLAT


def _mean_bearing(bearings: list[float | None]) -> float | None:
    """Circular mean of the known bearings (None when none or they cancel out)."""
    x = sum(math.sin(radians(b)) for b in bearings if b is not None)
    y = sum(math.cos(radians(b)) for b in bearings if b is not None)
    if abs(x) < 1e-9 and abs(y) < 1e-9:
        return None
    return degrees(math.atan2(x, y)) % 360.0


@record_memo("terrain_features", 512)
def compute_terrain_features(grid: TerrainGrid) -> TerrainFeatures:
    """Slope, aspect and position for every cell whose 3×3 window is complete."""
    rows, cols = grid.rows, grid.cols
    n = rows * cols
    z = grid.elevations_m
    dx, dy = cell_size_m(grid)
    lines = [z[r * cols : (r + 1) * cols] for r in range(rows)]
    windows: list[tuple[float, ...] | None] = [None] * n
    slopes: list[float | None] = [None] * n
    aspects: list[float | None] = [None] * n
    # Horn's method, unrolled from horn_slope_aspect (test_terrain checks they agree).
    kx, ky = 1.0 / (8.0 * dx), 1.0 / (8.0 * dy)
    atan, atan2, hypot = math.atan, math.atan2, math.hypot
    for r in range(1, rows - 1):
        up, mid, down = lines[r - 1], lines[r], lines[r + 1]
        for c in range(1, cols - 1):
            vals = up[c - 1 : c + 2] + mid[c - 1 : c + 2] + down[c - 1 : c + 2]
            if None in vals:
                continue
            window = cast(tuple[float, ...], vals)  # no None left, checked just above
            k = r * cols + c
            windows[k] = window
            a, b, cc, d, _, f, g, h, i = window
            dzdx = ((cc + 2.0 * f + i) - (a + 2.0 * d + g)) * kx
            dzdn = ((a + 2.0 * b + cc) - (g + 2.0 * h + i)) * ky
            grad = hypot(dzdx, dzdn)
            slopes[k] = degrees(atan(grad))
            aspects[k] = None if grad == 0.0 else degrees(atan2(-dzdx, -dzdn)) % 360.0
    lats = [grid.center_lat + (rows // 2 - r) * grid.spacing_lat_deg for r in range(rows)]
    # Cells east of 180° (or west of −180°) wrap round: every cell longitude is in −180..180.
    lons = [wrap_lon(grid.center_lon + (c - cols // 2) * grid.spacing_lon_deg) for c in range(cols)]
    ring_offsets = (-cols - 1, -cols, -cols + 1, -1, 1, cols - 1, cols, cols + 1)
    cells: list[Cell] = []
    for r in range(rows):
        lat = lats[r]
        for c in range(cols):
            k = r * cols + c
            win = windows[k]
            slope = slopes[k]
            if win is None or slope is None:
                cells.append(Cell(r, c, lat, lons[c], z[k], None, None, None, None))
                continue
            # Interior cells only: every ring index is inside the grid.
            around = [v for v in (slopes[k + o] for o in ring_offsets) if v is not None]
            neighbour_slope = sum(around) / len(around) if len(around) >= 3 else None
            tpi, position = classify_position(win[4], win[:4] + win[5:], slope, neighbour_slope)
            aspect = aspects[k]
            if position is Position.BENCH:
                # A bench faces where the slope it sits on faces (sun, wind, thermals).
                aspect = _mean_bearing([aspects[k + o] for o in ring_offsets])
            cells.append(Cell(r, c, lat, lons[c], win[4], slope, aspect, tpi, position))
    return TerrainFeatures(rows, cols, dx, dy, tuple(cells))
