"""Deterministic identifiers. Pure: no I/O, no clock, no randomness."""

from __future__ import annotations

import hashlib

import orjson

from deerstream.models.records import PredictionRequest


def prediction_id_for(request: PredictionRequest, model_version: str) -> str:
    """The prediction's id: a hash of the request's content and the model version.

    The same request scored by the same model always gets the same id, so a redelivered
    request yields a duplicate that consumers can drop (or compact by key).
    """
    canonical = orjson.dumps(
        [
            *v2_identity(request),
            model_version,
            request.request_id,
            repr(float(request.lat)),
            repr(float(request.lon)),
            request.target_time.isoformat(),
            repr(float(request.radius_m)),
            request.season.value if request.season else None,
            request.hunter_id,
            [request.options.zones, request.options.stands, request.options.hunt_windows],
        ]
    )
    return hashlib.sha256(canonical).hexdigest()[:32]


def v2_identity(request: PredictionRequest) -> list[object]:
    """What a version-2 request adds to what changes its answer (empty for version 1, so
    a version-1 request keeps its version-1 identity): version, horizon, hourly option,
    stands (ids, exact positions, names) and the rut peak."""
    if request.schema_version < 2:
        return []
    return [
        request.schema_version,
        request.horizon_h,
        request.options.hourly,
        [[s.id, repr(float(s.lat)), repr(float(s.lon)), s.name] for s in request.stands],
        None if request.rut_peak is None else list(request.rut_peak),
    ]
