"""Ratios, targets and the written report (JSON, Markdown, PNG) from a synthetic run."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson
import pytest

from deerstream.bench.report import (
    compute_ratios,
    evaluate_targets,
    format_ratios,
    median_run,
    ratio_spread,
    render_markdown,
    write_report,
)


def _variant(
    name: str, rps: float, *, p99: float = 120.0, calls: float = 0.05, cpu: float = 1.5
) -> dict[str, Any]:
    lat = {"count": 10.0, "p50": 40.0, "p95": 90.0, "p99": p99, "max": p99 + 5}
    return {
        "name": name,
        "label": name.replace("-", " "),
        "closed_loop": {"throughput_rps": rps, "latency_ms": lat},
        "open_loop": [
            {
                "offered_rps": rps / 2,
                "requests": 10,
                "answered": 10,
                "latency_ms": lat,
                "upstream_calls_per_request": 0.625,
                "cache_hit_ratio": {"terrain": 0.5, "weather": 0.25, "prediction": 0.0},
                "cpu_ms_per_event": 1.75,
            },
            {
                "offered_rps": rps * 0.9,
                "requests": 10,
                "answered": 9,
                "latency_ms": {**lat, "p99": 999.0},
            },
        ],
        "upstream_calls_per_request": {
            "total": calls,
            "elevation": calls,
            "weather": 0.0,
            "scouting": 0.0,
        },
        "cache_hit_ratio": {
            "terrain": 0.9,
            "weather": 0.95,
            "scouting": math.nan,
            "prediction": 0.5,
        },
        "redis_roundtrips_per_request": 0.05,
        "cpu_s_per_1000": cpu,
        "worker_cores": 0.5,
        "bench_cores": 0.25,
        "machine_busy": 0.8,
        "simulator_cores": 0.125,
        "simulator_cpu_ms_per_call": 0.4,
        "load_1m": 1.5,
        "rss_mb": {
            "at_ready": 80.0,
            "window_start": 90.0,
            "end": 92.0,
            "peak": 95.0,
            "change": 2 / 90,
        },
    }


def _report() -> dict[str, Any]:
    variants = {
        "passthrough": _variant("passthrough", 2000.0, cpu=0.3),
        "naive-sequential": _variant("naive-sequential", 5.0, calls=2.5),
        "naive-concurrent": _variant("naive-concurrent", 100.0, calls=1.5),
        "deerstream-cold": _variant("deerstream-cold", 700.0, calls=0.2, cpu=1.2),
        "deerstream-warm": _variant("deerstream-warm", 1500.0, calls=0.01),
    }
    return {
        "started_at": "2026-11-28T14:00:00+00:00",
        "command": "deerstream bench --quick",
        "machine": {
            "cpu_model": "Test CPU",
            "nproc": 2,
            "mem_gb": 8.0,
            "python": "3.11",
            "loadavg": [0.1, 0.2, 0.3],
        },
        "config": {
            "latency_ms": 80.0,
            "jitter_ms": 20.0,
            "warmup_s": 3.0,
            "window_s": 8.0,
            "workload": {"size": 2000, "spots": 100},
        },
        "workload_mix": {"repeat": 1200, "nearby": 600, "fresh": 200},
        "variants": variants,
        "errors": {},
        "ratios": compute_ratios(variants),
        "targets": evaluate_targets(variants, upstream_p99_ms=99.6),
        "micro": {
            "codec_roundtrip_per_s": {"per_core": 50_000.0, "wall": 48_000.0},
            "predict_us": {
                "median_us": 1600.0,
                "p95_us": 2400.0,
                "min_us": 1300.0,
                "cpu_mean_us": 1600.0,
            },
        },
    }


def test_ratios_divide_deerstream_by_each_baseline() -> None:
    r = _report()["ratios"]
    assert r["deerstream/passthrough"] == {"cold": 0.35, "warm": 0.75}
    assert r["deerstream/naive-sequential"]["cold"] == 140.0
    assert r["deerstream/naive-concurrent"]["warm"] == 15.0
    assert format_ratios(r)[0] == "deerstream/passthrough: 0.35× cold cache, 0.75× warm cache"


def test_missing_variants_give_nan_ratios_and_unknown_targets() -> None:
    variants = {"passthrough": _variant("passthrough", 2000.0)}
    assert math.isnan(compute_ratios(variants)["deerstream/passthrough"]["warm"])
    known = {t["target"]: t["met"] for t in evaluate_targets(variants, 99.6)}
    # Only what passthrough alone can tell is judged.
    assert known.pop("passthrough worker CPU per event (ms)") is False  # 1.5 > 0.2
    assert all(met is None for met in known.values())


def test_targets_compare_with_the_issue_bounds() -> None:
    targets = {t["target"]: t for t in _report()["targets"]}
    assert targets["cold throughput / passthrough"]["met"] is True  # 0.35 ≥ 0.3
    assert targets["cold throughput / naive concurrent"]["met"] is True  # 7 ≥ 5
    assert targets["warm throughput / passthrough"]["met"] is False  # 0.75 < 0.8
    assert targets["deerstream-cold worker CPU per event (ms)"]["met"] is True  # 1.2 ≤ 1.5
    assert targets["passthrough worker CPU per event (ms)"]["met"] is False  # 0.3 > 0.2
    half = targets["cold p99 at half load (ms)"]
    assert half["value"] == 120.0  # the half-load step, not the 0.9 step
    assert half["bound"] == pytest.approx(149.6) and half["met"] is True
    calls = targets["cold upstream calls per request after warm-up"]
    assert calls["value"] == 0.2 and calls["met"] is False
    assert targets["warm RSS change over the run"]["met"] is True


def test_markdown_has_a_row_per_variant_and_the_machine() -> None:
    md = render_markdown(_report())
    assert "Test CPU, 2 cores, 8.0 GB RAM" in md
    assert "`deerstream bench --quick`" in md
    for label in ("passthrough", "naive sequential", "deerstream cold", "deerstream warm"):
        assert f"| {label} |" in md
    assert "| deerstream cold | 700.0 |" in md
    assert "0.90/0.95/–/0.50" in md  # NaN hit ratio shown as a dash
    assert "| 0.50 / 0.25 / 0.12 (80 %, 1.5) |" in md
    assert "Simulator CPU per upstream call: " in md and " 0.40 ms" in md
    assert "| cold upstream calls per request after warm-up | 0.20 | ≤ 0.10 | **no** |" in md
    assert "predict() median 1,600 µs" in md
    # An open-loop step with its own counters, and one without (an older report).
    assert "| 0.625 | 0.50/0.25/–/0.00 | 1.75 |" in md
    assert "| 999 | 125 | – | –/–/–/– | – |" in md


def test_write_report_writes_json_markdown_and_png(tmp_path: Path) -> None:
    report = _report()
    paths = write_report(report, tmp_path / "run")
    assert [p.name for p in paths] == ["report.json", "report.md", "latency.png"]
    data = orjson.loads(paths[0].read_bytes())
    assert data["variants"]["deerstream-warm"]["closed_loop"]["throughput_rps"] == 1500.0
    assert data["variants"]["passthrough"]["cache_hit_ratio"]["scouting"] is None  # NaN → null
    assert paths[1].read_text() == render_markdown(report)
    assert paths[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_repeated_runs_report_the_median_run_and_the_spread_of_each_ratio() -> None:
    def run(cold_rps: float) -> dict[str, Any]:
        return {
            "passthrough": _variant("passthrough", 2000.0),
            "deerstream-cold": _variant("deerstream-cold", cold_rps),
            "deerstream-warm": _variant("deerstream-warm", 1600.0),
        }

    runs = [run(500.0), run(800.0), run(600.0)]
    assert median_run(runs) is runs[2]  # cold/passthrough 0.30 is the median of .25/.40/.30
    spread = ratio_spread([compute_ratios(r) for r in runs])
    cold = spread["deerstream/passthrough"]["cold"]
    assert (cold["median"], cold["min"], cold["max"], cold["runs"]) == (0.3, 0.25, 0.4, 3.0)
    assert math.isnan(spread["deerstream/naive-concurrent"]["cold"]["median"])  # never ran
    report = {**_report(), "repeats": spread}
    md = render_markdown(report)
    line = "- deerstream/passthrough: cold 0.30 (0.25–0.40, 3 runs), warm 0.80 (0.80–0.80, 3 runs)"
    assert line in md


def test_the_two_worker_figure_is_reported_against_one_worker() -> None:
    report = _report()
    report["variants"] = {
        **report["variants"],
        "deerstream-cold-2w": _variant("deerstream-cold-2w", 1050.0),
    }
    md = render_markdown(report)
    assert "Two workers in one group, cold cache: 1.50× one worker's throughput" in md
