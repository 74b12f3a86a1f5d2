"""Scouting adapter: the project's scouting REST contract (docs/scouting-api.md).

Many cells are asked for in one ``POST /v1/observations/query``; each query is a circle
(centre, radius) and a ``since`` instant, answered with the observations inside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from deerstream.enrich.http import UpstreamHttp
from deerstream.errors import UpstreamBadResponse
from deerstream.models.records import ObservationType, ScoutingObservation
from deerstream.models.wire import format_datetime

SOURCE = "scouting"
MAX_QUERIES = 100
QUERY_PATH = "/v1/observations/query"


def _bad(message: str) -> UpstreamBadResponse:
    return UpstreamBadResponse(SOURCE, message)


def _rfc3339(t: datetime) -> str:
    return format_datetime(t.replace(microsecond=0))


def build_query_body(
    queries: Sequence[tuple[str, float, float, float, datetime]],
) -> dict[str, Any]:
    """Body of one batch query; ``queries`` are (id, lat, lon, radius_m, since)."""
    if not 0 < len(queries) <= MAX_QUERIES:
        raise ValueError(f"1..{MAX_QUERIES} queries per call, got {len(queries)}")
    return {
        "queries": [
            {
                "id": qid,
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "radius_m": round(r, 1),
                "since": _rfc3339(since),
            }
            for qid, lat, lon, r, since in queries
        ]
    }


def _opt_float(obj: dict[str, Any], key: str) -> float | None:
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise _bad(f"{key} is not a number")
    return float(v)


def _opt_bool(obj: dict[str, Any], key: str) -> bool | None:
    v = obj.get(key)
    if v is None or isinstance(v, bool):
        return v
    raise _bad(f"{key} is not a boolean")


_TYPES = {t.value: t for t in ObservationType}
_OPTIONAL_NUMBERS = ("rub_trunk_diameter_cm", "rub_height_cm")
_OPTIONAL_FLAGS = ("scrape_large", "licking_branch", "mature_buck_seen")


def parse_observation(obj: Any) -> ScoutingObservation:
    """One observation object → ``ScoutingObservation``.

    On the cold path this runs for every observation of every fetched cell, so it avoids
    the enum constructor and the optional-field helpers when those fields are absent
    (the common case); the rules are the same.
    """
    if not isinstance(obj, dict):
        raise _bad("observation is not an object")
    try:
        observed = datetime.fromisoformat(str(obj["observed_at"]))  # 3.11 reads a "Z"
        tz = observed.tzinfo
        if tz is None:
            raise ValueError("observed_at lacks a UTC offset")
        if tz is not UTC:
            observed = observed.astimezone(UTC)
        if observed.microsecond:
            # Whole seconds, as the cache form keeps them: a cell reads the same fresh from
            # the upstream as from the cache (and the model works in days).
            observed = observed.replace(microsecond=0)
        kind = _TYPES.get(obj["type"])
        if kind is None:
            raise ValueError(f"{obj['type']!r} is not an observation type")
        hunter = obj.get("hunter_id")
        get = obj.get
        numbers = [None if get(key) is None else _opt_float(obj, key) for key in _OPTIONAL_NUMBERS]
        flags = [None if get(key) is None else _opt_bool(obj, key) for key in _OPTIONAL_FLAGS]
        return ScoutingObservation(
            str(obj["observation_id"]),
            kind,
            float(obj["lat"]),
            float(obj["lon"]),
            observed,
            float(obj["confidence"]),
            None if hunter is None else str(hunter),
            numbers[0],
            numbers[1],
            flags[0],
            flags[1],
            flags[2],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(f"bad observation: {exc!r}") from None


def encode_observation(o: ScoutingObservation) -> dict[str, Any]:
    """The contract's JSON form of an observation (also the cache form)."""
    out: dict[str, Any] = {
        "observation_id": o.observation_id,
        "type": o.type.value,
        "lat": o.lat,
        "lon": o.lon,
        "observed_at": _rfc3339(o.observed_at),
        "confidence": o.confidence,
        "hunter_id": o.hunter_id,
    }
    for key in (
        "rub_trunk_diameter_cm",
        "rub_height_cm",
        "scrape_large",
        "licking_branch",
        "mature_buck_seen",
    ):
        value = getattr(o, key)
        if value is not None:
            out[key] = value
    return out


def parse_query_results(
    data: Any, ids: Sequence[str]
) -> dict[str, tuple[ScoutingObservation, ...]]:
    """``{"results": [{"id", "observations": [..]}]}`` → observations per query id."""
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise _bad("results missing")
    out: dict[str, tuple[ScoutingObservation, ...]] = {}
    for item in results:
        if not isinstance(item, dict) or not isinstance(item.get("observations"), list):
            raise _bad("result is not {id, observations}")
        out[str(item.get("id"))] = tuple(parse_observation(o) for o in item["observations"])
    if set(out) != set(ids):
        raise _bad("results do not answer the queries asked")
    return out


async def fetch_observations(
    http: UpstreamHttp,
    queries: Sequence[tuple[str, float, float, float, datetime]],
    deadline: float,
) -> dict[str, tuple[ScoutingObservation, ...]]:
    """Observations per query id, for up to 100 queries in one upstream call."""
    body = build_query_body(queries)
    data = await http.request_json("POST", QUERY_PATH, body=body, deadline=deadline)
    return parse_query_results(data, [q[0] for q in queries])


def encode_observations(obs: tuple[ScoutingObservation, ...]) -> list[dict[str, Any]]:
    """The cache form of a cell's observations."""
    return [encode_observation(o) for o in obs]


def decode_observations(data: list[Any]) -> tuple[ScoutingObservation, ...]:
    """Inverse of ``encode_observations``."""
    return tuple(parse_observation(o) for o in data)
