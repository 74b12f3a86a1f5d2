"""Parse example bytes the way a consumer does, for feeding the JSON Schema validator."""

from __future__ import annotations

import json

import orjson


def parse_json(data: bytes) -> tuple[bool, object]:
    """(True, value) when ``data`` is JSON text, else (False, None).

    Like the codec, numbers beyond a double's range (valid JSON) parse as infinity;
    NaN/Infinity literals and non-UTF-8 bytes are not JSON.
    """
    try:
        return True, orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        return True, json.loads(data.decode("utf-8"), parse_constant=_refuse)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False, None


def _refuse(name: str) -> object:
    raise ValueError(name)
