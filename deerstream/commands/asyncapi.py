"""``deerstream asyncapi``: print the event contract as an AsyncAPI 3.0.0 document (JSON).

Topic names, partitions and replicas come from the settings; payload schemas are the
shipped JSON Schemas; header names come from the modules that write and read them.
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from deerstream.engine import MODEL_VERSION
from deerstream.errors import ConfigError
from deerstream.models import headers as hdr
from deerstream.models.asyncapi import Header, Info, MessageHeaders, Topics, asyncapi_document
from deerstream.models.deadletter import REASON_CODES
from deerstream.models.records import SUPPORTED_SCHEMA_VERSIONS
from deerstream.models.schema import load_schema
from deerstream.settings import Settings

# The prediction headers the pipeline sets (agents/pipeline.py writes them as literals;
# tests/models/test_asyncapi.py checks these names against what it actually sends).

_INTEGER = "^-?[0-9]{1,19}$"


def message_headers() -> MessageHeaders:
    """Every header deerstream defines, per message."""
    return MessageHeaders(
        request=(),
        prediction=(
            Header(hdr.CONTENT_TYPE, "Media type of the value.", True, ("application/json",)),
            Header(
                hdr.SCHEMA_VERSION,
                "The prediction's schema_version: the request's (a version-1 request is "
                "answered in the version-1 shape, schemas/prediction.v1.json).",
                True,
                tuple(str(v) for v in SUPPORTED_SCHEMA_VERSIONS),
            ),
            Header(
                hdr.MODEL_VERSION,
                "The model that computed the prediction.",
                True,
                examples=(MODEL_VERSION,),
            ),
            Header(hdr.REPLAY, "1 when the request was replayed.", enum=("1",)),
            Header(hdr.REPLAY_ORIGIN, "The replayed request's origin, copied from it."),
        ),
        dead_letter=(
            Header(hdr.REASON, "Stable reason code.", True, tuple(REASON_CODES)),
            Header(hdr.MESSAGE, "Human-readable explanation.", True),
            Header(hdr.PATH, "JSON path of the offending field ($: the whole event).", True),
            Header(hdr.SOURCE_TOPIC, "Topic the event was read from.", True),
            Header(hdr.SOURCE_PARTITION, "Partition it was read from.", True, pattern=_INTEGER),
            Header(hdr.SOURCE_OFFSET, "Offset it was read at.", True, pattern=_INTEGER),
            Header(hdr.FAILED_AT, "When it was rejected (RFC 3339, UTC).", True),
            Header(
                hdr.SCHEMA_ID,
                "Schema-registry id, when the input was in the Confluent wire format.",
                pattern=_INTEGER,
            ),
        ),
        replay=(
            Header(hdr.REPLAY, "Set on every replayed event.", True, ("1",)),
            Header(hdr.REPLAY_NO_CACHE, "1: the prediction bypasses the cache.", enum=("1",)),
            Header(
                hdr.REPLAY_ORIGIN,
                "Where the event came from: <topic>:<partition>:<offset> or file:<name>:<line>.",
                True,
            ),
            Header(
                hdr.REPLAY_TIMESTAMP,
                "The original event time in epoch milliseconds (absent when unknown).",
                pattern=_INTEGER,
            ),
        ),
    )


def topics_of(settings: Settings) -> Topics:
    return Topics(
        request=settings.request_topic,
        prediction=settings.prediction_topic,
        dead_letter=settings.dlq_topic,
        replay=settings.replay_topic,
        partitions=settings.topic_partitions,
        replicas=settings.topic_replication,
    )


def build_document(settings: Settings) -> dict[str, Any]:
    """The AsyncAPI document for ``settings``' topics."""
    try:
        version = metadata.version("deerstream")
    except metadata.PackageNotFoundError:
        version = "0.0.0"
    return asyncapi_document(
        topics=topics_of(settings),
        request_schema=load_schema("request"),
        prediction_schema=load_schema("prediction"),
        headers=message_headers(),
        info=Info(version=version),
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "asyncapi",
        help="print the topics, messages and headers as an AsyncAPI 3.0.0 document",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("--out", metavar="FILE", help="write the document to FILE instead")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Write the document, pretty-printed JSON, to standard output or ``--out``."""
    text = orjson.dumps(build_document(settings), option=orjson.OPT_INDENT_2).decode() + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    return 0
