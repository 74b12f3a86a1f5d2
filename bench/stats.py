"""Statistics of a benchmark run: percentiles, rates in a window, counter deltas. Pure."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by nearest rank; NaN for no values.

    Nearest rank always returns an observed value, so p100 is the max and a p99 of fewer
    than 100 samples is honestly the max rather than an interpolation.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def summarise_latencies(latencies_ms: Sequence[float]) -> dict[str, float]:
    """count, p50, p95, p99 and max in ms (NaN percentiles when empty)."""
    return {
        "count": float(len(latencies_ms)),
        "p50": percentile(latencies_ms, 50),
        "p95": percentile(latencies_ms, 95),
        "p99": percentile(latencies_ms, 99),
        "max": max(latencies_ms) if latencies_ms else math.nan,
    }


def count_in_window(timestamps: Sequence[float], start: float, end: float) -> int:
    """How many timestamps fall in [start, end)."""
    return sum(1 for t in timestamps if start <= t < end)


def rate_in_window(timestamps: Sequence[float], start: float, end: float) -> float:
    """Events per second in [start, end) (0 for an empty window)."""
    if end <= start:
        return 0.0
    return count_in_window(timestamps, start, end) / (end - start)


@dataclass(frozen=True, slots=True)
class Sample:
    """Counters observed at wall time ``t`` (seconds since the epoch)."""

    t: float
    values: Mapping[str, float]


def value_at(samples: Sequence[Sample], t: float, name: str) -> float:
    """A counter's value at ``t``, linearly interpolated between the samples around it
    (clamped to the first/last sample; 0 when no sample has it)."""
    points = [(s.t, s.values[name]) for s in samples if name in s.values]
    if not points:
        return 0.0
    points.sort()
    if t <= points[0][0]:
        return points[0][1]
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        if t0 <= t <= t1:
            return v0 if t1 == t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return points[-1][1]


def delta(samples: Sequence[Sample], start: float, end: float, name: str) -> float:
    """How much counter ``name`` grew between ``start`` and ``end``."""
    return value_at(samples, end, name) - value_at(samples, start, name)


def peak(samples: Sequence[Sample], name: str) -> float:
    """The largest observed value of gauge ``name`` (NaN when never observed)."""
    seen = [s.values[name] for s in samples if name in s.values]
    return max(seen) if seen else math.nan


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when the denominator is zero or NaN."""
    if not denominator or math.isnan(denominator):
        return math.nan
    return numerator / denominator


def hit_ratio(hits: float, misses: float) -> float:
    """hits / (hits + misses), NaN when there were no lookups."""
    return ratio(hits, hits + misses)


def open_loop_rates(sustained: float, fixed: Sequence[float], cap: float = 0.9) -> list[float]:
    """Offered loads for the open-loop steps: the ``fixed`` loads that stay under
    ``cap`` × the sustained rate, plus half the sustained rate (the target's load point)."""
    if sustained <= 0:
        return []
    limit = cap * sustained
    rates = {round(r, 1) for r in fixed if r <= limit}
    rates.add(round(sustained / 2, 1))
    return sorted(r for r in rates if r > 0)


def relative_change(first: float, last: float) -> float:
    """(last − first) / first, NaN when first is zero or NaN."""
    return ratio(last - first, first)
