"""Cache keys and the spatial/temporal quantisation behind them. Pure: no I/O.

Nearby requests must share data, so keys never contain raw coordinates or seconds:
- terrain: the 90 m terrain cell whose centre the 7×7 grid is built around (static data);
- weather: a 0.05° cell (~5 km) and the UTC day of the target time;
- scouting: a 250 m cell, a radius bucket and the UTC day of the target time.
Prefixes are versioned (``ds:terrain:v1:``) so a change of shape or grid never reads old
entries.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from deerstream.models.geo import clamp_lat, wrap_lon
from deerstream.models.records import TerrainGrid

M_PER_DEG_LAT = 111_320.0
GRID_SIZE = 7
GRID_SPACING_M = 90.0
WEATHER_CELL_DEG = 0.05
SCOUTING_CELL_M = 250.0
RADIUS_BUCKETS_M = (250.0, 500.0, 800.0, 1000.0, 1500.0, 2000.0, 3000.0, 5000.0)
SCOUTING_MAX_AGE = timedelta(days=365)

TERRAIN_PREFIX = "ds:terrain:v1:"
WEATHER_PREFIX = "ds:weather:v1:"
SCOUTING_PREFIX = "ds:scouting:v1:"


def _lon_step(lat: float, metres: float) -> float:
    return metres / (M_PER_DEG_LAT * max(1e-6, math.cos(math.radians(lat))))


@dataclass(frozen=True, slots=True)
class TerrainCell:
    """The snapped centre of a terrain grid and its spacing in degrees."""

    i: int
    j: int
    center_lat: float
    center_lon: float
    spacing_lat_deg: float
    spacing_lon_deg: float

    @property
    def key(self) -> str:
        return f"{TERRAIN_PREFIX}{self.i}:{self.j}"

    def grid(self, elevations: Sequence[float | None]) -> TerrainGrid:
        """The cell's grid with these elevations (row-major, as ``points`` orders them)."""
        return TerrainGrid(
            center_lat=self.center_lat,
            center_lon=self.center_lon,
            rows=GRID_SIZE,
            cols=GRID_SIZE,
            spacing_lat_deg=self.spacing_lat_deg,
            spacing_lon_deg=self.spacing_lon_deg,
            elevations_m=tuple(elevations),
        )

    def points(self) -> list[tuple[float, float]]:
        """The 7×7 grid's (lat, lon) points, row-major, row 0 northernmost.

        Valid coordinates only, as a real elevation API demands: latitudes are clamped to
        ±90 (a grid at the pole repeats its edge row) and longitudes wrapped into
        −180..180 (a grid across the antimeridian continues on the other side)."""
        half = GRID_SIZE // 2
        return [
            (
                clamp_lat(self.center_lat + (half - r) * self.spacing_lat_deg),
                wrap_lon(self.center_lon + (c - half) * self.spacing_lon_deg),
            )
            for r in range(GRID_SIZE)
            for c in range(GRID_SIZE)
        ]


def terrain_cell(lat: float, lon: float) -> TerrainCell:
    """Snap (lat, lon) to the nearest 90 m terrain cell centre."""
    dlat = GRID_SPACING_M / M_PER_DEG_LAT
    i = round(lat / dlat)
    center_lat = i * dlat
    # The lon step uses the snapped latitude so every point of a row shares one step.
    dlon = _lon_step(center_lat, GRID_SPACING_M)
    j = round(lon / dlon)
    return TerrainCell(i, j, center_lat, j * dlon, dlat, dlon)


@dataclass(frozen=True, slots=True)
class WeatherCell:
    """A coarse weather cell and the UTC day whose window it covers."""

    i: int
    j: int
    day: date

    @property
    def lat(self) -> float:
        return round((self.i + 0.5) * WEATHER_CELL_DEG, 4)

    @property
    def lon(self) -> float:
        return round((self.j + 0.5) * WEATHER_CELL_DEG, 4)

    @property
    def key(self) -> str:
        return f"{WEATHER_PREFIX}{self.i}:{self.j}:{self.day.isoformat()}"

    @property
    def start_date(self) -> date:
        """First day fetched: covers target − 24 h for any target on ``day``."""
        return self.day - timedelta(days=1)

    @property
    def end_date(self) -> date:
        """Last day fetched: covers every hour of the longest forecast horizon (72 h) for any
        target on ``day``, so every request of the cell, whatever its ``horizon_h``,
        reads the same cached series."""
        return self.day + timedelta(days=3)


def weather_cell(lat: float, lon: float, target_time: datetime) -> WeatherCell:
    """The weather cell of a request."""
    day = target_time.astimezone(UTC).date()
    return WeatherCell(math.floor(lat / WEATHER_CELL_DEG), math.floor(lon / WEATHER_CELL_DEG), day)


def radius_bucket(radius_m: float) -> float:
    """The smallest bucket ≥ ``radius_m`` (the largest when beyond all)."""
    for bucket in RADIUS_BUCKETS_M:
        if radius_m <= bucket:
            return bucket
    return RADIUS_BUCKETS_M[-1]


@dataclass(frozen=True, slots=True)
class ScoutingCell:
    """A scouting query shared by every request in the cell: a superset circle."""

    i: int
    j: int
    center_lat: float
    center_lon: float
    bucket_m: float
    day: date

    @property
    def key(self) -> str:
        return f"{SCOUTING_PREFIX}{self.i}:{self.j}:{int(self.bucket_m)}:{self.day.isoformat()}"

    @property
    def query_radius_m(self) -> float:
        """Bucket radius plus the cell's half diagonal, so every request point in the
        cell finds all observations within its own radius."""
        return self.bucket_m + SCOUTING_CELL_M * math.sqrt(2) / 2 + 1.0

    @property
    def since(self) -> datetime:
        start = datetime(self.day.year, self.day.month, self.day.day, tzinfo=UTC)
        return start - SCOUTING_MAX_AGE


def scouting_cell(lat: float, lon: float, radius_m: float, target_time: datetime) -> ScoutingCell:
    """The scouting cell of a request."""
    dlat = SCOUTING_CELL_M / M_PER_DEG_LAT
    i = math.floor(lat / dlat)
    center_lat = (i + 0.5) * dlat
    dlon = _lon_step(center_lat, SCOUTING_CELL_M)
    j = math.floor(lon / dlon)
    day = target_time.astimezone(UTC).date()
    return ScoutingCell(i, j, center_lat, (j + 0.5) * dlon, radius_bucket(radius_m), day)
