"""The worker's Prometheus metrics: instruments, scrape-time stats and the exposition."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from deerstream.metrics import Metrics


def _samples(metrics: Metrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    body, _ = metrics.render()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def _value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return _samples(metrics).get((name, frozenset(labels.items())))


def test_a_counter_appears_after_increment() -> None:
    m = Metrics()
    assert _value(m, "deerstream_events_in_total", topic="prediction-requests") is None
    m.events_in.labels(topic="prediction-requests").inc()
    m.events_in.labels(topic="prediction-requests").inc(2)
    m.predictions.labels(replay="false", cached="true").inc()
    m.dead_letters.labels(reason="invalid_json").inc()
    assert _value(m, "deerstream_events_in_total", topic="prediction-requests") == 3
    assert _value(m, "deerstream_predictions_total", replay="false", cached="true") == 1
    assert _value(m, "deerstream_dead_letters_total", reason="invalid_json") == 1


def test_histograms_gauges_and_source_latency() -> None:
    m = Metrics()
    m.batch_size.observe(17)
    m.in_flight.set(5)
    m.end_to_end_latency.observe(0.2)
    m.predict_latency.observe(0.0003)
    m.observe_source_latency("weather", 0.04)
    m.observe_source_latency("weather", 0.06)
    m.consumer_lag.labels(topic="prediction-requests", partition="3").set(42)
    assert _value(m, "deerstream_batch_size_count") == 1
    assert _value(m, "deerstream_batch_size_bucket", le="20.0") == 1
    assert _value(m, "deerstream_in_flight") == 5
    assert _value(m, "deerstream_end_to_end_latency_seconds_count") == 1
    assert _value(m, "deerstream_predict_latency_seconds_count") == 1
    assert _value(m, "deerstream_enrichment_latency_seconds_count", source="weather") == 2
    total = _value(m, "deerstream_enrichment_latency_seconds_sum", source="weather")
    assert total is not None and abs(total - 0.1) < 1e-9
    lag = _value(m, "deerstream_consumer_lag", topic="prediction-requests", partition="3")
    assert lag == 42


def test_each_worker_has_its_own_registry() -> None:
    a, b = Metrics(), Metrics()
    a.events_in.labels(topic="t").inc()
    assert _value(a, "deerstream_events_in_total", topic="t") == 1
    assert _value(b, "deerstream_events_in_total", topic="t") is None
    shared = CollectorRegistry()
    assert Metrics(shared).registry is shared


def test_register_stats_exports_enricher_stats_per_source() -> None:
    m = Metrics()
    stats = {
        "terrain": {
            "cache_hit": 8, "cache_miss": 2, "cache_stale": 1, "cache_bypass": 0,
            "upstream_calls": 3, "upstream_errors": 1, "upstream_retries": 2,
            "coalesced": 4, "circuit_state": 0, "redis_roundtrips": 6,
        },
        "weather": {"cache_hit": 1, "circuit_state": 2},
    }  # fmt: skip
    m.register_stats("enricher", lambda: stats)
    assert _value(m, "deerstream_cache_requests_total", source="terrain", result="hit") == 8
    assert _value(m, "deerstream_cache_requests_total", source="terrain", result="miss") == 2
    assert _value(m, "deerstream_cache_requests_total", source="terrain", result="stale") == 1
    assert _value(m, "deerstream_cache_requests_total", source="terrain", result="bypass") == 0
    assert _value(m, "deerstream_upstream_calls_total", source="terrain") == 3
    assert _value(m, "deerstream_upstream_errors_total", source="terrain") == 1
    assert _value(m, "deerstream_upstream_retries_total", source="terrain") == 2
    assert _value(m, "deerstream_coalesced_total", source="terrain") == 4
    assert _value(m, "deerstream_redis_roundtrips_total", source="terrain") == 6
    assert _value(m, "deerstream_circuit_state", source="weather") == 2
    assert _value(m, "deerstream_cache_requests_total", source="weather", result="hit") == 1


def test_register_stats_reads_the_provider_at_every_scrape() -> None:
    m = Metrics()
    counts = {"hit": 0.0, "miss": 0.0, "bypass": 0.0, "entries": 3.0}
    m.register_stats("prediction_cache", lambda: counts)
    assert _value(m, "deerstream_prediction_cache_total", result="hit") == 0
    counts["hit"] = 5
    counts["miss"] = 2
    assert _value(m, "deerstream_prediction_cache_total", result="hit") == 5
    assert _value(m, "deerstream_prediction_cache_total", result="miss") == 2
    # Keys that are not outcomes stay visible as gauges of their own.
    assert _value(m, "deerstream_prediction_cache_entries") == 3


def test_a_failing_stats_provider_does_not_break_the_scrape() -> None:
    m = Metrics()

    def broken() -> dict[str, float]:
        raise RuntimeError("component not started")

    m.register_stats("broken", broken)
    m.register_stats("prediction_cache", lambda: {"hit": 1.0})
    m.events_in.labels(topic="t").inc()
    assert _value(m, "deerstream_events_in_total", topic="t") == 1
    assert _value(m, "deerstream_prediction_cache_total", result="hit") == 1


def test_register_stats_rejects_a_duplicate_name() -> None:
    m = Metrics()
    m.register_stats("enricher", dict)
    with pytest.raises(ValueError, match="already registered"):
        m.register_stats("enricher", dict)


@pytest.mark.parametrize("name", ["Bad-Name", "", "1st", "with space"])
def test_register_stats_rejects_names_that_are_not_metric_names(name: str) -> None:
    with pytest.raises(ValueError, match="must match"):
        Metrics().register_stats(name, dict)


def test_render_returns_prometheus_text_format() -> None:
    body, content_type = Metrics().render()
    assert content_type.startswith("text/plain; version=0.0.4")
    assert b"# TYPE deerstream_events_in_total counter" in body
    assert b"# TYPE deerstream_end_to_end_latency_seconds histogram" in body
