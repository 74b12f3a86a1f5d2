"""The worker process: wires Kafka (Faust), Redis, enrichment, the model and the ops server.

Resources are created once at start and closed at stop by ``WorkerResources``, a mode
service that Faust's worker starts *before* the app (so the pipeline exists before the first
batch) and stops *after* it (so the last batch can still publish while shutting down).
SIGTERM/SIGINT are handled by Faust's worker: it stops taking events, waits for in-flight
batches to be acknowledged (``stream_wait_empty``), commits, and then stops the services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

import faust
import redis.asyncio as aioredis
from mode import Service

from deerstream.agents.app import add_prediction_agent, create_app
from deerstream.agents.lag import consumer_lag
from deerstream.agents.loop import install_event_loop
from deerstream.agents.offsets import OffsetGate
from deerstream.agents.pipeline import PredictionPipeline
from deerstream.agents.preflight import run_checks
from deerstream.agents.publisher import FaustPublisher
from deerstream.agents.recent import RecentPredictions, cached_terrain_for
from deerstream.agents.records import InputMessage
from deerstream.engine import MODEL_VERSION, predict
from deerstream.enrich import Enricher, RedisCache
from deerstream.enrich.redis_client import RedisOptions, is_cluster_client, open_redis
from deerstream.logs import configure_logging, log_event
from deerstream.metrics import Metrics
from deerstream.settings import Settings
from deerstream.streams.admin import ensure_topics
from deerstream.streams.registry import register_prediction_schemas
from deerstream.web import OpsServer

log = logging.getLogger("deerstream.worker")

LAG_INTERVAL_S = 5.0
LAG_TIMEOUT_S = 10.0
# An event that holds its partition's commits this long is logged (every LAG_INTERVAL_S).
BLOCKED_WARN_S = 10.0


def partition_counts(tps: Any) -> dict[str, int]:
    """How many partitions of each topic, Faust's internal topics left out, and the total."""
    counts: dict[str, int] = {}
    for tp in tps:
        if "__assignor" not in tp.topic:
            counts[tp.topic] = counts.get(tp.topic, 0) + 1
    return {"total": sum(counts.values()), **dict(sorted(counts.items()))}


