"""Registering the prediction schemas with a schema registry (Confluent-compatible API).

With ``SCHEMA_REGISTRY_URL`` set, the worker registers the JSON Schema of each prediction
version under the subject ``<prediction topic>-value`` (the Confluent TopicNameStrategy)
at start and frames every prediction with the id of its version's schema (magic byte 0,
the 4-byte id, the JSON), as a registry-aware producer does; registry-aware consumers
(and ``deerstream subscribe``/``show``) read the frame. Registering the same schema again
returns the same id, so restarts and many workers agree.
"""

from __future__ import annotations

from urllib.parse import quote

import aiohttp
import orjson

from deerstream.errors import ConfigError
from deerstream.logs import redact
from deerstream.models.schema import load_schema

__all__ = ["register_json_schema", "register_prediction_schemas"]

SCHEMA_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


async def register_json_schema(
    base_url: str, subject: str, schema_text: str, *, timeout_s: float = 10.0
) -> int:
    """The registry's id for ``schema_text`` under ``subject`` (registered if new).

    Raises ConfigError (one line, credentials redacted) when the registry cannot be
    reached within ``timeout_s`` or refuses the schema."""
    url = f"{base_url.rstrip('/')}/subjects/{quote(subject, safe='')}/versions"
    body = orjson.dumps({"schemaType": "JSON", "schema": schema_text})
    where = redact(base_url)
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as session,
            session.post(url, data=body, headers={"Content-Type": SCHEMA_CONTENT_TYPE}) as r,
        ):
            text = await r.text()
            status = r.status
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise ConfigError(
            f"schema registry at {where} not reachable ({exc.__class__.__name__}); "
            "check SCHEMA_REGISTRY_URL"
        ) from None
    try:
        answer = orjson.loads(text)
    except orjson.JSONDecodeError:
        answer = None
    schema_id = answer.get("id") if isinstance(answer, dict) else None
    if status != 200 or not isinstance(schema_id, int) or isinstance(schema_id, bool):
        why = answer.get("message") if isinstance(answer, dict) else text[:200]
        raise ConfigError(
            f"schema registry at {where} refused the schema for subject {subject!r} "
            f"(HTTP {status}: {why}); check SCHEMA_REGISTRY_URL (the Confluent-compatible "
            "API, e.g. .../apis/ccompat/v7 for Apicurio)"
        )
    return schema_id


async def register_prediction_schemas(base_url: str, prediction_topic: str) -> dict[int, int]:
    """``{schema_version: registry id}`` for every prediction version the worker publishes."""
    subject = f"{prediction_topic}-value"
    ids = {}
    for version, name in ((1, "prediction.v1"), (2, "prediction")):
        text = orjson.dumps(load_schema(name)).decode()  # type: ignore[arg-type]
        ids[version] = await register_json_schema(base_url, subject, text)
    return ids
