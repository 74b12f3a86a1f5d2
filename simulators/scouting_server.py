"""Scouting simulator: the project's scouting REST contract (docs/scouting-api.md).

``GET /v1/observations?lat&lon&radius_m&since[&until][&hunter_id]`` → ``{"observations": [..]}``
``POST /v1/observations/query`` ``{"queries": [{"id", "lat", "lon", "radius_m", "since",
"until"?, "hunter_id"?}, ..]}`` (≤ 100) → ``{"results": [{"id", "observations": [..]}]}``
``POST /v1/observations`` (one observation) → 201 ``{"observation": {..}}``
Errors: HTTP 400 ``{"error": true, "reason": ".."}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from deerstream.models.geo import distance_m
from deerstream.models.records import ObservationType
from deerstream.simulators.common import KNOBS_KEY, BadRequest, build_app, json_response
from deerstream.simulators.knobs import Knobs
from deerstream.simulators.scouting_data import seeded_observations

MAX_QUERIES = 100
MAX_RADIUS_M = 10_000.0
_TYPES = {t.value for t in ObservationType}


def _parse_time(raw: Any, name: str) -> datetime:
    if not isinstance(raw, str):
        raise BadRequest(f"'{name}' must be an RFC 3339 timestamp")
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"'{name}' is not an RFC 3339 timestamp: {raw!r}") from None
    if value.tzinfo is None:
        raise BadRequest(f"'{name}' needs a UTC offset")
    return value.astimezone(UTC)


def _parse_number(raw: Any, name: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"'{name}' must be a number") from None
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be within {low}..{high}")
    return value


class _Store:
    """Observations added through the API (kept in memory for the server's lifetime)."""

    def __init__(self, seed: int, now: Callable[[], datetime]) -> None:
        self.seed = seed
        self.now = now
        self.added: list[dict[str, Any]] = []

    def query(self, q: dict[str, Any]) -> list[dict[str, Any]]:
        lat = _parse_number(q.get("lat"), "lat", -90.0, 90.0)
        lon = _parse_number(q.get("lon"), "lon", -180.0, 180.0)
        radius = _parse_number(q.get("radius_m"), "radius_m", 1.0, MAX_RADIUS_M)
        since = _parse_time(q.get("since"), "since")
        until = _parse_time(q["until"], "until") if q.get("until") else self.now()
        hunter = q.get("hunter_id")
        found = seeded_observations(lat, lon, radius, since, until, self.seed)
        for obs in self.added:
            at = datetime.fromisoformat(obs["observed_at"].replace("Z", "+00:00"))
            if since <= at <= until and distance_m(lat, lon, obs["lat"], obs["lon"]) <= radius:
                found.append(obs)
        if hunter:
            found = [o for o in found if o.get("hunter_id") == hunter]
        return found

    def add(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object")
        if body.get("type") not in _TYPES:
            raise BadRequest(f"'type' must be one of {sorted(_TYPES)}")
        obs = dict(body)
        obs["lat"] = _parse_number(body.get("lat"), "lat", -90.0, 90.0)
        obs["lon"] = _parse_number(body.get("lon"), "lon", -180.0, 180.0)
        obs["confidence"] = _parse_number(body.get("confidence", 5), "confidence", 1.0, 10.0)
        at = _parse_time(body.get("observed_at"), "observed_at")
        obs["observed_at"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        obs.setdefault("observation_id", f"obs-{uuid.uuid4().hex[:16]}")
        self.added.append(obs)
        return obs


async def _json_body(request: web.Request) -> Any:
    try:
        return orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise BadRequest("body is not valid JSON") from None


def create_scouting_app(
    knobs: Knobs, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> web.Application:
    """The scouting simulator application; ``now`` is the default ``until`` of a query."""
    store = _Store(knobs.config.seed, now)

    async def query_one(request: web.Request) -> web.Response:
        request.app[KNOBS_KEY].points["queries"] += 1
        return json_response({"observations": store.query(dict(request.query))})

    async def query_many(request: web.Request) -> web.Response:
        body = await _json_body(request)
        queries = body.get("queries") if isinstance(body, dict) else None
        if not isinstance(queries, list) or not all(isinstance(q, dict) for q in queries):
            raise BadRequest("'queries' must be a list of objects")
        if len(queries) > MAX_QUERIES:
            raise BadRequest(f"at most {MAX_QUERIES} queries per call")
        request.app[KNOBS_KEY].points["queries"] += len(queries)
        results = [{"id": q.get("id"), "observations": store.query(q)} for q in queries]
        return json_response({"results": results})

    async def add(request: web.Request) -> web.Response:
        return json_response({"observation": store.add(await _json_body(request))}, status=201)

    app = build_app(knobs)
    app.router.add_get("/v1/observations", query_one)
    app.router.add_post("/v1/observations/query", query_many)
    app.router.add_post("/v1/observations", add)
    return app
