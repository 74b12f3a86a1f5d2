"""Prediction codec: exact round trips, strict decoding, refusal of unwritable values."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from deerstream.errors import ContractError
from deerstream.models.codec import decode_prediction, encode_prediction, prediction_to_dict
from deerstream.models.records import Prediction, SourceQuality, SourceStatus, Zone
from deerstream.models.schema import load_schema
from tests.models.builders import full_prediction
from tests.models.strategies import predictions

PREDICTION = Draft202012Validator(load_schema("prediction"))


def test_full_prediction_round_trips() -> None:
    p = full_prediction()
    assert decode_prediction(encode_prediction(p)) == p


def test_wire_form_of_nested_values() -> None:
    d = orjson.loads(encode_prediction(full_prediction()))
    assert d["target_time"] == "2026-11-08T12:15:00Z"
    assert d["produced_at"] == "2026-11-08T03:02:01.123456Z"
    assert d["rut_phase"] == "seeking"
    assert d["bedding_zones"][0] == {"lat": 44.9801, "lon": -93.2672, "score": 8.6}
    assert d["data_quality"]["scouting"] == {
        "status": "missing",
        "age_s": None,
        "reason": "upstream timeout",
    }
    assert d["hunt_windows"][1]["triggers"] == ["legal_light"]
    assert d["stands"][1]["primary"] is False
    assert d["timings_ms"] == {"enrich": 41.7, "model": 2.3, "total": 45.1}


def test_times_with_other_offsets_are_written_in_utc() -> None:
    tz = timezone(timedelta(hours=-5))
    p = dataclasses.replace(full_prediction(), target_time=datetime(2026, 11, 8, 7, 15, tzinfo=tz))
    assert prediction_to_dict(p)["target_time"] == "2026-11-08T12:15:00Z"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(predictions)
def test_every_prediction_round_trips(p: Prediction) -> None:
    decoded = decode_prediction(encode_prediction(p))
    assert decoded == p


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"confidence": float("inf")}, "$.confidence"),
        ({"bedding_zones": (Zone(1.0, 2.0, float("nan")),)}, "$.bedding_zones[0].score"),
        ({"timings_ms": {"total": float("inf")}}, "$.timings_ms.total"),
        (
            {"data_quality": {"terrain": SourceQuality(SourceStatus.CACHED, float("inf"))}},
            "$.data_quality.terrain.age_s",
        ),
    ],
)
def test_non_finite_values_are_refused_not_nulled(change: dict[str, Any], path: str) -> None:
    p = dataclasses.replace(full_prediction(), **change)
    with pytest.raises(ContractError) as info:
        encode_prediction(p)
    assert (info.value.code, info.value.path) == ("not_finite", path)


def test_naive_times_are_refused() -> None:
    p = dataclasses.replace(full_prediction(), produced_at=datetime(2026, 11, 8, 3, 0))
    with pytest.raises(ContractError) as info:
        encode_prediction(p)
    assert (info.value.code, info.value.path) == ("naive_datetime", "$.produced_at")


def full_dict() -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(encode_prediction(full_prediction()))
    return value


def drop(key: str) -> dict[str, Any]:
    d = full_dict()
    del d[key]
    return d


def put(path: list[Any], value: Any) -> dict[str, Any]:
    d = full_dict()
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return d


@pytest.mark.parametrize(
    ("obj", "code", "path"),
    [
        (drop("prediction_id"), "missing_field", "$.prediction_id"),
        (drop("sun"), "missing_field", "$.sun"),
        (drop("schema_version"), "missing_field", "$.schema_version"),
        (
            put(["data_quality"], {"terrain": {"status": "fresh", "age_s": 1, "reason": None}}),
            "missing_field",
            "$.data_quality.weather",
        ),
        (put(["stands", 0, "primary"], "yes"), "wrong_type", "$.stands[0].primary"),
        (put(["movement_score"], 10.5), "out_of_range", "$.movement_score"),
        (put(["confidence"], -0.1), "out_of_range", "$.confidence"),
        (put(["travel_zones", 1, "score"], 11), "out_of_range", "$.travel_zones[1].score"),
        (put(["rut_phase"], "rut"), "out_of_range", "$.rut_phase"),
        (put(["activity_level"], 3), "wrong_type", "$.activity_level"),
        (
            put(["data_quality", "weather", "status"], "old"),
            "out_of_range",
            "$.data_quality.weather.status",
        ),
        (put(["sun", "sunrise"], "2026-11-08T12:59:12"), "naive_datetime", "$.sun.sunrise"),
        (put(["hunt_windows", 0, "triggers"], [1]), "wrong_type", "$.hunt_windows[0].triggers[0]"),
        (put(["factors", 2, "effect"], "-0.8"), "wrong_type", "$.factors[2].effect"),
        (put(["timings_ms", "model"], -1), "out_of_range", "$.timings_ms.model"),
        (put(["request_id"], "a b"), "invalid_id", "$.request_id"),
        (put(["model_version"], ""), "out_of_range", "$.model_version"),
        (put(["schema_version"], 3), "unsupported_version", "$.schema_version"),
        (put(["replay"], 0), "wrong_type", "$.replay"),
    ],
)
def test_decode_rejections_agree_with_the_schema(obj: dict[str, Any], code: str, path: str) -> None:
    with pytest.raises(ContractError) as info:
        decode_prediction(orjson.dumps(obj))
    assert (info.value.code, info.value.path) == (code, path)
    assert not PREDICTION.is_valid(obj)


def test_unknown_fields_are_ignored() -> None:
    d = full_dict()
    d["new_in_v1_1"] = {"x": 1}
    d["stands"][0]["height_m"] = 6
    assert decode_prediction(orjson.dumps(d)) == full_prediction()
    assert PREDICTION.is_valid(d)


@pytest.mark.parametrize(("data", "code"), [(b"{", "invalid_json"), (b"[]", "not_an_object")])
def test_decode_rejects_non_objects(data: bytes, code: str) -> None:
    with pytest.raises(ContractError) as info:
        decode_prediction(data)
    assert info.value.code == code


def test_decoded_times_are_utc() -> None:
    d = put(["target_time"], "2026-11-08T07:15:00-05:00")
    p = decode_prediction(orjson.dumps(d))
    assert p.target_time == datetime(2026, 11, 8, 12, 15, tzinfo=UTC)
    assert p.target_time.tzinfo is UTC