class WorkerResources(Service):
    """Everything the pipeline needs, with an explicit lifecycle."""

    #: mode narrates each service's start and stop ("[^-WorkerResources]: Starting...")
    #: on the service's logger; under ``mode.`` that follows LOG_LIBRARY_LEVEL like the
    #: rest of mode's lines. The worker's own events go to ``deerstream.worker``.
    logger = logging.getLogger("mode.deerstream.WorkerResources")

    def __init__(self, app: faust.App, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.settings = settings
        self.metrics = Metrics()
        self.redis: aioredis.Redis | aioredis.RedisCluster | None = None
        self.caches: list[RedisCache] = []
        self.enricher: Enricher | None = None
        self.pipeline: PredictionPipeline | None = None
        self.ops: OpsServer | None = None
        self.gate: OffsetGate[Any] = OffsetGate()
        # The last predictions published, for the ops server's /predictions pages.
        self.recent = RecentPredictions()
        self._batches = 0
        # The frameworks' own INFO lines are off by default (LOG_LIBRARY_LEVEL): the worker
        # says itself what a person watching it needs, starting with its partitions.
        # (mode's stub types the handler as a union no coroutine function matches.)
        app.on_partitions_assigned.connect(self._log_assigned)  # type: ignore[arg-type]
        app.on_partitions_revoked.connect(self._log_revoked)  # type: ignore[arg-type]

    async def _log_assigned(self, sender: Any, *args: Any, signal: Any, **_: Any) -> None:
        """Faust's signal: ``send(assigned)``."""
        assigned = args[0] if args else ()
        log_event(log, logging.INFO, "partitions assigned", **partition_counts(assigned))

    async def _log_revoked(self, sender: Any, *args: Any, signal: Any, **_: Any) -> None:
        revoked = args[0] if args else ()
        if revoked:
            log_event(log, logging.INFO, "partitions revoked", **partition_counts(revoked))

    async def on_start(self) -> None:
        s = self.settings
        await ensure_topics(s.kafka)
        # Before anything is opened: a registry that refuses the schemas stops the worker
        # with nothing (Redis, HTTP sessions) left to close.
        schema_ids: dict[int, int] = {}
        if s.schema_registry_url:
            schema_ids = await register_prediction_schemas(
                s.schema_registry_url, s.kafka.topics.prediction
            )
            log_event(
                log,
                logging.INFO,
                "prediction schemas registered; predictions are framed",
                registry=s.schema_registry_url,
                subject=f"{s.kafka.topics.prediction}-value",
                ids=",".join(f"v{v}={i}" for v, i in sorted(schema_ids.items())),
            )
        self.redis = await open_redis(RedisOptions.from_settings(s.redis))
        self.enricher = Enricher(
            s.upstreams, self.redis, on_source_latency=self.metrics.observe_source_latency
        )
        await self.enricher.start()
        cache = RedisCache(self.redis, name="prediction")
        self.caches = [cache, *self.enricher.caches()]
        self.metrics.register_stats("enrichment", self.enricher.stats)
        self.metrics.register_stats("prediction_cache", cache.stats)
        self.metrics.register_stats("offsets", lambda: self.gate.stats(time.monotonic()))
        self.pipeline = PredictionPipeline(
            s.agent,
            s.kafka.topics,
            scouting_shared=s.upstreams.scouting_shared,
            enricher=self.enricher,
            cache=cache,
            publisher=FaustPublisher(self.app, exactly_once=s.agent.exactly_once),
            predict=predict,
            model_version=MODEL_VERSION,
            metrics=self.metrics,
            on_published=self.recent.add,
            output_schema_ids=schema_ids,
        )
        self.ops = OpsServer(
            s.web,
            self.metrics,
            {
                "kafka": self._check_kafka,
                "partitions": self._check_partitions,
                "producer": self._check_producer,
                "redis": self._check_redis,
                "upstreams": self._check_upstreams,
            },
            predictions=self.recent,
            terrain=self._cached_terrain,
        )
        await self.ops.start()
        log_event(
            log,
            logging.INFO,
            "worker resources started",
            web=f"http://{s.web.host}:{self.ops.port}",
            exactly_once=s.agent.exactly_once,
            model_version=MODEL_VERSION,
        )

    async def _cached_terrain(self, prediction: Mapping[str, Any]) -> dict[str, Any] | None:
        return await cached_terrain_for(self.redis, prediction)

    async def on_stop(self) -> None:
        if self.ops is not None:
            await self.ops.stop()
        if self.enricher is not None:
            await self.enricher.stop()
        if self.redis is not None:
            await self.redis.aclose()
        log_event(log, logging.INFO, "worker resources stopped", batches=self._batches)

    @Service.task
    async def _report_lag(self) -> None:
        s = self.settings
        topics = s.kafka.topics
        failing_since: float | None = None
        while not self.should_stop:
            try:
                lag = await asyncio.wait_for(
                    consumer_lag(
                        s.kafka.connection, s.agent.app_id, [topics.request, topics.replay]
                    ),
                    LAG_TIMEOUT_S,
                )
            except Exception as exc:  # the cluster is (partly) down: say so, keep waiting
                failing_since = failing_since or time.monotonic()
                log_event(
                    log,
                    logging.WARNING,
                    "kafka not fully usable; work waits until it is",
                    error=f"{exc.__class__.__name__}: {str(exc)[:200]}",
                    for_s=round(time.monotonic() - failing_since, 1),
                )
            else:
                if failing_since is not None:
                    log_event(log, logging.INFO, "kafka usable again")
                failing_since = None
                for (topic, partition), value in lag.items():
                    self.metrics.consumer_lag.labels(topic=topic, partition=str(partition)).set(
                        value
                    )
            self._warn_blocked()
            await self.sleep(LAG_INTERVAL_S)

    def _warn_blocked(self) -> None:
        """Say which in-flight event holds back a partition's commits, and for how long."""
        now = time.monotonic()
        for tp, (offset, since) in self.gate.blocking().items():
            if now - since >= BLOCKED_WARN_S:
                log_event(
                    log,
                    logging.WARNING,
                    "commits held behind an unfinished event",
                    topic=getattr(tp, "topic", str(tp)),
                    partition=getattr(tp, "partition", -1),
                    offset=offset,
                    held_s=round(now - since, 1),
                )

    async def handle(self, batch: list[InputMessage]) -> object:
        if self.pipeline is None:
            raise RuntimeError("a batch arrived before the worker resources started")
        self._batches += 1
        self.metrics.in_flight.inc(len(batch))
        try:
            outcome = await self.pipeline.process(batch)
        finally:
            self.metrics.in_flight.dec(len(batch))
        log_event(
            log,
            logging.DEBUG,
            "batch done",
            batch_id=self._batches,
            size=len(batch),
            predicted=outcome.predicted,
            dead_lettered=outcome.dead_lettered,
            from_cache=outcome.from_cache,
        )
        return outcome

    # ------------------------------------------------------------------ readiness

    async def _check_kafka(self) -> tuple[bool, str]:
        first = self.settings.kafka.connection.bootstrap[0]
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(first.host, first.port), 1.0)
        except (OSError, TimeoutError) as exc:
            return False, f"broker {first} unreachable: {exc.__class__.__name__}"
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True, f"broker {first} reachable"

    async def _check_partitions(self) -> tuple[bool, str]:
        assigned = self.app.consumer.assignment() if self.app.consumer else set()
        if not assigned:
            return False, "no partitions assigned yet"
        return True, f"{partition_counts(assigned)['total']} partitions assigned"

    async def _check_producer(self) -> tuple[bool, str]:
        started = self.app.producer is not None and self.app.producer.state == "running"
        return started, "producer running" if started else "producer not running"

    async def _check_redis(self) -> tuple[bool, str]:
        """Reachable *and* used: a Redis that answers PING while the caches get errors
        (a cluster node's MOVED, a full memory) reads as bypassed, never as reachable."""
        if self.redis is None:
            return False, "redis client not created"
        kind = "cluster" if is_cluster_client(self.redis) else "single node"
        try:
            await self.redis.ping()
        except Exception as exc:  # any failure means "not reachable"
            return False, f"redis unreachable ({exc.__class__.__name__}); cache bypassed"
        bypassed = [c for c in self.caches if not c.available or c.recent_error()]
        if bypassed:
            why = next((c.recent_error() for c in bypassed if c.recent_error()), "backing off")
            names = ", ".join(c.name for c in bypassed)
            return False, f"redis {kind} answers, but the cache is bypassed ({names}: {why})"
        return True, f"redis {kind} reachable"

    async def _check_upstreams(self) -> tuple[bool, str]:
        """Sessions open; an open circuit (a spent quota, repeated failures) is reported
        with its reason but keeps the worker ready: predictions degrade, they do not stop."""
        ok = self.enricher is not None and self.enricher.sessions_open
        if not ok or self.enricher is None:
            return False, "upstream sessions closed"
        circuits = self.enricher.open_circuits()
        if circuits:
            detail = "; ".join(f"{n} circuit open ({why})" for n, why in sorted(circuits.items()))
            return True, f"upstream sessions open; {detail}"
        return True, "upstream sessions open"


