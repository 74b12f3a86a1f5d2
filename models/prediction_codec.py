"""Wire form of prediction events (import it from ``deerstream.models.codec``).

Encoding refuses what JSON cannot carry faithfully (a non-finite number would silently
become ``null``; a naive datetime would need a guessed zone), so every emitted prediction
decodes again and validates against ``schemas/prediction.v2.json`` (``prediction.v1.json``
for the answer to a version-1 request). Decoding, for subscribers, is strict on known
fields and ignores unknown ones, like requests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

import orjson

from deerstream.models.framing import unframe
from deerstream.models.geo import COMPASS_16
from deerstream.models.records import (
    SUPPORTED_SCHEMA_VERSIONS,
    ActivityLevel,
    Factor,
    HourForecast,
    HourlyForecast,
    HuntWindow,
    Prediction,
    RutPhase,
    SourceQuality,
    SourceStatus,
    Stand,
    StandRating,
    SunTimes,
    Zone,
)
from deerstream.models.wire import (
    enum_members,
    fail,
    format_datetime,
    format_timestamp,
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

T = TypeVar("T")

#: Sources every prediction reports a data quality for.
QUALITY_SOURCES = ("terrain", "weather", "scouting")

_PHASES = enum_members(RutPhase)
_LEVELS = enum_members(ActivityLevel)
_STATUSES = enum_members(SourceStatus)
_ZONE_KINDS = ("bedding_zones", "feeding_zones", "travel_zones")
_SUN_FIELDS = ("sunrise", "sunset", "legal_start", "legal_end")
#: Top-level fields of a version-1 prediction; version 2 adds ``V2_FIELDS``.
V1_FIELDS = frozenset(
    (
        "schema_version prediction_id request_id hunter_id model_version lat lon target_time "
        "rut_phase movement_score activity_level confidence bedding_zones feeding_zones "
        "travel_zones stands hunt_windows factors data_quality sun notes timings_ms "
        "produced_at replay"
    ).split()
)
V2_FIELDS = frozenset(("hourly", "stand_ratings"))


def prediction_keys(version: int) -> frozenset[str]:
    """The top-level fields every prediction of contract ``version`` carries."""
    return V1_FIELDS if version < 2 else V1_FIELDS | V2_FIELDS


# --------------------------------------------------------------------------- encode


def prediction_to_dict(p: Prediction) -> dict[str, object]:
    """The prediction as a JSON-ready dict (RFC 3339 UTC ``Z`` times, enum values).

    A version-1 prediction (the answer to a version-1 request) has exactly the version-1
    shape; version 2 adds the hourly forecast, the stand ratings, stand ids and the
    windows' stand and reason.

    Raises ContractError(``not_finite``/``naive_datetime``) for values JSON cannot carry.
    """
    v2 = p.schema_version >= 2
    out: dict[str, object] = {
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
        "stands": [_stand_to_dict(s, f"$.stands[{i}]", v2) for i, s in enumerate(p.stands)],
        "hunt_windows": [
            _window_to_dict(w, f"$.hunt_windows[{i}]", v2) for i, w in enumerate(p.hunt_windows)
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
    if v2:
        out["hourly"] = _hourly_to_list(p.hourly)
        out["stand_ratings"] = [
            _rating_to_dict(r, f"$.stand_ratings[{i}]") for i, r in enumerate(p.stand_ratings)
        ]
    return out


def _hourly_to_list(hourly: Sequence[HourForecast]) -> list[dict[str, object]]:
    """The hourly entries; an ``HourlyForecast`` (what the engine makes) is written from its
    columns, with no record built per hour."""
    if not isinstance(hourly, HourlyForecast):
        return [_hour_to_dict(h, f"$.hourly[{i}]") for i, h in enumerate(hourly)]
    _finite_column(hourly.movement_scores, "$.hourly", "movement_score")
    _finite_column(hourly.wind_from_deg, "$.hourly", "wind_from_deg")
    _finite_column(hourly.wind_ms, "$.hourly", "wind_ms")
    return [
        {
            "start": start,
            "end": end,
            "movement_score": score,
            "activity_level": level.value,
            "wind_from_deg": wind_from,
            "wind_ms": wind_ms,
            "legal_light": legal,
            "triggers": list(triggers),
            "best_stand_id": best,
        }
        for start, end, score, level, wind_from, wind_ms, legal, triggers, best in zip(
            map(format_timestamp, hourly.start_ts),
            map(format_timestamp, hourly.end_ts),
            hourly.movement_scores,
            hourly.activity_levels,
            hourly.wind_from_deg,
            hourly.wind_ms,
            hourly.legal_light,
            hourly.triggers,
            hourly.best_stand_ids,
            strict=True,
        )
    ]


def _finite_column(values: Sequence[float | None], path: str, key: str | None = None) -> None:
    """Refuse a non-finite number among optional numbers: the items of the list at ``path``
    (``path[i]``), or one column of a list of objects (``path[i].key``). The path is
    formatted only for the error."""
    isfinite = math.isfinite
    for i, value in enumerate(values):
        if value is not None and not isfinite(value):
            where = f"{path}[{i}]" if key is None else f"{path}[{i}].{key}"
            fail("not_finite", f"{value} cannot be written as JSON", where)


def _hour_to_dict(h: HourForecast, path: str) -> dict[str, object]:
    return {
        "start": format_datetime(h.start, f"{path}.start"),
        "end": format_datetime(h.end, f"{path}.end"),
        "movement_score": _finite(h.movement_score, f"{path}.movement_score"),
        "activity_level": h.activity_level.value,
        "wind_from_deg": _optional_finite(h.wind_from_deg, f"{path}.wind_from_deg"),
        "wind_ms": _optional_finite(h.wind_ms, f"{path}.wind_ms"),
        "legal_light": h.legal_light,
        "triggers": list(h.triggers),
        "best_stand_id": h.best_stand_id,
    }


def _rating_to_dict(r: StandRating, path: str) -> dict[str, object]:
    return {
        "stand_id": r.stand_id,
        "name": r.name,
        "lat": _finite(r.lat, f"{path}.lat"),
        "lon": _finite(r.lon, f"{path}.lon"),
        "travel_zone_m": _optional_finite(r.travel_zone_m, f"{path}.travel_zone_m"),
        "good_winds": list(r.good_winds),
        "ratings": _checked_list(r.ratings, f"{path}.ratings"),
        "reasons": list(r.reasons),
    }


def _checked_list(values: Sequence[float | None], path: str) -> list[float | None]:
    """The optional numbers as a list, non-finite ones refused (``path[i]``)."""
    _finite_column(values, path)
    return list(values)


def _optional_finite(value: float | None, path: str) -> float | None:
    return None if value is None else _finite(value, path)


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


def _stand_to_dict(s: Stand, path: str, v2: bool) -> dict[str, object]:
    out: dict[str, object] = {"id": s.id} if v2 else {}
    return out | {
        "lat": _finite(s.lat, f"{path}.lat"),
        "lon": _finite(s.lon, f"{path}.lon"),
        "bearing_deg": _finite(s.bearing_deg, f"{path}.bearing_deg"),
        "distance_m": _finite(s.distance_m, f"{path}.distance_m"),
        "wind_from_deg": _finite(s.wind_from_deg, f"{path}.wind_from_deg"),
        "reason": s.reason,
        "primary": s.primary,
    }


def _window_to_dict(w: HuntWindow, path: str, v2: bool) -> dict[str, object]:
    out: dict[str, object] = {
        "start": format_datetime(w.start, f"{path}.start"),
        "end": format_datetime(w.end, f"{path}.end"),
        "score": _finite(w.score, f"{path}.score"),
        "triggers": list(w.triggers),
    }
    if v2:
        out["best_stand_id"] = w.best_stand_id
        out["reason"] = w.reason
    return out


def _quality_to_dict(q: SourceQuality, path: str) -> dict[str, object]:
    return {
        "status": q.status.value,
        "age_s": None if q.age_s is None else _finite(q.age_s, f"{path}.age_s"),
        "reason": q.reason,
    }


# --------------------------------------------------------------------------- decode


def decode_prediction(data: bytes) -> Prediction:
    """Parse and validate one prediction event; raises ContractError, never anything else.

    A prediction framed for a schema registry (magic 0 + schema id) is read behind its
    frame, as a registry-aware consumer does."""
    try:
        obj = orjson.loads(unframe(data).payload)
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
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        fail(
            "unsupported_version",
            f"schema_version {show(version)} is not supported",
            "$.schema_version",
        )
    v2 = version >= 2

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
            _read_stand(s, f"$.stands[{i}]", v2)
            for i, s in enumerate(read_array(field("stands"), "$.stands"))
        ),
        hunt_windows=tuple(
            _read_window(w, f"$.hunt_windows[{i}]", v2)
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
        schema_version=int(version),
        hourly=tuple(
            _read_hour(h, f"$.hourly[{i}]")
            for i, h in enumerate(read_array(field("hourly"), "$.hourly"))
        )
        if v2
        else (),
        stand_ratings=tuple(
            _read_rating(r, f"$.stand_ratings[{i}]")
            for i, r in enumerate(read_array(field("stand_ratings"), "$.stand_ratings"))
        )
        if v2
        else (),
    )


def _read_optional(value: object, path: str, read: Callable[[object, str], T]) -> T | None:
    return None if value is None else read(value, path)


def _read_strings(value: object, path: str) -> tuple[str, ...]:
    return tuple(read_str(t, f"{path}[{i}]") for i, t in enumerate(read_array(value, path)))


def _read_hour(value: object, path: str) -> HourForecast:
    h = read_object(value, path)
    return HourForecast(
        start=read_datetime(require(h, "start", path), f"{path}.start"),
        end=read_datetime(require(h, "end", path), f"{path}.end"),
        movement_score=read_number(
            require(h, "movement_score", path), f"{path}.movement_score", 0.0, 10.0
        ),
        activity_level=read_enum(
            require(h, "activity_level", path), _LEVELS, f"{path}.activity_level"
        ),
        wind_from_deg=_read_optional(
            require(h, "wind_from_deg", path), f"{path}.wind_from_deg", _read_bearing
        ),
        wind_ms=_read_optional(require(h, "wind_ms", path), f"{path}.wind_ms", _read_nonnegative),
        legal_light=read_bool(require(h, "legal_light", path), f"{path}.legal_light"),
        triggers=_read_strings(require(h, "triggers", path), f"{path}.triggers"),
        best_stand_id=_read_optional(
            require(h, "best_stand_id", path), f"{path}.best_stand_id", read_id
        ),
    )


def _read_bearing(value: object, path: str) -> float:
    return read_number(value, path, 0.0, 360.0)


def _read_nonnegative(value: object, path: str) -> float:
    return read_number(value, path, 0.0)


def _read_score(value: object, path: str) -> float:
    return read_number(value, path, 0.0, 10.0)


def _read_rating(value: object, path: str) -> StandRating:
    r = read_object(value, path)
    ratings = read_array(require(r, "ratings", path), f"{path}.ratings")
    reasons = read_array(require(r, "reasons", path), f"{path}.reasons")
    if len(reasons) != len(ratings):
        fail("wrong_type", "ratings and reasons must have one entry per hour", f"{path}.reasons")
    winds = _read_strings(require(r, "good_winds", path), f"{path}.good_winds")
    for i, sector in enumerate(winds):
        if sector not in COMPASS_16:
            fail(
                "out_of_range",
                f"{show(sector)} is not a 16-point compass sector",
                f"{path}.good_winds[{i}]",
            )
    return StandRating(
        stand_id=read_id(require(r, "stand_id", path), f"{path}.stand_id"),
        name=_read_optional(require(r, "name", path), f"{path}.name", read_str),
        lat=read_number(require(r, "lat", path), f"{path}.lat", -90.0, 90.0),
        lon=read_number(require(r, "lon", path), f"{path}.lon", -180.0, 180.0),
        travel_zone_m=_read_optional(
            require(r, "travel_zone_m", path), f"{path}.travel_zone_m", _read_nonnegative
        ),
        good_winds=winds,
        ratings=tuple(
            _read_optional(x, f"{path}.ratings[{i}]", _read_score) for i, x in enumerate(ratings)
        ),
        reasons=tuple(
            _read_optional(x, f"{path}.reasons[{i}]", read_str) for i, x in enumerate(reasons)
        ),
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


def _read_stand(value: object, path: str, v2: bool) -> Stand:
    s = read_object(value, path)
    return Stand(
        id=read_id(require(s, "id", path), f"{path}.id") if v2 else "",
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


def _read_window(value: object, path: str, v2: bool) -> HuntWindow:
    w = read_object(value, path)
    triggers = read_array(require(w, "triggers", path), f"{path}.triggers")
    best = require(w, "best_stand_id", path) if v2 else None
    return HuntWindow(
        best_stand_id=_read_optional(best, f"{path}.best_stand_id", read_id),
        reason=read_str(require(w, "reason", path), f"{path}.reason") if v2 else "",
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
