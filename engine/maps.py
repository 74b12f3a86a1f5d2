"""Bedding, feeding and travel score maps over the grid, and top zones.

Each map scores every cell 0–10: a terrain part (from slope, aspect and position) plus
scouting evidence. Distances inside the grid use a local cos(lat)-scaled
projection (``deerstream.models.geo.local_xy``, longitude difference wrapped across the
antimeridian),
which is exact to well under a metre across a few hundred metres.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from deerstream.engine.memo import memo, record_memo
from deerstream.engine.scouting import MATURE_BONUS_MIN_SIGNS, MATURE_MAP_BONUS, Evidence
from deerstream.engine.stands import WIND_10_MPH_MS
from deerstream.engine.terrain import Cell, Position, TerrainFeatures
from deerstream.models.geo import (
    equator_facing_deg,
    local_xy,
    normalize_point,
    pole_facing_deg,
    radians,
    round_places,
)
from deerstream.models.records import Zone
from deerstream.models.slot_init import slot_init

MAX_SCORE: Final = 10.0
# Bedding: slope bands (degrees) and the terrain point split (slope 4, position 3, aspect 3).
BED_SLOPE_FULL = (10.0, 25.0)
BED_SLOPE_PARTIAL = (5.0, 30.0)  # partial marks inside this band, outside the full band
BED_SLOPE_PARTIAL_FACTOR: Final = 0.5
BED_SLOPE_MAX: Final = 30.0  # steeper cells are excluded from bedding
BED_POINTS: Final = (4.0, 3.0, 3.0)
BED_POSITION: Final = {
    Position.BENCH: 1.0,
    Position.UPPER_SLOPE: 1.0,
    Position.RIDGE: 0.6,
    Position.MID_SLOPE: 0.5,
    Position.SADDLE: 0.3,
    Position.FLAT: 0.1,
    Position.VALLEY: 0.1,
}
LEEWARD_WIND_MS: Final = WIND_10_MPH_MS  # 10 mph (4.4704 m/s): above it deer bed on the lee side
COLD_C: Final = 4.0  # below it equator-facing (south in the north) slopes win (the docs quote °C)
HOT_C: Final = 24.0  # above it pole-facing (north in the north) slopes win
NEUTRAL_ASPECT: Final = 0.5
# Feeding: flats and gentle valley bottoms; terrain split (position 6, gentleness 4).
FEED_POINTS = (6.0, 4.0)
FEED_POSITION: Final = {
    Position.FLAT: 1.0,
    Position.VALLEY: 0.9,
    Position.BENCH: 0.5,
    Position.MID_SLOPE: 0.3,
    Position.SADDLE: 0.3,
    Position.UPPER_SLOPE: 0.1,
    Position.RIDGE: 0.1,
}
FEED_GENTLE_DEG: Final = 5.0  # full marks for gentleness up to here
FEED_STEEP_DEG: Final = 15.0  # falls linearly to the floor at this slope
FEED_STEEP_FLOOR: Final = 0.1
#: Feeding matters more in the evening (docs/how-prediction-works.md).
FEED_MORNING_WEIGHT: Final = 0.8
FEED_EVENING_WEIGHT: Final = 1.0
# Travel: position 6 points, the bedding–feeding corridor 4 points.
TRAVEL_POINTS: Final = (6.0, 4.0)
TRAVEL_POSITION: Final = {
    Position.SADDLE: 1.0,
    Position.BENCH: 0.9,
    Position.VALLEY: 0.5,
    Position.RIDGE: 0.5,
    Position.MID_SLOPE: 0.4,
    Position.UPPER_SLOPE: 0.4,
    Position.FLAT: 0.3,
}
DRAINAGE_EDGE: Final = 0.8  # a non-valley cell next to a valley cell
CORRIDOR_SIGMA_M: Final = 200.0
# Zones.
ZONE_COUNT: Final = 3
ZONE_MIN_SPACING_M: Final = 150.0  # more than one cell diagonal (127 m at 90 m spacing)
ZONE_MIN_SCORE: Final = 3.0  # weaker cells are not worth calling a zone


@dataclass(frozen=True, slots=True)
class Maps:
    """The three maps, row-major over the grid's cells."""

    cells: tuple[Cell, ...]
    xy: tuple[tuple[float, float], ...]  # metres east/north of the grid centre
    bedding: tuple[float, ...]
    feeding: tuple[float, ...]
    travel: tuple[float, ...]
    mature_bonus: bool
    #: Each cell's tie-break rank (``_tie_order``); empty: ``pick_zones`` works it out.
    order: tuple[tuple[int, int], ...] = ()