#: After a stop signal the process exits at the latest this long after its own bounded drain
#: (``SHUTDOWN_GRACE_S``). A stop can hang inside Faust or aiokafka: seen after a broker
#: restart, when the consumer thread had died on NodeNotReadyError and the stop waited for it
#: for good. A process that never exits is killed with -9 by its supervisor anyway; exiting
#: loses nothing, since events not yet committed are delivered again (at-least-once).
STOP_HANG_S = 20.0
#: Exit status of a stop that had to be cut short.
STOP_HUNG_EXIT = 71


def arm_hard_stop(after_s: float) -> threading.Timer:
    """Exit the process (``STOP_HUNG_EXIT``) unless it has ended within ``after_s``."""

    def fire() -> None:
        log_event(log, logging.ERROR, "stop did not finish; exiting without it", waited_s=after_s)
        logging.shutdown()
        os._exit(STOP_HUNG_EXIT)

    timer = threading.Timer(after_s, fire)
    timer.daemon = True  # a stop that finishes in time exits without waiting for it
    timer.start()
    return timer


class BoundedStopWorker(faust.Worker):
    """Faust's worker whose stop, once signalled, cannot take longer than the drain plus
    ``STOP_HANG_S`` (see ``arm_hard_stop``)."""

    hard_stop_after_s = STOP_HANG_S

    def _schedule_shutdown(self, sig: signal.Signals) -> None:
        # mode's one entry for SIGINT and SIGTERM: arm once, on the first signal.
        if not self._signal_stop_time:
            arm_hard_stop(self.hard_stop_after_s)
        super()._schedule_shutdown(sig)


def run_worker(settings: Settings) -> int:
    """Run the worker in the foreground until SIGINT/SIGTERM; returns the exit status."""
    configure_logging(settings.logging)
    loop = install_event_loop(settings.agent.event_loop)  # before any loop exists
    # Wrong credentials are configuration errors: one clear line now, before Faust starts.
    run_checks(settings.kafka, settings.redis)
    app = create_app(settings.kafka, settings.agent)
    resources = WorkerResources(app, settings)
    add_prediction_agent(
        app, settings.agent, settings.kafka.topics, resources.handle, gate=resources.gate
    )
    log_event(
        log,
        logging.INFO,
        "starting worker",
        host=socket.gethostname(),
        kafka=settings.kafka.connection.bootstrap_servers,
        event_loop=loop,
        request_topic=settings.request_topic,
        prediction_topic=settings.prediction_topic,
    )
    worker = BoundedStopWorker(
        app,
        resources,
        loglevel=settings.log_level,
        override_logging=False,
        redirect_stdouts=False,
        quiet=True,
    )
    # Faust's start-up spinner writes cursor escapes to a terminal (one was left behind at
    # every stop); the logs say what is happening instead.
    worker.spinner = None
    worker.hard_stop_after_s = settings.agent.shutdown_grace_s + STOP_HANG_S
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
