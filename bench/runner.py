"""One benchmark run: simulators, then each variant in its own worker process, measured.

Per variant, on fresh topics and a fresh consumer group, against the same seeded workload:

1. start the worker and wait until it answers a probe request (startup is not measured);
2. closed loop for ``warmup_s + window_s``: the backlog is kept topped up so the worker never
   waits for input; sustained throughput = predictions whose timestamps fall in the
   ``window_s`` after the warm-up, divided by ``window_s``;
3. open loop: a paced producer offers fixed loads (capped at 0.9 × sustained, plus half the
   sustained rate), ``open_step_s`` each, with latency measured per load;
4. counters (simulator calls, cache hits, Redis round trips, CPU seconds) are deltas over the
   measured window, interpolated from samples taken every half second.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from deerstream.bench.kafka_io import (
    Message,
    PredictionCollector,
    RequestProducer,
    latencies_ms,
    run_closed_loop,
    run_open_loop,
)
from deerstream.bench.plan import VARIANTS, RunPlan, VariantSpec
from deerstream.bench.procs import SIM_NAMES, Child, Sampler, free_port
from deerstream.bench.stats import (
    Sample,
    count_in_window,
    delta,
    hit_ratio,
    open_loop_rates,
    peak,
    ratio,
    relative_change,
    summarise_latencies,
    value_at,
)
from deerstream.bench.workload import WorkItem, encode_item
from deerstream.settings import Settings
from deerstream.streams.admin import delete_topics, ensure_topics
from deerstream.streams.kafka import BrokerError, client_kwargs

SOURCES = ("terrain", "weather", "scouting")
SIMS = ("elevation", "weather", "scouting")


@dataclass
class VariantContext:
    """What every variant of one run shares."""

    settings: Settings
    redis_url: str
    sim_urls: dict[str, str]
    out_dir: Path
    run_tag: str
    workload: Sequence[WorkItem]
    plan: RunPlan
    log: Any = field(default=print)
    keep_topics: bool = False
    sim_pid: int | None = None
    # Run each worker under cProfile (its .prof file in the results folder). It slows the
    # worker, so a profiled run's figures are for finding where time goes, not for targets.
    profile: bool = False

    def state_dir(self) -> Path:
        """The workers' state directory (absolute, created with the ``faust`` folder the
        worker puts its data directory in)."""
        path = (self.out_dir / "state").resolve()
        (path / "faust").mkdir(parents=True, exist_ok=True)
        return path


#: How far each new pass over the workload moves its target times: one prediction-cache slot
#: (``agents.quantise.SLOT``), so a pass never repeats an earlier pass's prediction.
CYCLE_SHIFT = timedelta(minutes=15)
#: How far north each new pass moves every spot: 0.5° (55 km) is more than a region's
#: diameter (30 km), so a pass's spots share no terrain, weather or scouting cell with an
#: earlier pass, and the regions are 1.7° of longitude apart or more.
CYCLE_MOVE_DEG = 0.5


def messages(
    tag: str, workload: Sequence[WorkItem], *, repeat_exactly: bool = False
) -> Iterator[Message]:
    """The workload in order, cycling, each request with a unique id.

    A fast variant can get through the whole workload and start again inside the measured
    window. Repeated exactly, the second pass would be all cache hits, and a "cold" variant
    would be measured warm: a 2-worker cold run once showed 65 % prediction-cache hits, and
    the open-loop steps after a cold closed loop that had been through the workload once
    hit the enrichment caches 100 % (4 Dec 2026). So each pass moves the target times on by
    one cache slot and every spot north by ``CYCLE_MOVE_DEG``: each pass is a first pass,
    with the workload's own mix of repeats, nearby and fresh spots, unless
    ``repeat_exactly`` (the warm variant, primed with the first pass, is meant to hit)."""
    for n in itertools.count():
        cycle, index = divmod(n, len(workload))
        item = workload[index]
        if cycle and not repeat_exactly:
            item = dataclasses.replace(
                item,
                target_time=item.target_time + cycle * CYCLE_SHIFT,
                lat=round(item.lat + cycle * CYCLE_MOVE_DEG, 6),
            )
        key = f"{tag}-{n}"
        yield key.encode(), encode_item(item, key)


def topic_env(tag: str) -> dict[str, str]:
    return {
        "REQUEST_TOPIC": f"{tag}.requests",
        "PREDICTION_TOPIC": f"{tag}.predictions",
        "DLQ_TOPIC": f"{tag}.requests.dlq",
        "REPLAY_TOPIC": f"{tag}.requests.replay",
        "APP_ID": tag,
    }


async def remove_topics(settings: Settings, tag: str) -> None:
    """Delete a variant's topics (its four, plus Faust's internal ones named after it)."""
    # Leftover topics only cost disk; a failure to delete them must not lose the results.
    admin = AIOKafkaAdminClient(**client_kwargs(settings.kafka.connection))
    try:
        await admin.start()
        names = [t for t in await admin.list_topics() if t.startswith((f"{tag}.", f"{tag}-"))]
    except KafkaError:
        return
    finally:
        await admin.close()
    with contextlib.suppress(BrokerError):
        await delete_topics(settings.kafka.connection, names)


async def flush_bench_db(redis_url: str) -> None:
    """Empty the bench's own Redis database (refuses database 0, the shared default)."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        db = int(client.connection_pool.connection_kwargs.get("db", 0))
        if db == 0:
            raise ValueError("the bench flushes its Redis database: use one other than 0")
        await client.flushdb()
    finally:
        await client.aclose()


