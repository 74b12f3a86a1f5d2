"""The Faust app and the prediction agent.

The agent consumes raw bytes from the request topic and the replay topic (plain JSON from
any Kafka client; no Faust envelope), takes micro-batches and hands each to the pipeline.

Offsets: ``take_events`` acks a batch's events when the loop comes back for the next batch,
*or* when the generator is closed by an exception or cancellation. To make "commit only
after the outputs are acknowledged" hold in every case, each event's message is held with
an extra reference while the batch is processed, and released only after the pipeline
returned (outputs acknowledged by the broker). A batch that fails or is cancelled keeps its
references, so its offsets never become committable and the batch is redelivered.
Parallelism comes from the batch, never from Faust's ``concurrency=N`` (faust-streaming
issue #606: it can commit past in-flight events).
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import faust
from faust.streams import Stream
from faust.types import EventT, StreamT

from agents.records import InputMessage
from deerstream.settings import Settings
from streams.kafka import client_kwargs

log = logging.getLogger("deerstream.agent")

BatchHandler = Callable[[list[InputMessage]], Awaitable[object]]


def create_app(settings: Settings) -> faust.App:
    """A Faust app configured from settings (no web server: the worker serves its own)."""
    datadir = Path(settings.state_dir) / "faust"
    datadir.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    servers = ";".join(f"kafka://{s.strip()}" for s in settings.kafka_bootstrap_servers.split(","))
    return faust.App(
        settings.app_id,
        broker=servers,
        broker_credentials=_credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        processing_guarantee="exactly_once" if settings.exactly_once else "at_least_once",
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_linger_ms=5,
        stream_wait_empty=True,
        web_enabled=False,
        autodiscover=False,
        store="memory://",
        # Faust keeps a small data folder per app; keep it in the state folder, not the CWD.
        datadir=str(datadir / "{conf.name}-data"),
        broker_commit_interval=settings.commit_interval_s,
        broker_session_timeout=settings.consumer_session_timeout_s,
        broker_heartbeat_interval=settings.consumer_heartbeat_interval_s,
    )


def request_topics(app: faust.App, settings: Settings) -> Any:
    """The topics the agent consumes: live requests and replayed requests."""
    return app.topic(
        settings.request_topic,
        settings.replay_topic,
        key_type=bytes,
        value_type=bytes,
        partitions=settings.topic_partitions,
    )


def add_prediction_agent(app: faust.App, settings: Settings, handle: BatchHandler) -> Any:
    """Register the agent; ``handle(batch)`` must return only once outputs are acknowledged.

    At-least-once: up to ``BATCHES_IN_FLIGHT`` batches run at once, so one batch's upstream
    wait overlaps the next one's model CPU; each batch releases its own offsets when its
    outputs are acknowledged, and Faust commits only contiguous acknowledged offsets.
    Exactly-once: one batch at a time, and Faust's commit (which commits the open Kafka
    transactions) waits while a batch is between its first send and its acks, so a
    transaction never holds a batch's outputs without that batch's offsets.
    """
    topics = request_topics(app, settings)
    in_flight = 1 if settings.exactly_once else settings.batches_in_flight

    async def predict_requests(agent_stream: StreamT[bytes]) -> None:
        # Faust hands agents its concrete Stream; take_events is not on the StreamT protocol.
        if not isinstance(agent_stream, Stream):
            raise TypeError(f"unexpected stream type {type(agent_stream)!r}")
        stream: Stream[bytes] = agent_stream
        slots = asyncio.Semaphore(in_flight)
        commit_guard = _guard_commits(app) if settings.exactly_once else None
        running: set[asyncio.Task[None]] = set()

        async def run(held: list[EventT[Any]]) -> None:
            try:
                if commit_guard is not None:
                    async with commit_guard:
                        await _process(held)
                else:
                    await _process(held)
            finally:
                slots.release()

        async def _process(held: list[EventT[Any]]) -> None:
            try:
                await handle([to_input(event) for event in held])
            except asyncio.CancelledError:
                raise  # shutting down: the batch stays unacknowledged and is redelivered
            except Exception as exc:
                _die(exc)
            for event in held:
                await stream.ack(event)

        async for events in stream.take_events(settings.batch_max, settings.batch_within_s):
            held = list(events)
            for event in held:
                event.message.incref()
            await slots.acquire()
            task = asyncio.create_task(run(held))
            running.add(task)
            task.add_done_callback(running.discard)

    return app.agent(topics, name="predict-requests")(predict_requests)


def _guard_commits(app: faust.App) -> asyncio.Lock:
    """Make the consumer's commit wait on a lock the agent holds while a batch delivers."""
    consumer = app.consumer
    original = consumer.commit
    lock = asyncio.Lock()

    async def commit(*args: Any, **kwargs: Any) -> bool:
        async with lock:
            return bool(await original(*args, **kwargs))

    setattr(consumer, "commit", commit)  # noqa: B010 - an instance override, on purpose
    return lock


def _die(exc: BaseException) -> NoReturn:
    """A batch whose outputs could not be delivered: stop the process at once, like a crash.

    Its offsets were never released, so a restarted worker (or the partition's next owner)
    gets the batch again; going on would leave a gap that blocks the partition's commits
    until the next rebalance.
    """
    log.critical("batch could not be delivered; exiting for redelivery", exc_info=exc)
    logging.shutdown()
    os._exit(70)


def to_input(event: EventT[Any]) -> InputMessage:
    m = event.message
    raw = m.headers
    pairs: Iterable[tuple[str, bytes]] = raw.items() if isinstance(raw, Mapping) else (raw or ())
    header_list = [(k, bytes(v)) for k, v in pairs]
    ts = m.timestamp
    return InputMessage(
        topic=m.topic,
        partition=m.partition,
        offset=m.offset,
        timestamp_ms=int(ts * 1000) if ts else None,
        key=m.key,
        value=m.value,
        headers=header_list,
    )


def _credentials(settings: Settings) -> Any:
    """Faust broker credentials equivalent to ``streams.kafka.client_kwargs``."""
    kwargs = client_kwargs(settings)
    protocol = settings.kafka_security_protocol.upper()
    if protocol == "PLAINTEXT":
        return None
    context = kwargs.get("ssl_context")
    ssl_context = context if isinstance(context, ssl.SSLContext) else None
    if protocol.startswith("SASL"):
        # The mechanism as validated and upper-cased by client_kwargs: Faust's enum
        # rejects "scram-sha-512".
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password,
            mechanism=str(kwargs["sasl_mechanism"]),
            ssl_context=ssl_context,
        )
    return faust.SSLCredentials(ssl_context)
