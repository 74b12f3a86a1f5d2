"""Wire form of prediction events (import it from ``models.codec``).

Encoding refuses what JSON cannot carry faithfully (a non-finite number would silently
become ``null``; a naive datetime would need a guessed zone), so every emitted prediction
decodes again and validates against ``schemas/prediction.v1.json``. Decoding, for
subscribers, is strict on known fields and ignores unknown ones, like requests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

import orjson

from models.records import (
    SCHEMA_VERSION,
    ActivityLevel,
    Factor,
    HuntWindow,
    Prediction,
    RutPhase,
    SourceQuality,
    SourceStatus,
    Stand,
    SunTimes,
    Zone,
)
from models.wire import (
    enum_members,
    fail,
    format_datetime,
    read_array,
    read_bool,
    read_datetime,
    read_enum,
    read_id,
    read_number,
    read_object,
    read_str,
    require,
    show,
    type_name,
)

#: Sources every prediction reports a data quality for.
QUALITY_SOURCES = ("terrain", "weather", "scouting")

_PHASES = enum_members(RutPhase)
_LEVELS = enum_members(ActivityLevel)
_STATUSES = enum_members(SourceStatus)
_ZONE_KINDS = ("bedding_zones", "feeding_zones", "travel_zones")
_SUN_FIELDS = ("sunrise", "sunset", "legal_start", "legal_end")


# --------------------------------------------------------------------------- encode


def prediction_to_dict(p: Prediction) -> dict[str, object]:
    """The prediction as a JSON-ready dict (RFC 3339 UTC ``Z`` times, enum values).

    Raises ContractError(``not_finite``/``naive_datetime``) for values JSON cannot carry.
    """
    return {
        "schema_version": p.schema_version,
        "prediction_id": p.prediction_id,
        "request_id": p.request_id,
        "hunter_id": p.hunter_id,
        "model_version": p.model_version,
        "lat": _finite(p.lat, "$.lat"),
        "lon": _finite(p.lon, "$.lon"),
        "target_time": format_datetime(p.target_time, "$.target_time"),
        "rut_phase": p.rut_phase.value,
        "movement_score": _finite(p.movement_score, "$.movement_score"),
        "activity_level": p.activity_level.value,
        "confidence": _finite(p.confidence, "$.confidence"),
        "bedding_zones": _zones_to_list(p.bedding_zones, "$.bedding_zones"),
        "feeding_zones": _zones_to_list(p.feeding_zones, "$.feeding_zones"),
        "travel_zones": _zones_to_list(p.travel_zones, "$.travel_zones"),
        "stands": [_stand_to_dict(s, f"$.stands[{i}]") for i, s in enumerate(p.stands)],
        "hunt_windows": [
            _window_to_dict(w, f"$.hunt_windows[{i}]") for i, w in enumerate(p.hunt_windows)
        ],
        "factors": [
            {
                "name": f.name,
                "value": f.value,
                "effect": _finite(f.effect, f"$.factors[{i}].effect"),
            }
            for i, f in enumerate(p.factors)
        ],
        "data_quality": {
            name: _quality_to_dict(q, f"$.data_quality.{name}")
            for name, q in p.data_quality.items()
        },
        "sun": {key: _optional_time(getattr(p.sun, key), f"$.sun.{key}") for key in _SUN_FIELDS},
        "notes": list(p.notes),
        "timings_ms": {
            name: _finite(ms, f"$.timings_ms.{name}") for name, ms in p.timings_ms.items()
        },
        "produced_at": format_datetime(p.produced_at, "$.produced_at"),
        "replay": p.replay,
    }


def encode_prediction(p: Prediction) -> bytes:
    """The prediction as UTF-8 JSON bytes, ready to produce to the prediction topic."""
    return orjson.dumps(prediction_to_dict(p))


def _finite(value: float, path: str) -> float:
    if not math.isfinite(value):
        fail("not_finite", f"{value} cannot be written as JSON", path)
    return value


def _optional_time(value: datetime | None, path: str) -> str | None:
    return None if value is None else format_datetime(value, path)


def _zones_to_list(zones: tuple[Zone, ...], path: str) -> list[dict[str, object]]:
    return [
        {
            "lat": _finite(z.lat, f"{path}[{i}].lat"),
            "lon": _finite(z.lon, f"{path}[{i}].lon"),
            "score": _finite(z.score, f"{path}[{i}].score"),
        }
        for i, z in enumerate(zones)
    ]


def _stand_to_dict(s: Stand, path: str) -> dict[str, object]:
    return {
        "lat": _finite(s.lat, f"{path}.lat"),
        "lon": _finite(s.lon, f"{path}.lon"),
        "bearing_deg": _finite(s.bearing_deg, f"{path}.bearing_deg"),
        "distance_m": _finite(s.distance_m, f"{path}.distance_m"),
        "wind_from_deg": _finite(s.wind_from_deg, f"{path}.wind_from_deg"),
        "reason": s.reason,
        "primary": s.primary,
    }


def _window_to_dict(w: HuntWindow, path: str) -> dict[str, object]:
    return {
        "start": format_datetime(w.start, f"{path}.start"),
        "end": format_datetime(w.end, f"{path}.end"),
        "score": _finite(w.score, f"{path}.score"),
        "triggers": list(w.triggers),
    }


def _quality_to_dict(q: SourceQuality, path: str) -> dict[str, object]:
    return {
        "status": q.status.value,
        "age_s": None if q.age_s is None else _finite(q.age_s, f"{path}.age_s"),
        "reason": q.reason,
    }


# --------------------------------------------------------------------------- decode


def decode_prediction(data: bytes) -> Prediction:
    """Parse and validate one prediction event; raises ContractError, never anything else."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        fail("invalid_json", f"event is not valid JSON: {exc}", "$")
    return prediction_from_dict(obj)


