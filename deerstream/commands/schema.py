"""``deerstream schema request|prediction``: print the event contract's JSON Schema."""

from __future__ import annotations

import argparse
import sys

import orjson

from deerstream.models.schema import SCHEMA_FILES, load_schema
from deerstream.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of a request or a prediction event")
    p.add_argument(
        "name",
        choices=sorted(SCHEMA_FILES),
        help="which event's schema (the current version 2, or version 1)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Write the schema, pretty-printed, to standard output."""
    schema = load_schema(args.name)
    sys.stdout.write(orjson.dumps(schema, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0