async def run_variant(ctx: VariantContext, spec: VariantSpec) -> dict[str, Any]:
    """Start, measure and stop one variant; its section of the report."""
    plan = ctx.plan
    tag = f"{ctx.run_tag}-{spec.name}"
    env = {
        **topic_env(tag),
        **{var: ctx.sim_urls[name] for name, var in SIM_NAMES.items()},
        "REDIS_URL": ctx.redis_url,
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        # Faust keeps a data directory under the state dir: keep it in the results folder.
        "STATE_DIR": str(ctx.state_dir()),
    }
    topics = ctx.settings.replace(
        request_topic=env["REQUEST_TOPIC"],
        prediction_topic=env["PREDICTION_TOPIC"],
        dlq_topic=env["DLQ_TOPIC"],
        replay_topic=env["REPLAY_TOPIC"],
    )
    await ensure_topics(topics.kafka)
    if spec.flush_redis:
        await flush_bench_db(ctx.redis_url)
    stats_file = ctx.out_dir / f"{spec.name}.stats.json"
    argv = [sys.executable, "-m", *spec.module]
    if ctx.profile:
        prof = ctx.out_dir / f"{spec.name}.prof"
        argv = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", *spec.module]
    if not spec.real_worker:
        argv += ["--stats-file", str(stats_file)]
    # One process per worker, all in the variant's consumer group, each with its own web port.
    web_ports = [free_port() for _ in range(spec.workers)]
    children = [
        Child(
            argv=argv,
            env={**env, "WEB_PORT": str(port)},
            log_path=ctx.out_dir / (f"{spec.name}.log" if i == 0 else f"{spec.name}-{i}.log"),
        )
        for i, port in enumerate(web_ports)
    ]
    child = children[0]
    conn = ctx.settings.kafka.connection  # SASL/TLS too: the bench runs on any cluster
    producer = RequestProducer(conn, topics.request_topic)
    collector = PredictionCollector(conn, topics.prediction_topic)
    source = messages(tag, ctx.workload, repeat_exactly=spec.prime)
    started = time.monotonic()
    for c in children:
        c.start()
    sampler: Sampler | None = None
    try:
        await producer.start()
        await collector.start()
        probe_key = f"{tag}-probe".encode()
        await producer.send(probe_key, encode_item(ctx.workload[0], probe_key.decode()))
        await producer.flush()
        if not await collector.wait_for([probe_key], plan.probe_timeout_s):
            raise RuntimeError(f"{spec.name}: no answer to the probe:\n{child.tail()}")
        ready_s = time.monotonic() - started
        if spec.workers > 1:
            # The probe proves one worker is up; give the group time to spread the partitions.
            await asyncio.sleep(plan.rebalance_settle_s)
        pids = ", ".join(str(c.pid) for c in children)
        ctx.log(f"  {spec.name}: ready after {ready_s:.1f} s (pid {pids})")
        if spec.prime:
            primed_s = await prime(producer, collector, f"{tag}-prime", ctx.workload, plan)
            ctx.log(f"  {spec.name}: primed with the whole workload in {primed_s:.1f} s")
        sampler = Sampler(
            pid=child.pid,
            sim_urls=ctx.sim_urls,
            sim_pid=ctx.sim_pid,
            metrics_url=f"http://127.0.0.1:{web_ports[0]}/metrics" if spec.real_worker else None,
            more_pids=[c.pid for c in children[1:]],
            more_metrics_urls=[f"http://127.0.0.1:{p}/metrics" for p in web_ports[1:]]
            if spec.real_worker
            else [],
            stats_file=None if spec.real_worker else stats_file,
        )
        await sampler.start()
        t0 = time.time()
        closed_keys = await run_closed_loop(
            producer,
            collector,
            source,
            duration_s=plan.warmup_s + plan.window_s,
            min_outstanding=spec.min_outstanding,
        )
        win = (t0 + plan.warmup_s, t0 + plan.warmup_s + plan.window_s)
        drained = await collector.wait_for(closed_keys, plan.drain_timeout_s)
        in_window = [
            k for k in closed_keys if win[0] <= collector.received_ms.get(k, 0) / 1000 < win[1]
        ]
        predicted = count_in_window(collector.timestamps_s, *win)
        sustained = predicted / plan.window_s
        ctx.log(f"  {spec.name}: sustained {sustained:,.1f} predictions/s")
        closed = {
            "throughput_rps": sustained,
            "predictions_in_window": predicted,
            "requests_sent": len(closed_keys),
            "drained": drained,
            "latency_ms": summarise_latencies(latencies_ms(producer, collector, in_window)),
        }
        open_steps: list[dict[str, Any]] = []
        step_windows: list[tuple[float, float]] = []
        for rate in open_loop_rates(sustained, plan.open_loads):
            step_t0 = time.time()
            keys = await run_open_loop(producer, source, rate=rate, duration_s=plan.open_step_s)
            done = await collector.wait_for(keys, plan.drain_timeout_s)
            step_windows.append((step_t0, time.time()))
            lat = latencies_ms(producer, collector, keys)
            summary = summarise_latencies(lat)
            open_steps.append(
                {
                    "offered_rps": rate,
                    "requests": len(keys),
                    "answered": len(lat),
                    "complete": done,
                    "latency_ms": summary,
                }
            )
            ctx.log(
                f"  {spec.name}: open loop {rate:,.0f}/s "
                f"p50 {summary['p50']:.0f} p99 {summary['p99']:.0f} ms"
            )
        await sampler.stop()
        samples = sampler.samples
        # What each step's requests cost: the same counters as the closed loop's, over the
        # step (sent and drained), so a step's latency can be read with its cache hits.
        for step, step_win in zip(open_steps, step_windows, strict=True):
            step.update(step_counters(samples, step_win, step["answered"]))
        if sampler.last_metrics:
            (ctx.out_dir / f"{spec.name}.metrics.txt").write_text(sampler.last_metrics)
        sampler = None
    finally:
        if sampler is not None:
            await sampler.stop()
        await producer.stop()
        await collector.stop()
        statuses = [c.stop() for c in children]
        status = (
            statuses[0]
            if len(statuses) == 1
            else max((x for x in statuses if x is not None), default=None)
        )
        if not ctx.keep_topics:
            await remove_topics(ctx.settings, tag)
    section = {
        "name": spec.name,
        "label": spec.label,
        "pid": child.pid,
        "workers": spec.workers,
        "exit_status": status,
        "ready_s": ready_s,
        "window": {"warmup_s": plan.warmup_s, "window_s": plan.window_s},
        "closed_loop": closed,
        "open_loop": open_steps,
        "duplicates": collector.duplicates,
    }
    section.update(window_counters(samples, win, predicted))
    return section


