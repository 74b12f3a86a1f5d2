"""One micro-batch, end to end: decode → prediction cache → enrich → predict → publish.

Every input ends as exactly one output: a prediction on the prediction topic, or a dead
letter (original bytes, reason in headers) on the DLQ. ``process`` returns only after the
broker has acknowledged every output of the batch, so the caller may then mark the batch's
offsets safe to commit. A failure to deliver raises: the caller must then *not* commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import orjson

from deerstream.agents.quantise import evaluation_request, prediction_cache_key
from deerstream.agents.records import BatchOutcome, InputMessage, OutputMessage, Publisher
from deerstream.errors import ContractError
from deerstream.logs import log_event
from deerstream.metrics import Metrics
from deerstream.models import headers as hdr
from deerstream.models.codec import decode_request, prediction_keys, prediction_to_dict
from deerstream.models.deadletter import DeadLetter, dead_letter_for, dead_letter_headers
from deerstream.models.framing import frame, unframe
from deerstream.models.ids import prediction_id_for
from deerstream.models.records import (
    Enrichment,
    Prediction,
    PredictionRequest,
    SourceStatus,
)
from deerstream.models.wire import format_datetime
from deerstream.settings import AgentSettings, Topics

log = logging.getLogger("deerstream.pipeline")

ENRICHMENT_UNAVAILABLE = "enrichment_unavailable"
PREDICTION_TTL_S = 600.0
DELIVERY_LOG_EVERY_S = 5.0
_CACHEABLE = (SourceStatus.FRESH, SourceStatus.CACHED)
# Every field a prediction carries (its JSON keys); a cached entry must have them all.

PredictFn = Callable[..., Prediction]


class EnricherLike(Protocol):
    async def enrich_batch(self, requests: Sequence[PredictionRequest]) -> list[Enrichment]: ...


class CacheLike(Protocol):
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def set_many(self, items: Sequence[tuple[str, bytes, float]]) -> None: ...


@dataclass
class _Pending:
    """A valid request waiting for its prediction."""

    msg: InputMessage
    request: PredictionRequest
    evaluated: PredictionRequest
    cache_key: str
    replay: bool
    bypass_cache: bool


@dataclass
class _Work:
    """Everything the batch produces, in input order."""

    outputs: list[tuple[InputMessage, OutputMessage]] = field(default_factory=list)
    predicted: int = 0
    from_cache: int = 0
    reasons: list[str] = field(default_factory=list)


class PredictionPipeline:
    """Turns batches of input messages into delivered predictions and dead letters."""

    def __init__(
        self,
        agent: AgentSettings,
        topics: Topics,
        *,
        scouting_shared: bool = False,
        enricher: EnricherLike,
        cache: CacheLike | None,
        publisher: Publisher,
        predict: PredictFn,
        model_version: str,
        metrics: Metrics | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_published: Callable[[bytes, bytes], None] | None = None,
        output_schema_ids: Mapping[int, int] | None = None,
    ) -> None:
        self.agent = agent
        self.topics = topics
        self.scouting_shared = scouting_shared
        self.enricher = enricher
        self.cache = cache
        self.publisher = publisher
        self.predict = predict
        self.model_version = model_version
        self.metrics = metrics
        self.clock = clock
        self.sleep = sleep
        # Told (key, value) of each prediction once the broker acknowledged it.
        self.on_published = on_published
        # {schema_version: registry id}: predictions are framed for a schema registry.
        self.output_schema_ids = dict(output_schema_ids or {})

    # ------------------------------------------------------------------ public

    async def process(self, batch: Sequence[InputMessage]) -> BatchOutcome:
        work = _Work()
        pending: list[_Pending] = []
        for msg in batch:
            item = self._decode(msg, work)
            if item is not None:
                pending.append(item)
        await self._serve_from_cache(pending, work)
        await self._compute(pending, work)
        await self._deliver(work)
        self._observe(batch)
        return BatchOutcome(
            predicted=work.predicted,
            dead_lettered=len(work.reasons),
            from_cache=work.from_cache,
            dead_letter_reasons=tuple(work.reasons),
        )

    # ------------------------------------------------------------------ steps

    def _decode(self, msg: InputMessage, work: _Work) -> _Pending | None:
        schema_id: int | None = None
        try:
            if msg.value is None:
                raise ContractError("invalid_json", "the message has no value (tombstone)", "$")
            # Schema-registry producers frame the JSON (magic 0 + schema id): unwrap it.
            unframed = unframe(msg.value)
            schema_id = unframed.schema_id
            if schema_id is not None and self.metrics is not None:
                self.metrics.framed_inputs.labels(schema_id=str(schema_id)).inc()
            request = decode_request(unframed.payload, max_bytes=self.agent.max_event_bytes)
        except ContractError as exc:
            extra = [] if schema_id is None else [(hdr.SCHEMA_ID, str(schema_id).encode())]
            self._dead_letter(
                msg,
                dead_letter_for(
                    exc,
                    source_topic=msg.topic,
                    source_partition=msg.partition,
                    source_offset=msg.offset,
                    original=msg.value or b"",
                    failed_at=self.clock(),
                ),
                work,
                extra_headers=extra,
            )
            return None
        replay = msg.header(hdr.REPLAY) == b"1"
        evaluated = evaluation_request(request)
        return _Pending(
            msg=msg,
            request=request,
            evaluated=evaluated,
            cache_key=prediction_cache_key(evaluated, self.model_version),
            replay=replay,
            bypass_cache=replay and msg.header(hdr.REPLAY_NO_CACHE) == b"1",
        )

    async def _serve_from_cache(self, pending: list[_Pending], work: _Work) -> None:
        """One MGET for the whole batch; hits are published, the rest stay pending."""
        if self.cache is None:
            return
        lookups = [p for p in pending if not p.bypass_cache]
        if not lookups:
            return
        keys = sorted({p.cache_key for p in lookups})
        values = dict(zip(keys, await self.cache.get_many(keys), strict=True))
        remaining: list[_Pending] = []
        for p in pending:
            raw = None if p.bypass_cache else values.get(p.cache_key)
            cached = self._cached_base(raw, p.evaluated.schema_version)
            if cached is None:
                remaining.append(p)
                continue
            self._emit(p, cached, work, cached=True, timings={})
        pending[:] = remaining

    async def _compute(self, pending: list[_Pending], work: _Work) -> None:
        """Enrich each distinct evaluation once, predict, and retry sources that gave
        nothing usable until the configured deadline; then dead-letter what is left."""
        by_key: dict[str, list[_Pending]] = {}
        for p in pending:
            by_key.setdefault(p.cache_key, []).append(p)
        deadline = time.monotonic() + self.agent.enrichment_unavailable_deadline_s
        delay = 0.25
        to_write: list[tuple[str, bytes, float]] = []
        while by_key:
            keys = list(by_key)
            t0 = time.perf_counter()
            enrichments = await self.enricher.enrich_batch([by_key[k][0].evaluated for k in keys])
            enrich_ms = (time.perf_counter() - t0) * 1000
            unscorable: dict[str, list[_Pending]] = {}
            last_reason: dict[str, str] = {}
            now = self.clock()
            for key, enrichment in zip(keys, enrichments, strict=True):
                group = by_key[key]
                if enrichment.terrain is None and enrichment.weather is None:
                    unscorable[key] = group
                    last_reason[key] = _unavailable_reason(enrichment)
                    continue
                t1 = time.perf_counter()
                base = self.predict(
                    group[0].evaluated,
                    enrichment,
                    now,
                    model_version=self.model_version,
                    scouting_shared=self.scouting_shared,
                )
                predict_s = time.perf_counter() - t1
                if self.metrics is not None:
                    self.metrics.predict_latency.observe(predict_s)
                timings = {"enrich": round(enrich_ms, 3), "predict": round(predict_s * 1000, 3)}
                base_dict = prediction_to_dict(base)
                for p in group:
                    self._emit(p, base_dict, work, cached=False, timings=timings)
                if self.cache is not None and _cacheable(base):
                    to_write.append((key, orjson.dumps(base_dict), PREDICTION_TTL_S))
            by_key = unscorable
            if not by_key:
                break
            if time.monotonic() + delay > deadline:
                for key, group in by_key.items():
                    for p in group:
                        self._dead_letter(
                            p.msg,
                            DeadLetter(
                                reason=ENRICHMENT_UNAVAILABLE,
                                message="neither terrain nor weather could be obtained: "
                                + last_reason[key],
                                path="$",
                                source_topic=p.msg.topic,
                                source_partition=p.msg.partition,
                                source_offset=p.msg.offset,
                                original=p.msg.value or b"",
                                failed_at=self.clock(),
                            ),
                            work,
                        )
                break
            log_event(
                log,
                logging.WARNING,
                "enrichment unavailable; retrying",
                requests=sum(len(g) for g in by_key.values()),
                retry_in_s=delay,
            )
            await self.sleep(delay)
            delay = min(delay * 2, 5.0)
        if to_write and self.cache is not None:
            await self.cache.set_many(to_write)

    async def _deliver(self, work: _Work) -> None:
        """Send every output, then wait until the broker acknowledged all of them.

        While the broker cannot acknowledge (fewer in-sync replicas than
        ``min.insync.replicas``, a leader election) the producer keeps retrying until its
        request timeout; meanwhile this batch holds its slot, so the worker takes no new
        work, and the wait is logged every ``DELIVERY_LOG_EVERY_S`` with the reason."""
        futures = [
            asyncio.ensure_future(await self.publisher.send(out, source=msg))
            for msg, out in work.outputs
        ]
        if not futures:
            return
        waited = 0.0
        pending: set[asyncio.Future[object]] = set(futures)
        while pending:
            _, pending = await asyncio.wait(pending, timeout=DELIVERY_LOG_EVERY_S)
            if pending:
                waited += DELIVERY_LOG_EVERY_S
                log_event(
                    log,
                    logging.WARNING,
                    "waiting for the broker to acknowledge outputs; taking no new work",
                    outputs=len(pending),
                    waited_s=waited,
                    hint="brokers down or fewer in-sync replicas than min.insync.replicas",
                )
        await asyncio.gather(*futures)  # raises the first delivery failure
        if self.on_published is not None:
            self._tell_published(work)

    def _tell_published(self, work: _Work) -> None:
        """Hand acknowledged predictions to ``on_published``; its failure is logged, never
        the batch's (the outputs are delivered: failing now would only redeliver them)."""
        assert self.on_published is not None
        for _, out in work.outputs:
            if out.topic != self.topics.prediction or out.key is None:
                continue
            try:
                self.on_published(out.key, out.value)
            except Exception as exc:
                log_event(log, logging.WARNING, "on_published failed", error=repr(exc)[:200])

    # ------------------------------------------------------------------ outputs

    def _emit(
        self,
        p: _Pending,
        base: dict[str, object],
        work: _Work,
        *,
        cached: bool,
        timings: dict[str, float],
    ) -> None:
        """Publish ``base`` (a prediction's JSON form, computed or cached) stamped with this
        request's identity. Both paths go through here, so they produce the same bytes."""
        req = p.request
        ev = p.evaluated
        notes = list(base["notes"]) if isinstance(base["notes"], list) else []
        if (req.lat, req.lon, req.target_time) != (ev.lat, ev.lon, ev.target_time):
            notes.append(
                f"evaluated at {ev.lat:.3f},{ev.lon:.3f} {format_datetime(ev.target_time)} "
                "(cell centre, 15-minute slot)"
            )
        stamped = {
            **base,
            "prediction_id": prediction_id_for(req, self.model_version),
            "request_id": req.request_id,
            "hunter_id": req.hunter_id,
            "lat": req.lat,
            "lon": req.lon,
            "target_time": format_datetime(req.target_time),
            "notes": notes,
            "timings_ms": {**timings, "cached": 1.0 if cached else 0.0},
            "produced_at": format_datetime(self.clock()),
            "replay": p.replay,
        }
        headers: list[tuple[str, bytes]] = [
            (hdr.CONTENT_TYPE, b"application/json"),
            (hdr.SCHEMA_VERSION, str(base["schema_version"]).encode()),
            (hdr.MODEL_VERSION, self.model_version.encode()),
        ]
        value = orjson.dumps(stamped)
        version = base["schema_version"]
        schema_id = self.output_schema_ids.get(version) if isinstance(version, int) else None
        if schema_id is not None:
            value = frame(value, schema_id)
            headers.append((hdr.SCHEMA_ID, str(schema_id).encode()))
        if p.replay:
            headers.append((hdr.REPLAY, b"1"))
            origin = p.msg.header(hdr.REPLAY_ORIGIN)
            if origin is not None:
                headers.append((hdr.REPLAY_ORIGIN, origin))
        out = OutputMessage(
            topic=self.topics.prediction,
            key=req.request_id.encode(),
            value=value,
            headers=headers,
        )
        work.outputs.append((p.msg, out))
        work.predicted += 1
        if cached:
            work.from_cache += 1
        if self.metrics is not None:
            self.metrics.predictions.labels(
                replay=str(p.replay).lower(), cached=str(cached).lower()
            ).inc()

    def _cached_base(self, raw: bytes | None, version: int) -> dict[str, object] | None:
        """A cached prediction's JSON form, or None for a miss.

        Entries are written by this pipeline (already validated by the codec on the way in),
        so a hit is trusted after a shape check instead of a full decode; an entry from
        another schema or model version, or one that is not JSON, is a miss, never a failure.
        """
        if raw is None:
            return None
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if (
            not isinstance(obj, dict)
            or obj.get("schema_version") != version
            or obj.get("model_version") != self.model_version
            or not prediction_keys(version) <= obj.keys()
        ):
            return None
        return obj

    def _dead_letter(
        self,
        msg: InputMessage,
        dl: DeadLetter,
        work: _Work,
        *,
        extra_headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        out = OutputMessage(
            topic=self.topics.dlq,
            key=msg.key,
            value=dl.original,
            headers=[*msg.headers, *dead_letter_headers(dl), *extra_headers],
        )
        work.outputs.append((msg, out))
        work.reasons.append(dl.reason)
        log_event(
            log,
            logging.INFO,
            "dead-lettered",
            reason=dl.reason,
            partition=msg.partition,
            offset=msg.offset,
        )
        if self.metrics is not None:
            self.metrics.dead_letters.labels(reason=dl.reason).inc()

    def _observe(self, batch: Sequence[InputMessage]) -> None:
        if self.metrics is None:
            return
        m = self.metrics
        m.batch_size.observe(len(batch))
        now_ms = time.time() * 1000
        for msg in batch:
            m.events_in.labels(topic=msg.topic).inc()
            if msg.timestamp_ms:
                m.end_to_end_latency.observe(max(0.0, (now_ms - msg.timestamp_ms) / 1000))


def _cacheable(p: Prediction) -> bool:
    """Only predictions made from complete, current data are shared through the cache."""
    return all(q.status in _CACHEABLE for q in p.data_quality.values())


def _unavailable_reason(e: Enrichment) -> str:
    parts = []
    for name, q in (("terrain", e.terrain_quality), ("weather", e.weather_quality)):
        parts.append(f"{name}: {q.reason or q.status.value}")
    return "; ".join(parts)
