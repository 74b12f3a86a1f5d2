"""The event contract as an AsyncAPI 3.0.0 document: topics, messages, headers, keys.

Pure: no I/O. The caller passes the topic names (they are configurable), the JSON Schemas
of the events (draft 2020-12, embedded verbatim as multi-format schemas) and the header
definitions taken from the code that writes and reads those headers; ``asyncapi_document``
returns the document as a JSON-ready dict. Operations are written from the worker's point
of view: it receives requests and replays, it sends predictions and dead letters.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
#: ``schemaFormat`` of the embedded event schemas. AsyncAPI names JSON Schema formats
#: ``application/schema+json;version=<draft>``; only draft-07 is one every tool must read.
JSON_SCHEMA_2020_12 = "application/schema+json;version=2020-12"

#: Ids of the document's parts (stable: other documents may reference them).
REQUEST_SCHEMA = "PredictionRequest"
PREDICTION_SCHEMA = "Prediction"
REQUESTS = "requests"
PREDICTIONS = "predictions"
DEAD_LETTERS = "deadLetters"
REPLAYS = "replays"
#: Channel id → message id.
MESSAGE_OF = {
    REQUESTS: "predictionRequest",
    PREDICTIONS: "prediction",
    DEAD_LETTERS: "deadLetter",
    REPLAYS: "replayedRequest",
}
#: Operation id → (action, channel id).
OPERATIONS = {
    "receiveRequests": ("receive", REQUESTS),
    "receiveReplays": ("receive", REPLAYS),
    "sendPredictions": ("send", PREDICTIONS),
    "sendDeadLetters": ("send", DEAD_LETTERS),
}


@dataclass(frozen=True, slots=True)
class Header:
    """One Kafka header: its name, meaning and, when fixed, its allowed values.

    Header values travel as bytes; every deerstream header is UTF-8 text, so each is
    described as a string.
    """

    name: str
    description: str
    required: bool = False
    enum: Sequence[str] = ()
    pattern: str | None = None
    examples: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Topics:
    """The four topic names and how new topics are created."""

    request: str
    prediction: str
    dead_letter: str
    replay: str
    partitions: int
    replicas: int


@dataclass(frozen=True, slots=True)
class MessageHeaders:
    """The headers each message may carry (empty: none defined by deerstream)."""

    request: Sequence[Header] = ()
    prediction: Sequence[Header] = ()
    dead_letter: Sequence[Header] = ()
    replay: Sequence[Header] = ()


@dataclass(frozen=True, slots=True)
class Info:
    title: str = "deerstream"
    version: str = "0.0.0"
    description: str = (
        "Deer-movement predictions over Kafka. Operations are the worker's: it receives "
        "prediction requests (and replayed requests) and sends one prediction or one dead "
        "letter for each. Every message is keyed by the request's request_id."
    )


def headers_schema(headers: Sequence[Header], description: str) -> dict[str, Any]:
    """A JSON Schema object of header name → string (other headers are allowed)."""
    properties: dict[str, Any] = {}
    for h in headers:
        prop: dict[str, Any] = {"type": "string", "description": h.description}
        if h.enum:
            prop["enum"] = list(h.enum)
        if h.pattern is not None:
            prop["pattern"] = h.pattern
        if h.examples:
            prop["examples"] = list(h.examples)
        properties[h.name] = prop
    schema: dict[str, Any] = {
        "type": "object",
        "description": description,
        "properties": properties,
    }
    required = [h.name for h in headers if h.required]
    if required:
        schema["required"] = required
    return schema


def request_id_key(request_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The Kafka key's schema: the request schema's ``request_id`` (local refs resolved)."""
    prop = _resolve(request_schema, request_schema["properties"]["request_id"])
    key = {k: v for k, v in prop.items() if k in ("type", "pattern", "minLength", "maxLength")}
    key["description"] = "The request's request_id, as UTF-8 bytes."
    return key