def bedding_slope_factor(slope: float) -> float:
    """1 for 10–25°, 0.5 for 5–10° and 25–30°, else 0."""
    if BED_SLOPE_FULL[0] <= slope <= BED_SLOPE_FULL[1]:
        return 1.0
    if BED_SLOPE_PARTIAL[0] <= slope <= BED_SLOPE_PARTIAL[1]:
        return BED_SLOPE_PARTIAL_FACTOR
    return 0.0


def _cap(x: float) -> float:
    """Clamp a non-negative sum to the 0–10 scale."""
    return x if x < MAX_SCORE else MAX_SCORE


def aspect_targets(
    wind_ms: float | None, wind_from: float | None, temp_c: float | None, *, lat: float
) -> tuple[float, ...]:
    """The aspects (radians) bedding prefers now: leeward, equator-facing when cold,
    pole-facing when hot (south/north in the north, mirrored for ``lat`` < 0)."""
    targets: list[float] = []
    if wind_ms is not None and wind_from is not None and wind_ms > LEEWARD_WIND_MS:
        # Bedded deer face downhill with the wind at their back: the slope faces downwind.
        targets.append(radians(wind_from + 180.0))
    if temp_c is not None and temp_c < COLD_C:
        targets.append(radians(equator_facing_deg(lat)))
    if temp_c is not None and temp_c > HOT_C:
        targets.append(radians(pole_facing_deg(lat)))
    return tuple(targets)


def _aspect_match(aspect: float | None, targets: tuple[float, ...]) -> float:
    if aspect is None or not targets:
        return NEUTRAL_ASPECT
    a = radians(aspect)
    return sum(1.0 + math.cos(a - t) for t in targets) / (2.0 * len(targets))


def bedding_aspect_factor(
    aspect: float | None,
    wind_ms: float | None,
    wind_from: float | None,
    temp_c: float | None,
    *,
    lat: float,
) -> float:
    """Mean of the aspect preferences that apply (leeward, equator-facing when cold,
    pole-facing when hot); 0.5 when none applies or the cell has no aspect."""
    return _aspect_match(aspect, aspect_targets(wind_ms, wind_from, temp_c, lat=lat))


def bedding_terrain_score(
    cell: Cell,
    wind_ms: float | None,
    wind_from: float | None,
    temp_c: float | None,
    *,
    lat: float,
) -> float | None:
    """Terrain part of the bedding score; None when the cell is excluded (> 30°).

    ``lat`` picks the hemisphere (``compute_maps`` uses the grid centre's latitude)."""
    return _bedding_terrain(cell, aspect_targets(wind_ms, wind_from, temp_c, lat=lat))


def _bedding_terrain(cell: Cell, targets: tuple[float, ...]) -> float | None:
    slope = cell.slope_deg
    if slope is None or cell.position is None:
        return 0.0
    if slope > BED_SLOPE_MAX:
        return None
    p_slope, p_pos, p_aspect = BED_POINTS
    bench = cell.position is Position.BENCH
    # A bench is the flat shelf on a bedding-grade slope: it gets full slope marks and the
    # aspect of the slope it sits on (terrain.py); other near-flat cells have no aspect.
    aspect = cell.aspect_deg if bench or slope >= BED_SLOPE_PARTIAL[0] else None
    slope_factor = 1.0 if bench else bedding_slope_factor(slope)
    return (
        p_slope * slope_factor
        + p_pos * BED_POSITION[cell.position]
        + p_aspect * _aspect_match(aspect, targets)
    )


