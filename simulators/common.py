"""What every simulator shares: the fault middleware, admin endpoints and JSON helpers.

Admin endpoints (never subject to faults, never counted):
``GET /_sim/stats`` → counters and knobs; ``POST /_sim/config`` with a JSON object of knobs
(lists for tuple knobs; ``"preset": "real_open_meteo"`` for every real behaviour at once)
→ applies them live; ``POST /_sim/reset`` → zeroes the counters and the quota and restarts
the seeded fault stream.

A 429, injected (``rate_limit_rate``, a scripted 429) or from the per-minute quota, answers
like the real API: ``{"reason": "Minutely API request limit exceeded. ...", "error": true}``
and no ``Retry-After`` unless ``send_retry_after``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from deerstream.errors import ConfigError
from deerstream.simulators.knobs import RATE_LIMIT_REASONS, Fault, Knobs

KNOBS_KEY: web.AppKey[Knobs] = web.AppKey("knobs", Knobs)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response serialised with orjson."""
    return web.Response(
        body=orjson.dumps(data), status=status, content_type="application/json", headers=headers
    )


def error_response(
    reason: str, status: int = 400, headers: dict[str, str] | None = None
) -> web.Response:
    """The Open-Meteo error body, in its key order: ``{"reason": ..., "error": true}``."""
    return json_response({"reason": reason, "error": True}, status=status, headers=headers)


def rate_limited_response(knobs: Knobs, limit: str) -> web.Response:
    """The real HTTP 429 for ``limit`` ("minutely", "hourly", "daily"); ``Retry-After``
    only when the ``send_retry_after`` knob asks for it."""
    cfg = knobs.config
    headers = {"Retry-After": f"{cfg.retry_after_s:g}"} if cfg.send_retry_after else None
    return error_response(RATE_LIMIT_REASONS[limit], status=429, headers=headers)


def calls_in(request: web.Request) -> int:
    """How many calls a request costs against the quota: one per location."""
    raw = request.query.get("latitude")
    return max(1, len(raw.split(","))) if raw else 1


class BadRequest(Exception):
    """A request the simulator rejects with HTTP 400 and a reason."""


def parse_floats(raw: str | None, name: str) -> list[float]:
    """A comma-separated list of finite floats."""
    if raw is None or raw.strip() == "":
        raise BadRequest(f"Parameter '{name}' is required")
    try:
        values = [float(part) for part in raw.split(",")]
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be a list of numbers") from None
    if any(v != v or v in (float("inf"), float("-inf")) for v in values):
        raise BadRequest(f"Parameter '{name}' must be finite")
    return values


def check_coordinates(lats: list[float], lons: list[float]) -> None:
    if len(lats) != len(lons):
        raise BadRequest(
            "Parameter 'latitude' and 'longitude' must have the same number of elements"
        )
    for lat, lon in zip(lats, lons, strict=True):
        if not -90.0 <= lat <= 90.0:
            raise BadRequest(f"Latitude must be in range of -90 to 90°. Given: {lat}.")
        if not -180.0 <= lon <= 180.0:
            raise BadRequest(f"Longitude must be in range of -180 to 180°. Given: {lon}.")


def _make_fault_middleware(knobs: Knobs) -> Any:
    @web.middleware
    async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_sim/"):
            return await handler(request)
        knobs.requests[f"{request.method} {request.path}"] += 1
        decision = knobs.decide()
        if decision.fault is not Fault.NONE:
            knobs.faults[decision.fault.value] += 1
        if decision.delay_s > 0:
            await asyncio.sleep(decision.delay_s)
        if decision.fault is Fault.HANG:
            return error_response("simulated hang ended", status=504)
        if decision.fault is Fault.ERROR:
            return error_response("simulated internal error", status=decision.status)
        if decision.fault is Fault.RATE_LIMIT:
            return rate_limited_response(knobs, knobs.config.rate_limit_reason)
        if not knobs.take_quota(calls_in(request)):
            knobs.faults[Fault.QUOTA.value] += 1
            return rate_limited_response(knobs, "minutely")
        try:
            response = await handler(request)
        except BadRequest as exc:
            return error_response(str(exc))
        if decision.fault is Fault.MALFORMED:
            return web.Response(body=b'{"truncated": [1, 2', content_type="application/json")
        return response

    return fault_middleware


async def _stats(request: web.Request) -> web.Response:
    return json_response(request.app[KNOBS_KEY].snapshot())


async def _config(request: web.Request) -> web.Response:
    knobs = request.app[KNOBS_KEY]
    try:
        changes = orjson.loads(await request.read())
        if not isinstance(changes, dict):
            raise ConfigError("body must be a JSON object of knobs")
        knobs.configure(knobs.config.updated(changes))
    except (orjson.JSONDecodeError, ConfigError, TypeError, ValueError) as exc:
        return error_response(str(exc))
    return json_response(knobs.snapshot()["config"])


async def _reset(request: web.Request) -> web.Response:
    knobs = request.app[KNOBS_KEY]
    knobs.reset()
    knobs.configure(knobs.config)
    return json_response({"ok": True})


def build_app(knobs: Knobs) -> web.Application:
    """An application with the fault middleware and admin routes; callers add their API."""
    app = web.Application(middlewares=[_make_fault_middleware(knobs)])
    app[KNOBS_KEY] = knobs
    app.router.add_get("/_sim/stats", _stats)
    app.router.add_post("/_sim/config", _config)
    app.router.add_post("/_sim/reset", _reset)
    return app
