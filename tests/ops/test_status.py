"""``deerstream status``: reading a worker's metrics and readiness into a table."""

from __future__ import annotations

import argparse
import asyncio
import io
import socket

import pytest
from rich.console import Console

from deerstream.commands.status import Sample, default_url, parse_scrape, run, summarize
from deerstream.metrics import Metrics
from deerstream.settings import Settings
from deerstream.web import OpsServer


def _scrape(metrics: Metrics) -> list[Sample]:
    return parse_scrape(metrics.render()[0].decode())


def _metrics_with_traffic() -> Metrics:
    m = Metrics()
    m.register_stats(
        "enricher",
        lambda: {
            "terrain": {"cache_hit": 9, "cache_miss": 1, "upstream_calls": 1, "circuit_state": 0},
            "weather": {"cache_hit": 1, "cache_stale": 3, "upstream_errors": 4, "circuit_state": 2},
        },
    )
    m.register_stats("prediction_cache", lambda: {"hit": 1, "miss": 3})
    m.consumer_lag.labels(topic="prediction-requests", partition="10").set(5)
    m.consumer_lag.labels(topic="prediction-requests", partition="2").set(40)
    m.dead_letters.labels(reason="invalid_json").inc(2)
    return m


def test_summarize_computes_rates_ratios_and_lag() -> None:
    m = _metrics_with_traffic()
    before = _scrape(m)
    m.predictions.labels(replay="false", cached="false").inc(30)
    m.predictions.labels(replay="true", cached="true").inc(10)
    m.events_in.labels(topic="prediction-requests").inc(50)
    after = _scrape(m)
    ready = {"ready": False, "checks": {"redis": {"ok": False, "detail": "refused"}}}
    report = summarize(before, after, 2.0, ready)
    assert report.predictions_per_s == 20.0
    assert report.events_per_s == 25.0
    # Numeric partition order, not string order.
    assert report.lag == [("prediction-requests", "2", 40.0), ("prediction-requests", "10", 5.0)]
    assert report.dead_letters == {"invalid_json": 2.0}
    terrain, weather = report.sources
    assert (terrain.source, terrain.hit_ratio, terrain.calls, terrain.circuit) == (
        "terrain", 0.9, 1.0, "closed",
    )  # fmt: skip
    assert (weather.hit_ratio, weather.errors, weather.circuit) == (0.25, 4.0, "open")
    assert report.prediction_cache_ratio == 0.25
    assert report.ready is False
    assert report.checks == {"redis": {"ok": False, "detail": "refused"}}


def test_summarize_without_traffic_has_no_ratios() -> None:
    empty = _scrape(Metrics())
    report = summarize(empty, empty, 1.0, {"ready": True, "checks": {}})
    assert report.predictions_per_s == 0.0
    assert report.sources == []
    assert report.prediction_cache_ratio is None
    assert report.ready is True


def test_default_url_reaches_a_wildcard_bind_on_loopback() -> None:
    assert default_url(Settings(web_port=7000)) == "http://127.0.0.1:7000"
    assert default_url(Settings(web_host="0.0.0.0")) == "http://127.0.0.1:6066"
    assert default_url(Settings(web_host="10.0.0.5")) == "http://10.0.0.5:6066"


async def test_status_prints_a_table_from_a_live_worker() -> None:
    metrics = _metrics_with_traffic()

    async def kafka() -> tuple[bool, str]:
        return True, "8 partitions assigned"

    server = OpsServer(Settings(web_port=0).web, metrics, {"kafka": kafka})
    await server.start()
    out = io.StringIO()
    args = argparse.Namespace(url=f"http://127.0.0.1:{server.port}", watch=False, interval=1.0)

    def traffic_while_waiting(_seconds: float) -> None:
        # Stands in for the pause between the two scrapes: predictions flow meanwhile.
        metrics.predictions.labels(replay="false", cached="false").inc(100)

    try:
        status = await asyncio.to_thread(
            run,
            args,
            Settings(),
            console=Console(file=out, width=140, color_system=None),
            sleep=traffic_while_waiting,
        )
    finally:
        await server.stop()
    text = out.getvalue()
    assert status == 0
    assert "ready" in text and "NOT READY" not in text
    assert "8 partitions assigned" in text
    assert "predictions 0.0/s" not in text
    assert "prediction-requests" in text and "invalid_json" in text
    assert "terrain" in text and "90.0%" in text and "open" in text


def test_status_reports_an_unreachable_worker(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = argparse.Namespace(url=f"http://127.0.0.1:{port}", watch=False, interval=1.0)
    status = run(args, Settings(), console=Console(file=io.StringIO()), sleep=lambda _: None)
    assert status == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"deerstream: error: cannot reach the worker at http://127.0.0.1:{port}")
    assert "\n" not in err


def test_status_is_a_registered_subcommand() -> None:
    from deerstream.cli import build_parser

    args = build_parser().parse_args(["status", "--url", "http://h:1", "--watch"])
    assert (args.command, args.url, args.watch, args.interval) == (
        "status",
        "http://h:1",
        True,
        1.0,
    )
    assert args.handler is run