def prediction_from_dict(obj: object) -> Prediction:
    """Validate an already-parsed JSON value as a prediction."""
    if not isinstance(obj, dict):
        fail("not_an_object", f"a prediction must be a JSON object, got {type_name(obj)}", "$")
    version = require(obj, "schema_version", "$")
    if isinstance(version, bool) or not isinstance(version, int | float):
        fail("wrong_type", f"expected an integer, got {type_name(version)}", "$.schema_version")
    if version != SCHEMA_VERSION:
        fail(
            "unsupported_version",
            f"schema_version {show(version)} is not supported",
            "$.schema_version",
        )

    def field(key: str) -> object:
        return require(obj, key, "$")

    hunter = field("hunter_id")
    quality = read_object(field("data_quality"), "$.data_quality")
    for name in QUALITY_SOURCES:
        require(quality, name, "$.data_quality")
    sun = read_object(field("sun"), "$.sun")
    timings = read_object(field("timings_ms"), "$.timings_ms")
    zones = {
        kind: tuple(
            _read_zone(z, f"$.{kind}[{i}]")
            for i, z in enumerate(read_array(field(kind), f"$.{kind}"))
        )
        for kind in _ZONE_KINDS
    }
    return Prediction(
        prediction_id=read_id(field("prediction_id"), "$.prediction_id"),
        request_id=read_id(field("request_id"), "$.request_id"),
        model_version=_read_nonempty(field("model_version"), "$.model_version"),
        lat=read_number(field("lat"), "$.lat", -90.0, 90.0),
        lon=read_number(field("lon"), "$.lon", -180.0, 180.0),
        target_time=read_datetime(field("target_time"), "$.target_time"),
        rut_phase=read_enum(field("rut_phase"), _PHASES, "$.rut_phase"),
        movement_score=read_number(field("movement_score"), "$.movement_score", 0.0, 10.0),
        activity_level=read_enum(field("activity_level"), _LEVELS, "$.activity_level"),
        confidence=read_number(field("confidence"), "$.confidence", 0.0, 1.0),
        bedding_zones=zones["bedding_zones"],
        feeding_zones=zones["feeding_zones"],
        travel_zones=zones["travel_zones"],
        stands=tuple(
            _read_stand(s, f"$.stands[{i}]")
            for i, s in enumerate(read_array(field("stands"), "$.stands"))
        ),
        hunt_windows=tuple(
            _read_window(w, f"$.hunt_windows[{i}]")
            for i, w in enumerate(read_array(field("hunt_windows"), "$.hunt_windows"))
        ),
        factors=tuple(
            _read_factor(f, f"$.factors[{i}]")
            for i, f in enumerate(read_array(field("factors"), "$.factors"))
        ),
        data_quality={
            name: _read_quality(q, f"$.data_quality.{name}") for name, q in quality.items()
        },
        sun=SunTimes(
            **{key: _read_optional_time(require(sun, key, "$.sun"), key) for key in _SUN_FIELDS}
        ),
        produced_at=read_datetime(field("produced_at"), "$.produced_at"),
        hunter_id=None if hunter is None else read_id(hunter, "$.hunter_id"),
        notes=tuple(
            read_str(n, f"$.notes[{i}]")
            for i, n in enumerate(read_array(field("notes"), "$.notes"))
        ),
        timings_ms={
            name: read_number(ms, f"$.timings_ms.{name}", 0.0) for name, ms in timings.items()
        },
        replay=read_bool(field("replay"), "$.replay"),
        schema_version=SCHEMA_VERSION,
    )