def feeding_terrain_score(cell: Cell, evening: bool) -> float:
    """Terrain part of the feeding score (flats and gentle bottoms, evening weighted)."""
    if cell.slope_deg is None or cell.position is None:
        return 0.0
    p_pos, p_gentle = FEED_POINTS
    if cell.slope_deg <= FEED_GENTLE_DEG:
        gentle = 1.0
    elif cell.slope_deg >= FEED_STEEP_DEG:
        gentle = FEED_STEEP_FLOOR
    else:
        frac = (cell.slope_deg - FEED_GENTLE_DEG) / (FEED_STEEP_DEG - FEED_GENTLE_DEG)
        gentle = 1.0 - frac * (1.0 - FEED_STEEP_FLOOR)
    weight = FEED_EVENING_WEIGHT if evening else FEED_MORNING_WEIGHT
    return weight * (p_pos * FEED_POSITION[cell.position] + p_gentle * gentle)


def travel_position_factor(cell: Cell, next_to_valley: bool) -> float:
    """Saddles, benches and drainage edges carry deer between bedding and feeding."""
    if cell.position is None:
        return 0.0
    factor = TRAVEL_POSITION[cell.position]
    if next_to_valley and cell.position is not Position.VALLEY:
        factor = max(factor, DRAINAGE_EDGE)
    return factor


