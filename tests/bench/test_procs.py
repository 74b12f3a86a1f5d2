"""Reading the real worker's /metrics and the baselines' stats files into bench counters."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from deerstream.bench.procs import parse_worker_metrics
from deerstream.bench.variants.common import StatsFile, read_stats
from deerstream.metrics import Metrics


def test_worker_metrics_map_to_bench_counter_names() -> None:
    metrics = Metrics()
    enricher_stats = {
        "terrain": {
            "cache_hit": 7.0,
            "cache_miss": 3.0,
            "upstream_calls": 2.0,
            "redis_roundtrips": 4.0,
        },
        "weather": {
            "cache_hit": 9.0,
            "cache_stale": 1.0,
            "upstream_calls": 1.0,
            "redis_roundtrips": 4.0,
        },
    }
    metrics.register_stats("enrichment", lambda: enricher_stats)
    metrics.register_stats("prediction_cache", lambda: {"roundtrips": 5.0, "found": 6.0})
    metrics.predictions.labels(replay="false", cached="true").inc(6)
    metrics.predictions.labels(replay="false", cached="false").inc(4)
    metrics.events_in.labels(topic="t").inc(10)
    body, _ = metrics.render()
    values = parse_worker_metrics(body.decode())
    assert values["terrain_hit"] == 7.0
    assert values["terrain_miss"] == 3.0
    assert values["weather_stale"] == 1.0
    assert values["terrain_upstream_calls"] == 2.0
    assert values["redis_roundtrips"] == 4.0 + 4.0 + 5.0
    assert values["prediction_hit"] == 6.0
    assert values["prediction_miss"] == 4.0
    assert values["events"] == 10.0


def test_stats_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "naive.stats.json"
    assert read_stats(path) == {}
    counters: Counter[str] = Counter({"terrain_hit": 3, "redis_roundtrips": 8})
    StatsFile(path, counters).write()
    assert read_stats(path) == {"terrain_hit": 3.0, "redis_roundtrips": 8.0}
    path.write_text("not json")
    assert read_stats(path) == {}
