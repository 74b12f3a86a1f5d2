"""The run's outputs: report.json, report.md (tables), latency.png, and the ratios/targets."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from deerstream.bench.stats import ratio

RATIOS = (
    ("deerstream/passthrough", "passthrough"),
    ("deerstream/naive-sequential", "naive-sequential"),
    ("deerstream/naive-concurrent", "naive-concurrent"),
)


def _throughput(variants: Mapping[str, Any], name: str) -> float:
    v = variants.get(name)
    return float(v["closed_loop"]["throughput_rps"]) if v else math.nan


def compute_ratios(variants: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Throughput of deerstream (cold and warm) over each baseline."""
    out: dict[str, dict[str, float]] = {}
    for label, base in RATIOS:
        out[label] = {
            cache: ratio(_throughput(variants, f"deerstream-{cache}"), _throughput(variants, base))
            for cache in ("cold", "warm")
        }
    return out


def ratio_spread(
    per_run: Sequence[Mapping[str, Mapping[str, float]]],
) -> dict[str, dict[str, dict[str, float]]]:
    """Median, lowest and highest of each ratio over repeated runs (NaNs left out)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for label in per_run[0] if per_run else ():
        out[label] = {}
        for cache in ("cold", "warm"):
            values = sorted(r[label][cache] for r in per_run if not math.isnan(r[label][cache]))
            out[label][cache] = {
                "median": statistics.median(values) if values else math.nan,
                "min": values[0] if values else math.nan,
                "max": values[-1] if values else math.nan,
                "runs": float(len(values)),
            }
    return out


def median_run(runs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The run whose cold/passthrough throughput ratio is the median (the first run when
    that ratio is unknown), so the tables show one coherent, typical run."""
    if len(runs) == 1:
        return runs[0]
    keyed = [(compute_ratios(r)["deerstream/passthrough"]["cold"], i) for i, r in enumerate(runs)]
    known = sorted((v, i) for v, i in keyed if not math.isnan(v))
    if not known:
        return runs[0]
    return runs[known[(len(known) - 1) // 2][1]]


def _half_load_p99(variant: Mapping[str, Any]) -> float:
    """p99 at the open-loop step closest to half the sustained rate."""
    step = _half_step(variant)
    return math.nan if step is None else float(step["p99"])


def evaluate_targets(variants: Mapping[str, Any], upstream_p99_ms: float) -> list[dict[str, Any]]:
    """The performance targets (docs/performance.md): each with the measured value, the
    bound and whether it is met (``met`` is None when the variants it needs did not run)."""
    r = compute_ratios(variants)
    rows: list[tuple[str, float, str, float, bool]] = []  # name, value, op, bound, higher-ok
    rows.append(
        ("cold throughput / passthrough", r["deerstream/passthrough"]["cold"], "≥", 0.3, True)
    )
    rows.append(
        (
            "cold throughput / naive concurrent",
            r["deerstream/naive-concurrent"]["cold"],
            "≥",
            5.0,
            True,
        )
    )
    rows.append(
        ("warm throughput / passthrough", r["deerstream/passthrough"]["warm"], "≥", 0.8, True)
    )
    for name, bound in (("deerstream-cold", 1.5), ("passthrough", 0.2)):
        v = variants.get(name)
        # CPU seconds per 1,000 events is CPU milliseconds per event.
        cpu = v["cpu_s_per_1000"] if v else math.nan
        rows.append((f"{name} worker CPU per event (ms)", cpu, "≤", bound, False))
    for cache in ("cold", "warm"):
        v = variants.get(f"deerstream-{cache}")
        p99 = _half_load_p99(v) if v else math.nan
        rows.append((f"{cache} p99 at half load (ms)", p99, "≤", upstream_p99_ms + 50.0, False))
    cold = variants.get("deerstream-cold")
    calls = cold["upstream_calls_per_request"]["total"] if cold else math.nan
    rows.append(("cold upstream calls per request after warm-up", calls, "≤", 0.1, False))
    for cache in ("cold", "warm"):
        v = variants.get(f"deerstream-{cache}")
        change = abs(v["rss_mb"]["change"]) if v else math.nan
        rows.append((f"{cache} RSS change over the run", change, "≤", 0.10, False))
    out = []
    for name, value, op, bound, higher in rows:
        met = None if math.isnan(value) else (value >= bound if higher else value <= bound)
        out.append({"target": name, "value": value, "op": op, "bound": bound, "met": met})
    return out


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report's tables as Markdown."""
    variants: Mapping[str, Any] = report["variants"]
    m = report["machine"]
    cfg = report["config"]
    lines = [
        f"# deerstream benchmark — {report['started_at']}",
        "",
        f"Machine: {m['cpu_model']}, {m['nproc']} cores, {m['mem_gb']} GB RAM, "
        f"Python {m['python']}; load average at start {m['loadavg']}.",
        f"Command: `{report['command']}`. Upstream latency {cfg['latency_ms']} ± "
        f"{cfg['jitter_ms']} ms per call; workload {cfg['workload']['size']:,} requests, "
        f"{cfg['workload']['spots']} spots, mix {report['workload_mix']}; "
        f"warm-up {cfg['warmup_s']} s, measured window {cfg['window_s']} s per variant.",
        "",
        "| variant | predictions/s | closed-loop p50 / p99 ms | p50 / p99 ms at ½ load | "
        "upstream calls/req | cache hit (terrain/weather/scouting/prediction) | "
        "Redis round trips/req | CPU s/1k events | cores: worker / bench / simulators (machine "
        "busy, load) | "
        "RSS MB start→end (peak) |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for v in variants.values():
        cl = v["closed_loop"]
        half = _half_step(v)
        hits = "/".join(
            _fmt(v["cache_hit_ratio"][s], 2)
            for s in ("terrain", "weather", "scouting", "prediction")
        )
        rss = v["rss_mb"]
        busy_pct = 100 * v.get("machine_busy", math.nan)
        lines.append(
            f"| {v['label']} | {_fmt(cl['throughput_rps'])} | "
            f"{_fmt(cl['latency_ms']['p50'], 0)} / {_fmt(cl['latency_ms']['p99'], 0)} | "
            f"{_fmt(half['p50'], 0) if half else '–'} / {_fmt(half['p99'], 0) if half else '–'} | "
            f"{_fmt(v['upstream_calls_per_request']['total'], 3)} | {hits} | "
            f"{_fmt(v['redis_roundtrips_per_request'], 2)} | {_fmt(v['cpu_s_per_1000'], 2)} | "
            f"{_fmt(v.get('worker_cores'), 2)} / {_fmt(v.get('bench_cores'), 2)} / "
            f"{_fmt(v.get('simulator_cores'), 2)} "
            f"({_fmt(busy_pct, 0)} %, {_fmt(v.get('load_1m'), 1)}) | "
            f"{_fmt(rss['window_start'], 0)}→{_fmt(rss['end'], 0)} ({_fmt(rss['peak'], 0)}) |"
        )
    lines += ["", "Open loop (latency ms at fixed offered loads):", ""]
    lines += [
        "| variant | offered/s | answered | p50 | p95 | p99 | max | upstream calls/req | "
        "cache hit (terrain/weather/scouting/prediction) | worker CPU ms/event |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for v in variants.values():
        for s in v["open_loop"]:
            lat = s["latency_ms"]
            step_hits = s.get("cache_hit_ratio") or {}
            hits = "/".join(
                _fmt(step_hits.get(k, math.nan), 2)
                for k in ("terrain", "weather", "scouting", "prediction")
            )
            lines.append(
                f"| {v['label']} | {_fmt(s['offered_rps'])} | {s['answered']}/{s['requests']} | "
                f"{_fmt(lat['p50'], 0)} | {_fmt(lat['p95'], 0)} | {_fmt(lat['p99'], 0)} | "
                f"{_fmt(lat['max'], 0)} | "
                f"{_fmt(s.get('upstream_calls_per_request', math.nan), 3)} | {hits} | "
                f"{_fmt(s.get('cpu_ms_per_event', math.nan), 2)} |"
            )
    sims = [
        f"{v['label']} {_fmt(v['simulator_cpu_ms_per_call'], 2)} ms"
        for v in variants.values()
        if math.isfinite(v.get("simulator_cpu_ms_per_call", math.nan))
    ]
    if sims:
        lines += ["", "Simulator CPU per upstream call: " + "; ".join(sims) + "."]
    lines += ["", "Ratios (throughput, cold / warm cache):", ""]
    for label, r in report["ratios"].items():
        lines.append(f"- {label}: {_fmt(r['cold'], 2)} / {_fmt(r['warm'], 2)}")
    two = variants.get("deerstream-cold-2w")
    one = variants.get("deerstream-cold")
    if two and one:
        scale = ratio(two["closed_loop"]["throughput_rps"], one["closed_loop"]["throughput_rps"])
        lines += [
            "",
            f"Two workers in one group, cold cache: {_fmt(scale, 2)}× one worker's throughput "
            f"(worker cores {_fmt(two.get('worker_cores'), 2)} vs "
            f"{_fmt(one.get('worker_cores'), 2)}, machine busy "
            f"{_fmt(100 * two.get('machine_busy', math.nan), 0)} %: the same 2 cores also "
            "run Kafka, Redis, the simulators and the bench).",
        ]
    repeats = report.get("repeats")
    if repeats:
        lines += ["", "Over repeated runs (median, lowest–highest):", ""]
        for label, r in repeats.items():
            c, w = r["cold"], r["warm"]
            # Each cache's count: a run without the cold variant still has warm ratios.
            lines.append(
                f"- {label}: cold {_fmt(c['median'], 2)} ({_fmt(c['min'], 2)}–"
                f"{_fmt(c['max'], 2)}, {int(c['runs'])} runs), warm {_fmt(w['median'], 2)} "
                f"({_fmt(w['min'], 2)}–{_fmt(w['max'], 2)}, {int(w['runs'])} runs)"
            )
    lines += [
        "",
        "Targets (docs/performance.md):",
        "",
        "| target | value | bound | met |",
        "|---|---:|---:|---|",
    ]
    for t in report["targets"]:
        met = {True: "yes", False: "**no**", None: "–"}[t["met"]]
        lines.append(
            f"| {t['target']} | {_fmt(t['value'], 2)} | {t['op']} {_fmt(t['bound'], 2)} | {met} |"
        )
    micro = report.get("micro")
    if micro:
        c, p = micro["codec_roundtrip_per_s"], micro["predict_us"]
        lines += [
            "",
            f"Micro-benchmarks: codec decode+validate+encode {_fmt(c['per_core'], 0)}/s per core "
            f"({_fmt(c['wall'], 0)}/s wall); predict() median {_fmt(p['median_us'], 0)} µs, "
            f"p95 {_fmt(p['p95_us'], 0)} µs, CPU {_fmt(p['cpu_mean_us'], 0)} µs per call.",
        ]
    if report.get("errors"):
        lines += ["", "Variants that failed:", ""]
        lines += [f"- {k}: {v}" for k, v in report["errors"].items()]
    return "\n".join(lines) + "\n"


def _half_step(v: Mapping[str, Any]) -> Mapping[str, float] | None:
    steps = v.get("open_loop") or []
    if not steps:
        return None
    half = v["closed_loop"]["throughput_rps"] / 2
    latency: Mapping[str, float] = min(steps, key=lambda s: abs(s["offered_rps"] - half))[
        "latency_ms"
    ]
    return latency


def plot_latency(variants: Mapping[str, Any], path: Path, target_ms: float | None = None) -> None:
    """Latency percentiles (p50, p95, p99) vs offered load, one colour per variant, and
    the p99 target as a horizontal line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5.5))
    styles = {"p50": "-", "p95": "--", "p99": ":"}
    for n, v in enumerate(variants.values()):
        steps = v["open_loop"]
        if not steps:
            continue
        colour = f"C{n}"
        loads = [s["offered_rps"] for s in steps]
        for pct, style in styles.items():
            ax.plot(
                loads,
                [s["latency_ms"][pct] for s in steps],
                style,
                marker="o",
                color=colour,
                label=f"{v['label']} {pct}",
            )
    if target_ms is not None and not math.isnan(target_ms):
        ax.axhline(target_ms, color="grey", linewidth=1, label="p99 target")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("offered load (requests/s)")
    ax.set_ylabel("end-to-end latency (ms)")
    ax.set_title("Latency percentiles vs offered load")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(report: Mapping[str, Any], out_dir: Path) -> list[Path]:
    """report.json, report.md and latency.png in ``out_dir``; the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path, png_path = (
        out_dir / "report.json",
        out_dir / "report.md",
        out_dir / "latency.png",
    )
    json_path.write_bytes(
        orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY)
    )
    md_path.write_text(render_markdown(report))
    plot_latency(report["variants"], png_path, report.get("upstream_p99_ms", math.nan) + 50.0)
    return [json_path, md_path, png_path]


def format_ratios(ratios: Mapping[str, Mapping[str, float]]) -> Sequence[str]:
    """One printable line per ratio."""
    return [
        f"{label}: {_fmt(r['cold'], 2)}× cold cache, {_fmt(r['warm'], 2)}× warm cache"
        for label, r in ratios.items()
    ]
