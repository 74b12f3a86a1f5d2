"""``deerstream status``: what a running worker is doing, read from its ops endpoints.

Scrapes ``/metrics`` twice (``--interval`` apart) to turn counters into rates, reads
``/ready``, and prints consumer lag per partition, throughput, dead letters by reason,
cache hit ratios and upstream health per source. ``--watch`` repeats until Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import orjson
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.table import Table

from deerstream.metrics import CIRCUIT_STATES
from deerstream.settings import Settings

_TIMEOUT_S = 3.0
# Bypass any HTTP proxy from the environment: the worker is on this machine or network.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("status", help="show a running worker's lag, throughput and health")
    p.add_argument("--url", help="the worker's ops address (default: from WEB_HOST/WEB_PORT)")
    p.add_argument("--watch", action="store_true", help="refresh until Ctrl-C")
    p.add_argument(
        "--interval", type=float, default=1.0, help="seconds between scrapes (default 1)"
    )
    p.set_defaults(handler=run)


class Unreachable(Exception):
    """The worker's ops endpoint did not answer."""


@dataclass(frozen=True)
class Sample:
    """One exposition sample: a series name, its labels and its value."""

    name: str
    labels: Mapping[str, str]
    value: float


def parse_scrape(text: str) -> list[Sample]:
    """The samples of a Prometheus text exposition."""
    return [
        Sample(s.name, dict(s.labels), float(s.value))
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def _sum_by(samples: Iterable[Sample], name: str, *labels: str) -> dict[tuple[str, ...], float]:
    out: dict[tuple[str, ...], float] = {}
    for s in samples:
        if s.name == name:
            key = tuple(s.labels.get(label, "") for label in labels)
            out[key] = out.get(key, 0.0) + s.value
    return out


def _total(samples: Iterable[Sample], name: str) -> float:
    return sum(_sum_by(samples, name).values())


@dataclass(frozen=True)
class SourceHealth:
    source: str
    hit_ratio: float | None  # hits / (hits + misses + stale), None before any lookup
    lookups: float
    calls: float
    errors: float
    retries: float
    circuit: str


@dataclass(frozen=True)
class StatusReport:
    """Everything the table shows, computed from two scrapes and a /ready answer."""

    events_per_s: float
    predictions_per_s: float
    in_flight: float
    lag: list[tuple[str, str, float]]
    dead_letters: dict[str, float]
    sources: list[SourceHealth]
    prediction_cache_ratio: float | None
    ready: bool
    checks: dict[str, dict[str, object]] = field(default_factory=dict)


def summarize(
    before: list[Sample], after: list[Sample], elapsed_s: float, readiness: Mapping[str, object]
) -> StatusReport:
    """Turn two scrapes ``elapsed_s`` apart and the /ready body into a report."""
    elapsed = max(elapsed_s, 1e-9)

    def rate(name: str) -> float:
        return max(_total(after, name) - _total(before, name), 0.0) / elapsed

    lag = sorted(
        (
            (t, p, v)
            for (t, p), v in _sum_by(after, "deerstream_consumer_lag", "topic", "partition").items()
        ),
        key=lambda row: (row[0], int(row[1]) if row[1].isdigit() else 0),
    )
    dead = {r: v for (r,), v in _sum_by(after, "deerstream_dead_letters_total", "reason").items()}
    cache = _sum_by(after, "deerstream_cache_requests_total", "source", "result")
    per_source = {
        name: {src: v for (src,), v in _sum_by(after, f"deerstream_{name}", "source").items()}
        for name in ("upstream_calls_total", "upstream_errors_total", "upstream_retries_total")
    }
    circuits = {s: v for (s,), v in _sum_by(after, "deerstream_circuit_state", "source").items()}
    names = sorted({s for s, _ in cache} | set(circuits) | set(per_source["upstream_calls_total"]))
    sources = []
    for src in names:
        hits = cache.get((src, "hit"), 0.0)
        looked = hits + cache.get((src, "miss"), 0.0) + cache.get((src, "stale"), 0.0)
        state = circuits.get(src)
        sources.append(
            SourceHealth(
                source=src,
                hit_ratio=hits / looked if looked else None,
                lookups=looked + cache.get((src, "bypass"), 0.0),
                calls=per_source["upstream_calls_total"].get(src, 0.0),
                errors=per_source["upstream_errors_total"].get(src, 0.0),
                retries=per_source["upstream_retries_total"].get(src, 0.0),
                circuit="-" if state is None else CIRCUIT_STATES.get(int(state), str(state)),
            )
        )
    pcache = _sum_by(after, "deerstream_prediction_cache_total", "result")
    p_looked = pcache.get(("hit",), 0.0) + pcache.get(("miss",), 0.0)
    checks = readiness.get("checks")
    return StatusReport(
        events_per_s=rate("deerstream_events_in_total"),
        predictions_per_s=rate("deerstream_predictions_total"),
        in_flight=_total(after, "deerstream_in_flight"),
        lag=lag,
        dead_letters=dead,
        sources=sources,
        prediction_cache_ratio=pcache.get(("hit",), 0.0) / p_looked if p_looked else None,
        ready=readiness.get("ready") is True,
        checks=dict(checks) if isinstance(checks, Mapping) else {},
    )


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def render_report(report: StatusReport, url: str, console: Console) -> None:
    """Print ``report`` as rich tables."""
    state = "[green]ready[/]" if report.ready else "[bold red]NOT READY[/]"
    console.print(f"[bold]deerstream worker[/] {url}  {state}")
    console.print(
        f"events in {report.events_per_s:.1f}/s · predictions {report.predictions_per_s:.1f}/s"
        f" · in flight {report.in_flight:.0f}"
        f" · prediction cache hit ratio {_ratio(report.prediction_cache_ratio)}"
    )
    checks = Table("check", "ok", "detail", title="readiness")
    for name, result in report.checks.items():
        ok = result.get("ok") is True
        checks.add_row(name, "[green]yes[/]" if ok else "[red]no[/]", str(result.get("detail", "")))
    lag = Table("topic", "partition", "lag", title="consumer lag")
    for topic, partition, value in report.lag:
        lag.add_row(topic, partition, f"{value:.0f}")
    sources = Table(
        "source",
        "cache hit ratio",
        "lookups",
        "upstream calls",
        "errors",
        "retries",
        "circuit",
        title="enrichment sources",
    )
    for s in report.sources:
        circuit = s.circuit if s.circuit in ("closed", "-") else f"[bold red]{s.circuit}[/]"
        sources.add_row(
            s.source,
            _ratio(s.hit_ratio),
            f"{s.lookups:.0f}",
            f"{s.calls:.0f}",
            f"{s.errors:.0f}",
            f"{s.retries:.0f}",
            circuit,
        )
    dead = Table("reason", "dead letters", title="dead letters")
    for reason, count in sorted(report.dead_letters.items()):
        dead.add_row(reason, f"{count:.0f}")
    for table in (checks, lag, sources, dead):
        if table.row_count:
            console.print(table)


def fetch(url: str, timeout_s: float = _TIMEOUT_S) -> tuple[int, bytes]:
    """GET ``url``: (status, body), also for error statuses; :class:`Unreachable` if no answer."""
    try:
        with _OPENER.open(url, timeout=timeout_s) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(f"cannot reach the worker at {url}: {reason}") from None


def _scrape(base: str) -> list[Sample]:
    status, body = fetch(f"{base}/metrics")
    if status != 200:
        raise Unreachable(f"{base}/metrics answered HTTP {status}")
    return parse_scrape(body.decode())


def _readiness(base: str) -> dict[str, object]:
    _, body = fetch(f"{base}/ready")
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {"ready": False, "checks": {}}
    return parsed if isinstance(parsed, dict) else {"ready": False, "checks": {}}


def default_url(settings: Settings) -> str:
    """The worker's ops address from settings; a wildcard bind is reached on loopback."""
    host = settings.web_host
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{settings.web_port}"


def run(
    args: argparse.Namespace,
    settings: Settings,
    *,
    console: Console | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    out = console if console is not None else Console()
    base = (args.url or default_url(settings)).rstrip("/")
    interval = max(float(args.interval), 0.1)
    try:
        before, taken = _scrape(base), time.monotonic()
        while True:
            sleep(interval)
            after, now = _scrape(base), time.monotonic()
            report = summarize(before, after, now - taken, _readiness(base))
            if args.watch and out.is_terminal:
                out.clear()
            render_report(report, base, out)
            if not args.watch:
                return 0
            before, taken = after, now
    except Unreachable as exc:
        sys.stderr.write(f"deerstream: error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 0
