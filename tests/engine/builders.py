"""Builders for engine inputs: grids, weather series, observations, requests."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from deerstream.models.records import (
    Enrichment,
    ObservationType,
    PredictionRequest,
    RutPhase,
    ScoutingObservation,
    SourceQuality,
    SourceStatus,
    TerrainGrid,
    WeatherSeries,
)

SPACING_M = 90.0
M_PER_DEG = 6_371_008.8 * math.pi / 180.0
FRESH = SourceQuality(SourceStatus.FRESH, 0.0)
MISSING = SourceQuality(SourceStatus.MISSING, None, "upstream timeout")


def grid_from(
    lat: float,
    lon: float,
    height: Callable[[float, float], float | None],
    size: int = 7,
) -> TerrainGrid:
    """A size×size grid at 90 m spacing; ``height(east_m, north_m)`` gives each elevation."""
    dlat = SPACING_M / M_PER_DEG
    dlon = SPACING_M / (M_PER_DEG * math.cos(math.radians(lat)))
    half = size // 2
    elev = tuple(
        height((c - half) * SPACING_M, (half - r) * SPACING_M)
        for r in range(size)
        for c in range(size)
    )
    return TerrainGrid(lat, lon, size, size, dlat, dlon, elev)


def flat_grid(lat: float, lon: float, size: int = 7, z: float = 300.0) -> TerrainGrid:
    return grid_from(lat, lon, lambda e, n: z, size)


def plane_grid(
    lat: float, lon: float, slope_deg: float, aspect_deg: float, size: int = 7
) -> TerrainGrid:
    """A tilted plane whose downhill direction is ``aspect_deg``."""
    g = math.tan(math.radians(slope_deg))
    a = math.radians(aspect_deg)
    return grid_from(lat, lon, lambda e, n: 500.0 - g * (e * math.sin(a) + n * math.cos(a)), size)


def series(
    target: datetime,
    *,
    before_h: int = 24,
    after_h: int = 48,
    temp: Callable[[int], float | None] = lambda h: 5.0,
    pressure: Callable[[int], float | None] = lambda h: 1015.0,
    wind: Callable[[int], float | None] = lambda h: 2.0,
    wind_dir: Callable[[int], float | None] = lambda h: 270.0,
    precip: Callable[[int], float | None] = lambda h: 0.0,
    lat: float = 44.0,
    lon: float = -72.0,
) -> WeatherSeries:
    """An hourly series; each callable gets hours relative to the target hour."""
    t0 = target.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hours = range(-before_h, after_h + 1)
    return WeatherSeries(
        lat=lat,
        lon=lon,
        times=tuple(t0 + timedelta(hours=h) for h in hours),
        temperature_c=tuple(temp(h) for h in hours),
        pressure_msl_hpa=tuple(pressure(h) for h in hours),
        wind_speed_ms=tuple(wind(h) for h in hours),
        wind_direction_deg=tuple(wind_dir(h) for h in hours),
        wind_gusts_ms=tuple(None for _ in hours),
        precipitation_mm=tuple(precip(h) for h in hours),
        snow_depth_m=tuple(None for _ in hours),
    )


def obs(
    oid: str,
    kind: ObservationType,
    lat: float,
    lon: float,
    at: datetime,
    *,
    confidence: float = 8.0,
    hunter_id: str | None = None,
    rub_trunk_diameter_cm: float | None = None,
    rub_height_cm: float | None = None,
    scrape_large: bool | None = None,
    licking_branch: bool | None = None,
    mature_buck_seen: bool | None = None,
) -> ScoutingObservation:
    return ScoutingObservation(
        oid,
        kind,
        lat,
        lon,
        at,
        confidence,
        hunter_id,
        rub_trunk_diameter_cm,
        rub_height_cm,
        scrape_large,
        licking_branch,
        mature_buck_seen,
    )


def offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    return lat + north_m / M_PER_DEG, lon + east_m / (M_PER_DEG * math.cos(math.radians(lat)))


def request(
    lat: float = 44.0,
    lon: float = -72.0,
    target: datetime = datetime(2025, 11, 15, 11, 45, tzinfo=UTC),
    *,
    season: RutPhase | None = None,
    hunter_id: str | None = None,
    radius_m: float = 800.0,
) -> PredictionRequest:
    return PredictionRequest("req-1", lat, lon, target, radius_m, season, hunter_id)


def enrichment(
    terrain: TerrainGrid | None,
    weather: WeatherSeries | None,
    scouting: tuple[ScoutingObservation, ...] | None,
) -> Enrichment:
    return Enrichment(
        terrain,
        weather,
        scouting,
        FRESH if terrain is not None else MISSING,
        FRESH if weather is not None else MISSING,
        FRESH if scouting is not None else MISSING,
    )
