"""``deerstream bench``: end-to-end throughput, latency and cost per event, against the
baselines, in one run on the local stack (Kafka, Redis; simulators started by the bench).

Writes ``results/<timestamp>/report.json``, ``report.md`` and ``latency.png`` and prints the
ratios deerstream/passthrough, deerstream/naive-sequential and deerstream/naive-concurrent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from deerstream.errors import ConfigError
from deerstream.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from deerstream.bench.plan import RunPlan
    from deerstream.bench.workload import WorkItem

BENCH_REDIS_DB = 9


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from deerstream.bench.plan import VARIANTS

    p = sub.add_parser("bench", help="benchmark deerstream against its baselines")
    p.add_argument("--quick", action="store_true", help="short run (about two minutes)")
    p.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated subset of {', '.join(VARIANTS)}",
    )
    p.add_argument("--latency-ms", type=float, default=80.0, help="mean upstream latency")
    p.add_argument("--jitter-ms", type=float, default=20.0, help="± uniform jitter around it")
    p.add_argument("--workload-size", type=int, help="requests in the workload")
    p.add_argument("--spots", type=int, help="hunting spots in the workload")
    p.add_argument("--fresh-share", type=float, default=0.1, help="share of fresh spots")
    p.add_argument("--nearby-share", type=float, default=0.3, help="share of nearby spots")
    p.add_argument("--seed", type=int, default=8, help="workload and simulator seed")
    p.add_argument("--warmup-s", type=float, help="warm-up before the measured window")
    p.add_argument("--window-s", type=float, help="measured window per variant")
    p.add_argument("--open-step-s", type=float, help="duration of each open-loop load")
    p.add_argument("--out", type=Path, default=Path("results"), help="results folder")
    p.add_argument(
        "--redis-db",
        type=int,
        default=BENCH_REDIS_DB,
        help="Redis database the bench owns and flushes (never 0)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run the variants N times; report the median and spread of each ratio",
    )
    p.add_argument("--no-micro", action="store_true", help="skip the micro-benchmarks")
    p.add_argument(
        "--profile",
        action="store_true",
        help="run each worker under cProfile (VARIANT.prof in the results; slows it down)",
    )
    p.add_argument(
        "--keep-topics", action="store_true", help="keep each variant's topics for inspection"
    )
    p.set_defaults(handler=run)


def bench_redis_url(redis_url: str, db: int) -> str:
    """``redis_url`` pointed at database ``db`` (the bench flushes it, so never 0)."""
    if db == 0:
        raise ConfigError("--redis-db 0 is the shared default database; pick another")
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_model": model,
        "nproc": os.cpu_count(),
        "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        import matplotlib  # noqa: F401 - only checking the extra is there
        import psutil  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"the benchmark needs the 'bench' extra ({exc.name} is missing): "
            "pip install 'deerstream[bench]'"
        ) from None
    from deerstream.bench.micro import run_micro
    from deerstream.bench.plan import VARIANTS, RunPlan
    from deerstream.bench.report import (
        compute_ratios,
        evaluate_targets,
        format_ratios,
        median_run,
        ratio_spread,
        write_report,
    )
    from deerstream.bench.runner import upstream_p99_ms
    from deerstream.bench.workload import WorkloadSpec, count_kinds, generate_workload

    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown or not names:
        raise ConfigError(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    if args.repeat < 1:
        raise ConfigError(f"--repeat must be at least 1, got {args.repeat}")
    if args.jitter_ms < 0 or args.jitter_ms > args.latency_ms:
        raise ConfigError("--jitter-ms must be within 0..--latency-ms")
    quick = args.quick
    plan = RunPlan(
        warmup_s=args.warmup_s if args.warmup_s is not None else (3.0 if quick else 15.0),
        window_s=args.window_s if args.window_s is not None else (8.0 if quick else 40.0),
        open_step_s=args.open_step_s if args.open_step_s is not None else (3.0 if quick else 12.0),
        drain_timeout_s=30.0 if quick else 60.0,
    )
    spec = WorkloadSpec(
        size=args.workload_size or (5_000 if quick else 30_000),
        spots=args.spots or (100 if quick else 300),
        nearby_share=args.nearby_share,
        fresh_share=args.fresh_share,
        repeat_share=max(0.0, 1.0 - args.nearby_share - args.fresh_share),
        seed=args.seed,
    )
    started = datetime.now(UTC)
    # Target days start tomorrow: "the coming days", as hunters ask.
    workload = generate_workload(spec, started.date())
    out_dir = args.out / started.strftime("%Y%m%dT%H%M%SZ")
    out_dir.mkdir(parents=True, exist_ok=True)
    base_ms, extra_ms = args.latency_ms - args.jitter_ms, 2 * args.jitter_ms
    report: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(["deerstream", "bench", *(shlex.quote(a) for a in sys.argv[2:])]),
        "machine": machine_info(),
        "config": {
            "quick": quick,
            "latency_ms": args.latency_ms,
            "jitter_ms": args.jitter_ms,
            "simulator": {"latency_base_ms": base_ms, "latency_jitter_ms": extra_ms},
            "warmup_s": plan.warmup_s,
            "window_s": plan.window_s,
            "open_step_s": plan.open_step_s,
            "open_loads": list(plan.open_loads),
            "workload": {
                "size": spec.size,
                "spots": spec.spots,
                "shares": spec.shares(),
                "days": spec.days,
                "seed": spec.seed,
            },
            "redis_db": args.redis_db,
        },
        "workload_mix": count_kinds(workload),
    }
    t0 = time.monotonic()
    print(f"deerstream bench → {out_dir}  (variants: {', '.join(names)})", flush=True)
    runs: list[dict[str, dict[str, Any]]] = []
    errors: dict[str, str] = {}
    for rep in range(args.repeat):
        if args.repeat > 1:
            print(f"run {rep + 1} of {args.repeat}", flush=True)
        results, failed = asyncio.run(
            _run_variants(args, settings, plan, workload, out_dir, names, base_ms, extra_ms, rep)
        )
        runs.append(results)
        errors.update({f"{name} (run {rep + 1})": why for name, why in failed.items()})
    # The tables show the run whose cold/passthrough ratio is the median; the spread of
    # every ratio over all runs is reported beside them.
    report["variants"] = median_run(runs)
    report["errors"] = errors
    if args.repeat > 1:
        report["repeats"] = ratio_spread([compute_ratios(r) for r in runs])
    if not args.no_micro:
        print("micro-benchmarks", flush=True)
        report["micro"] = run_micro(
            seconds=1.0 if quick else 3.0, predict_runs=1000 if quick else 3000
        )
    report["ratios"] = compute_ratios(results)
    report["upstream_p99_ms"] = upstream_p99_ms(base_ms, extra_ms)
    report["targets"] = evaluate_targets(results, report["upstream_p99_ms"])
    report["duration_s"] = round(time.monotonic() - t0, 1)
    for path in write_report(report, out_dir):
        print(f"wrote {path}")
    for t in report["targets"]:
        met = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
        print(f"target {t['target']}: {t['value']:.3g} {t['op']} {t['bound']:.3g} → {met}")
    for line in format_ratios(report["ratios"]):
        print(line)
    return 1 if errors else 0


async def _run_variants(
    args: argparse.Namespace,
    settings: Settings,
    plan: RunPlan,
    workload: Sequence[WorkItem],
    out_dir: Path,
    names: list[str],
    base_ms: float,
    extra_ms: float,
    rep: int = 0,
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    from deerstream.bench.procs import simulator_child
    from deerstream.bench.runner import VariantContext, run_all, start_simulators

    sims = simulator_child(out_dir, base_ms, extra_ms, args.seed)
    try:
        urls = await start_simulators(sims)
        ctx = VariantContext(
            settings=settings,
            redis_url=bench_redis_url(settings.redis_url, args.redis_db),
            sim_urls=urls,
            out_dir=out_dir,
            run_tag=f"bench-{out_dir.name.lower()}-r{rep}",
            workload=workload,
            plan=plan,
            log=lambda line: print(line, flush=True),
            keep_topics=args.keep_topics,
            profile=args.profile,
            sim_pid=sims.pid,
        )
        return await run_all(ctx, names)
    finally:
        sims.stop()
