"""The AsyncAPI document: valid against the official 3.0.0 schema, and true to the code.

Topic names come from ``Settings``, payload schemas from ``schemas/``, header names from
the constants (and the real outputs) of the modules that write them, so a renamed topic
or header, or a changed schema, fails here instead of silently drifting.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft7Validator, ValidationError
from jsonschema.validators import validator_for

from deerstream import cli
from deerstream.agents.records import InputMessage, OutputMessage
from deerstream.commands import asyncapi as command
from deerstream.engine import MODEL_VERSION
from deerstream.models import asyncapi
from deerstream.models import headers as hdr
from deerstream.models.deadletter import REASON_CODES, DeadLetter, dead_letter_headers
from deerstream.models.framing import frame
from deerstream.models.records import SUPPORTED_SCHEMA_VERSIONS
from deerstream.models.schema import load_schema
from deerstream.settings import Settings
from deerstream.streams.replay import ReplayEvent, replay_headers
from tests.agents.fakes import FakeEnricher, RecordingPublisher, pipeline_with

SPEC_PATH = Path(__file__).parent / "data" / "asyncapi-3.0.0.json"
SPEC: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
NOW = datetime(2026, 11, 14, 12, 0, tzinfo=UTC)

OVERRIDDEN = Settings(
    request_topic="acme.deer.requests",
    prediction_topic="acme.deer.predictions",
    dlq_topic="acme.deer.requests.dlq",
    replay_topic="acme.deer.requests.replay",
    topic_partitions=3,
    topic_replication=2,
)


def spec_validator() -> Any:
    cls = validator_for(SPEC)
    cls.check_schema(SPEC)
    return cls(SPEC)


def errors(doc: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in spec_validator().iter_errors(doc)
    ]


def message(doc: dict[str, Any], channel_id: str) -> dict[str, Any]:
    """The channel's (single) message, its reference followed."""
    (ref,) = doc["channels"][channel_id]["messages"].values()
    resolved: dict[str, Any] = pointer(doc, ref["$ref"])
    return resolved


def pointer(root: Any, ref: str) -> Any:
    assert ref.startswith("#"), ref
    node = root
    for part in filter(None, ref[1:].split("/")):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield path, v
            else:
                yield from refs(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from refs(v, (*path, str(i)))


def header_names(doc: dict[str, Any], channel_id: str) -> tuple[set[str], set[str]]:
    """(every header name, the required ones) of the channel's message."""
    headers = message(doc, channel_id).get("headers", {"properties": {}})
    return set(headers["properties"]), set(headers.get("required", []))


def check_headers(
    doc: dict[str, Any], channel_id: str, sent: list[tuple[str, bytes]], *, others: bool = False
) -> None:
    """Headers the code really sends: documented (unless ``others``) and valid."""
    schema = message(doc, channel_id)["headers"]
    values = {name: bytes(value).decode() for name, value in sent}
    if not others:
        assert set(values) <= set(schema["properties"])
    Draft7Validator(schema).validate(values)


def check_key(doc: dict[str, Any], channel_id: str, key: bytes) -> None:
    Draft7Validator(message(doc, channel_id)["bindings"]["kafka"]["key"]).validate(key.decode())


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return command.build_document(Settings())


# --------------------------------------------------------------- valid AsyncAPI 3.0.0


def test_the_vendored_schema_is_asyncapi_3_0_0() -> None:
    assert SPEC["properties"]["asyncapi"]["const"] == "3.0.0"
    assert validator_for(SPEC) is Draft7Validator
    # One self-contained file: every reference is local (examples aside).
    remote = [r for p, r in refs(SPEC) if "examples" not in p and not r.startswith("#")]
    assert remote == []


def test_the_document_is_valid_asyncapi_3_0_0(doc: dict[str, Any]) -> None:
    assert doc["asyncapi"] == "3.0.0"
    assert errors(doc) == []
    assert errors(command.build_document(OVERRIDDEN)) == []


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("asyncapi",), "2.6.0"),
        (("operations", "receiveRequests", "action"), "consume"),
        (("channels", "requests", "bindings", "kafka", "partitions"), 0),
        (("channels", "requests", "bindings", "kafka", "retention"), 1),
        (("components", "messages", "prediction", "bindings", "kafka", "bindingVersion"), "9"),
        (("components", "messages", "deadLetter", "headers", "type"), "tuple"),
    ],
)
def test_the_validator_sees_deep_mistakes(
    doc: dict[str, Any], where: tuple[str, ...], value: object
) -> None:
    """The definitions' references really resolve: errors deep inside are caught."""
    broken = copy.deepcopy(doc)
    node = broken
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    assert errors(broken) != []


