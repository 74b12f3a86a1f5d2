"""Tuning of enrichment: TTLs, batch sizes and windows. Defaults suit the simulators and
the public APIs alike; ``Enricher`` takes one of these optionally."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class SourceTuning:
    """Cache and batching knobs of one source."""

    fresh_ttl_s: float  # served as CACHED within this age
    keep_ttl_s: float  # the Redis key lives this long, so a STALE copy can be served
    negative_ttl_s: float  # "no data" answers are remembered this long
    batch_max: int  # cache keys per upstream call
    window_s: float = 0.008  # wait this long for more keys before calling


@dataclass(frozen=True, kw_only=True)
class EnrichConfig:
    """Per-source tuning plus the retry policy's backoff."""

    # Terrain is static: a day fresh, a week kept. 2 grids of 49 points = 98 ≤ 100 per call.
    terrain: SourceTuning = SourceTuning(
        fresh_ttl_s=86_400.0, keep_ttl_s=7 * 86_400.0, negative_ttl_s=3_600.0, batch_max=2
    )
    # Forecasts change a few times a day: 30 min fresh, 1 day kept.
    weather: SourceTuning = SourceTuning(
        fresh_ttl_s=1_800.0, keep_ttl_s=86_400.0, negative_ttl_s=300.0, batch_max=50
    )
    # Scouting changes when hunters add sign: short freshness, a day kept for outages.
    scouting: SourceTuning = SourceTuning(
        fresh_ttl_s=120.0, keep_ttl_s=86_400.0, negative_ttl_s=60.0, batch_max=50
    )
    namespace: str = ""  # prepended to every cache key (tests isolate themselves with it)
    retry_base_s: float = 0.05
    retry_cap_s: float = 2.0
    redis_op_timeout_s: float = 1.0
