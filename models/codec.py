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

from models.prediction_codec import decode_prediction, encode_prediction, prediction_to_dict
from models.records import SCHEMA_VERSION, PredictionRequest, RequestOptions, RutPhase
from models.wire import (
    enum_members,
    fail,
    format_datetime,
    read_bool,
    read_datetime,
    read_id,
    read_number,
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
    "prediction_to_dict",
    "request_from_dict",
    "request_to_dict",
]

#: Largest accepted request event, in bytes (64 KiB); larger ones are ``too_large``.
MAX_EVENT_BYTES = 65536

DEFAULT_RADIUS_M = 800.0
MIN_RADIUS_M = 100.0
MAX_RADIUS_M = 5000.0

_SEASONS = enum_members(RutPhase)
_DEFAULT_OPTIONS = RequestOptions()
# All eight option sets, built once: records are immutable, so sharing them is safe and
# saves building one per event on the hot path.
_OPTIONS = {
    (z, s, h): RequestOptions(z, s, h)
    for z in (True, False)
    for s in (True, False)
    for h in (True, False)
}


def decode_request(data: bytes, *, max_bytes: int = MAX_EVENT_BYTES) -> PredictionRequest:
    """Parse and validate one request event (UTF-8 JSON bytes).

    Raises :class:`ContractError` with one of the reason codes in
    ``models.deadletter.REASON_CODES``; never any other exception for any input bytes.
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

    version = get("schema_version")
    if version is not None:
        if isinstance(version, bool) or not isinstance(version, int | float):
            fail("wrong_type", f"expected an integer, got {type_name(version)}", "$.schema_version")
        if version != SCHEMA_VERSION:
            fail(
                "unsupported_version",
                f"schema_version {show(version)} is not supported (this consumer reads "
                f"{SCHEMA_VERSION})",
                "$.schema_version",
            )

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

    return PredictionRequest(
        request_id=request_id,
        lat=lat,
        lon=lon,
        target_time=target_time,
        radius_m=radius_m,
        season=season,
        hunter_id=hunter_id,
        options=options,
        schema_version=SCHEMA_VERSION,
    )


def _read_options(value: object) -> RequestOptions:
    if not isinstance(value, dict):
        fail("wrong_type", f"expected an object, got {type_name(value)}", "$.options")
    if not value:
        return _DEFAULT_OPTIONS
    return _OPTIONS[
        _read_flag(value, "zones"), _read_flag(value, "stands"), _read_flag(value, "hunt_windows")
    ]


def _read_flag(options: Mapping[str, object], key: str) -> bool:
    value = options.get(key)
    return True if value is None else read_bool(value, f"$.options.{key}")


def request_to_dict(req: PredictionRequest) -> dict[str, object]:
    """The request as a JSON-ready dict (RFC 3339 UTC times, enum values, every field)."""
    options = req.options
    return {
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


def encode_request(req: PredictionRequest) -> bytes:
    """The request as UTF-8 JSON bytes, ready to produce to the request topic."""
    return orjson.dumps(request_to_dict(req))
