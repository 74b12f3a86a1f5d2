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

import logging
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

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
        datadir=str(Path(settings.state_dir) / "faust" / "{conf.name}-data"),
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
    """Register the agent; ``handle(batch)`` must return only once outputs are acknowledged."""
    topics = request_topics(app, settings)

    async def predict_requests(agent_stream: StreamT[bytes]) -> None:
        # Faust hands agents its concrete Stream; take_events is not on the StreamT protocol.
        if not isinstance(agent_stream, Stream):
            raise TypeError(f"unexpected stream type {type(agent_stream)!r}")
        stream: Stream[bytes] = agent_stream
        async for events in stream.take_events(settings.batch_max, settings.batch_within_s):
            held = list(events)
            for event in held:
                event.message.incref()
            await handle([to_input(event) for event in held])
            for event in held:
                await stream.ack(event)

    return app.agent(topics, name="predict-requests")(predict_requests)


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
