"""The worker's operations endpoints: ``/metrics``, ``/health`` and ``/ready``.

* ``GET /metrics``: Prometheus exposition of the worker's :class:`~deerstream.metrics.Metrics`.
* ``GET /health``: 200 while the process runs and its event loop answers (liveness).
* ``GET /ready``: runs every readiness check concurrently, each under a short timeout;
  200 when all pass, 503 otherwise, with the same JSON body either way::

      {"ready": false, "checks": {"redis": {"ok": false, "detail": "timed out after 1.0s"},
                                  "kafka": {"ok": true, "detail": "8 partitions assigned"}}}

* ``GET /predictions`` and ``GET /predictions/{request_id}`` (only when a prediction store
  is passed): the recently published predictions' ids, and one prediction as a
  self-contained HTML page (``deerstream.views.page``); ``?format=json`` gives JSON instead.

The server binds ``WEB_HOST`` (127.0.0.1 unless configured otherwise).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import orjson
from aiohttp import web

from deerstream.lifecycle import AsyncStartStop
from deerstream.logs import redact
from deerstream.metrics import Metrics
from deerstream.models.framing import unframe
from deerstream.settings import WebSettings
from deerstream.views.page import render_index_page, render_prediction_page

__all__ = ["Check", "CheckResult", "OpsServer", "PredictionStore", "run_checks"]

#: A readiness check: ``(ok, detail)``; ``detail`` says why not when ``ok`` is false.
Check = Callable[[], Awaitable[tuple[bool, str]]]
#: The cached elevation grid of a prediction's place for the page's shading, or None.
TerrainLookup = Callable[[Mapping[str, Any]], Awaitable[Mapping[str, Any] | None]]
CheckResult = dict[str, bool | str]

_log = logging.getLogger(__name__)

#: The pages load nothing from anywhere; the browser is told so.
_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class PredictionStore(Protocol):
    """Recently published predictions (``deerstream.agents.recent.RecentPredictions``)."""

    def get(self, request_id: str) -> bytes | None: ...

    def ids(self) -> list[str]: ...


async def _run_check(check: Check, timeout_s: float) -> CheckResult:
    try:
        ok, detail = await asyncio.wait_for(check(), timeout_s)
    except TimeoutError:
        return {"ok": False, "detail": f"timed out after {timeout_s:g}s"}
    except Exception as exc:
        # A check that raises is a failed check, never a failed /ready request. The detail
        # goes to whoever can reach the port, so credentials in URLs are masked.
        return {"ok": False, "detail": str(redact(f"{type(exc).__name__}: {exc}"))}
    return {"ok": bool(ok), "detail": str(redact(detail))}


async def run_checks(checks: Mapping[str, Check], timeout_s: float) -> dict[str, CheckResult]:
    """Run ``checks`` concurrently, each bounded by ``timeout_s``; results by check name."""
    names = list(checks)
    results = await asyncio.gather(*(_run_check(checks[n], timeout_s) for n in names))
    return dict(zip(names, results, strict=True))


class OpsServer(AsyncStartStop):
    """An aiohttp server for the operations endpoints, with an explicit start/stop."""

    def __init__(
        self,
        listen: WebSettings,
        metrics: Metrics,
        checks: Mapping[str, Check],
        *,
        check_timeout_s: float = 1.0,
        predictions: PredictionStore | None = None,
        terrain: TerrainLookup | None = None,
    ) -> None:
        self._host = listen.host
        self._requested_port = listen.port
        self._metrics = metrics
        self._checks = dict(checks)
        self._check_timeout_s = check_timeout_s
        self._predictions = predictions
        self._terrain = terrain
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def _build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", self._handle_metrics)
        app.router.add_get("/health", self._handle_health)
        app.router.add_get("/ready", self._handle_ready)
        if self._predictions is not None:
            app.router.add_get("/predictions", self._handle_prediction_index)
            app.router.add_get("/predictions/{request_id}", self._handle_prediction)
        return app

    async def start(self) -> None:
        """Bind and start serving; ``port`` is known once this returns."""
        if self._runner is not None:
            return
        # access_log=None: a Prometheus scrape every few seconds is not an event of interest.
        runner = web.AppRunner(self._build_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        _log.info("ops server listening", extra={"host": self._host, "port": self._port})

    async def stop(self) -> None:
        """Stop serving and release the port. Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    @property
    def port(self) -> int:
        """The bound port (useful with ``web_port=0``, which picks a free one)."""
        if self._port is None:
            raise RuntimeError("OpsServer.port is known only after start()")
        return self._port

    async def _handle_metrics(self, request: web.Request) -> web.Response:
        body, content_type = self._metrics.render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _handle_health(self, request: web.Request) -> web.Response:
        return _json({"status": "ok"}, 200)

    async def _handle_ready(self, request: web.Request) -> web.Response:
        results = await run_checks(self._checks, self._check_timeout_s)
        ready = all(r["ok"] for r in results.values())
        return _json({"ready": ready, "checks": results}, 200 if ready else 503)

    async def _handle_prediction_index(self, request: web.Request) -> web.Response:
        assert self._predictions is not None
        ids = self._predictions.ids()
        if request.query.get("format") == "json":
            return _json({"predictions": ids}, 200)
        return _page(render_index_page(ids), 200)

    async def _handle_prediction(self, request: web.Request) -> web.Response:
        assert self._predictions is not None
        request_id = request.match_info["request_id"]
        raw = self._predictions.get(request_id)
        as_json = request.query.get("format") == "json"
        if raw is None:
            why = f"no recent prediction for request_id {request_id!r} on this worker"
            if as_json:
                return _json({"error": why}, 404)
            return web.Response(text=why + "\n", status=404, content_type="text/plain")
        if as_json:
            return web.Response(body=unframe(raw).payload, content_type="application/json")
        try:
            prediction = orjson.loads(unframe(raw).payload)
        except orjson.JSONDecodeError:
            return web.Response(text="stored prediction is not JSON\n", status=500)
        if not isinstance(prediction, dict):
            return web.Response(text="stored prediction is not an object\n", status=500)
        grid = await self._terrain(prediction) if self._terrain is not None else None
        return _page(render_prediction_page(prediction, elevation_grid=grid), 200)


def _json(payload: object, status: int) -> web.Response:
    return web.Response(body=orjson.dumps(payload), status=status, content_type="application/json")


def _page(text: str, status: int) -> web.Response:
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={"Content-Security-Policy": _PAGE_CSP, "X-Content-Type-Options": "nosniff"},
    )