async def prime(
    producer: RequestProducer,
    collector: PredictionCollector,
    tag: str,
    workload: Sequence[WorkItem],
    plan: RunPlan,
) -> float:
    """Send the whole workload once and wait for every prediction (fills the caches)."""
    started = time.monotonic()
    keys = []
    for key, value in itertools.islice(messages(tag, workload, repeat_exactly=True), len(workload)):
        await producer.send(key, value)
        keys.append(key)
    await producer.flush()
    if not await collector.wait_for(keys, plan.prime_timeout_s):
        raise RuntimeError(f"priming did not finish within {plan.prime_timeout_s} s")
    return time.monotonic() - started


def window_counters(
    samples: Sequence[Sample], win: tuple[float, float], events: int
) -> dict[str, Any]:
    """Per-request costs over the measured window, and memory over the whole run."""
    start, end = win

    def d(name: str) -> float:
        return delta(samples, start, end, name)

    calls = {name: ratio(d(f"sim_{name}_requests"), events) for name in SIMS}
    hits = _hit_ratios(d)
    busy = ratio(d("machine_busy_s"), d("machine_total_s"))
    rss_start = value_at(samples, start, "rss_mb")
    rss_end = samples[-1].values.get("rss_mb", math.nan) if samples else math.nan
    return {
        "upstream_calls_per_request": {"total": sum(calls.values()), **calls},
        "cache_hit_ratio": hits,
        "redis_roundtrips_per_request": ratio(d("redis_roundtrips"), events),
        "cpu_s_per_1000": ratio(d("cpu_s") * 1000, events),
        # Share of all cores busy during the window (this worker, the bench, Kafka, others).
        "machine_busy": busy,
        "worker_cores": ratio(d("cpu_s"), end - start),
        "bench_cores": ratio(d("bench_cpu_s"), end - start),
        # The simulators stand in for the upstreams; their CPU competes with the worker's.
        "simulator_cores": ratio(d("sim_cpu_s"), end - start),
        "simulator_cpu_ms_per_call": ratio(
            d("sim_cpu_s") * 1000, sum(d(f"sim_{n}_requests") for n in SIMS)
        ),
        "load_1m": value_at(samples, end, "load_1m"),
        "rss_mb": {
            "at_ready": samples[0].values.get("rss_mb", math.nan) if samples else math.nan,
            "window_start": rss_start,
            "end": rss_end,
            "peak": peak(samples, "rss_mb"),
            "change": relative_change(rss_start, rss_end),
        },
    }


