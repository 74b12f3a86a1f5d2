"""Where and when a request is evaluated, and the prediction-cache key that follows.

The model is evaluated at the request's ~100 m cell centre and the start of its 15-minute
slot, not at the exact point and second. That is finer than the model's own resolution
(a 90 m terrain grid, hourly weather), and it makes the whole prediction a pure function
of (cell, slot, radius, season, hunter, options, model version, and for a version-2
request its version, horizon, stands and rut peak): requests that share those
share one computation and one cache entry, and the answer never depends on whether a
neighbour happened to be scored first. The echoed fields (``request_id``,
``prediction_id``, ``lat``, ``lon``, ``target_time``) are always the request's own.

Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime, timedelta

import orjson

from deerstream.models.ids import v2_identity
from deerstream.models.records import PredictionRequest

CELL_DECIMALS = 3  # 0.001° ≈ 111 m of latitude: evaluation point within ~55 m of the request
SLOT = timedelta(minutes=15)
PREDICTION_PREFIX = "ds:prediction:v1:"


def evaluation_request(req: PredictionRequest) -> PredictionRequest:
    """The request as the model evaluates it: snapped to its cell centre and slot start."""
    lat, lon = evaluation_point(req.lat, req.lon)
    return dataclasses.replace(req, lat=lat, lon=lon, target_time=slot_start(req.target_time))


def evaluation_point(lat: float, lon: float) -> tuple[float, float]:
    """The cell centre a place is evaluated (and its enrichment fetched and cached) at."""
    return round(lat, CELL_DECIMALS), _wrap_lon(round(lon, CELL_DECIMALS))


def slot_start(t: datetime) -> datetime:
    seconds = int(SLOT.total_seconds())
    epoch = int(t.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=t.tzinfo)


def prediction_cache_key(evaluated: PredictionRequest, model_version: str) -> str:
    """Cache key of the prediction for an already-evaluated (snapped) request."""
    o = evaluated.options
    canonical = orjson.dumps(
        [
            *v2_identity(evaluated),
            model_version,
            f"{evaluated.lat:.{CELL_DECIMALS}f}",
            f"{evaluated.lon:.{CELL_DECIMALS}f}",
            int(evaluated.target_time.timestamp()),
            evaluated.radius_m,
            evaluated.season.value if evaluated.season else None,
            evaluated.hunter_id,
            [o.zones, o.stands, o.hunt_windows],
        ]
    )
    return PREDICTION_PREFIX + hashlib.blake2b(canonical, digest_size=16).hexdigest()


def _wrap_lon(lon: float) -> float:
    # Rounding can push 179.9996 to 180.0, which is still valid; only beyond wraps.
    if lon > 180.0:
        return lon - 360.0
    if lon < -180.0:
        return lon + 360.0
    return lon
