"""Stand placement from wind and thermals, with the scent-cone check."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from deerstream.engine.solar import SolarDay
from deerstream.engine.units import mph_to_ms
from deerstream.engine.weather import SUSTAINED_WIND_MS
from deerstream.models.geo import (
    angle_diff_deg,
    degrees,
    equator_facing_deg,
    local_offset,
    local_xy,
    published_deg,
    radians,
    round_places,
    whole_text,
)
from deerstream.models.records import Stand, Zone
from deerstream.models.slot_init import slot_init

#: 10 mph (4.4704 m/s), the rule's "4.5 m/s": the one value for every 10 mph rule —
#: crosswind stands above it, thermals at or below it, the 30° cone up to it, and the
#: leeward bedding preference above it (maps.py).
WIND_10_MPH_MS: Final = mph_to_ms(10.0)
#: 15 mph (6.7056 m/s), the rule's "6.7 m/s": the 22° cone up to it. The same constant as
#: weather.py's sustained-wind threshold (defined there once, imported here).
WIND_15_MPH_MS: Final = SUSTAINED_WIND_MS
#: the rule's 2.2 m/s cone bound (quoted in m/s, used only by the cone).
SCENT_LIGHT_WIND_MS: Final = 2.2
#: the rule's 1 m/s cone bound.
SCENT_CALM_WIND_MS: Final = 1.0
#: Above this wind speed prefer crosswind stands; at or below it thermals can dominate.
STRONG_WIND_MS: Final = WIND_10_MPH_MS
#: Stand distance from the deer movement point: default first, then the allowed range.
STAND_DISTANCES_M: Final = (80.0, 60.0, 100.0, 120.0)
#: Scent reach: min(450, 80 + 45 × wind m/s) metres.
SCENT_BASE_M: Final = 80.0
SCENT_PER_MS_M: Final = 45.0
SCENT_MAX_M: Final = 450.0
#: Cone half-width narrows with wind: (upper wind bound m/s, half-width degrees).
SCENT_HALF_WIDTHS = (
    (SCENT_CALM_WIND_MS, 55.0),
    (SCENT_LIGHT_WIND_MS, 40.0),
    (WIND_10_MPH_MS, 30.0),
    (WIND_15_MPH_MS, 22.0),
)
SCENT_HALF_WIDTH_STRONG: Final = 18.0
#: A bedding zone is a ~90 m cell: a stand this close is inside it whatever the wind.
ZONE_RADIUS_M: Final = 45.0
#: Thermal timing: morning upslope from 30 min after sunrise, strongest
#: 1–2.5 h after; evening downslope strongest in the last hour of light.
MORNING_THERMAL: Final = (
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2.5),
    timedelta(hours=4),
)
EVENING_THERMAL: Final = (
    timedelta(hours=2.5),
    timedelta(minutes=30),
    timedelta(minutes=-30),
    timedelta(minutes=-90),
)
THERMAL_FULL_SLOPE_DEG: Final = 30.0
#: Sun exposure by aspect: equator-facing 1.0, east/west 0.7, pole-facing 0.4
#: (0.7 + 0.3·cos(aspect − equator-facing bearing)): south 1.0 / north 0.4 in the north,
#: mirrored south of the equator (docs/how-prediction-works.md).
EXPOSURE_MID: Final = 0.7
EXPOSURE_SWING: Final = 0.3
#: Canopy is not in the data; thermals are not damped for it (see docs).
CANOPY_FACTOR: Final = 1.0
#: Alternate stands: wind sectors of 45° that blow at least this many of the next 24 h.
ALT_SECTOR_DEG: Final = 45.0
ALT_MIN_HOURS: Final = 3
ALT_MAX: Final = 2
ALT_HOURS: Final = 24


@dataclass(frozen=True, slots=True)
class Thermal:
    """Thermal air flow at the stand site: strength 0..1, bearing it comes *from*."""

    strength: float
    from_deg: float
    kind: str  # "upslope" or "downslope"


@dataclass(frozen=True, slots=True)
class StandPlan:
    """Stands chosen and the reasons candidates were rejected."""

    stands: tuple[Stand, ...]
    rejections: tuple[str, ...]
    effective_wind_from: float | None
    thermal: Thermal | None


def scent_reach_m(wind_ms: float) -> float:
    """How far scent carries: min(450, 80 + 45 × wind) metres."""
    return min(SCENT_MAX_M, SCENT_BASE_M + SCENT_PER_MS_M * max(0.0, wind_ms))


def scent_half_width_deg(wind_ms: float) -> float:
    """Cone half-width: 55°, 40°, 30°, 22°, 18° for wind up to 1, 2.2, 10 mph (4.4704), 15 mph
    (6.7056) m/s and above."""
    for upper, width in SCENT_HALF_WIDTHS:
        if wind_ms <= upper:
            return width
    return SCENT_HALF_WIDTH_STRONG


def cone_covers(
    stand_lat: float,
    stand_lon: float,
    wind_from: float,
    wind_ms: float,
    lat: float,
    lon: float,
) -> bool:
    """True when a point lies in the stand's scent cone (or inside the stand's own cell).

    Uses the local plane of ``local_xy`` (longitude difference wrapped, so it holds across
    the antimeridian): exact to well under a metre within the 450 m reach.
    """
    east, north = local_xy(lat, lon, stand_lat, stand_lon)
    d = math.hypot(east, north)
    if d <= ZONE_RADIUS_M:
        return True
    if d > scent_reach_m(wind_ms):
        return False
    bearing = degrees(math.atan2(east, north)) % 360.0
    return angle_diff_deg(bearing, wind_from + 180.0) <= scent_half_width_deg(wind_ms)


def _ramp(t: float, t0: float, t1: float) -> float:
    """0 at t0, 1 at t1 (either direction), clamped."""
    if t1 == t0:
        return 1.0
    return max(0.0, min(1.0, (t - t0) / (t1 - t0)))


def sun_exposure(aspect_deg: float, lat: float) -> float:
    """Sun exposure of a slope: 1.0 equator-facing, 0.7 east/west, 0.4 pole-facing."""
    return EXPOSURE_MID + EXPOSURE_SWING * math.cos(radians(aspect_deg - equator_facing_deg(lat)))


def thermal_at(
    when: datetime,
    day: SolarDay,
    slope_deg: float | None,
    aspect_deg: float | None,
    *,
    lat: float,
) -> Thermal | None:
    """Dawn/dusk thermal at a site, or None when there is none (flat, midday, night).

    ``lat`` picks the hemisphere: equator-facing slopes get the most sun.
    """
    if slope_deg is None or aspect_deg is None or day.sunrise is None or day.sunset is None:
        return None
    return thermal_at_ts(
        when.timestamp(),
        day.sunrise.timestamp(),
        day.sunset.timestamp(),
        site_thermal(slope_deg, aspect_deg, lat),
        aspect_deg,
    )


def site_thermal(slope_deg: float, aspect_deg: float, lat: float) -> float:
    """How strongly a site can drive thermals (0..1): slope × sun exposure × canopy."""
    return (
        min(slope_deg / THERMAL_FULL_SLOPE_DEG, 1.0) * CANOPY_FACTOR * sun_exposure(aspect_deg, lat)
    )


_MORNING_S: Final = tuple(x.total_seconds() for x in MORNING_THERMAL)
_EVENING_S: Final = tuple(x.total_seconds() for x in EVENING_THERMAL)


def thermal_timing(ts: float, sunrise_ts: float, sunset_ts: float) -> tuple[float, bool]:
    """How far into its thermal the hour is (0..1) and whether it is the morning upslope
    one (True) or the evening downslope one; (0, True) outside both."""
    after_rise = ts - sunrise_ts
    start, full, fade, end = _MORNING_S
    if start <= after_rise <= end:
        timing = (
            _ramp(after_rise, start, full) if after_rise < full else _ramp(after_rise, end, fade)
        )
        return timing, True
    before_set = sunset_ts - ts
    start, full, fade, end = _EVENING_S
    if end <= before_set <= start:
        timing = (
            _ramp(before_set, start, full) if before_set > full else _ramp(before_set, end, fade)
        )
        return timing, False
    return 0.0, True


def thermal_at_ts(
    ts: float, sunrise_ts: float, sunset_ts: float, site: float, aspect_deg: float
) -> Thermal | None:
    """``thermal_at`` in POSIX seconds for a site of strength ``site`` (``site_thermal``)."""
    timing, upslope = thermal_timing(ts, sunrise_ts, sunset_ts)
    if timing <= 0:
        return None
    if upslope:
        # Warming air climbs the slope, so it arrives from downhill (the aspect).
        return Thermal(site * timing, aspect_deg % 360.0, "upslope")
    # Cooling air sinks down the slope, so it arrives from uphill.
    return Thermal(site * timing, (aspect_deg + 180.0) % 360.0, "downslope")


def blend_bearings(wind_from: float, wind_weight: float, thermal: Thermal) -> float:
    """Vector blend of the wind and thermal 'from' bearings by their strengths."""
    x = wind_weight * math.sin(radians(wind_from)) + thermal.strength * math.sin(
        radians(thermal.from_deg)
    )
    y = wind_weight * math.cos(radians(wind_from)) + thermal.strength * math.cos(
        radians(thermal.from_deg)
    )
    if x == 0.0 and y == 0.0:
        return wind_from % 360.0
    return degrees(math.atan2(x, y)) % 360.0


def _candidate_bearings(
    eff_from: float, wind_ms: float, morning: bool, aspect_deg: float | None, lat: float
) -> tuple[tuple[float, str], ...]:
    """Candidate stand bearings, best first. Where nothing prefers a side, the crosswind
    stand clockwise of the wind comes first north of the equator and the counter-clockwise
    one south of it, so a layout mirrored north↔south gets the mirrored stand."""
    downwind = (eff_from + 180.0) % 360.0
    left, right = (eff_from - 90.0) % 360.0, (eff_from + 90.0) % 360.0
    if lat < 0.0:
        left, right = right, left
    if wind_ms > STRONG_WIND_MS:
        if aspect_deg is None:
            first, second = right, left
        else:
            # Deer approach from uphill in the morning and from downhill in the evening.
            approach = (aspect_deg + 180.0) % 360.0 if morning else aspect_deg % 360.0
            if angle_diff_deg(left, approach) < angle_diff_deg(right, approach):
                first, second = left, right
            else:
                first, second = right, left
        return ((first, "crosswind"), (second, "crosswind, other side"), (downwind, "downwind"))
    return (
        (downwind, "downwind"),
        (right, "crosswind"),
        (left, "crosswind, other side"),
    )


def _offset(lat: float, lon: float, bearing: float, dist: float) -> tuple[float, float]:
    """The point ``dist`` m along ``bearing`` on the local plane, rounded as published
    (1e-6° ≈ 0.1 m); within 120 m the plane differs from the sphere by millimetres.
    The longitude is normalised into −180..180."""
    b = radians(bearing)
    s_lat, s_lon = local_offset(lat, lon, dist * math.sin(b), dist * math.cos(b))
    return round_places(s_lat, 6), round_places(s_lon, 6)


def _place_one(
    lat: float,
    lon: float,
    eff_from: float,
    wind_ms: float,
    candidates: Sequence[tuple[float, str]],
    bedding: Sequence[Zone],
    primary: bool,
    why: str,
    rejections: list[str],
    stand_id: str,
) -> Stand | None:
    # Check the cone exactly as published (rounded position and wind), so what a consumer
    # recomputes from the prediction agrees with the check made here.
    wind_pub = published_deg(eff_from)
    for bearing, label in candidates:
        for dist in STAND_DISTANCES_M:
            s_lat, s_lon = _offset(lat, lon, bearing, dist)
            hit = next(
                (z for z in bedding if cone_covers(s_lat, s_lon, wind_pub, wind_ms, z.lat, z.lon)),
                None,
            )
            if hit is None:
                return Stand(
                    s_lat,
                    s_lon,
                    published_deg(bearing),
                    dist,
                    wind_pub,
                    f"{label} of the movement point, {why}",
                    primary,
                    stand_id,
                )
            rejections.append(
                f"{label} stand at {whole_text(dist)} m bearing {whole_text(bearing)}° rejected:"
                f" its scent cone covers the bedding zone at {hit.lat:.5f},{hit.lon:.5f}"
            )
    return None


def _sector_winds(winds: Sequence[tuple[float, float]]) -> list[tuple[int, float, float]]:
    """(hours, mean from-bearing, mean speed) per 45° sector, most frequent first."""
    sectors: dict[int, list[tuple[float, float]]] = {}
    for speed, direction in winds:
        k = int(((direction % 360.0) + ALT_SECTOR_DEG / 2.0) // ALT_SECTOR_DEG) % 8
        sectors.setdefault(k, []).append((speed, direction))
    out: list[tuple[int, int, float, float]] = []
    for k, items in sectors.items():
        # sum() over lists, not generators: the same sums, built faster.
        rads = [radians(d) for _, d in items]
        x = sum([math.sin(r) for r in rads])
        y = sum([math.cos(r) for r in rads])
        mean_dir = degrees(math.atan2(x, y)) % 360.0
        out.append((len(items), -k, mean_dir, sum([s for s, _ in items]) / len(items)))
    out.sort(reverse=True)
    return [(n, d, s) for n, _, d, s in out]


def place_stands(
    *,
    lat: float,
    lon: float,
    when: datetime,
    day: SolarDay,
    solar_hour: float,
    wind_ms: float | None,
    wind_from: float | None,
    slope_deg: float | None,
    aspect_deg: float | None,
    bedding: Sequence[Zone],
    next_winds: Sequence[tuple[float, float]],
) -> StandPlan:
    """Primary stand for the target-hour wind and alternates for the other likely winds."""
    if wind_ms is None or wind_from is None:
        return StandPlan((), ("no wind data at the target hour: no stand placed",), None, None)
    rejections: list[str] = []
    morning = solar_hour < 12.0
    thermal = None
    eff_from = wind_from % 360.0
    why = f"wind from {whole_text(eff_from)}° at {wind_ms:.1f} m/s"
    if wind_ms <= STRONG_WIND_MS:
        thermal = thermal_at(when, day, slope_deg, aspect_deg, lat=lat)
        if thermal is not None and thermal.strength > 0.0:
            eff_from = blend_bearings(eff_from, wind_ms / STRONG_WIND_MS, thermal)
            why += f", blended with a {thermal.kind} thermal (strength {thermal.strength:.2f})"
    candidates = _candidate_bearings(eff_from, wind_ms, morning, aspect_deg, lat)
    stands: list[Stand] = []
    primary = _place_one(
        lat, lon, eff_from, wind_ms, candidates, bedding, True, why, rejections, "P1"
    )
    if primary is not None:
        stands.append(primary)
    primary_sector = int(((wind_from % 360.0) + ALT_SECTOR_DEG / 2.0) // ALT_SECTOR_DEG) % 8
    for hours, direction, speed in _sector_winds(next_winds):
        if len(stands) - (1 if primary else 0) >= ALT_MAX or hours < ALT_MIN_HOURS:
            break
        sector = int((direction + ALT_SECTOR_DEG / 2.0) // ALT_SECTOR_DEG) % 8
        if sector == primary_sector:
            continue
        alt_candidates = _candidate_bearings(direction, speed, morning, aspect_deg, lat)
        alt_why = f"alternate for wind from {whole_text(direction)}° ({hours} h of the next 24 h)"
        alt = _place_one(
            lat,
            lon,
            direction,
            speed,
            alt_candidates,
            bedding,
            False,
            alt_why,
            rejections,
            f"P{len(stands) + 1}",
        )
        if alt is not None:
            stands.append(alt)
    return StandPlan(tuple(stands), tuple(rejections), eff_from, thermal)


# Built for every prediction: stored through the slots' descriptors, not object.__setattr__
# (``deerstream.models.slot_init``: the same signature, half the cost).
slot_init(Thermal)
slot_init(StandPlan)
