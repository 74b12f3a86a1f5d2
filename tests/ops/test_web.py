"""The ops server on an ephemeral loopback port: /health, /ready and /metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import aiohttp
import orjson
import pytest

from deerstream.metrics import Metrics
from deerstream.settings import Settings
from deerstream.web import Check, OpsServer

Serve = Callable[..., Awaitable[OpsServer]]


def _check(ok: bool, detail: str) -> Check:
    async def check() -> tuple[bool, str]:
        return ok, detail

    return check


async def _raises() -> tuple[bool, str]:
    raise ConnectionError("redis://worker:s3cret@redis.internal:6379 refused")


async def _hangs() -> tuple[bool, str]:
    await asyncio.Event().wait()
    return True, "never"


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[OpsServer] = []

    async def start(checks: Mapping[str, Check], metrics: Metrics | None = None) -> OpsServer:
        metrics = metrics if metrics is not None else Metrics()
        server = OpsServer(Settings(web_port=0).web, metrics, checks, check_timeout_s=0.2)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


async def _get(server: OpsServer, path: str) -> tuple[int, str, bytes]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.read()


async def test_health_answers_ok_while_running(serve: Serve) -> None:
    server = await serve({"redis": _check(False, "down")})
    status, content_type, body = await _get(server, "/health")
    assert status == 200
    assert content_type.startswith("application/json")
    assert body == b'{"status":"ok"}'


async def test_ready_when_every_check_passes(serve: Serve) -> None:
    server = await serve(
        {"kafka": _check(True, "8 partitions assigned"), "redis": _check(True, "PONG")}
    )
    status, _, body = await _get(server, "/ready")
    assert status == 200
    assert orjson.loads(body) == {
        "ready": True,
        "checks": {
            "kafka": {"ok": True, "detail": "8 partitions assigned"},
            "redis": {"ok": True, "detail": "PONG"},
        },
    }


async def test_not_ready_says_why_for_each_failing_check(serve: Serve) -> None:
    server = await serve(
        {
            "kafka": _check(True, "assigned"),
            "producer": _check(False, "producer not started"),
            "redis": _raises,
            "upstreams": _hangs,
        }
    )
    status, content_type, body = await _get(server, "/ready")
    assert status == 503
    assert content_type.startswith("application/json")
    answer = orjson.loads(body)
    assert answer["ready"] is False
    checks = answer["checks"]
    assert checks["kafka"] == {"ok": True, "detail": "assigned"}
    assert checks["producer"] == {"ok": False, "detail": "producer not started"}
    assert checks["redis"]["ok"] is False
    assert checks["redis"]["detail"].startswith("ConnectionError: redis://worker:***@")
    assert "s3cret" not in body.decode()
    assert checks["upstreams"] == {"ok": False, "detail": "timed out after 0.2s"}


async def test_metrics_serves_the_exposition_with_its_content_type(serve: Serve) -> None:
    metrics = Metrics()
    server = await serve({}, metrics)
    metrics.events_in.labels(topic="prediction-requests").inc(7)
    status, content_type, body = await _get(server, "/metrics")
    assert status == 200
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert b'deerstream_events_in_total{topic="prediction-requests"} 7.0' in body


async def test_binds_loopback_by_default_and_reports_the_ephemeral_port() -> None:
    assert Settings().web_host == "127.0.0.1"
    server = OpsServer(Settings(web_port=0).web, Metrics(), {})
    with pytest.raises(RuntimeError):
        _ = server.port
    await server.start()
    try:
        assert server.port > 0
        status, _, _ = await _get(server, "/health")
        assert status == 200
    finally:
        await server.stop()
        await server.stop()  # a second stop is harmless
    with pytest.raises(aiohttp.ClientConnectionError):
        await _get(server, "/health")


async def test_a_taken_port_fails_start_with_oserror(serve: Serve) -> None:
    first = await serve({})
    second = OpsServer(Settings(web_port=first.port).web, Metrics(), {})
    with pytest.raises(OSError):
        await second.start()
