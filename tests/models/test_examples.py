"""Every example under examples/ is judged by both the codec and the JSON Schema.

The manifest records the expected outcome of each; where JSON Schema cannot express a
rule (encoded size, month lengths) or does not apply (bytes that are not JSON text), the
manifest says so with ``schema_valid`` and a note, and this test checks that too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from deerstream.errors import ContractError
from deerstream.models.codec import decode_prediction, decode_request, encode_prediction
from deerstream.models.deadletter import REASON_CODES
from deerstream.models.schema import load_schema
from tests.models.jsonparse import parse_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MANIFEST = orjson.loads((EXAMPLES / "requests" / "manifest.json").read_bytes())
CASES: list[dict[str, Any]] = MANIFEST["cases"]


@pytest.fixture(scope="module")
def request_validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema("request"))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_example(case: dict[str, Any], request_validator: Draft202012Validator) -> None:
    data = (EXAMPLES / "requests" / case["file"]).read_bytes()

    if case["valid"]:
        assert decode_request(data).request_id
    else:
        with pytest.raises(ContractError) as info:
            decode_request(data)
        assert (info.value.code, info.value.path) == (case["reason"], case["path"])

    expected_by_schema = case.get("schema_valid", case["valid"])
    if expected_by_schema != case["valid"]:
        assert case.get("note"), "a disagreement with the schema must be explained"
    is_json, value = parse_json(data)
    if expected_by_schema is None:
        assert not is_json
    else:
        assert is_json
        assert request_validator.is_valid(value) == expected_by_schema


def test_every_reason_code_has_an_example() -> None:
    shown = {c["reason"] for c in CASES if not c["valid"]}
    # enrichment_unavailable is decided by the agent, not by the contract.
    assert shown == set(REASON_CODES) - {"enrichment_unavailable"}


def test_every_example_file_is_in_the_manifest() -> None:
    files = {
        p.relative_to(EXAMPLES / "requests").as_posix()
        for p in (EXAMPLES / "requests").rglob("*.json")
        if p.name != "manifest.json"
    }
    assert files == {c["file"] for c in CASES}


def test_prediction_example() -> None:
    data = (EXAMPLES / "predictions" / "full.json").read_bytes()
    assert Draft202012Validator(load_schema("prediction")).is_valid(orjson.loads(data))
    p = decode_prediction(data)
    assert orjson.loads(encode_prediction(p)) == orjson.loads(data)


def test_version_1_prediction_example_still_reads_and_writes_the_same() -> None:
    """A version-1 subscriber's prediction: valid under the v1 schema, decoded by this
    codec, and written back in exactly the v1 shape (no v2 fields appear)."""
    data = (EXAMPLES / "predictions" / "v1.json").read_bytes()
    assert Draft202012Validator(load_schema("prediction.v1")).is_valid(orjson.loads(data))
    p = decode_prediction(data)
    assert p.schema_version == 1 and p.hourly == () and p.stand_ratings == ()
    assert orjson.loads(encode_prediction(p)) == orjson.loads(data)
