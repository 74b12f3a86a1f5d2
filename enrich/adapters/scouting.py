"""Scouting adapter: the project's scouting REST contract (docs/scouting-api.md).

Many cells are asked for in one ``POST /v1/observations/query``; each query is a circle
(centre, radius) and a ``since`` instant, answered with the observations inside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from deerstream.errors import UpstreamBadResponse
from enrich.http import UpstreamHttp
from models.records import ObservationType, ScoutingObservation
from models.wire import format_datetime

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


def parse_observation(obj: Any) -> ScoutingObservation:
    """One observation object → ``ScoutingObservation``."""
    if not isinstance(obj, dict):
        raise _bad("observation is not an object")
    try:
        observed = datetime.fromisoformat(str(obj["observed_at"]).replace("Z", "+00:00"))
        if observed.tzinfo is None:
            raise ValueError("observed_at lacks a UTC offset")
        kind = ObservationType(obj["type"])
        hunter = obj.get("hunter_id")
        return ScoutingObservation(
            observation_id=str(obj["observation_id"]),
            type=kind,
            lat=float(obj["lat"]),
            lon=float(obj["lon"]),
            observed_at=observed.astimezone(UTC),
            confidence=float(obj["confidence"]),
            hunter_id=None if hunter is None else str(hunter),
            rub_trunk_diameter_cm=_opt_float(obj, "rub_trunk_diameter_cm"),
            rub_height_cm=_opt_float(obj, "rub_height_cm"),
            scrape_large=_opt_bool(obj, "scrape_large"),
            licking_branch=_opt_bool(obj, "licking_branch"),
            mature_buck_seen=_opt_bool(obj, "mature_buck_seen"),
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
