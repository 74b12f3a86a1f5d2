"""The hunter's own stands, rated hour by hour for the wind (pure, deterministic).

For each stand and each legal-light hour of the forecast: does the scent cone (the same
cone as stand placement: reach and half-width by wind speed) from the stand, with that
hour's wind blended with the thermal at the stand's slope, cover a predicted bedding zone
or a travel zone? A stand whose scent reaches bedded deer is bad (rating ≤ 1); one whose
scent crosses the travel zone deer use is poor (≤ 3); otherwise the rating is how close it
sits to the best travel zone (10 within 100 m, falling to 2 at 1 km; 5 when the ground gave
bedding zones but no travel zone). Each hour names its
best stand (the highest rating, at least ``SIT_RATING``; ties go to the earlier stand), and
``good_winds`` lists the 16 compass sectors whose wind keeps the stand's scent off every
zone, at the forecast's typical wind speed (the thermal varies by hour; the sectors are
for the wind alone).

The geometry of each stand to each zone is computed once per stand; the hour loop is
arithmetic only, so 20 stands over a 72-hour horizon stay cheap.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from statistics import median
from typing import Final

from deerstream.engine.stands import (
    SCENT_MAX_M,
    STRONG_WIND_MS,
    WIND_10_MPH_MS,
    ZONE_RADIUS_M,
    scent_half_width_deg,
    scent_reach_m,
    site_thermal,
    thermal_timing,
)
from deerstream.engine.terrain import SiteLookup
from deerstream.engine.windows import HourScore
from deerstream.models.geo import (
    COMPASS_16,
    COMPASS_SECTOR_DEG,
    EARTH_RADIUS_M,
    M_PER_DEG,
    compass_point,
    degrees,
    radians,
    round_places,
    whole_text,
    wrap_deg,
)
from deerstream.models.records import HunterStand, StandRating, Zone

#: Rating by distance to the best travel zone: full within NEAR, falling to FAR_RATING at FAR.
NEAR_TRAVEL_M: Final = 100.0
FAR_TRAVEL_M: Final = 1000.0
FULL_RATING: Final = 10.0
FAR_RATING: Final = 2.0
#: Caps for an hour whose scent reaches the bedding zone / crosses the travel zone.
BEDDING_HIT_RATING: Final = 1.0
TRAVEL_HIT_RATING: Final = 3.0
#: An hour names a stand only when its best rating is at least this.
SIT_RATING: Final = 4.0
#: Ratings without zones (no terrain) cannot judge scent: no rating, this reason.
NO_ZONES: Final = "no bedding or travel zones (terrain missing): scent cannot be judged"
NO_WIND: Final = "no wind data for this hour"


class _Target:
    """One zone seen from a stand: bearing from the stand, distance, which kind.

    A plain class, not a NamedTuple: compiled, it is built and read without the
    interpreter (a NamedTuple's ``__new__`` is Python code), and stands × zones build it."""

    def __init__(self, bearing: float, distance: float, bedding: bool) -> None:
        self.bearing = bearing
        self.distance = distance
        self.bedding = bedding

    def label(self) -> str:
        """How a reason names it: "the bedding zone 120 m NE"."""
        kind = "bedding" if self.bedding else "travel"
        return f"the {kind} zone {whole_text(self.distance)} m {compass_point(self.bearing)}"


def travel_rating(distance: float | None) -> float:
    """10 within 100 m of the best travel zone, linearly down to 2 at 1 km and beyond."""
    if distance is None:
        return FULL_RATING / 2.0
    if distance <= NEAR_TRAVEL_M:
        return FULL_RATING
    frac = min(1.0, (distance - NEAR_TRAVEL_M) / (FAR_TRAVEL_M - NEAR_TRAVEL_M))
    return FULL_RATING - (FULL_RATING - FAR_RATING) * frac


def covers(t: _Target, from_deg: float, reach: float, half: float) -> bool:
    """The scent cone of a wind from ``from_deg`` (reach, half-width) covers the zone —
    the same test as ``deerstream.engine.stands.cone_covers`` on precomputed geometry."""
    if t.distance <= ZONE_RADIUS_M:
        return True
    return t.distance <= reach and abs((t.bearing - from_deg) % 360.0 - 180.0) <= half


def good_sectors(targets: Sequence[_Target], wind_ms: float) -> tuple[str, ...]:
    """The 16-point sectors whose wind at ``wind_ms`` keeps the scent off every target.

    Each target rules out the sectors around the bearing opposite it; only those near that
    bearing are tested (with ``covers``), not all sixteen."""
    return _good_sectors(targets, scent_reach_m(wind_ms), scent_half_width_deg(wind_ms))


def _good_sectors(targets: Sequence[_Target], reach: float, half: float) -> tuple[str, ...]:
    """``good_sectors`` for a cone of ``reach`` and half-width ``half`` (``covers``
    inlined: a target here is beyond the stand's own cell and within reach)."""
    bad: set[int] = set()
    n = len(COMPASS_16)
    step = COMPASS_SECTOR_DEG
    for t in targets:
        bearing, distance = t.bearing, t.distance
        if distance <= ZONE_RADIUS_M:
            return ()
        if distance > reach:
            continue
        centre = (bearing + 180.0) / step
        for k in range(math.floor(centre - half / step) - 1, math.ceil(centre + half / step) + 2):
            sector = k % n
            if abs((bearing - sector * step) % 360.0 - 180.0) <= half:
                bad.add(sector)
    if not bad:
        return COMPASS_16
    return tuple([name for k, name in enumerate(COMPASS_16) if k not in bad])


class _Hour:
    """What every stand shares about one judged hour (a plain class, like ``_Target``)."""

    def __init__(
        self,
        at: int,  # position in the hours
        from_deg: float,
        reach: float,
        half: float,
        thermal_timing: float,  # 0 when no thermal can blend (strong wind, midday, night)
        upslope: bool,
        wind_weight: float,
    ) -> None:
        self.at = at
        self.from_deg = from_deg
        self.reach = reach
        self.half = half
        self.thermal_timing = thermal_timing
        self.upslope = upslope
        self.wind_weight = wind_weight


def rate_stands(
    stands: Sequence[HunterStand],
    hours: Sequence[HourScore],
    *,
    bedding: Sequence[Zone],
    travel: Sequence[Zone],
    lat: float,
    sites: SiteLookup | None = None,
) -> tuple[tuple[StandRating, ...], list[str | None]]:
    """Each stand's rating per hour (aligned with ``hours``) and each hour's best stand id."""
    if not stands:
        return (), [None] * len(hours)
    n_hours = len(hours)
    zones_known = bool(bedding or travel)
    # What no stand changes: which hours can be judged, and each hour's cone and thermal.
    fixed: list[str | None] = [None] * n_hours
    judged: list[_Hour] = []
    winds: list[float] = []
    for i, h in enumerate(hours):
        if not h.legal:
            continue  # the hourly entry says so (legal_light false)
        if h.wind_from is None or h.wind_ms is None:
            fixed[i] = NO_WIND
            continue
        winds.append(h.wind_ms)
        if not zones_known:
            fixed[i] = NO_ZONES
            continue
        timing, upslope = 0.0, True
        if h.wind_ms <= STRONG_WIND_MS and h.rise_ts is not None and h.set_ts is not None:
            timing, upslope = thermal_timing((h.start_ts + h.end_ts) / 2.0, h.rise_ts, h.set_ts)
        judged.append(
            _Hour(
                i,
                h.wind_from % 360.0,
                scent_reach_m(h.wind_ms),
                scent_half_width_deg(h.wind_ms),
                timing,
                upslope,
                h.wind_ms / STRONG_WIND_MS,
            )
        )
    typical_ms = median(winds) if winds else WIND_10_MPH_MS
    max_reach = max((h.reach for h in judged), default=0.0)
    typical_reach, typical_half = scent_reach_m(typical_ms), scent_half_width_deg(typical_ms)
    # Columns over the judged hours, shared by every stand.
    at_col = [h.at for h in judged]
    from_col = [h.from_deg for h in judged]
    reach_col = [h.reach for h in judged]
    half_col = [h.half for h in judged]
    n_judged = len(judged)
    # The judged hours by reach, longest first: the hours whose reach gets to a zone at
    # distance d are the first bisect_right(neg_reach, -d) of them.
    by_reach = sorted(range(n_judged), key=reach_col.__getitem__, reverse=True)
    neg_reach = [-reach_col[j] for j in by_reach]
    # The wind's half of ``blend_bearings`` (same products, in the same order).
    wind_x = [h.wind_weight * math.sin(radians(h.from_deg)) for h in judged]
    wind_y = [h.wind_weight * math.cos(radians(h.from_deg)) for h in judged]
    # The wind each stand's scent goes with, per judged hour: the same for every stand on
    # the same site (a stand without a thermal site takes the hour's wind as it is).
    blended: dict[tuple[float, float], list[float]] = {}
    # "wind from 123° carries scent over " by wind bearing: shared by stands and hours.
    prefixes: dict[float, str] = {}
    ratings: list[StandRating] = []
    best: list[str | None] = [None] * n_hours
    top: list[float] = [SIT_RATING] * n_hours
    travel_p = radians(travel[0].lat) if travel else 0.0
    travel_cos = math.cos(travel_p)
    # The zones' positions, read once (not per stand).
    zone_lat = [z.lat for z in bedding] + [z.lat for z in travel]
    zone_lon = [z.lon for z in bedding] + [z.lon for z in travel]
    n_bed = len(bedding)
    for stand in stands:
        all_targets = _targets_at(stand.lat, stand.lon, zone_lat, zone_lon, n_bed)
        to_travel = _distance_to(stand, travel[0], travel_p, travel_cos) if travel else None
        base = round_places(travel_rating(to_travel), 1)
        clear = "scent clear of the bedding and travel zones" + (
            f"; {whole_text(to_travel)} m from the best travel zone"
            if to_travel is not None
            else ""
        )
        site = sites.at(stand.lat, stand.lon) if sites is not None else None
        strength = site_thermal(site[0], site[1], lat) if site is not None else 0.0
        aspect = site[1] if site is not None else 0.0
        effective = from_col
        if strength > 0.0:
            key = (strength, aspect)
            cached = blended.get(key)
            if cached is None:
                cached = blended[key] = _blend_column(judged, wind_x, wind_y, strength, aspect)
            effective = cached
        # Zones beyond the longest reach of the horizon can never be covered: drop them.
        targets = [t for t in all_targets if t.distance <= max_reach or t.distance <= ZONE_RADIUS_M]
        # The first zone the stand sits inside is hit whatever the wind: only the zones
        # before it need the cone test (``covers``, inlined: stands × hours × zones). An
        # hour's hit is the first zone in order whose cone test passes; each zone is tested
        # only in the hours whose reach gets to it (a prefix of the hours by reach), last
        # zone first, so the first zone's hits are written last.
        inside = len(targets)
        for k, t in enumerate(targets):
            if t.distance <= ZONE_RADIUS_M:
                inside = k
                break
        hit = [inside] * n_judged
        hit_any = inside < len(targets)
        for k in range(inside - 1, -1, -1):
            t = targets[k]
            in_reach = by_reach[: bisect_right(neg_reach, -t.distance)]
            if not in_reach:
                continue
            bearing = t.bearing
            for j in in_reach:
                if abs((bearing - effective[j]) % 360.0 - 180.0) <= half_col[j]:
                    hit[j] = k
                    hit_any = True
        # Optional floats are boxed once here, not once per hour stored (compiled).
        base_box: float | None = base
        row: list[float | None] = [None] * n_hours
        reasons = list(fixed)
        for at in at_col:
            row[at] = base_box
            reasons[at] = clear
        if hit_any:
            capped: list[float | None] = [
                min(base, BEDDING_HIT_RATING if t.bedding else TRAVEL_HIT_RATING) for t in targets
            ]
            labels: dict[int, str] = {}
            for j, k in enumerate(hit):
                if k == len(targets):
                    continue
                at, f = at_col[j], effective[j]
                row[at] = capped[k]
                label = labels.get(k)
                if label is None:
                    label = labels[k] = targets[k].label()
                reasons[at] = (prefixes.get(f) or _prefix(prefixes, f)) + label
        # Each hour's best stand so far: a later stand takes the hour only with a higher
        # rating (ties go to the earlier stand), and only at SIT_RATING or more.
        stand_id = stand.id
        for at in at_col:
            r = row[at]
            if r is not None and r >= top[at] and (best[at] is None or r > top[at]):
                best[at] = stand_id
                top[at] = r
        # Positional, in field order (a keyword call is slower from compiled code).
        ratings.append(
            StandRating(
                stand_id,
                stand.name,
                stand.lat,
                stand.lon,
                None if to_travel is None else round_places(to_travel, 1),
                _good_sectors(all_targets, typical_reach, typical_half) if zones_known else (),
                tuple(row),
                tuple(reasons),
            )
        )
    return tuple(ratings), best


def _prefix(prefixes: dict[float, str], from_deg: float) -> str:
    """The start of a hit's reason for a wind from ``from_deg``, kept in ``prefixes``."""
    text = prefixes[from_deg] = f"wind from {whole_text(from_deg)}° carries scent over "
    return text


def _blend_column(
    judged: Sequence[_Hour],
    wind_x: Sequence[float],
    wind_y: Sequence[float],
    strength: float,
    aspect: float,
) -> list[float]:
    """The bearing scent goes with at a site of thermal ``strength`` and ``aspect``, per
    judged hour: ``blend_bearings`` of the hour's wind and the site's thermal, where the
    hour has one (the same arithmetic, with the wind's terms computed once per hour)."""
    up = radians(aspect % 360.0)
    down = radians((aspect + 180.0) % 360.0)
    up_x, up_y = math.sin(up), math.cos(up)
    down_x, down_y = math.sin(down), math.cos(down)
    atan2 = math.atan2
    out: list[float] = []
    for h, wx, wy in zip(judged, wind_x, wind_y, strict=True):
        timing = h.thermal_timing
        if timing <= 0.0:
            out.append(h.from_deg)
            continue
        thermal = strength * timing
        if h.upslope:
            x = wx + thermal * up_x
            y = wy + thermal * up_y
        else:
            x = wx + thermal * down_x
            y = wy + thermal * down_y
        if x == 0.0 and y == 0.0:
            out.append(h.from_deg % 360.0)
        else:
            out.append(degrees(atan2(x, y)) % 360.0)
    return out


def _distance_to(stand: HunterStand, zone: Zone, p2: float, cos_p2: float) -> float:
    """``distance_m`` from the stand to the zone, with the zone's radians(lat) ``p2`` and
    its cosine computed once (the same haversine, operation for operation)."""
    p1 = radians(stand.lat)
    dp = p2 - p1
    dl = radians(wrap_deg(zone.lon - stand.lon))
    h = math.sin(dp / 2.0) ** 2 + math.cos(p1) * cos_p2 * math.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _targets_at(
    s_lat: float, s_lon: float, zone_lat: Sequence[float], zone_lon: Sequence[float], n_bed: int
) -> list[_Target]:
    """The zones (their latitudes and longitudes; the first ``n_bed`` are bedding zones, the
    rest travel zones) that a scent cone from a stand at (``s_lat``, ``s_lon``) can reach
    at all: within the longest reach, or close enough to be inside the stand's own cell.
    Bearings and distances on the stand's local plane (``local_xy``'s arithmetic, with the
    stand's cos(lat) computed once)."""
    out = []
    scale = math.cos(radians(s_lat))
    hypot, atan2 = math.hypot, math.atan2
    for k in range(len(zone_lat)):
        d_lon = zone_lon[k] - s_lon
        if not -180.0 <= d_lon < 180.0:
            d_lon = wrap_deg(d_lon)
        east = d_lon * M_PER_DEG * scale
        north = (zone_lat[k] - s_lat) * M_PER_DEG
        d = hypot(east, north)
        if d <= SCENT_MAX_M or d <= ZONE_RADIUS_M:
            out.append(_Target(degrees(atan2(east, north)) % 360.0, d, k < n_bed))
    return out
