"""Seeded scouting observations for the scouting simulator.

Pure: the observations of a 500 m cell during a 30-day period are a function of
(cell, period, seed). A query enumerates the cells overlapping its circle and the periods
overlapping [since, until], so the same query always returns the same observations, and
two queries agree wherever they overlap.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from deerstream.models.geo import distance_m
from deerstream.models.records import ObservationType

CELL_M = 500.0
PERIOD = timedelta(days=30)
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_M_PER_DEG_LAT = 111_320.0
_TYPES = tuple(ObservationType)
_HUNTERS = ("hunter-a", "hunter-b", "hunter-c", None)


def _rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


@functools.lru_cache(maxsize=200_000)
def _cell_observations(
    seed: int, i: int, j: int, period: int
) -> tuple[tuple[datetime, dict[str, Any]], ...]:
    """The (observed_at, JSON object) pairs of one cell and period; memoised (pure)."""
    rng = _rng(seed, "scout", i, j, period)
    count = rng.choice((0, 0, 0, 1, 1, 2))
    out: list[tuple[datetime, dict[str, Any]]] = []
    dlat = CELL_M / _M_PER_DEG_LAT
    for n in range(count):
        lat = (i + rng.random()) * dlat
        dlon = CELL_M / (_M_PER_DEG_LAT * max(0.01, math.cos(math.radians(lat))))
        lon = (j + rng.random()) * dlon
        kind = rng.choice(_TYPES)
        at = (
            _EPOCH + period * PERIOD + timedelta(seconds=rng.randrange(int(PERIOD.total_seconds())))
        )
        obs: dict[str, Any] = {
            "observation_id": f"sim-{seed}-{i}-{j}-{period}-{n}",
            "type": kind.value,
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "observed_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "confidence": rng.randint(3, 10),
            "hunter_id": rng.choice(_HUNTERS),
        }
        if kind is ObservationType.RUB:
            obs["rub_trunk_diameter_cm"] = round(rng.uniform(3.0, 30.0), 1)
            obs["rub_height_cm"] = round(rng.uniform(30.0, 120.0), 1)
        elif kind is ObservationType.SCRAPE:
            obs["scrape_large"] = rng.random() < 0.3
            obs["licking_branch"] = rng.random() < 0.6
        elif kind in (ObservationType.TRAIL_CAMERA, ObservationType.SIGHTING):
            obs["mature_buck_seen"] = rng.random() < 0.25
        out.append((at, obs))
    return tuple(out)


def _cell_index(lat: float, lon: float) -> tuple[int, int]:
    dlat = CELL_M / _M_PER_DEG_LAT
    i = math.floor(lat / dlat)
    cell_lat = (i + 0.5) * dlat
    dlon = CELL_M / (_M_PER_DEG_LAT * max(0.01, math.cos(math.radians(cell_lat))))
    return i, math.floor(lon / dlon)


def seeded_observations(
    lat: float,
    lon: float,
    radius_m: float,
    since: datetime,
    until: datetime,
    seed: int = 42,
) -> list[dict[str, Any]]:
    """Seeded observations within ``radius_m`` of (lat, lon) observed in [since, until]."""
    dlat = CELL_M / _M_PER_DEG_LAT
    reach = math.ceil(radius_m / CELL_M) + 1
    first = math.floor((since - _EPOCH) / PERIOD)
    last = math.floor((until - _EPOCH) / PERIOD)
    found: list[dict[str, Any]] = []
    ci = math.floor(lat / dlat)
    for i in range(ci - reach, ci + reach + 1):
        row_lat = (i + 0.5) * dlat
        _, cj = _cell_index(row_lat, lon)
        for j in range(cj - reach, cj + reach + 1):
            for period in range(first, last + 1):
                for at, obs in _cell_observations(seed, i, j, period):
                    if not since <= at <= until:
                        continue
                    if distance_m(lat, lon, obs["lat"], obs["lon"]) <= radius_m:
                        found.append(obs)
    found.sort(key=lambda o: (o["observed_at"], o["observation_id"]))
    return found
