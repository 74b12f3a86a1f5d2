"""The runner's pure helpers: the request stream, topic names, the bench's Redis database."""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime

import orjson
import pytest

from deerstream.agents.quantise import SLOT, slot_start
from deerstream.bench.plan import VARIANTS
from deerstream.bench.runner import (
    CYCLE_MOVE_DEG,
    CYCLE_SHIFT,
    flush_bench_db,
    messages,
    step_counters,
    topic_env,
    upstream_p99_ms,
    window_counters,
)
from deerstream.bench.stats import Sample
from deerstream.bench.workload import (
    M_PER_DEG_LAT,
    REGION_RADIUS_M,
    WorkloadSpec,
    generate_workload,
)


def test_messages_cycle_the_workload_with_unique_ids() -> None:
    workload = generate_workload(WorkloadSpec(size=3), date(2026, 11, 1))
    out = list(itertools.islice(messages("run", workload, repeat_exactly=True), 7))
    assert [k for k, _ in out] == [f"run-{n}".encode() for n in range(7)]
    first, fourth = orjson.loads(out[0][1]), orjson.loads(out[3][1])
    assert first["request_id"] == "run-0" and fourth["request_id"] == "run-3"
    assert (first["lat"], first["target_time"]) == (fourth["lat"], fourth["target_time"])


def test_a_cold_variant_never_sees_a_request_twice() -> None:
    """Each new pass moves the target times by one prediction-cache slot, so a variant fast
    enough to wrap the workload is still measured on a cold prediction cache."""
    workload = generate_workload(WorkloadSpec(size=3), date(2026, 11, 1))
    out = [orjson.loads(v) for _, v in itertools.islice(messages("run", workload), 9)]
    evaluated = {(o["lat"], o["lon"], slot_start(datetime.fromisoformat(o["target_time"])))
                 for o in out}  # fmt: skip
    assert len(evaluated) == 9
    shift = datetime.fromisoformat(out[3]["target_time"]) - datetime.fromisoformat(
        out[0]["target_time"]
    )
    assert shift == CYCLE_SHIFT == SLOT and out[3]["lon"] == out[0]["lon"]


def test_a_cold_variants_next_pass_shares_no_cell_with_the_last() -> None:
    """Each new pass moves every spot north by more than a region's diameter, so a cold
    variant that wraps the workload misses the enrichment caches as on its first pass."""
    workload = generate_workload(WorkloadSpec(size=200), date(2026, 11, 1))
    n = len(workload)
    out = [orjson.loads(v) for _, v in itertools.islice(messages("run", workload), 3 * n)]
    for k in range(n):
        assert out[k + n]["lat"] == pytest.approx(out[k]["lat"] + CYCLE_MOVE_DEG, abs=1e-6)
        assert out[k + 2 * n]["lat"] == pytest.approx(out[k]["lat"] + 2 * CYCLE_MOVE_DEG, abs=1e-6)
    first = {(round(o["lat"], 2), round(o["lon"], 2)) for o in out[:n]}
    second = {(round(o["lat"], 2), round(o["lon"], 2)) for o in out[n : 2 * n]}
    assert not first & second
    assert CYCLE_MOVE_DEG * M_PER_DEG_LAT > 2 * REGION_RADIUS_M
    # The warm variant repeats the workload exactly.
    warm = [
        orjson.loads(v)
        for _, v in itertools.islice(messages("w", workload, repeat_exactly=True), 2 * n)
    ]
    assert [w["lat"] for w in warm[:n]] == [w["lat"] for w in warm[n:]]


def test_every_variant_gets_its_own_topics_and_group() -> None:
    env = topic_env("bench-x-passthrough")
    assert env["APP_ID"] == "bench-x-passthrough"
    assert (
        len({env[k] for k in ("REQUEST_TOPIC", "PREDICTION_TOPIC", "DLQ_TOPIC", "REPLAY_TOPIC")})
        == 4
    )
    assert set(VARIANTS) == {
        "passthrough",
        "naive-sequential",
        "naive-concurrent",
        "deerstream-cold",
        "deerstream-warm",
        "deerstream-cold-2w",
    }
    assert VARIANTS["deerstream-cold-2w"].workers == 2
    assert VARIANTS["deerstream-warm"].prime and not VARIANTS["deerstream-warm"].flush_redis


async def test_flushing_database_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="other than 0"):
        await flush_bench_db("redis://127.0.0.1:6379/0")


def test_upstream_p99_of_80_plus_minus_20() -> None:
    assert upstream_p99_ms(60.0, 40.0) == pytest.approx(99.6)


def test_window_counters_are_per_request_over_the_window() -> None:
    samples = [
        Sample(
            0.0,
            {
                "sim_elevation_requests": 0,
                "terrain_hit": 0,
                "terrain_miss": 0,
                "cpu_s": 1.0,
                "rss_mb": 100.0,
                "redis_roundtrips": 0,
                "sim_cpu_s": 2.0,
                "load_1m": 0.5,
            },
        ),
        Sample(
            10.0,
            {
                "sim_elevation_requests": 50,
                "terrain_hit": 900,
                "terrain_miss": 100,
                "cpu_s": 6.0,
                "rss_mb": 105.0,
                "redis_roundtrips": 20,
                "sim_cpu_s": 3.0,
                "load_1m": 1.25,
            },
        ),
    ]
    out = window_counters(samples, (0.0, 10.0), events=1000)
    assert out["upstream_calls_per_request"]["elevation"] == 0.05
    assert out["upstream_calls_per_request"]["total"] == 0.05
    assert out["cache_hit_ratio"]["terrain"] == 0.9
    assert math.isnan(out["cache_hit_ratio"]["weather"])
    assert out["cpu_s_per_1000"] == 5.0
    assert out["redis_roundtrips_per_request"] == 0.02
    assert out["rss_mb"]["change"] == pytest.approx(0.05)
    assert out["rss_mb"]["peak"] == 105.0
    # The simulators: 1 CPU second over 10 s and 50 upstream calls.
    assert out["simulator_cores"] == pytest.approx(0.1)
    assert out["simulator_cpu_ms_per_call"] == pytest.approx(20.0)
    assert out["load_1m"] == 1.25


def test_step_counters_cover_only_the_step() -> None:
    """An open-loop step's hit ratios and CPU come from the deltas over that step alone: a
    cold first step and a warmer second one read differently."""
    samples = [
        Sample(0.0, {"sim_weather_requests": 0, "weather_hit": 0, "weather_miss": 0, "cpu_s": 0}),
        Sample(
            10.0, {"sim_weather_requests": 90, "weather_hit": 10, "weather_miss": 90, "cpu_s": 1}
        ),
        Sample(
            20.0,
            {"sim_weather_requests": 100, "weather_hit": 100, "weather_miss": 100, "cpu_s": 1.5},
        ),
    ]
    first = step_counters(samples, (0.0, 10.0), events=100)
    second = step_counters(samples, (10.0, 20.0), events=100)
    assert first["cache_hit_ratio"]["weather"] == pytest.approx(0.1)
    assert second["cache_hit_ratio"]["weather"] == pytest.approx(0.9)
    assert first["upstream_calls_per_request"] == pytest.approx(0.9)
    assert second["upstream_calls_per_request"] == pytest.approx(0.1)
    assert first["cpu_ms_per_event"] == pytest.approx(10.0)
    assert second["cpu_ms_per_event"] == pytest.approx(5.0)
    assert math.isnan(first["cache_hit_ratio"]["terrain"])
