"""What a benchmark run runs: the variants and the timings of each phase. Pure data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class VariantSpec:
    """How to start one variant and how hard to push it."""

    name: str
    label: str
    module: Sequence[str]  # argv after ``python -m``
    min_outstanding: int  # smallest backlog that keeps it busy
    real_worker: bool = False  # scrape /metrics (else read a stats file)
    flush_redis: bool = True  # start from an empty cache
    prime: bool = False  # run the whole workload once, unmeasured, before measuring
    workers: int = 1  # worker processes in one consumer group


VARIANTS: Mapping[str, VariantSpec] = {
    v.name: v
    for v in (
        VariantSpec(
            name="passthrough",
            label="passthrough ceiling",
            module=("deerstream.bench.variants.passthrough",),
            min_outstanding=1000,
        ),
        VariantSpec(
            name="naive-sequential",
            label="naive sequential",
            module=("deerstream.bench.variants.naive", "--mode", "sequential"),
            min_outstanding=4,
        ),
        VariantSpec(
            name="naive-concurrent",
            label="naive concurrent (concurrency=50)",
            module=("deerstream.bench.variants.naive", "--mode", "concurrent"),
            min_outstanding=100,
        ),
        VariantSpec(
            name="deerstream-cold",
            label="deerstream, cold cache",
            module=("deerstream.cli", "worker"),
            min_outstanding=1000,
            real_worker=True,
        ),
        VariantSpec(
            name="deerstream-warm",
            label="deerstream, warm cache",
            module=("deerstream.cli", "worker"),
            min_outstanding=1000,
            real_worker=True,
            flush_redis=False,
            prime=True,
        ),
        VariantSpec(
            name="deerstream-cold-2w",
            label="deerstream, cold cache, 2 workers",
            module=("deerstream.cli", "worker"),
            min_outstanding=2000,
            real_worker=True,
            workers=2,
        ),
    )
}


@dataclass(frozen=True, kw_only=True)
class RunPlan:
    """Timings of one run (``--quick`` shortens them)."""

    warmup_s: float
    window_s: float
    open_step_s: float
    open_loads: tuple[float, ...] = (100.0, 300.0, 1000.0)
    drain_timeout_s: float = 60.0
    probe_timeout_s: float = 120.0
    prime_timeout_s: float = 600.0
    rebalance_settle_s: float = 8.0  # a multi-worker variant: let the group rebalance
