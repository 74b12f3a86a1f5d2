"""The JSON Schemas and the models, checked against each other both ways."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from deerstream.errors import ContractError
from deerstream.models.codec import (
    encode_prediction,
    encode_request,
    prediction_to_dict,
    request_from_dict,
)
from deerstream.models.records import (
    ActivityLevel,
    Factor,
    HuntWindow,
    Prediction,
    PredictionRequest,
    RequestOptions,
    RutPhase,
    SourceQuality,
    SourceStatus,
    Stand,
    SunTimes,
    Zone,
)
from deerstream.models.schema import SCHEMA_FILES, load_schema
from tests.models.builders import full_prediction
from tests.models.strategies import aware_datetimes, ids, json_scalars, predictions, requests

REQUEST = Draft202012Validator(load_schema("request"))
PREDICTION = Draft202012Validator(load_schema("prediction"))


def names(cls: type[Any]) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def props(schema: dict[str, Any]) -> set[str]:
    return set(schema["properties"])


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schemas_are_valid_draft_2020_12(name: Any) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_load_schema_returns_a_fresh_copy() -> None:
    first = load_schema("request")
    first["title"] = "changed"
    assert load_schema("request")["title"] != "changed"


def test_request_schema_matches_the_record() -> None:
    schema: dict[str, Any] = load_schema("request")
    assert props(schema) == names(PredictionRequest)
    assert props(schema["properties"]["options"]) == names(RequestOptions)
    assert set(schema["properties"]["season"]["enum"]) == {p.value for p in RutPhase} | {None}


def test_prediction_schema_matches_the_records() -> None:
    schema: dict[str, Any] = load_schema("prediction")
    defs = schema["$defs"]
    assert props(schema) == names(Prediction)
    assert set(schema["required"]) == names(Prediction)
    for key, cls in [
        ("zone", Zone),
        ("stand", Stand),
        ("hunt_window", HuntWindow),
        ("factor", Factor),
        ("source_quality", SourceQuality),
    ]:
        assert props(defs[key]) == names(cls) == set(defs[key]["required"]), key
    assert props(schema["properties"]["sun"]) == names(SunTimes)
    assert set(schema["properties"]["rut_phase"]["enum"]) == {p.value for p in RutPhase}
    assert set(schema["properties"]["activity_level"]["enum"]) == {a.value for a in ActivityLevel}
    statuses = defs["source_quality"]["properties"]["status"]["enum"]
    assert set(statuses) == {s.value for s in SourceStatus}


def test_a_full_hand_built_prediction_validates() -> None:
    value = orjson.loads(encode_prediction(full_prediction()))
    PREDICTION.validate(value)
    assert set(value) == props(load_schema("prediction"))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_every_encoded_request_validates(req: PredictionRequest) -> None:
    REQUEST.validate(orjson.loads(encode_request(req)))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(predictions)
def test_every_encoded_prediction_validates(p: Prediction) -> None:
    PREDICTION.validate(orjson.loads(encode_prediction(p)))
    assert orjson.loads(orjson.dumps(prediction_to_dict(p))) == orjson.loads(encode_prediction(p))


# ---------------------------------------------------------------- schema ⇔ codec agreement


def rfc3339_variants(d: datetime) -> st.SearchStrategy[str]:
    """Ways to write ``d``: with offset, Z, lower case, fractions, no offset, no seconds."""
    full = d.isoformat()
    naive = d.replace(tzinfo=None).isoformat()
    return st.sampled_from(
        [
            full,
            full.replace("+00:00", "Z"),
            full.replace("+00:00", "z").replace("T", "t"),
            d.isoformat(timespec="milliseconds"),
            d.isoformat(timespec="minutes"),
            d.isoformat(sep=" "),
            naive,
            naive + "+0100",
            full + "\n",
        ]
    )


def mix(*groups: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Pick one of ``groups`` uniformly (``|`` would weight by each group's own branches)."""
    return st.integers(0, len(groups) - 1).flatmap(lambda i: groups[i])


numbers = mix(
    st.floats(allow_nan=False),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([-180, -90, 0, 90, 100, 180, 5000, -90.0001, 180.0001, 99.999, 1e400]),
)
anything = mix(
    json_scalars,
    st.lists(json_scalars, max_size=2),
    st.dictionaries(st.text(max_size=4), json_scalars, max_size=2),
)
flag = mix(st.none(), st.booleans(), json_scalars)
FIELD_VALUES: dict[str, st.SearchStrategy[object]] = {
    "schema_version": mix(st.sampled_from([None, 1, 1.0, 2, 0, "1", True, 1.5]), anything),
    "request_id": mix(ids, ids.map(lambda s: s + "\n"), st.text(max_size=70), anything),
    "lat": mix(st.floats(-90, 90), numbers, anything),
    "lon": mix(st.floats(-180, 180), numbers, anything),
    "target_time": mix(aware_datetimes.flatmap(rfc3339_variants), anything),
    "radius_m": mix(st.floats(100, 5000), numbers, anything),
    "season": mix(st.sampled_from([*(p.value for p in RutPhase), "PEAK_RUT", ""]), anything),
    "hunter_id": mix(st.none(), ids, st.text(max_size=70), anything),
    "options": mix(
        st.none(),
        st.fixed_dictionaries(
            {}, optional={"zones": flag, "stands": flag, "hunt_windows": flag, "other": flag}
        ),
        anything,
    ),
}
required_valid = {
    "request_id": ids,
    "lat": st.floats(-90, 90),
    "lon": st.floats(-180, 180),
    "target_time": aware_datetimes.map(lambda d: d.isoformat()),
}


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.text(max_size=8).filter(lambda k: k not in FIELD_VALUES), anything),
    mix(st.fixed_dictionaries(required_valid), st.fixed_dictionaries(required_valid), st.none()),
    st.dictionaries(st.sampled_from(sorted(FIELD_VALUES)), st.none(), max_size=2).flatmap(
        lambda keys: st.fixed_dictionaries({k: FIELD_VALUES[k] for k in keys})
    ),
)
def test_schema_and_codec_agree(
    extra: dict[str, object], base: dict[str, object] | None, changes: dict[str, object]
) -> None:
    # Mostly-valid requests with some fields replaced, so each rule is reached often.
    obj = {**extra, **(base or {}), **changes}
    try:
        request_from_dict(obj)
        accepted = True
        event("accepted")
    except ContractError as exc:
        accepted = False
        event(exc.code)
    assert REQUEST.is_valid(obj) == accepted, obj