def corridor_factor(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Gaussian falloff (σ = 200 m) with distance from the segment a–b."""
    ax, ay = a
    bx, by = b
    px, py = p
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy
    t = 0.0 if length2 == 0.0 else max(0.0, min(1.0, ((px - ax) * vx + (py - ay) * vy) / length2))
    d2 = (px - ax - t * vx) ** 2 + (py - ay - t * vy) ** 2
    return math.exp(-d2 / (2.0 * CORRIDOR_SIGMA_M * CORRIDOR_SIGMA_M))


def project(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]:
    """Metres east/north of (lat0, lon0) in a local cos(lat0)-scaled projection
    (``deerstream.models.geo.local_xy``: the longitude difference is wrapped into −180..180)."""
    return local_xy(lat, lon, lat0, lon0)


def grid_axes(terrain: TerrainFeatures) -> tuple[list[float], list[float]]:
    """Cell-centre x (east) per column and y (north) per row, metres from the centre cell."""
    xs = [(c - terrain.cols // 2) * terrain.dx_m for c in range(terrain.cols)]
    ys = [(terrain.rows // 2 - r) * terrain.dy_m for r in range(terrain.rows)]
    return xs, ys


def _scouting_layers(
    terrain: TerrainFeatures, evidence: Sequence[Evidence], lat0: float, lon0: float
) -> tuple[list[float], list[float], list[float]]:
    """Points each map gains from scouting at each cell.

    The same weight as ``Evidence.weight_at_distance``: the observation's full weight times
    each reached cell's distance falloff (``_reach``, kept per grid and observation place).
    """
    rows, cols = terrain.rows, terrain.cols
    n = rows * cols
    bed = [0.0] * n
    feed = [0.0] * n
    trav = [0.0] * n
    for ev in evidence:
        kind = ev.kind
        full = ev.weight_at_distance(0.0)
        kb, kt, kf = (
            full * kind.bedding / 100.0,
            full * kind.travel / 100.0,
            full * kind.feeding / 100.0,
        )
        cells, falloff = _reach(
            rows,
            cols,
            terrain.dx_m,
            terrain.dy_m,
            lat0,
            lon0,
            ev.obs.lat,
            ev.obs.lon,
            kind.radius_m,
        )
        for i, f in zip(cells, falloff, strict=True):
            bed[i] += kb * f
            trav[i] += kt * f
            feed[i] += kf * f
    return bed, feed, trav


@memo("scouting_reach", 4096)
def _reach(
    rows: int,
    cols: int,
    dx_m: float,
    dy_m: float,
    lat0: float,
    lon0: float,
    obs_lat: float,
    obs_lon: float,
    radius: float,
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The cells (row-major order) an observation at (obs_lat, obs_lon) with this radius
    reaches on a grid centred on (lat0, lon0), and each one's falloff 1 − d / radius.

    It depends only on where the observation and the grid are, so it is kept
    (``deerstream.engine.memo``): the same observations come with every request at a spot.
    x depends only on the column, y only on the row: this was the hot loop.
    """
    xs = [(c - cols // 2) * dx_m for c in range(cols)]
    ys = [(rows // 2 - r) * dy_m for r in range(rows)]
    ox, oy = project(obs_lat, obs_lon, lat0, lon0)
    r2 = radius * radius
    inv_r = 1.0 / radius
    cells: list[int] = []
    falloff: list[float] = []
    # Only the rows and columns within the radius can gain anything.
    c_lo = max(0, math.floor((ox - radius) / dx_m) + cols // 2)
    c_hi = min(cols - 1, math.ceil((ox + radius) / dx_m) + cols // 2)
    r_lo = max(0, rows // 2 - math.ceil((oy + radius) / dy_m))
    r_hi = min(rows - 1, rows // 2 - math.floor((oy - radius) / dy_m))
    for r in range(r_lo, r_hi + 1):
        ddy = ys[r] - oy
        dy2 = ddy * ddy
        if dy2 >= r2:
            continue
        base = r * cols
        for c in range(c_lo, c_hi + 1):
            ddx = xs[c] - ox
            d2 = ddx * ddx + dy2
            if d2 < r2:
                cells.append(base + c)
                falloff.append(1.0 - math.sqrt(d2) * inv_r)
    return tuple(cells), tuple(falloff)


@dataclass(frozen=True, slots=True)
class BaseLayers:
    """What the maps take from the ground alone, the same for every request on a grid.

    ``bed_fixed`` is the slope and position part of each cell's terrain bedding score
    (None: no terrain features there; ``EXCLUDED``: too steep to bed), ``bed_aspect`` the
    aspect that bedding compares with the wind and temperature (radians, or None),
    ``feed_base`` the feeding terrain score before the morning/evening weight, and
    ``travel_pos`` the travel map's position points (None: no features).
    """

    xy: tuple[tuple[float, float], ...]
    near: tuple[float, ...]
    order: tuple[tuple[int, int], ...]
    bed_fixed: tuple[float | None, ...]
    bed_aspect: tuple[float | None, ...]
    feed_base: tuple[float | None, ...]
    travel_pos: tuple[float | None, ...]


#: ``BaseLayers.bed_fixed`` of a cell too steep to bed on.
EXCLUDED: Final = -1.0


@record_memo("base_layers", 512)
def base_layers(terrain: TerrainFeatures) -> BaseLayers:
    """The ground-only layers of a grid, computed once per grid (``deerstream.engine.memo``)."""
    cells = terrain.cells
    centre = terrain.at(terrain.rows // 2, terrain.cols // 2)
    xs, ys = grid_axes(terrain)
    xy = tuple((x, y) for y in ys for x in xs)
    bed_slope_pts, bed_pos_pts, _ = BED_POINTS
    feed_pos_pts, feed_gentle_pts = FEED_POINTS
    gentle_span = FEED_STEEP_DEG - FEED_GENTLE_DEG
    valley_edge = {
        (c.r + dr, c.c + dc)
        for c in cells
        if c.position is Position.VALLEY
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
    }
    p_pos, _ = TRAVEL_POINTS
    bed_fixed: list[float | None] = []
    bed_aspect: list[float | None] = []
    feed_base: list[float | None] = []
    travel_pos: list[float | None] = []
    for cell in cells:
        pos, slope = cell.position, cell.slope_deg
        travel_pos.append(
            None
            if pos is None
            else p_pos * travel_position_factor(cell, (cell.r, cell.c) in valley_edge)
        )
        if pos is None or slope is None:
            bed_fixed.append(None)
            bed_aspect.append(None)
            feed_base.append(None)
            continue
        if slope > BED_SLOPE_MAX:
            bed_fixed.append(EXCLUDED)
            bed_aspect.append(None)
        else:
            bench = pos is Position.BENCH
            if bench or BED_SLOPE_FULL[0] <= slope <= BED_SLOPE_FULL[1]:
                slope_factor = 1.0
            elif BED_SLOPE_PARTIAL[0] <= slope <= BED_SLOPE_PARTIAL[1]:
                slope_factor = BED_SLOPE_PARTIAL_FACTOR
            else:
                slope_factor = 0.0
            bed_fixed.append(bed_slope_pts * slope_factor + bed_pos_pts * BED_POSITION[pos])
            aspect = cell.aspect_deg if bench or slope >= BED_SLOPE_PARTIAL[0] else None
            bed_aspect.append(None if aspect is None else radians(aspect))
        if slope <= FEED_GENTLE_DEG:
            gentle = 1.0
        elif slope >= FEED_STEEP_DEG:
            gentle = FEED_STEEP_FLOOR
        else:
            gentle = 1.0 - (slope - FEED_GENTLE_DEG) / gentle_span * (1.0 - FEED_STEEP_FLOOR)
        feed_base.append(feed_pos_pts * FEED_POSITION[pos] + feed_gentle_pts * gentle)
    return BaseLayers(
        xy,
        tuple(math.hypot(x, y) for x, y in xy),
        tuple(_tie_order(cells, centre.lat)),
        tuple(bed_fixed),
        tuple(bed_aspect),
        tuple(feed_base),
        tuple(travel_pos),
    )


def compute_maps(
    terrain: TerrainFeatures,
    evidence: Sequence[Evidence],
    *,
    wind_ms: float | None,
    wind_from: float | None,
    temp_c: float | None,
    evening: bool,
) -> Maps:
    """The three 0–10 maps over the grid: the ground's base layers (``base_layers``,
    once per grid) plus what depends on the request: the aspect preferred for the wind and
    temperature, the morning/evening feeding weight, scouting and the travel corridor."""
    cells = terrain.cells
    base = base_layers(terrain)
    xy = base.xy
    centre = terrain.at(terrain.rows // 2, terrain.cols // 2)
    lat0, lon0 = centre.lat, centre.lon
    s_bed, s_feed, s_trav = _scouting_layers(terrain, evidence, lat0, lon0)
    mature = sum(1 for e in evidence if e.mature) >= MATURE_BONUS_MIN_SIGNS
    bonus = MATURE_MAP_BONUS if mature else 0.0

    # The hemisphere (equator-facing when cold) is the grid centre's.
    targets = aspect_targets(wind_ms, wind_from, temp_c, lat=lat0)
    feed_weight = FEED_EVENING_WEIGHT if evening else FEED_MORNING_WEIGHT
    # test_maps checks this loop against the reference functions (_bedding_terrain,
    # feeding_terrain_score) cell by cell.
    bed_aspect_pts = BED_POINTS[2]
    n_targets = len(targets)
    bedding: list[float] = []
    feeding: list[float] = []
    terrain_bed: list[float] = []
    terrain_feed: list[float] = []
    # ``_cap`` inlined below (x if x < MAX_SCORE else MAX_SCORE): it runs for every cell.
    top = MAX_SCORE
    for i, fixed in enumerate(base.bed_fixed):
        if fixed is None:
            # No terrain features (edge or missing window): scouting alone can score it.
            terrain_bed.append(0.0)
            terrain_feed.append(0.0)
            x = s_bed[i] + bonus
            bedding.append(x if x < top else top)
            x = s_feed[i] + bonus
            feeding.append(x if x < top else top)
            continue
        if fixed == EXCLUDED:
            terrain_bed.append(0.0)
            bedding.append(0.0)
        else:
            ar = base.bed_aspect[i]
            if ar is None or not n_targets:
                aspect_factor = NEUTRAL_ASPECT
            elif n_targets == 1:
                # sum() of one term, unrolled (0 + x is x for these non-negative terms).
                aspect_factor = (1.0 + math.cos(ar - targets[0])) / 2.0
            else:
                aspect_factor = sum(1.0 + math.cos(ar - t) for t in targets) / (2.0 * n_targets)
            t_bed = fixed + bed_aspect_pts * aspect_factor
            terrain_bed.append(t_bed)
            x = t_bed + s_bed[i] + bonus
            bedding.append(x if x < top else top)
        feed = base.feed_base[i]
        assert feed is not None  # None exactly where ``bed_fixed`` is (``base_layers``)
        t_feed = feed_weight * feed
        terrain_feed.append(t_feed)
        x = t_feed + s_feed[i] + bonus
        feeding.append(x if x < top else top)

    # The corridor joins the best *terrain* bedding and feeding cells, so scouting only ever
    # adds to the travel map (a new observation cannot move the line and lower a cell).
    # Ties go to the cell nearest the centre, so flat ground gives a centred answer, then
    # to the poleward, then the western cell (mirror-symmetric across the equator).
    best_bed = _best(terrain_bed, base.near, base.order)
    best_feed = _best(terrain_feed, base.near, base.order)
    has_line = terrain_bed[best_bed] >= ZONE_MIN_SCORE and terrain_feed[best_feed] >= ZONE_MIN_SCORE
    p_corr = TRAVEL_POINTS[1]
    travel: list[float] = []
    # corridor_factor inlined, with the segment's terms computed once (same arithmetic).
    (ax, ay), (bx, by) = xy[best_bed], xy[best_feed]
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy
    spread = 2.0 * CORRIDOR_SIGMA_M * CORRIDOR_SIGMA_M
    for i, pos_points in enumerate(base.travel_pos):
        if pos_points is None:
            x = s_trav[i] + bonus
            travel.append(x if x < top else top)
            continue
        score = pos_points
        if has_line:
            px, py = xy[i]
            t = (
                0.0
                if length2 == 0.0
                else max(0.0, min(1.0, ((px - ax) * vx + (py - ay) * vy) / length2))
            )
            d2 = (px - ax - t * vx) ** 2 + (py - ay - t * vy) ** 2
            score += p_corr * math.exp(-d2 / spread)
        x = score + s_trav[i] + bonus
        travel.append(x if x < top else top)
    return Maps(cells, xy, tuple(bedding), tuple(feeding), tuple(travel), mature, base.order)


def _tie_order(cells: Sequence[Cell], lat0: float) -> list[tuple[int, int]]:
    """Each cell's rank among equals: the poleward row first (north in the northern
    hemisphere, south in the southern), then west to east. North of the equator this is
    the row-major order; mirroring a layout north↔south mirrors the choice."""
    south = lat0 < 0.0
    return [(-c.r if south else c.r, c.c) for c in cells]


def _best(scores: Sequence[float], near: Sequence[float], order: Sequence[tuple[int, int]]) -> int:
    """Index of the best score; ties go to the cell nearest the centre, then by ``order``."""
    best = 0
    for i in range(1, len(scores)):
        if scores[i] > scores[best] or (
            scores[i] == scores[best]
            and (near[i] < near[best] or (near[i] == near[best] and order[i] < order[best]))
        ):
            best = i
    return best


def distances_from(maps: Maps, center_xy: tuple[float, float]) -> list[float]:
    """Each cell's distance in metres from a point of the maps' local plane."""
    cx, cy = center_xy
    return [math.hypot(x - cx, y - cy) for x, y in maps.xy]


def pick_zones(
    maps: Maps,
    scores: Sequence[float],
    *,
    center_xy: tuple[float, float],
    radius_m: float,
    count: int = ZONE_COUNT,
    spacing_m: float = ZONE_MIN_SPACING_M,
    distances: Sequence[float] | None = None,
) -> tuple[Zone, ...]:
    """The best cells inside the radius, at least ``spacing_m`` apart, best first.

    ``distances`` (each cell's distance from ``center_xy``) saves recomputing them when
    the same maps give several kinds of zones.
    """
    xy = maps.xy
    if distances is None:
        distances = distances_from(maps, center_xy)
    # Only cells good enough and inside the radius compete; ties go to the nearer cell,
    # then the poleward, then the western one (``_tie_order``).
    cells = maps.cells
    order: Sequence[tuple[int, int]] = maps.order
    if cells and not order:
        rows, cols = cells[-1].r + 1, cells[-1].c + 1
        order = _tie_order(cells, cells[(rows // 2) * cols + cols // 2].lat)
    ranked = [
        (-score, distances[i], order[i], i)
        for i, score in enumerate(scores)
        if score >= ZONE_MIN_SCORE and distances[i] <= radius_m
    ]
    ranked.sort()
    chosen: list[int] = []
    hypot = math.hypot
    for _, _, _, i in ranked:
        if len(chosen) == count:
            break
        x, y = xy[i]
        if all(hypot(x - xy[j][0], y - xy[j][1]) >= spacing_m for j in chosen):
            chosen.append(i)
    zones = []
    for i in chosen:
        cell = cells[i]
        lat, lon = normalize_point(cell.lat, cell.lon)
        zones.append(Zone(round_places(lat, 6), round_places(lon, 6), round_places(scores[i], 2)))
    return tuple(zones)


# Built for every prediction: stored through the slots' descriptors, not object.__setattr__
# (``deerstream.models.slot_init``: the same signature, half the cost).
slot_init(Maps)
