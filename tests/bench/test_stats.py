"""Percentiles, window rates and counter deltas, by table and by property."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deerstream.bench.stats import (
    Sample,
    count_in_window,
    delta,
    hit_ratio,
    open_loop_rates,
    peak,
    percentile,
    rate_in_window,
    ratio,
    relative_change,
    summarise_latencies,
    value_at,
)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5.0], 50, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 75, 3.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        (list(range(1, 101)), 99, 99.0),
        (list(range(1, 11)), 99, 10.0),  # too few samples: p99 is honestly the max
        ([3.0, 1.0, 2.0], 50, 2.0),  # unsorted input
    ],
)
def test_percentile_by_nearest_rank(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == expected


def test_percentile_of_nothing_is_nan_and_bad_q_is_refused() -> None:
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1.0], 101)


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=200))
def test_percentiles_are_ordered_observed_values(values: list[float]) -> None:
    s = summarise_latencies(values)
    assert s["count"] == len(values)
    assert s["p50"] <= s["p95"] <= s["p99"] <= s["max"] == max(values)
    assert {s["p50"], s["p95"], s["p99"]} <= set(values)


def test_summary_of_no_latencies_is_nan() -> None:
    s = summarise_latencies([])
    assert s["count"] == 0
    assert all(math.isnan(s[k]) for k in ("p50", "p95", "p99", "max"))


def test_window_counts_are_half_open() -> None:
    ts = [0.0, 0.5, 1.0, 1.5, 2.0]
    assert count_in_window(ts, 0.5, 2.0) == 3
    assert rate_in_window(ts, 0.0, 2.0) == 2.0
    assert rate_in_window(ts, 2.0, 2.0) == 0.0


def test_counters_are_interpolated_between_samples_and_clamped() -> None:
    samples = [Sample(10.0, {"n": 0.0}), Sample(12.0, {"n": 100.0}), Sample(14.0, {"n": 120.0})]
    assert value_at(samples, 11.0, "n") == 50.0
    assert value_at(samples, 5.0, "n") == 0.0
    assert value_at(samples, 99.0, "n") == 120.0
    assert delta(samples, 11.0, 13.0, "n") == pytest.approx(110.0 - 50.0)
    assert value_at(samples, 11.0, "absent") == 0.0


def test_peak_and_ratios() -> None:
    samples = [Sample(0.0, {"rss": 10.0}), Sample(1.0, {"rss": 30.0}), Sample(2.0, {})]
    assert peak(samples, "rss") == 30.0
    assert math.isnan(peak(samples, "cpu"))
    assert ratio(3.0, 2.0) == 1.5
    assert math.isnan(ratio(1.0, 0.0))
    assert math.isnan(ratio(1.0, math.nan))
    assert hit_ratio(3.0, 1.0) == 0.75
    assert math.isnan(hit_ratio(0.0, 0.0))
    assert relative_change(100.0, 110.0) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("sustained", "expected"),
    [
        (2000.0, [100.0, 300.0, 1000.0]),  # half of 2000 is 1000, already there
        (500.0, [100.0, 250.0, 300.0]),  # 1000 > 0.9 × 500: dropped
        (100.0, [50.0]),  # 100 > 90: only the half-load point
        (3.6, [1.8]),
        (0.0, []),
    ],
)
def test_open_loop_loads_are_capped_and_include_half_load(
    sustained: float, expected: list[float]
) -> None:
    assert open_loop_rates(sustained, (100.0, 300.0, 1000.0)) == expected
