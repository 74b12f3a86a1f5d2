"""The JSON codec of the event contract: prediction requests in, predictions out.

Validation is hand-written over orjson because it measured fastest (see
``bench/codec_bench.py`` and docs/event-contract.md). It is strict on the known fields and
ignores unknown ones, so producers can add fields before consumers know them. The first
violation found, in field order, is reported as a :class:`ContractError` carrying a stable
reason code and the JSON path of the offending field. The schemas under ``schemas/`` say
the same thing for other languages; tests keep the two in agreement.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import orjson

from deerstream.models.geo import distance_m
from deerstream.models.prediction_codec import (
    decode_prediction,
    encode_prediction,
    prediction_keys,
    prediction_to_dict,
)
from deerstream.models.records import (
    SUPPORTED_SCHEMA_VERSIONS,
    HunterStand,
    PredictionRequest,
    RequestOptions,
    RutPhase,
)
from deerstream.models.wire import (
    enum_members,
    fail,
    format_datetime,
    read_bool,
    read_datetime,
    read_id,
    read_number,
    read_str,
    show,
    type_name,
)

# The prediction functions are re-exported so callers import the whole codec from here.
__all__ = [
    "MAX_EVENT_BYTES",
    "decode_prediction",
    "decode_request",
    "encode_prediction",
    "encode_request",
    "prediction_keys",
    "prediction_to_dict",
    "request_from_dict",
    "request_to_dict",
]

#: Largest accepted request event, in bytes (64 KiB); larger ones are ``too_large``.
MAX_EVENT_BYTES = 65536

DEFAULT_RADIUS_M = 800.0
MIN_RADIUS_M = 100.0
MAX_RADIUS_M = 5000.0
#: v2: the hour-by-hour forecast reaches this many hours (default, bounds).
DEFAULT_HORIZON_H = 24
MIN_HORIZON_H = 1
MAX_HORIZON_H = 72
#: v2: at most this many of the hunter's stands, each within the radius plus this much.
MAX_STANDS = 20
STAND_REACH_BEYOND_RADIUS_M = 2000.0
MAX_STAND_NAME_CHARS = 80
#: Fields that exist only from contract version 2 on.
V2_FIELDS = ("horizon_h", "stands", "rut_peak")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_SEASONS = enum_members(RutPhase)
_DEFAULT_OPTIONS = RequestOptions()
# All sixteen option sets, built once: records are immutable, so sharing them is safe and
# saves building one per event on the hot path.
_OPTIONS = {
    (z, s, w, h): RequestOptions(z, s, w, h)
    for z in (True, False)
    for s in (True, False)
    for w in (True, False)
    for h in (True, False)
}


def decode_request(data: bytes, *, max_bytes: int = MAX_EVENT_BYTES) -> PredictionRequest:
    """Parse and validate one request event (UTF-8 JSON bytes).

    Raises :class:`ContractError` with one of the reason codes in
    ``deerstream.models.deadletter.REASON_CODES``; never any other exception for any input bytes.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        # A Kafka record with a null value (a tombstone) arrives as None despite the type.
        fail("invalid_json", f"event has no JSON value (got {type_name(data)})", "$")
    if len(data) > max_bytes:
        fail("too_large", f"event is {len(data)} bytes; the limit is {max_bytes}", "$")
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        obj = _parse_rejected(data, exc)
    return request_from_dict(obj)


def _parse_rejected(data: bytes, exc: orjson.JSONDecodeError) -> object:
    """Classify text orjson refused; rescue the one case that is still valid JSON.

    RFC 8259 allows numbers beyond a double's range (``1e999``); orjson refuses them while
    the standard library reads them as infinity. Parsing those with the standard library
    lets validation report ``not_finite`` at the exact field, and lets such a number in an
    unknown field be ignored like any other unknown field.
    """
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as err:
        fail("invalid_utf8", f"event is not valid UTF-8 (byte {err.start})", "$")
    if str(exc).startswith("number is infinity"):
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            pass
    fail("invalid_json", f"event is not valid JSON: {exc}", "$")


def _refuse_constant(name: str) -> object:
    # NaN/Infinity literals are not JSON; the stdlib would otherwise accept them.
    raise ValueError(name)


