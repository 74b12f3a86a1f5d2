"""The hunter's own stands, rated hour by hour for the wind (pure, deterministic).

For each stand and each legal-light hour of the forecast: does the scent cone (the same
cone as stand placement: reach and half-width by wind speed) from the stand, with that
hour's wind blended with the thermal at the stand's slope, cover a predicted bedding zone
or a travel zone? A stand whose scent reaches bedded deer is bad (rating ≤ 1); one whose
scent crosses the travel zone deer use is poor (≤ 3); otherwise the rating is how close it
sits to the best travel zone (10 within 100 m, falling to 2 at 1 km). Each hour names its
best stand (the highest rating, at least ``SIT_RATING``; ties go to the earlier stand), and
``good_winds`` lists the 16 compass sectors whose wind keeps the stand's scent off every
zone, at the forecast's typical wind speed (the thermal varies by hour; the sectors are
for the wind alone).

The geometry of each stand to each zone is computed once per stand; the hour loop is
arithmetic only, so 20 stands over a 72-hour horizon stay cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from statistics import median
from typing import NamedTuple

from engine.stands import (
    STRONG_WIND_MS,
    WIND_10_MPH_MS,
    ZONE_RADIUS_M,
    blend_bearings,
    scent_half_width_deg,
    scent_reach_m,
    site_thermal,
    thermal_at_ts,
)
from engine.windows import HourScore
from models.geo import COMPASS_16, COMPASS_SECTOR_DEG, compass_point, distance_m, local_xy
from models.records import HunterStand, StandRating, Zone

#: Rating by distance to the best travel zone: full within NEAR, falling to FAR_RATING at FAR.
NEAR_TRAVEL_M = 100.0
FAR_TRAVEL_M = 1000.0
FULL_RATING = 10.0
FAR_RATING = 2.0
#: Caps for an hour whose scent reaches the bedding zone / crosses the travel zone.
BEDDING_HIT_RATING = 1.0
TRAVEL_HIT_RATING = 3.0
#: An hour names a stand only when its best rating is at least this.
SIT_RATING = 4.0
#: Ratings without zones (no terrain) cannot judge scent: no rating, this reason.
NO_ZONES = "no bedding or travel zones (terrain missing): scent cannot be judged"
NO_WIND = "no wind data for this hour"
#: A ``site_at`` callback: (lat, lon) → (slope°, aspect°) of the grid cell there, or None.
SiteAt = Callable[[float, float], tuple[float, float] | None]


class _Target(NamedTuple):
    """One zone seen from a stand: bearing from the stand, distance, how to name it."""

    bearing: float
    distance: float
    label: str  # "the bedding zone 120 m NE"
    bedding: bool


def travel_rating(distance: float | None) -> float:
    """10 within 100 m of the best travel zone, linearly down to 2 at 1 km and beyond."""
    if distance is None:
        return FULL_RATING / 2.0
    if distance <= NEAR_TRAVEL_M:
        return FULL_RATING
    frac = min(1.0, (distance - NEAR_TRAVEL_M) / (FAR_TRAVEL_M - NEAR_TRAVEL_M))
    return FULL_RATING - (FULL_RATING - FAR_RATING) * frac


def _targets(stand: HunterStand, zones: Sequence[Zone], bedding: bool) -> list[_Target]:
    kind = "bedding" if bedding else "travel"
    out = []
    for z in zones:
        east, north = local_xy(z.lat, z.lon, stand.lat, stand.lon)
        d = math.hypot(east, north)
        b = math.degrees(math.atan2(east, north)) % 360.0
        out.append(_Target(b, d, f"the {kind} zone {d:.0f} m {compass_point(b)}", bedding))
    return out


def _hit(targets: Sequence[_Target], from_deg: float, wind_ms: float) -> _Target | None:
    """The first zone (bedding before travel) the scent cone covers, if any."""
    reach = scent_reach_m(wind_ms)
    half = scent_half_width_deg(wind_ms)
    downwind = from_deg + 180.0
    for t in targets:
        if t.distance <= ZONE_RADIUS_M:
            return t
        if t.distance <= reach and abs((t.bearing - downwind + 180.0) % 360.0 - 180.0) <= half:
            return t
    return None


def rate_stands(
    stands: Sequence[HunterStand],
    hours: Sequence[HourScore],
    *,
    bedding: Sequence[Zone],
    travel: Sequence[Zone],
    lat: float,
    site_at: SiteAt | None = None,
) -> tuple[tuple[StandRating, ...], list[str | None]]:
    """Each stand's rating per hour (aligned with ``hours``) and each hour's best stand id."""
    if not stands:
        return (), [None] * len(hours)
    winds = [h.wind_ms for h in hours if h.legal and h.wind_ms is not None]
    typical_ms = median(winds) if winds else WIND_10_MPH_MS
    zones_known = bool(bedding or travel)
    ratings: list[StandRating] = []
    columns: list[list[float | None]] = []
    for stand in stands:
        targets = _targets(stand, bedding, True) + _targets(stand, travel, False)
        to_travel = (
            distance_m(stand.lat, stand.lon, travel[0].lat, travel[0].lon) if travel else None
        )
        base = round(travel_rating(to_travel), 1)
        clear = "scent clear of the bedding and travel zones" + (
            f"; {to_travel:.0f} m from the best travel zone" if to_travel is not None else ""
        )
        site = site_at(stand.lat, stand.lon) if site_at is not None else None
        strength = site_thermal(site[0], site[1], lat) if site is not None else 0.0
        row: list[float | None] = []
        reasons: list[str | None] = []
        for h in hours:
            if not h.legal:  # the hourly entry says so (legal_light false)
                row.append(None)
                reasons.append(None)
                continue
            if h.wind_from is None or h.wind_ms is None:
                row.append(None)
                reasons.append(NO_WIND)
                continue
            if not zones_known:
                row.append(None)
                reasons.append(NO_ZONES)
                continue
            from_deg = h.wind_from % 360.0
            if (
                site is not None
                and strength > 0.0
                and h.wind_ms <= STRONG_WIND_MS
                and h.rise_ts is not None
                and h.set_ts is not None
            ):
                mid = (h.start_ts + h.end_ts) / 2.0
                thermal = thermal_at_ts(mid, h.rise_ts, h.set_ts, strength, site[1])
                if thermal is not None and thermal.strength > 0.0:
                    from_deg = blend_bearings(from_deg, h.wind_ms / STRONG_WIND_MS, thermal)
            hit = _hit(targets, from_deg, h.wind_ms)
            if hit is None:
                row.append(base)
                reasons.append(clear)
            else:
                cap = BEDDING_HIT_RATING if hit.bedding else TRAVEL_HIT_RATING
                row.append(min(base, cap))
                reasons.append(f"wind from {from_deg:.0f}° carries scent over {hit.label}")
        good = tuple(
            name
            for i, name in enumerate(COMPASS_16)
            if zones_known and _hit(targets, i * COMPASS_SECTOR_DEG, typical_ms) is None
        )
        columns.append(row)
        ratings.append(
            StandRating(
                stand_id=stand.id,
                name=stand.name,
                lat=stand.lat,
                lon=stand.lon,
                travel_zone_m=None if to_travel is None else round(to_travel, 1),
                good_winds=good,
                ratings=tuple(row),
                reasons=tuple(reasons),
            )
        )
    best: list[str | None] = []
    for i in range(len(hours)):
        top_id, top = None, SIT_RATING
        for stand, row in zip(stands, columns, strict=True):
            r = row[i]
            if r is not None and r >= top and (top_id is None or r > top):
                top_id, top = stand.id, r
        best.append(top_id)
    return tuple(ratings), best
