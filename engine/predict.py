"""The prediction: request + enrichment + "now" → ``Prediction`` (pure, deterministic).

The score is a sum of explained parts, each listed as a factor:
time of day (7 points at "high", modified by weather), rut phase (up to 1.5), scouting
evidence (up to 1.0) and terrain (up to 0.5), clamped to 0–10.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from deerstream.engine.activity import (
    LEVEL_VALUES,
    Modifier,
    apply_weather,
    base_activity,
    classify_period,
)
from deerstream.engine.confidence import compute_confidence
from deerstream.engine.explain import (
    ACTIVITY_POINTS,
    modifier_factors,
    source_factors,
    terrain_part,
    weather_factors,
)
from deerstream.engine.maps import Maps, compute_maps, distances_from, pick_zones, project
from deerstream.engine.scouting import Evidence, select_evidence
from deerstream.engine.season import derive_rut_phase
from deerstream.engine.solar import SolarDay, local_solar_date, solar_day_for
from deerstream.engine.stand_ratings import rate_stands
from deerstream.engine.stands import ALT_HOURS, StandPlan, place_stands
from deerstream.engine.terrain import SiteLookup, compute_terrain_features
from deerstream.engine.weather import HourlyWeather, WeatherAt, hourly_weather
from deerstream.engine.windows import HourScore, explain_windows, merge_windows, scan_hours
from deerstream.errors import ContractError
from deerstream.models.geo import published_deg, round_places
from deerstream.models.ids import prediction_id_for
from deerstream.models.records import (
    Enrichment,
    Factor,
    HourForecast,
    HourlyForecast,
    HuntWindow,
    Prediction,
    PredictionRequest,
    RutPhase,
    SourceQuality,
    SourceStatus,
    StandRating,
    TerrainGrid,
    Zone,
)

MODEL_VERSION: Final = "deer-2.1.0"
RUT_POINTS: Final = {
    RutPhase.PEAK_RUT: 1.5,
    RutPhase.SEEKING: 1.2,
    RutPhase.PRE_RUT: 0.8,
    RutPhase.POST_RUT: 0.6,
    RutPhase.LATE_SEASON: 0.4,
    RutPhase.EARLY_SEASON: 0.2,
    RutPhase.OFF_SEASON: 0.0,
}
#: Scouting: up to this many points; this much summed evidence weight earns them all.
SCOUTING_MAX_POINTS: Final = 1.0
SCOUTING_FULL_WEIGHT: Final = 40.0
#: Observations at the edge of the request radius count half as much as at its centre.
SCOUTING_EDGE_FACTOR: Final = 0.5


def usable_grid(grid: TerrainGrid | None) -> bool:
    """A grid the engine can read: shape matches the data, positive spacing."""
    return (
        grid is not None
        and grid.rows >= 1
        and grid.cols >= 1
        and len(grid.elevations_m) == grid.rows * grid.cols
        and grid.spacing_lat_deg > 0.0
        and grid.spacing_lon_deg > 0.0
    )


def _quality(enrichment: Enrichment) -> dict[str, SourceQuality]:
    """Per-source quality; a source without usable data is reported missing whatever it
    claimed."""
    if enrichment.terrain is not None and not usable_grid(enrichment.terrain):
        terrain = (False, SourceQuality(SourceStatus.MISSING, None, "malformed elevation grid"))
    else:
        terrain = (enrichment.terrain is not None, enrichment.terrain_quality)
    given = {
        "terrain": terrain,
        "weather": (enrichment.weather is not None, enrichment.weather_quality),
        "scouting": (enrichment.scouting is not None, enrichment.scouting_quality),
    }
    out: dict[str, SourceQuality] = {}
    for name, (present, q) in given.items():
        if not present and q.status is not SourceStatus.MISSING:
            q = SourceQuality(SourceStatus.MISSING, None, q.reason or "no data")
        out[name] = q
    return out


def _weather_coverage(wx: WeatherAt | None) -> float:
    if wx is None:
        return 0.0
    needed = (
        wx.temperature_c,
        wx.pressure_hpa,
        wx.trend_6h_hpa,
        wx.wind_speed_ms,
        wx.wind_from_deg,
        wx.precipitation_mm,
    )
    return sum(v is not None for v in needed) / len(needed)


def _scouting_points(evidence: Sequence[Evidence], radius: float) -> float:
    total = 0.0
    for ev in evidence:
        proximity = 1.0 - (1.0 - SCOUTING_EDGE_FACTOR) * min(1.0, ev.distance_m / radius)
        # Full-strength weight at the observation itself, scaled by closeness to the spot.
        total += ev.weight_at_distance(0.0) * proximity
    return SCOUTING_MAX_POINTS * min(1.0, total / SCOUTING_FULL_WEIGHT)


def predict(
    request: PredictionRequest,
    enrichment: Enrichment,
    now: datetime,
    *,
    model_version: str = MODEL_VERSION,
    scouting_shared: bool = False,
) -> Prediction:
    """Score one request. Pure: same arguments, same (byte-identical) prediction.

    Raises ContractError(``naive_datetime``) for a target time without a UTC offset
    (the codec refuses those first; guessing a zone is one of the original's bugs).
    """
    if request.target_time.utcoffset() is None:
        raise ContractError("naive_datetime", "target_time has no UTC offset", "$.target_time")
    lat, lon = request.lat, request.lon
    target = request.target_time.astimezone(UTC)
    day = solar_day_for(target, lat, lon)
    solar_hour = (12.0 + (target - day.solar_noon).total_seconds() / 3600.0) % 24.0
    season = derive_rut_phase(
        local_solar_date(target, lon), lat, request.season, lon=lon, rut_peak=request.rut_peak
    )
    notes = list(season.notes)
    if day.polar is not None:
        notes.append(f"polar {day.polar}: no sunrise or sunset on this date")
    quality = _quality(enrichment)

    hourly = hourly_weather(enrichment.weather) if enrichment.weather is not None else None
    wx = hourly.facts_at(target) if hourly is not None else None
    period = classify_period(target, day)
    base = base_activity(period, season.phase, solar_hour)
    level, mods = apply_weather(base, period, wx)

    grid = enrichment.terrain if usable_grid(enrichment.terrain) else None
    features = compute_terrain_features(grid) if grid is not None else None
    evidence: tuple[Evidence, ...] = ()
    if enrichment.scouting is not None:
        evidence = select_evidence(
            enrichment.scouting,
            lat=lat,
            lon=lon,
            radius_m=request.radius_m,
            at=target,
            hunter_id=request.hunter_id,
            shared=scouting_shared,
        )
    maps: Maps | None = None
    bedding: tuple[Zone, ...] = ()
    feeding: tuple[Zone, ...] = ()
    travel: tuple[Zone, ...] = ()
    if features is not None:
        maps = compute_maps(
            features,
            evidence,
            wind_ms=wx.wind_speed_ms if wx else None,
            wind_from=wx.wind_from_deg if wx else None,
            temp_c=wx.temperature_c if wx else None,
            evening=solar_hour >= 12.0,
        )
        mid = features.at(features.rows // 2, features.cols // 2)
        centre = project(lat, lon, mid.lat, mid.lon)
        radius = request.radius_m
        dist = distances_from(maps, centre)
        bedding = pick_zones(maps, maps.bedding, center_xy=centre, radius_m=radius, distances=dist)
        feeding = pick_zones(maps, maps.feeding, center_xy=centre, radius_m=radius, distances=dist)
        travel = pick_zones(maps, maps.travel, center_xy=centre, radius_m=radius, distances=dist)

    # Slope and aspect at a point, for the proposed stands and the hunter's own.
    sites = SiteLookup(features, grid)
    plan = _plan_stands(target, day, solar_hour, wx, hourly, sites, travel, bedding, request)
    options = request.options
    # The answer to a version-1 request has the version-1 shape: no hourly forecast.
    wants_hourly = options.hourly and request.schema_version >= 2
    windows: tuple[HuntWindow, ...] = ()
    hourly_out: Sequence[HourForecast] = ()
    ratings: tuple[StandRating, ...] = ()
    if options.hunt_windows or wants_hourly:
        hours = scan_hours(
            start=target,
            lat=lat,
            lon=lon,
            phase=season.phase,
            weather=hourly,
            stands=plan.stands,
            known_day=day,
            hours=request.horizon_h,
        )
        if request.stands and options.stands:
            ratings, best = rate_stands(
                request.stands,
                hours,
                bedding=bedding,
                travel=travel,
                lat=lat,
                sites=sites,
            )
        else:
            # The proposed stand whose wind suits each hour best (found by the scan itself).
            best = [plan.stands[h.aligned].id if h.aligned >= 0 else None for h in hours]
        if options.hunt_windows:
            windows = explain_windows(merge_windows(hours), hours, best, ratings)
        if wants_hourly:
            hourly_out = _hourly_forecast(hours, best)
        else:
            ratings = ()

    factors: list[Factor] = [
        Factor(
            "time_of_day",
            f"{period.value}: {base.value} activity",
            round_places(ACTIVITY_POINTS * LEVEL_VALUES[base], 2),
        )
    ]
    factors.extend(modifier_factors(mods))
    rut_points = RUT_POINTS[season.phase]
    factors.append(Factor("rut_phase", season.phase.value, rut_points))
    scout_points = _scouting_points(evidence, request.radius_m)
    if enrichment.scouting is not None:
        mature = sum(1 for e in evidence if e.mature)
        detail = f"{len(evidence)} observations count, {mature} mature-buck sign"
        if maps is not None and maps.mature_bonus:
            detail += "; mature-buck bonus on every map"
        factors.append(Factor("scouting", detail, round_places(scout_points, 2)))
    terrain_points, terrain_factor = terrain_part(travel)
    if terrain_factor is not None:
        factors.append(terrain_factor)
    if wx is not None:
        factors.extend(weather_factors(wx))
    elif hourly is not None:
        factors.append(Factor("weather_data", "the series does not cover the target hour", 0.0))
    factors.extend(source_factors(quality))
    factors.extend(Factor("stand_rejected", r, 0.0) for r in plan.rejections)

    score = ACTIVITY_POINTS * LEVEL_VALUES[level] + rut_points + scout_points + terrain_points
    coverage = {
        "terrain": _terrain_coverage(grid),
        "weather": _weather_coverage(wx),
        "scouting": 1.0 if enrichment.scouting is not None else 0.0,
    }
    # Signals disagree when one modifier pushes the level up and another pushes it down.
    disagree = any(_direction(m) > 0 for m in mods) and any(_direction(m) < 0 for m in mods)
    return Prediction(
        prediction_id=prediction_id_for(request, model_version),
        request_id=request.request_id,
        model_version=model_version,
        lat=lat,
        lon=lon,
        target_time=target,
        rut_phase=season.phase,
        movement_score=round_places(max(0.0, min(10.0, score)), 2),
        activity_level=level,
        confidence=compute_confidence(quality, coverage, weather_disagrees=disagree),
        bedding_zones=bedding if options.zones else (),
        feeding_zones=feeding if options.zones else (),
        travel_zones=travel if options.zones else (),
        stands=plan.stands if options.stands else (),
        hunt_windows=windows,
        factors=tuple(factors),
        data_quality=quality,
        sun=day.to_sun_times(),
        produced_at=now,
        hunter_id=request.hunter_id,
        notes=tuple(notes),
        timings_ms={},
        replay=False,
        schema_version=request.schema_version,
        hourly=hourly_out,
        stand_ratings=ratings,
    )


def _hourly_forecast(hours: Sequence[HourScore], best: Sequence[str | None]) -> HourlyForecast:
    """The hourly entries of the scan, as columns (no record per hour; see
    ``HourlyForecast``)."""
    wind_from: list[float | None] = []
    wind_ms: list[float | None] = []
    for h in hours:
        wind_from.append(None if h.wind_from is None else published_deg(h.wind_from))
        wind_ms.append(None if h.wind_ms is None else round_places(h.wind_ms, 2))
    return HourlyForecast(
        [h.start_ts for h in hours],
        [h.end_ts for h in hours],
        [round_places(h.score, 2) for h in hours],
        [h.level for h in hours],
        wind_from,
        wind_ms,
        [h.legal for h in hours],
        [h.triggers for h in hours],
        best,
    )


def _direction(m: Modifier) -> int:
    """+1 for a modifier that raises activity, −1 for one that lowers it (by its kind, so a
    modifier at the level's bound still counts)."""
    return 1 if m.name == "cold_front" else -1


def _terrain_coverage(grid: TerrainGrid | None) -> float:
    if grid is None or not grid.elevations_m:
        return 0.0
    return sum(v is not None for v in grid.elevations_m) / len(grid.elevations_m)


def _plan_stands(
    target: datetime,
    day: SolarDay,
    solar_hour: float,
    wx: WeatherAt | None,
    hourly: HourlyWeather | None,
    sites: SiteLookup,
    travel: Sequence[Zone],
    bedding: Sequence[Zone],
    request: PredictionRequest,
) -> StandPlan:
    """Stands around the deer movement point: the best travel zone, else the request point."""
    lat, lon = (travel[0].lat, travel[0].lon) if travel else (request.lat, request.lon)
    site = sites.at(lat, lon)
    slope, aspect = site if site is not None else (None, None)
    return place_stands(
        lat=lat,
        lon=lon,
        when=target,
        day=day,
        solar_hour=solar_hour,
        wind_ms=wx.wind_speed_ms if wx else None,
        wind_from=wx.wind_from_deg if wx else None,
        slope_deg=slope,
        aspect_deg=aspect,
        bedding=bedding,
        next_winds=hourly.winds_between(target, ALT_HOURS) if hourly else (),
    )