def _hit_ratios(d: Callable[[str], float]) -> dict[str, float]:
    """Each cache's hit ratio from the counter deltas ``d`` (stale and bypassed lookups
    count as misses)."""
    hits: dict[str, float] = {}
    for source in (*SOURCES, "prediction"):
        looked_up = sum(d(f"{source}_{r}") for r in ("miss", "stale", "bypass"))
        hits[source] = hit_ratio(d(f"{source}_hit"), looked_up)
    return hits


def step_counters(
    samples: Sequence[Sample], win: tuple[float, float], events: int
) -> dict[str, Any]:
    """One open-loop step's upstream calls per request, cache hit ratios and worker CPU
    per event, from the counter deltas over the step."""
    start, end = win

    def d(name: str) -> float:
        return delta(samples, start, end, name)

    return {
        "upstream_calls_per_request": ratio(sum(d(f"sim_{n}_requests") for n in SIMS), events),
        "cache_hit_ratio": _hit_ratios(d),
        "cpu_ms_per_event": ratio(d("cpu_s") * 1000, events),
    }


async def start_simulators(child: Child, timeout_s: float = 60.0) -> dict[str, str]:
    """Start the simulator process; their base URLs by name once all three answer."""
    from deerstream.bench.procs import wait_http

    child.start()
    urls = {name: child.env[var] for name, var in SIM_NAMES.items()}
    for url in urls.values():
        await wait_http(f"{url}/_sim/stats", timeout_s, child)
    return urls


def upstream_p99_ms(base_ms: float, jitter_ms: float) -> float:
    """p99 of one simulated upstream call: base + uniform(0, jitter)."""
    return base_ms + 0.99 * jitter_ms


async def run_all(
    ctx: VariantContext, names: Sequence[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Each variant in turn; failures are recorded, not fatal."""
    results: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for name in names:
        ctx.log(f"variant {name}")
        try:
            results[name] = await run_variant(ctx, VARIANTS[name])
        except Exception as exc:  # one broken variant must not lose the others' numbers
            errors[name] = f"{type(exc).__name__}: {exc}"
            ctx.log(f"  {name} failed: {errors[name]}")
        await asyncio.sleep(1.0)
    return results, errors
