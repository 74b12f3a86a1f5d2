"""The JSON Schemas of the event contract, shipped in the ``schemas`` package."""

from __future__ import annotations

from importlib import resources
from typing import Literal

import orjson

#: Schema name → file under ``schemas/``: the current contract (version 2) and version 1,
#: which is still read and answered.
SCHEMA_FILES: dict[str, str] = {
    "request": "prediction-request.v2.json",
    "prediction": "prediction.v2.json",
    "request.v1": "prediction-request.v1.json",
    "prediction.v1": "prediction.v1.json",
}

SchemaName = Literal["request", "prediction", "request.v1", "prediction.v1"]


def load_schema(name: SchemaName) -> dict[str, object]:
    """The JSON Schema (draft 2020-12) for ``name``, freshly parsed (safe to modify)."""
    data = resources.files("deerstream.schemas").joinpath(SCHEMA_FILES[name]).read_bytes()
    schema = orjson.loads(data)
    if not isinstance(schema, dict):
        raise ValueError(f"schema {name} is not a JSON object")
    return schema