def request_from_dict(obj: object) -> PredictionRequest:
    """Validate an already-parsed JSON value as a request (same rules as ``decode_request``)."""
    if not isinstance(obj, dict):
        fail("not_an_object", f"a request must be a JSON object, got {type_name(obj)}", "$")
    get = obj.get

    version = _read_version(obj)

    if "request_id" not in obj:
        fail("missing_field", "request_id is required", "$.request_id")
    request_id = read_id(obj["request_id"], "$.request_id")
    if "lat" not in obj:
        fail("missing_field", "lat is required", "$.lat")
    lat = read_number(obj["lat"], "$.lat", -90.0, 90.0)
    if "lon" not in obj:
        fail("missing_field", "lon is required", "$.lon")
    lon = read_number(obj["lon"], "$.lon", -180.0, 180.0)
    if "target_time" not in obj:
        fail("missing_field", "target_time is required", "$.target_time")
    target_time = read_datetime(obj["target_time"], "$.target_time")

    radius = get("radius_m")
    radius_m = (
        DEFAULT_RADIUS_M
        if radius is None
        else read_number(radius, "$.radius_m", MIN_RADIUS_M, MAX_RADIUS_M)
    )
    season_value = get("season")
    season = None
    if season_value is not None:
        if not isinstance(season_value, str):
            fail("wrong_type", f"expected a string, got {type_name(season_value)}", "$.season")
        season = _SEASONS.get(season_value)
        if season is None:
            fail(
                "out_of_range",
                f"{show(season_value)} is not one of {', '.join(_SEASONS)}",
                "$.season",
            )
    hunter = get("hunter_id")
    hunter_id = None if hunter is None else read_id(hunter, "$.hunter_id")
    options_value = get("options")
    options = _DEFAULT_OPTIONS if options_value is None else _read_options(options_value)
    horizon = get("horizon_h")
    horizon_h = DEFAULT_HORIZON_H if horizon is None else _read_horizon(horizon)
    stands_value = get("stands")
    stands = () if stands_value is None else _read_stands(stands_value, lat, lon, radius_m)
    peak = get("rut_peak")
    rut_peak = None if peak is None else read_month_day(peak, "$.rut_peak")

    return PredictionRequest(
        request_id=request_id,
        lat=lat,
        lon=lon,
        target_time=target_time,
        radius_m=radius_m,
        season=season,
        hunter_id=hunter_id,
        options=options,
        schema_version=version,
        horizon_h=horizon_h,
        stands=stands,
        rut_peak=rut_peak,
    )


def _read_version(obj: Mapping[str, object]) -> int:
    """The request's contract version: as given, else 2 when it uses a v2 field, else 1."""
    version = obj.get("schema_version")
    uses_v2 = [key for key in V2_FIELDS if obj.get(key) is not None]
    if version is None:
        return 2 if uses_v2 else 1
    if isinstance(version, bool) or not isinstance(version, int | float):
        fail("wrong_type", f"expected an integer, got {type_name(version)}", "$.schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        fail(
            "unsupported_version",
            f"schema_version {show(version)} is not supported (this consumer reads "
            f"{', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))})",
            "$.schema_version",
        )
    if version == 1 and uses_v2:
        fail(
            "unsupported_version",
            f"{', '.join(uses_v2)} need schema_version 2; this request says 1",
            "$.schema_version",
        )
    return int(version)


def _read_horizon(value: object) -> int:
    hours = read_number(value, "$.horizon_h", MIN_HORIZON_H, MAX_HORIZON_H)
    if hours != int(hours):
        fail("wrong_type", f"expected a whole number of hours, got {show(value)}", "$.horizon_h")
    return int(hours)


def read_month_day(value: object, path: str) -> tuple[int, int]:
    """A calendar day without a year, ``MM-DD`` (02-29 allowed), as (month, day)."""
    text = read_str(value, path)
    if len(text) != 5 or text[2] != "-" or not (text[:2] + text[3:]).isdigit():
        fail("wrong_type", f"{show(value)} is not a date of the form MM-DD", path)
    month, day = int(text[:2]), int(text[3:])
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        fail("out_of_range", f"{show(value)} is not a calendar day", path)
    return month, day