def test_every_reference_resolves(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    for path, ref in refs(doc):
        if path[:2] == ("components", "schemas"):
            # Inside an embedded JSON Schema: relative to that schema (its own $id).
            pointer(schemas[path[2]]["schema"], ref)
        else:
            pointer(doc, ref)
    for op in doc["operations"].values():
        channel = pointer(doc, op["channel"]["$ref"])
        for m in op["messages"]:
            assert m["$ref"].startswith(op["channel"]["$ref"] + "/messages/")
            assert pointer(doc, m["$ref"]) in channel["messages"].values()


# --------------------------------------------------------------- true to the code


@pytest.mark.parametrize("settings", [Settings(), OVERRIDDEN], ids=["default", "overridden"])
def test_channels_are_the_configured_topics(settings: Settings) -> None:
    doc = command.build_document(settings)
    expected = {
        "requests": settings.request_topic,
        "predictions": settings.prediction_topic,
        "deadLetters": settings.dlq_topic,
        "replays": settings.replay_topic,
    }
    assert {cid: ch["address"] for cid, ch in doc["channels"].items()} == expected
    for cid, ch in doc["channels"].items():
        assert ch["bindings"]["kafka"] == {
            "topic": expected[cid],
            "partitions": settings.topic_partitions,
            "replicas": settings.topic_replication,
            "bindingVersion": "0.5.0",
        }


def test_the_worker_receives_requests_and_replays_and_sends_the_rest(
    doc: dict[str, Any],
) -> None:
    actions = {
        pointer(doc, op["channel"]["$ref"])["address"]: op["action"]
        for op in doc["operations"].values()
    }
    s = Settings()
    assert actions == {
        s.request_topic: "receive",
        s.replay_topic: "receive",
        s.prediction_topic: "send",
        s.dlq_topic: "send",
    }


def test_payloads_are_exactly_the_shipped_schemas(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert schemas["PredictionRequest"] == {
        "schemaFormat": "application/schema+json;version=2020-12",
        "schema": load_schema("request"),
    }
    assert schemas["Prediction"]["schema"] == load_schema("prediction")
    assert pointer(doc, message(doc, "requests")["payload"]["$ref"]) == schemas["PredictionRequest"]
    assert pointer(doc, message(doc, "replays")["payload"]["$ref"]) == schemas["PredictionRequest"]
    assert pointer(doc, message(doc, "predictions")["payload"]["$ref"]) == schemas["Prediction"]
    # A dead letter's value is the original bytes, whatever they are.
    dead = message(doc, "deadLetters")
    assert dead["payload"]["type"] == "string" and dead["payload"]["format"] == "binary"
    assert dead["contentType"] == "application/octet-stream"


def test_replay_headers_are_the_replay_modules(doc: dict[str, Any]) -> None:
    names, required = header_names(doc, "replays")
    constants = {
        hdr.REPLAY,
        hdr.REPLAY_NO_CACHE,
        hdr.REPLAY_ORIGIN,
        hdr.REPLAY_TIMESTAMP,
    }
    assert names == constants
    event = ReplayEvent(b"r1", b"{}", "prediction-requests:0:7", 0, 1_700_000_000_000)
    every = replay_headers(event, no_cache=True)
    fewest = replay_headers(ReplayEvent(b"r1", b"{}", "file:a.jsonl:3", -1, None), no_cache=False)
    assert {n for n, _ in every} == names
    assert {n for n, _ in fewest} == required
    check_headers(doc, "replays", every)
    check_headers(doc, "replays", fewest)


def test_dead_letter_headers_are_the_dead_letter_modules(doc: dict[str, Any]) -> None:
    names, required = header_names(doc, "deadLetters")
    constants = {
        hdr.REASON,
        hdr.MESSAGE,
        hdr.PATH,
        hdr.SOURCE_TOPIC,
        hdr.SOURCE_PARTITION,
        hdr.SOURCE_OFFSET,
        hdr.FAILED_AT,
    }
    assert required == constants
    assert names == constants | {hdr.SCHEMA_ID}
    reason = message(doc, "deadLetters")["headers"]["properties"][hdr.REASON]
    assert reason["enum"] == list(REASON_CODES)
    dl = DeadLetter("too_large", "over 65536 bytes", "$", "t", 3, 42, b"x", NOW)
    sent = dead_letter_headers(dl)
    assert {n for n, _ in sent} == required
    check_headers(doc, "deadLetters", sent)


def test_prediction_and_dead_letter_headers_are_what_the_pipeline_sends(
    doc: dict[str, Any],
) -> None:
    """Runs the real pipeline: its prediction headers have no constants to import."""
    sent = run_pipeline(
        [
            InputMessage("t", 0, 0, 0, b"r1", request(1), ()),
            InputMessage("t", 0, 1, 0, b"r2", request(2), replayed("t:0:1")),
            InputMessage("t", 0, 2, 0, b"k", b"{not json", ()),
            InputMessage("t", 0, 3, 0, b"k", frame(b"[1]", 7), ()),
        ]
    )
    s = Settings()
    plain, replay, *dead = sent
    assert (plain.topic, replay.topic) == (s.prediction_topic, s.prediction_topic)
    assert [m.topic for m in dead] == [s.dlq_topic, s.dlq_topic]
    names, required = header_names(doc, "predictions")
    assert {n for n, _ in plain.headers} == required
    assert required == {
        hdr.CONTENT_TYPE,
        hdr.SCHEMA_VERSION,
        hdr.MODEL_VERSION,
    }
    assert {n for n, _ in replay.headers} == names
    check_headers(doc, "predictions", list(plain.headers))
    check_headers(doc, "predictions", list(replay.headers))
    versions = dict(plain.headers)
    # The header is the payload's own contract version (the request's).
    payload_version = orjson.loads(plain.value)["schema_version"]
    assert payload_version in SUPPORTED_SCHEMA_VERSIONS
    assert versions[hdr.SCHEMA_VERSION] == str(payload_version).encode()
    assert versions[hdr.MODEL_VERSION] == MODEL_VERSION.encode()
    for m in dead:
        check_headers(doc, "deadLetters", list(m.headers))
    assert hdr.SCHEMA_ID in dict(dead[1].headers)  # the framed input


def test_the_kafka_key_is_the_request_id(doc: dict[str, Any]) -> None:
    for cid in ("requests", "predictions"):
        key = message(doc, cid)["bindings"]["kafka"]["key"]
        assert key["type"] == "string" and "request_id" in key["description"]
    # A prediction's key follows the contract's id rule.
    with pytest.raises(ValidationError, match="does not match"):
        check_key(doc, "predictions", b"not an id!")
    (prediction, *_) = run_pipeline([InputMessage("t", 0, 0, 0, b"k", request(9), ())])
    assert prediction.key == json.loads(prediction.value)["request_id"].encode() == b"r9"
    check_key(doc, "predictions", prediction.key)
    check_key(doc, "requests", b"r9")


def request(i: int) -> bytes:
    return json.dumps(
        {"request_id": f"r{i}", "lat": 44.26, "lon": -72.58, "target_time": "2026-11-15T11:40:00Z"}
    ).encode()


def replayed(origin: str) -> tuple[tuple[str, bytes], ...]:
    return ((hdr.REPLAY, b"1"), (hdr.REPLAY_ORIGIN, origin.encode()))


def run_pipeline(batch: list[InputMessage]) -> list[OutputMessage]:
    """The pipeline's outputs for ``batch``: predictions first, then dead letters."""
    publisher = RecordingPublisher()
    pipeline = pipeline_with(FakeEnricher(), publisher, None, settings=Settings())
    asyncio.run(pipeline.process(batch))
    return sorted(publisher.sent, key=lambda m: m.topic != Settings().prediction_topic)


# --------------------------------------------------------------- the command


def test_the_command_prints_the_document(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUEST_TOPIC", "env.requests")
    monkeypatch.setenv("TOPIC_PARTITIONS", "5")
    assert cli.main(["asyncapi"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert errors(printed) == []
    assert printed == command.build_document(Settings.from_env())
    assert printed["channels"]["requests"]["address"] == "env.requests"
    assert printed["channels"]["requests"]["bindings"]["kafka"]["partitions"] == 5


def test_out_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "asyncapi.json"
    assert cli.main(["asyncapi", "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == command.build_document(Settings.from_env())
    assert errors(written) == []


def test_out_reports_an_unwritable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["asyncapi", "--out", str(tmp_path / "missing" / "a.json")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_the_builder_is_pure_and_takes_its_inputs() -> None:
    topics = asyncapi.Topics("a", "b", "c", "d", partitions=1, replicas=1)
    minimal = asyncapi.asyncapi_document(
        topics=topics,
        request_schema={"properties": {"request_id": {"type": "string"}}},
        prediction_schema={"type": "object"},
        headers=asyncapi.MessageHeaders(),
    )
    assert errors(minimal) == []
    assert [ch["address"] for ch in minimal["channels"].values()] == ["a", "b", "c", "d"]
    assert all("headers" not in m for m in minimal["components"]["messages"].values())
