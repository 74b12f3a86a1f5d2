"""The last few predictions this worker published, by request_id, for the ops server's pages.

A bounded, in-memory map (least recently published dropped first). It holds the exact bytes
that went to the prediction topic, so ``GET /predictions/<id>`` shows what consumers got.
It lives on the event loop: no locks; nothing here survives a restart (the topic does).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from deerstream.agents.quantise import evaluation_point
from deerstream.enrich.terrain_view import cached_terrain_grid

#: How many predictions a worker keeps for ``/predictions``.
RECENT_PREDICTIONS = 200


class RecentPredictions:
    """The latest published prediction for each of the last ``capacity`` request ids."""

    def __init__(self, capacity: int = RECENT_PREDICTIONS) -> None:
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self.capacity = capacity
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def add(self, key: bytes, value: bytes) -> None:
        """Record a published prediction (``key`` is its request_id, UTF-8)."""
        request_id = key.decode("utf-8", errors="replace")
        self._items[request_id] = value
        self._items.move_to_end(request_id)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def get(self, request_id: str) -> bytes | None:
        """The prediction's JSON bytes, or None when it is not (or no longer) kept."""
        return self._items.get(request_id)

    def ids(self) -> list[str]:
        """Request ids kept, most recently published first."""
        return list(reversed(self._items))

    def __len__(self) -> int:
        return len(self._items)


async def cached_terrain_for(redis: Any, prediction: Mapping[str, Any]) -> dict[str, Any] | None:
    """The elevation grid the worker cached for a prediction's place (the page's shading):
    the grid of the cell the request was evaluated at, read from Redis, never fetched.
    None when the prediction has no usable place, the grid is not cached or Redis is down."""
    lat, lon = prediction.get("lat"), prediction.get("lon")
    if isinstance(lat, bool) or isinstance(lon, bool):
        return None
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    return await cached_terrain_grid(redis, *evaluation_point(float(lat), float(lon)))