def _read_stands(value: object, lat: float, lon: float, radius_m: float) -> tuple[HunterStand, ...]:
    if not isinstance(value, list):
        fail("wrong_type", f"expected an array, got {type_name(value)}", "$.stands")
    if len(value) > MAX_STANDS:
        fail("out_of_range", f"{len(value)} stands; at most {MAX_STANDS}", "$.stands")
    reach = radius_m + STAND_REACH_BEYOND_RADIUS_M
    seen: set[str] = set()
    out: list[HunterStand] = []
    for i, item in enumerate(value):
        path = f"$.stands[{i}]"
        if not isinstance(item, dict):
            fail("wrong_type", f"expected an object, got {type_name(item)}", path)
        for key in ("id", "lat", "lon"):
            if key not in item:
                fail("missing_field", f"a stand needs {key}", f"{path}.{key}")
        stand_id = read_id(item["id"], f"{path}.id")
        if stand_id in seen:
            fail("out_of_range", f"stand id {show(stand_id)} is used twice", f"{path}.id")
        seen.add(stand_id)
        s_lat = read_number(item["lat"], f"{path}.lat", -90.0, 90.0)
        s_lon = read_number(item["lon"], f"{path}.lon", -180.0, 180.0)
        away = distance_m(lat, lon, s_lat, s_lon)
        if away > reach:
            fail(
                "out_of_range",
                f"stand {stand_id} is {away / 1000:.1f} km from the point; stands must be "
                f"within radius_m + {STAND_REACH_BEYOND_RADIUS_M / 1000:g} km "
                f"({reach / 1000:.1f} km)",
                path,
            )
        name_value = item.get("name")
        name = None
        if name_value is not None:
            name = read_str(name_value, f"{path}.name")
            if not name or len(name) > MAX_STAND_NAME_CHARS:
                fail(
                    "out_of_range",
                    f"a stand name is 1-{MAX_STAND_NAME_CHARS} characters",
                    f"{path}.name",
                )
        out.append(HunterStand(stand_id, s_lat, s_lon, name))
    return tuple(out)


def _read_options(value: object) -> RequestOptions:
    if not isinstance(value, dict):
        fail("wrong_type", f"expected an object, got {type_name(value)}", "$.options")
    if not value:
        return _DEFAULT_OPTIONS
    return _OPTIONS[
        _read_flag(value, "zones"),
        _read_flag(value, "stands"),
        _read_flag(value, "hunt_windows"),
        _read_flag(value, "hourly"),
    ]


def _read_flag(options: Mapping[str, object], key: str) -> bool:
    value = options.get(key)
    return True if value is None else read_bool(value, f"$.options.{key}")


def request_to_dict(req: PredictionRequest) -> dict[str, object]:
    """The request as a JSON-ready dict (RFC 3339 UTC times, enum values, every field)."""
    options = req.options
    out: dict[str, object] = {
        "schema_version": req.schema_version,
        "request_id": req.request_id,
        "lat": req.lat,
        "lon": req.lon,
        "target_time": format_datetime(req.target_time, "$.target_time"),
        "radius_m": req.radius_m,
        "season": None if req.season is None else req.season.value,
        "hunter_id": req.hunter_id,
        "options": {
            "zones": options.zones,
            "stands": options.stands,
            "hunt_windows": options.hunt_windows,
        },
    }
    if req.schema_version >= 2:
        out["options"] = {
            "zones": options.zones,
            "stands": options.stands,
            "hunt_windows": options.hunt_windows,
            "hourly": options.hourly,
        }
        out["horizon_h"] = req.horizon_h
        out["stands"] = [
            {"id": s.id, "lat": s.lat, "lon": s.lon, "name": s.name} for s in req.stands
        ]
        out["rut_peak"] = None if req.rut_peak is None else "{:02d}-{:02d}".format(*req.rut_peak)
    return out


def encode_request(req: PredictionRequest) -> bytes:
    """The request as UTF-8 JSON bytes, ready to produce to the request topic."""
    return orjson.dumps(request_to_dict(req))
