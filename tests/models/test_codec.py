"""Request codec: defaults, normalisation, every rejection code, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deerstream.errors import ContractError
from deerstream.models.codec import (
    MAX_EVENT_BYTES,
    decode_request,
    encode_request,
    request_from_dict,
    request_to_dict,
)
from deerstream.models.deadletter import REASON_CODES
from deerstream.models.records import PredictionRequest, RequestOptions, RutPhase
from tests.models.strategies import json_values, requests

MINIMAL: dict[str, Any] = {
    "request_id": "req-1",
    "lat": 44.9778,
    "lon": -93.265,
    "target_time": "2026-11-08T06:15:00-06:00",
}


def with_fields(**changes: Any) -> dict[str, Any]:
    obj = dict(MINIMAL)
    obj.update(changes)
    return obj


def without(key: str) -> dict[str, Any]:
    return {k: v for k, v in MINIMAL.items() if k != key}


def rejection(data: bytes) -> tuple[str, str]:
    with pytest.raises(ContractError) as info:
        decode_request(data)
    assert info.value.code in REASON_CODES
    return info.value.code, info.value.path


def test_minimal_request_takes_defaults() -> None:
    req = decode_request(orjson.dumps(MINIMAL))
    assert req == PredictionRequest(
        request_id="req-1",
        lat=44.9778,
        lon=-93.265,
        target_time=datetime(2026, 11, 8, 12, 15, tzinfo=UTC),
        radius_m=800.0,
        season=None,
        hunter_id=None,
        options=RequestOptions(zones=True, stands=True, hunt_windows=True),
        schema_version=1,
    )


def test_target_time_is_normalised_to_utc() -> None:
    req = decode_request(orjson.dumps(with_fields(target_time="2026-11-08T23:30:00.5+05:30")))
    assert req.target_time.tzinfo is UTC
    assert req.target_time == datetime(2026, 11, 8, 18, 0, 0, 500000, tzinfo=UTC)


def test_all_fields_are_read() -> None:
    obj = with_fields(
        schema_version=1,
        radius_m=1500,
        season="peak_rut",
        hunter_id="h.7",
        options={"zones": False, "hunt_windows": False},
    )
    req = decode_request(orjson.dumps(obj))
    assert req.radius_m == 1500.0
    assert isinstance(req.radius_m, float)
    assert req.season is RutPhase.PEAK_RUT
    assert req.hunter_id == "h.7"
    assert req.options == RequestOptions(zones=False, stands=True, hunt_windows=False)


def test_nulls_and_unknown_fields() -> None:
    obj = with_fields(
        radius_m=None, season=None, hunter_id=None, options=None, schema_version=None, extra=[1]
    )
    assert decode_request(orjson.dumps(obj)) == decode_request(orjson.dumps(MINIMAL))


@pytest.mark.parametrize(
    ("obj", "code", "path"),
    [
        (without("request_id"), "missing_field", "$.request_id"),
        (without("lat"), "missing_field", "$.lat"),
        (without("lon"), "missing_field", "$.lon"),
        (without("target_time"), "missing_field", "$.target_time"),
        (with_fields(lat="45"), "wrong_type", "$.lat"),
        (with_fields(lat=True), "wrong_type", "$.lat"),
        (with_fields(lon=None), "wrong_type", "$.lon"),
        (with_fields(radius_m=False), "wrong_type", "$.radius_m"),
        (with_fields(request_id=7), "wrong_type", "$.request_id"),
        (with_fields(target_time=1762604100), "wrong_type", "$.target_time"),
        (with_fields(target_time="2026-11-08"), "wrong_type", "$.target_time"),
        (with_fields(target_time="2026-11-08T06:15Z"), "wrong_type", "$.target_time"),
        (with_fields(target_time="٢٠٢٦-11-08T06:15:00Z"), "wrong_type", "$.target_time"),
        (with_fields(season=3), "wrong_type", "$.season"),
        (with_fields(options=[]), "wrong_type", "$.options"),
        (with_fields(options={"stands": 1}), "wrong_type", "$.options.stands"),
        (with_fields(schema_version="1"), "wrong_type", "$.schema_version"),
        (with_fields(schema_version=True), "wrong_type", "$.schema_version"),
        (with_fields(lat=-90.5), "out_of_range", "$.lat"),
        (with_fields(lon=180.5), "out_of_range", "$.lon"),
        (with_fields(radius_m=99.9), "out_of_range", "$.radius_m"),
        (with_fields(radius_m=5000.1), "out_of_range", "$.radius_m"),
        (with_fields(season="Peak_Rut"), "out_of_range", "$.season"),
        (with_fields(target_time="2026-11-31T06:15:00Z"), "out_of_range", "$.target_time"),
        (with_fields(target_time="2026-11-08T24:00:00Z"), "out_of_range", "$.target_time"),
        (with_fields(target_time="2026-11-08T06:15:60Z"), "out_of_range", "$.target_time"),
        (with_fields(target_time="2026-11-08T06:15:00+24:00"), "out_of_range", "$.target_time"),
        (with_fields(target_time="2026-11-08T06:15:00+01:75"), "out_of_range", "$.target_time"),
        (with_fields(target_time="0000-01-01T00:00:00Z"), "out_of_range", "$.target_time"),
        (with_fields(target_time="0001-01-01T00:00:00+01:00"), "out_of_range", "$.target_time"),
        (with_fields(target_time="2026-11-08T06:15:00"), "naive_datetime", "$.target_time"),
        (with_fields(target_time="2026-11-08T06:15:00.123"), "naive_datetime", "$.target_time"),
        (with_fields(schema_version=3), "unsupported_version", "$.schema_version"),
        (with_fields(schema_version=1.5), "unsupported_version", "$.schema_version"),
        (with_fields(request_id=""), "invalid_id", "$.request_id"),
        (with_fields(request_id="a" * 65), "invalid_id", "$.request_id"),
        (with_fields(request_id="a b"), "invalid_id", "$.request_id"),
        (with_fields(request_id="abc\n"), "invalid_id", "$.request_id"),
        (with_fields(hunter_id="é"), "invalid_id", "$.hunter_id"),
    ],
)
def test_rejections(obj: dict[str, Any], code: str, path: str) -> None:
    assert rejection(orjson.dumps(obj)) == (code, path)
    with pytest.raises(ContractError) as info:
        request_from_dict(obj)
    assert (info.value.code, info.value.path) == (code, path)


def test_version_is_checked_before_anything_else() -> None:
    # A future version may have renamed fields: say "version", not "missing field".
    assert rejection(orjson.dumps({"schema_version": 3})) == (
        "unsupported_version",
        "$.schema_version",
    )


def test_first_violation_in_field_order_is_reported() -> None:
    assert rejection(orjson.dumps(with_fields(lat=100, lon="x"))) == ("out_of_range", "$.lat")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "invalid_json"),
        (b"{", "invalid_json"),
        (b'{"lat": NaN}', "invalid_json"),
        (b'{"lat": Infinity}', "invalid_json"),
        (b"\xef\xbb\xbf{}", "invalid_json"),
        (b'{"a": "\\ud800"}', "invalid_json"),
        (b"[" * 2000, "invalid_json"),
        (b'{"request_id": "r\xff"}', "invalid_utf8"),
        (b"\xff\xfe{\x00}\x00", "invalid_utf8"),
        (b"[]", "not_an_object"),
        (b'"req-1"', "not_an_object"),
        (b"null", "not_an_object"),
        (b"42", "not_an_object"),
    ],
)
def test_rejections_of_text(data: bytes, code: str) -> None:
    assert rejection(data) == (code, "$")


def test_infinite_number_is_reported_at_its_field() -> None:
    text = orjson.dumps(MINIMAL).replace(b"-93.265", b"-1e999")
    assert rejection(text) == ("not_finite", "$.lon")
    text = orjson.dumps(with_fields(radius_m=1)).replace(b'"radius_m":1', b'"radius_m":1E400')
    assert rejection(text) == ("not_finite", "$.radius_m")


def test_infinite_number_in_an_unknown_field_is_ignored() -> None:
    text = orjson.dumps(with_fields(extra=1)).replace(b'"extra":1', b'"extra":[1e999]')
    assert decode_request(text) == decode_request(orjson.dumps(MINIMAL))


def test_infinite_number_with_deep_nesting_is_still_a_contract_error() -> None:
    text = b'{"x": 1e999, "y": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert rejection(text) == ("invalid_json", "$")


def test_not_finite_via_dict() -> None:
    with pytest.raises(ContractError) as info:
        request_from_dict(with_fields(lat=float("nan")))
    assert (info.value.code, info.value.path) == ("not_finite", "$.lat")


def test_size_limit() -> None:
    base = orjson.dumps(with_fields(pad=""))
    fits = base.replace(b'"pad":""', b'"pad":"' + b"x" * (MAX_EVENT_BYTES - len(base)) + b'"')
    assert len(fits) == MAX_EVENT_BYTES
    assert decode_request(fits).request_id == "req-1"
    assert rejection(fits + b" ") == ("too_large", "$")
    with pytest.raises(ContractError) as info:
        decode_request(orjson.dumps(MINIMAL), max_bytes=10)
    assert info.value.code == "too_large"


def test_to_dict_shape() -> None:
    req = decode_request(orjson.dumps(with_fields(season="seeking")))
    assert request_to_dict(req) == {
        "schema_version": 1,
        "request_id": "req-1",
        "lat": 44.9778,
        "lon": -93.265,
        "target_time": "2026-11-08T12:15:00Z",
        "radius_m": 800.0,
        "season": "seeking",
        "hunter_id": None,
        "options": {"zones": True, "stands": True, "hunt_windows": True},
    }


def test_encoding_a_naive_datetime_is_refused() -> None:
    req = PredictionRequest("r", 1.0, 2.0, datetime(2026, 11, 8, 6, 15))
    with pytest.raises(ContractError) as info:
        encode_request(req)
    assert (info.value.code, info.value.path) == ("naive_datetime", "$.target_time")


def test_encoding_converts_offsets_to_utc() -> None:
    tz = timezone(timedelta(hours=-6))
    req = PredictionRequest("r", 1.0, 2.0, datetime(2026, 11, 8, 6, 15, 0, 1, tzinfo=tz))
    assert request_to_dict(req)["target_time"] == "2026-11-08T12:15:00.000001Z"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_every_valid_request_round_trips(req: PredictionRequest) -> None:
    decoded = decode_request(encode_request(req))
    assert decoded == req
    assert decoded.target_time.tzinfo is UTC
    assert request_from_dict(orjson.loads(encode_request(req))) == req


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_request_or_a_contract_error(data: bytes) -> None:
    try:
        req = decode_request(data)
    except ContractError as exc:
        assert exc.code in REASON_CODES
        assert exc.path.startswith("$")
    else:
        assert isinstance(req, PredictionRequest)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_gives_a_request_or_a_contract_error(value: object) -> None:
    try:
        req = decode_request(orjson.dumps(value))
    except ContractError as exc:
        assert exc.code in REASON_CODES
    else:
        assert isinstance(req, PredictionRequest)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            key: json_values
            for key in (
                "schema_version",
                "request_id",
                "lat",
                "lon",
                "target_time",
                "radius_m",
                "season",
                "hunter_id",
                "options",
            )
        },
    )
)
def test_arbitrary_values_in_known_fields_give_a_request_or_a_contract_error(
    obj: dict[str, object],
) -> None:
    try:
        req = decode_request(orjson.dumps(obj))
    except ContractError as exc:
        assert exc.code in REASON_CODES
        assert exc.path.startswith("$")
    else:
        assert isinstance(req, PredictionRequest)


def test_a_tombstone_is_a_contract_error() -> None:
    value: Any = None  # what a Kafka record with a null value carries
    with pytest.raises(ContractError) as info:
        decode_request(value)
    assert (info.value.code, info.value.path) == ("invalid_json", "$")