def _read_nonempty(value: object, path: str) -> str:
    text = read_str(value, path)
    if not text:
        fail("out_of_range", "must not be empty", path)
    return text


def _read_optional_time(value: object, key: str) -> datetime | None:
    return None if value is None else read_datetime(value, f"$.sun.{key}")


def _read_zone(value: object, path: str) -> Zone:
    z = read_object(value, path)
    return Zone(
        lat=read_number(require(z, "lat", path), f"{path}.lat", -90.0, 90.0),
        lon=read_number(require(z, "lon", path), f"{path}.lon", -180.0, 180.0),
        score=read_number(require(z, "score", path), f"{path}.score", 0.0, 10.0),
    )


def _read_stand(value: object, path: str) -> Stand:
    s = read_object(value, path)
    return Stand(
        lat=read_number(require(s, "lat", path), f"{path}.lat", -90.0, 90.0),
        lon=read_number(require(s, "lon", path), f"{path}.lon", -180.0, 180.0),
        bearing_deg=read_number(require(s, "bearing_deg", path), f"{path}.bearing_deg", 0.0, 360.0),
        distance_m=read_number(require(s, "distance_m", path), f"{path}.distance_m", 0.0),
        wind_from_deg=read_number(
            require(s, "wind_from_deg", path), f"{path}.wind_from_deg", 0.0, 360.0
        ),
        reason=read_str(require(s, "reason", path), f"{path}.reason"),
        primary=read_bool(require(s, "primary", path), f"{path}.primary"),
    )


def _read_window(value: object, path: str) -> HuntWindow:
    w = read_object(value, path)
    triggers = read_array(require(w, "triggers", path), f"{path}.triggers")
    return HuntWindow(
        start=read_datetime(require(w, "start", path), f"{path}.start"),
        end=read_datetime(require(w, "end", path), f"{path}.end"),
        score=read_number(require(w, "score", path), f"{path}.score", 0.0, 10.0),
        triggers=tuple(read_str(t, f"{path}.triggers[{i}]") for i, t in enumerate(triggers)),
    )


def _read_factor(value: object, path: str) -> Factor:
    f = read_object(value, path)
    return Factor(
        name=read_str(require(f, "name", path), f"{path}.name"),
        value=read_str(require(f, "value", path), f"{path}.value"),
        effect=read_number(require(f, "effect", path), f"{path}.effect"),
    )


def _read_quality(value: object, path: str) -> SourceQuality:
    q: Mapping[str, object] = read_object(value, path)
    age = require(q, "age_s", path)
    reason = require(q, "reason", path)
    return SourceQuality(
        status=read_enum(require(q, "status", path), _STATUSES, f"{path}.status"),
        age_s=None if age is None else read_number(age, f"{path}.age_s", 0.0),
        reason=None if reason is None else read_str(reason, f"{path}.reason"),
    )
