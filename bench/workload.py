"""The seeded benchmark workload: hunters clustered around hunting spots. Pure: no I/O.

A workload is a list of requests drawn from a few regions, each holding a cluster of
hunting spots. Every request is one of three kinds, mixed by configurable shares:

- ``repeat``: exactly a known spot (the same terrain, weather and scouting cells);
- ``nearby``: within ``nearby_m`` of a known spot (same weather cell, mostly the same
  terrain and scouting cells);
- ``fresh``: a new random point in a region (new cells: this is what costs upstream calls).

Target times fall on dawn or dusk (± an hour, 15-minute steps) of the days after ``start``.
The same spec always yields the same requests, byte for byte.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import orjson

M_PER_DEG_LAT = 111_320.0

#: Region centres (lat, lon): northern whitetail country, well apart from each other.
REGIONS: tuple[tuple[float, float], ...] = (
    (44.20, -72.60),
    (43.10, -74.30),
    (45.00, -69.80),
    (44.70, -89.60),
    (42.60, -76.50),
)
REGION_RADIUS_M = 15_000.0
#: Dawn and dusk in UTC for the north-eastern US in autumn (about 06:45 and 16:30 local).
DAWN_UTC = (11, 45)
DUSK_UTC = (21, 30)
KINDS = ("repeat", "nearby", "fresh")


@dataclass(frozen=True, kw_only=True)
class WorkloadSpec:
    """Size, mix and seed of a workload; shares are normalised to sum to one."""

    size: int = 20_000
    spots: int = 300
    repeat_share: float = 0.6
    nearby_share: float = 0.3
    fresh_share: float = 0.1
    nearby_m: float = 60.0
    days: int = 5
    hunters: int = 2_000
    seed: int = 8

    def shares(self) -> tuple[float, float, float]:
        """(repeat, nearby, fresh), normalised."""
        raw = (self.repeat_share, self.nearby_share, self.fresh_share)
        if min(raw) < 0 or sum(raw) <= 0:
            raise ValueError(f"workload shares must be >= 0 with a positive sum, got {raw}")
        total = sum(raw)
        return (raw[0] / total, raw[1] / total, raw[2] / total)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One request of the workload (before it gets a request id)."""

    kind: str
    lat: float
    lon: float
    target_time: datetime
    hunter_id: str


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    dlat = north_m / M_PER_DEG_LAT
    dlon = east_m / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _point_in_disc(
    rng: random.Random, lat: float, lon: float, radius_m: float
) -> tuple[float, float]:
    # sqrt keeps the density uniform over the disc instead of piling up at the centre.
    r = radius_m * math.sqrt(rng.random())
    a = rng.uniform(0.0, 2 * math.pi)
    return _offset(lat, lon, r * math.cos(a), r * math.sin(a))


def generate_spots(spec: WorkloadSpec, rng: random.Random) -> list[tuple[float, float]]:
    """The hunting spots: spread over the regions, a few kilometres apart on average."""
    spots = []
    for n in range(spec.spots):
        lat, lon = REGIONS[n % len(REGIONS)]
        spots.append(_point_in_disc(rng, lat, lon, REGION_RADIUS_M))
    return spots


def target_time(rng: random.Random, start: date, days: int) -> datetime:
    """Dawn or dusk of one of the ``days`` days after ``start``, ± 60 min in 15-min steps."""
    day = start + timedelta(days=rng.randrange(1, days + 1))
    hour, minute = DAWN_UTC if rng.random() < 0.5 else DUSK_UTC
    base = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
    return base + timedelta(minutes=15 * rng.randint(-4, 4))


def pick_spot(rng: random.Random, count: int) -> int:
    """A spot index; a few spots are much more popular (public land, a known funnel)."""
    if rng.random() < 0.3:
        return min(int(rng.paretovariate(1.2)) - 1, count - 1)
    return rng.randrange(count)


def generate_workload(spec: WorkloadSpec, start: date) -> list[WorkItem]:
    """``spec.size`` requests, deterministic for (spec, start)."""
    if spec.size < 0 or spec.spots < 1 or spec.days < 1:
        raise ValueError("workload needs size >= 0, spots >= 1 and days >= 1")
    rng = random.Random(spec.seed)
    spots = generate_spots(spec, rng)
    repeat, nearby, _ = spec.shares()
    items: list[WorkItem] = []
    for _ in range(spec.size):
        roll = rng.random()
        spot = spots[pick_spot(rng, len(spots))]
        if roll < repeat:
            kind, (lat, lon) = "repeat", spot
        elif roll < repeat + nearby:
            kind, (lat, lon) = "nearby", _point_in_disc(rng, *spot, spec.nearby_m)
        else:
            region = REGIONS[rng.randrange(len(REGIONS))]
            kind, (lat, lon) = "fresh", _point_in_disc(rng, *region, REGION_RADIUS_M)
        items.append(
            WorkItem(
                kind=kind,
                lat=round(lat, 6),
                lon=round(lon, 6),
                target_time=target_time(rng, start, spec.days),
                hunter_id=f"hunter-{rng.randrange(spec.hunters)}",
            )
        )
    return items


def encode_item(item: WorkItem, request_id: str) -> bytes:
    """The request event (the public JSON contract) for one work item."""
    return orjson.dumps(
        {
            "request_id": request_id,
            "lat": item.lat,
            "lon": item.lon,
            "target_time": item.target_time.isoformat(),
            "hunter_id": item.hunter_id,
        }
    )


def count_kinds(items: Sequence[WorkItem]) -> dict[str, int]:
    """How many items of each kind (for the report)."""
    counts = dict.fromkeys(KINDS, 0)
    for item in items:
        counts[item.kind] += 1
    return counts
