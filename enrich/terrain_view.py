"""The cached elevation grid of a place, for drawing it (the prediction page's shading).

The enricher keeps every terrain grid it fetched in Redis (``ds:terrain:v1:<i>:<j>``, an
envelope ``{"t": fetched_at, "d": grid | null, "r": reason}``). A page drawn later reads the
same entry: nothing is fetched from an upstream for a picture, and a place whose terrain is
not cached (expired, never fetched, a negative entry, Redis down) is drawn without shading.
Never raises.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.exceptions import RedisError

from deerstream.enrich.keys import terrain_cell
from deerstream.enrich.sources import read_entry

__all__ = ["cached_terrain_grid"]


async def cached_terrain_grid(
    redis: Any, lat: float, lon: float, *, namespace: str = "", timeout_s: float = 1.0
) -> dict[str, Any] | None:
    """The cached grid around (lat, lon), in the cache's short form, or None.

    ``namespace`` is the enricher's key prefix (``EnrichConfig.namespace``, empty in a
    worker)."""
    if redis is None:
        return None
    key = namespace + terrain_cell(lat, lon).key
    try:
        raw = await asyncio.wait_for(redis.get(key), timeout_s)
    except (RedisError, OSError, TimeoutError):
        return None
    entry = None if raw is None else read_entry(raw)
    grid = None if entry is None else entry.data
    return grid if isinstance(grid, dict) else None
