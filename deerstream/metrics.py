"""Prometheus metrics for one worker.

Every worker owns a :class:`Metrics` with its own ``CollectorRegistry``; nothing is
registered in ``prometheus_client``'s global default registry, so two workers (or two tests)
in one process never share or collide on series.

Two kinds of series live here:

* instruments the worker updates as events flow (``events_in``, ``predictions``, latency
  histograms, ``consumer_lag``...), and
* counters that components already keep themselves (the enricher's per-source cache and
  upstream counters, the prediction cache's hit/miss counters). Those are read at scrape
  time through :meth:`Metrics.register_stats`, so the hot path does no extra bookkeeping.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.registry import Collector

__all__ = [
    "CIRCUIT_STATES",
    "NAMESPACE",
    "Metrics",
    "Stats",
    "StatsProvider",
]

NAMESPACE = "deerstream"

#: How the enricher encodes ``circuit_state`` (the value of ``deerstream_circuit_state``).
CIRCUIT_STATES: Mapping[int, str] = {0: "closed", 1: "half-open", 2: "open"}

#: Either ``{source: {counter: value}}`` (the enricher) or ``{counter: value}`` (a cache).
Stats = Mapping[str, Mapping[str, float]] | Mapping[str, float]
StatsProvider = Callable[[], Stats]

# Seconds. End-to-end spans micro-batching, enrichment and the broker ack, so it reaches
# into tens of seconds during an upstream outage; predict() is pure CPU and sub-millisecond.
_E2E_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_ENRICH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_PREDICT_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1)
_BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

_log = logging.getLogger(__name__)
_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class _Series:
    """Where one stats key lands: a metric family plus the extra label it sets."""

    family: str
    kind: str  # "counter" or "gauge"
    doc: str
    result: str | None = None  # value of the ``result`` label, when the family has one


# Keys of the per-source stats (the enricher's ``stats()``), mapped to exported series.
_SOURCE_SERIES: Mapping[str, _Series] = {
    "cache_hit": _Series("cache_requests", "counter", "Enrichment cache lookups.", "hit"),
    "cache_miss": _Series("cache_requests", "counter", "Enrichment cache lookups.", "miss"),
    "cache_stale": _Series("cache_requests", "counter", "Enrichment cache lookups.", "stale"),
    "cache_bypass": _Series("cache_requests", "counter", "Enrichment cache lookups.", "bypass"),
    "upstream_calls": _Series("upstream_calls", "counter", "HTTP calls made to the upstream."),
    "upstream_errors": _Series("upstream_errors", "counter", "Upstream calls that failed."),
    "upstream_retries": _Series("upstream_retries", "counter", "Upstream calls retried."),
    "coalesced": _Series("coalesced", "counter", "Lookups that joined an in-flight fetch."),
    "circuit_state": _Series(
        "circuit_state", "gauge", "Circuit breaker state: 0 closed, 1 half-open, 2 open."
    ),
    "redis_roundtrips": _Series(
        "redis_roundtrips", "counter", "Redis round trips (MGET/pipeline)."
    ),
}

# Keys of a flat stats mapping that count outcomes; exported as ``<name>_total{result=key}``.
_RESULT_KEYS = frozenset({"hit", "miss", "stale", "bypass", "error", "errors", "write"})


class _StatsCollector(Collector):
    """Reads every registered stats provider at scrape time and merges the series."""

    def __init__(self) -> None:
        self._providers: dict[str, StatsProvider] = {}

    def add(self, name: str, provider: StatsProvider) -> None:
        if not _NAME.fullmatch(name):
            raise ValueError(f"stats name {name!r} must match {_NAME.pattern}")
        if name in self._providers:
            raise ValueError(f"stats provider {name!r} is already registered")
        self._providers[name] = provider

    def describe(self) -> Iterable[Metric]:
        # Describing would mean calling the providers at registration time, before the
        # components they read from have started.
        return []

    def collect(self) -> Iterable[Metric]:
        families: dict[str, CounterMetricFamily | GaugeMetricFamily] = {}
        for name, provider in self._providers.items():
            try:
                stats = provider()
            except Exception:
                # A broken provider must not take /metrics down with it.
                _log.warning("stats provider %s failed", name, exc_info=True)
                continue
            for family, labels, value in _flatten(name, stats, families):
                family.add_metric(labels, value)
        return list(families.values())


def _flatten(
    name: str,
    stats: Stats,
    families: dict[str, CounterMetricFamily | GaugeMetricFamily],
) -> Iterator[tuple[CounterMetricFamily | GaugeMetricFamily, list[str], float]]:
    """Yield (family, label values, value) for every number in ``stats``."""
    for key, value in stats.items():
        if isinstance(value, Mapping):
            source = key
            for stat, number in value.items():
                series = _SOURCE_SERIES.get(stat) or _Series(
                    f"{name}_{stat}", "gauge", f"{name} stat {stat} per source."
                )
                labels = ["source", "result"] if series.result else ["source"]
                family = _family(families, series, labels)
                values = [source, series.result] if series.result else [source]
                yield family, values, float(number)
        elif key in _RESULT_KEYS:
            series = _Series(name, "counter", f"{name} lookups by result.", key)
            yield _family(families, series, ["result"]), [key], float(value)
        else:
            series = _Series(f"{name}_{key}", "gauge", f"{name} stat {key}.")
            yield _family(families, series, []), [], float(value)


def _family(
    families: dict[str, CounterMetricFamily | GaugeMetricFamily],
    series: _Series,
    labels: list[str],
) -> CounterMetricFamily | GaugeMetricFamily:
    full = f"{NAMESPACE}_{series.family}"
    family = families.get(full)
    if family is None:
        if series.kind == "counter":
            family = CounterMetricFamily(full, series.doc, labels=labels)
        else:
            family = GaugeMetricFamily(full, series.doc, labels=labels)
        families[full] = family
    return family


class Metrics:
    """The worker's metrics: instruments plus scrape-time stats, in one registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.events_in = Counter(
            "events_in", "Events consumed, by topic.", ["topic"], namespace=NAMESPACE, registry=r
        )
        self.predictions = Counter(
            "predictions",
            "Predictions published (replay: from a replay; cached: from the prediction cache).",
            ["replay", "cached"],
            namespace=NAMESPACE,
            registry=r,
        )
        self.dead_letters = Counter(
            "dead_letters",
            "Events sent to the dead-letter topic, by reason code.",
            ["reason"],
            namespace=NAMESPACE,
            registry=r,
        )
        self.framed_inputs = Counter(
            "framed_inputs",
            "Inputs in the schema-registry wire format, by schema id.",
            ["schema_id"],
            namespace=NAMESPACE,
            registry=r,
        )
        self.batch_size = Histogram(
            "batch_size",
            "Events per micro-batch.",
            namespace=NAMESPACE,
            registry=r,
            buckets=_BATCH_BUCKETS,
        )
        self.in_flight = Gauge(
            "in_flight", "Events taken but not yet acknowledged.", namespace=NAMESPACE, registry=r
        )
        self.end_to_end_latency = Histogram(
            "end_to_end_latency_seconds",
            "Request timestamp to prediction acknowledged by the broker.",
            namespace=NAMESPACE,
            registry=r,
            buckets=_E2E_BUCKETS,
        )
        self.enrichment_latency = Histogram(
            "enrichment_latency_seconds",
            "Time to obtain one source's data for a batch, by source.",
            ["source"],
            namespace=NAMESPACE,
            registry=r,
            buckets=_ENRICH_BUCKETS,
        )
        self.predict_latency = Histogram(
            "predict_latency_seconds",
            "Time spent in the model's predict().",
            namespace=NAMESPACE,
            registry=r,
            buckets=_PREDICT_BUCKETS,
        )
        self.consumer_lag = Gauge(
            "consumer_lag",
            "Messages between the committed offset and the end of the partition.",
            ["topic", "partition"],
            namespace=NAMESPACE,
            registry=r,
        )
        self._stats = _StatsCollector()
        r.register(self._stats)

    def observe_source_latency(self, source: str, seconds: float) -> None:
        """Record one enrichment latency (the Enricher's ``on_source_latency`` hook)."""
        self.enrichment_latency.labels(source=source).observe(seconds)

    def register_stats(self, name: str, stats: StatsProvider) -> None:
        """Export the counters ``stats()`` returns, read at every scrape.

        A nested mapping ``{source: {key: n}}`` is exported per source: the enricher's keys
        become ``deerstream_cache_requests_total{source,result}``,
        ``deerstream_upstream_{calls,errors,retries}_total{source}``,
        ``deerstream_coalesced_total{source}``, ``deerstream_redis_roundtrips_total{source}``
        and ``deerstream_circuit_state{source}``; other keys become gauges
        ``deerstream_<name>_<key>{source}``. A flat mapping ``{key: n}`` exports outcome keys
        (hit, miss, stale, bypass, error...) as ``deerstream_<name>_total{result}`` and other
        keys as gauges ``deerstream_<name>_<key>``.
        """
        self._stats.add(name, stats)

    def render(self) -> tuple[bytes, str]:
        """The exposition body and its content type, for ``GET /metrics``."""
        return generate_latest(self.registry), CONTENT_TYPE_PLAIN_0_0_4