def asyncapi_document(
    *,
    topics: Topics,
    request_schema: Mapping[str, Any],
    prediction_schema: Mapping[str, Any],
    headers: MessageHeaders,
    info: Info | None = None,
) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document for these topics, schemas and headers."""
    info = info or Info()
    prediction_key = request_id_key(request_schema)
    request_key = {
        "type": "string",
        "description": (
            "The request's request_id (UTF-8). Any key is accepted; this one keeps a "
            "request's retries in order on one partition, and predictions use it."
        ),
    }
    original_key = {
        "type": "string",
        "description": "The original event's key, unchanged (normally its request_id).",
    }
    messages: dict[str, Any] = {
        MESSAGE_OF[REQUESTS]: _message(
            name="PredictionRequest",
            title="Prediction request",
            summary="A request for a deer-movement prediction (UTF-8 JSON).",
            description=(
                "Plain JSON, or JSON in the Confluent schema-registry wire format (a zero "
                "byte and a 4-byte schema id before the JSON), which the worker unwraps."
            ),
            content_type="application/json",
            payload={"$ref": f"#/components/schemas/{REQUEST_SCHEMA}"},
            headers=headers.request,
            headers_description="Headers a request may carry; unknown ones are ignored.",
            key=request_key,
            correlation=True,
        ),
        MESSAGE_OF[PREDICTIONS]: _message(
            name="Prediction",
            title="Prediction",
            summary="The prediction for one request (UTF-8 JSON).",
            description="Exactly one prediction or one dead letter is sent per request.",
            content_type="application/json",
            payload={"$ref": f"#/components/schemas/{PREDICTION_SCHEMA}"},
            headers=headers.prediction,
            headers_description="Headers the worker sets on every prediction.",
            key=prediction_key,
            correlation=True,
        ),
        MESSAGE_OF[DEAD_LETTERS]: _message(
            name="DeadLetter",
            title="Dead letter",
            summary="A rejected input event, byte for byte, with the reason in headers.",
            description=(
                "The value is the ORIGINAL event, untouched (meant to be a prediction "
                f"request, see components/schemas/{REQUEST_SCHEMA}, but possibly not JSON "
                "at all), so it can be inspected, fixed and produced again. The input's own "
                "headers are copied, then the dead-letter headers are added."
            ),
            content_type="application/octet-stream",
            payload={
                "type": "string",
                "format": "binary",
                "description": "The original event's bytes (opaque).",
            },
            headers=headers.dead_letter,
            headers_description="Why and where the event was rejected (UTF-8 values).",
            key=original_key,
            correlation=False,
        ),
        MESSAGE_OF[REPLAYS]: _message(
            name="ReplayedRequest",
            title="Replayed request",
            summary="A historical request forwarded byte for byte by deerstream replay.",
            description=(
                "The value and key are the original event's; replay tags are added to its "
                "own headers. The prediction of a replayed request is marked replay."
            ),
            content_type="application/json",
            payload={"$ref": f"#/components/schemas/{REQUEST_SCHEMA}"},
            headers=headers.replay,
            headers_description="Replay tags (any stale ones are replaced).",
            key=original_key,
            correlation=True,
        ),
    }
    addresses = {
        REQUESTS: (topics.request, "Prediction requests, produced by applications."),
        PREDICTIONS: (topics.prediction, "Predictions, one per valid request."),
        DEAD_LETTERS: (topics.dead_letter, "Rejected input events (the dead-letter queue)."),
        REPLAYS: (topics.replay, "Historical requests re-published by deerstream replay."),
    }
    channels: dict[str, Any] = {}
    for channel_id, (address, description) in addresses.items():
        message_id = MESSAGE_OF[channel_id]
        channels[channel_id] = {
            "address": address,
            "description": description,
            "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
            "bindings": {
                "kafka": {
                    "topic": address,
                    "partitions": topics.partitions,
                    "replicas": topics.replicas,
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
    operations: dict[str, Any] = {}
    for operation_id, (action, channel_id) in OPERATIONS.items():
        message_id = MESSAGE_OF[channel_id]
        operations[operation_id] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{message_id}"}],
        }
    info_obj: dict[str, Any] = {
        "title": info.title,
        "version": info.version,
        "description": info.description,
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": info_obj,
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {
                REQUEST_SCHEMA: _json_schema(request_schema),
                PREDICTION_SCHEMA: _json_schema(prediction_schema),
            },
            "messages": messages,
        },
    }


def _json_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A draft 2020-12 schema as a Multi Format Schema Object (the schema unchanged)."""
    return {"schemaFormat": JSON_SCHEMA_2020_12, "schema": copy.deepcopy(dict(schema))}


def _message(
    *,
    name: str,
    title: str,
    summary: str,
    description: str,
    content_type: str,
    payload: dict[str, Any],
    headers: Sequence[Header],
    headers_description: str,
    key: dict[str, Any],
    correlation: bool,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": name,
        "title": title,
        "summary": summary,
        "description": description,
        "contentType": content_type,
    }
    if headers:
        message["headers"] = headers_schema(headers, headers_description)
    message["payload"] = payload
    if correlation:
        message["correlationId"] = {
            "description": "The request's id, echoed on its prediction.",
            "location": "$message.payload#/request_id",
        }
    message["bindings"] = {
        "kafka": {"key": copy.deepcopy(key), "bindingVersion": KAFKA_BINDING_VERSION}
    }
    return message


def _resolve(root: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Any]:
    """``node`` merged with what its local ``$ref`` (``#/...``) points to, recursively."""
    out = {k: v for k, v in node.items() if k != "$ref"}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        out = {**_resolve(root, target), **out}
    return out
