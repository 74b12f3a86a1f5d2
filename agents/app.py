"""The Faust app and the prediction agent.

The agent consumes raw bytes from the request topic and the replay topic (plain JSON from
any Kafka client; no Faust envelope), takes micro-batches and hands each to the pipeline.

Offsets: ``take_events`` acks a batch's events when the loop comes back for the next batch,
*or* when the generator is closed by an exception or cancellation. To make "commit only
after the outputs are acknowledged" hold in every case, each event's message is held with
an extra reference while the batch is processed. When the pipeline returns (outputs
acknowledged by the broker) the batch's events go through an ``OffsetGate``, which hands
them back for the final acknowledgement only in offset order per partition: an event is
acknowledged once it and every earlier event of its partition are done. Batches overlap
and finish in any order, but Faust only ever sees contiguous acknowledgements, so its
commit (whose gap check is off by one, faust-streaming issue #606) can never pass an event
still in flight. A batch that fails or is cancelled keeps its references, so its offsets
never become committable and the batch is redelivered.
Parallelism comes from overlapping batches, never from Faust's ``concurrency=N``.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import faust
from faust.streams import Stream
from faust.types import EventT, StreamT

from deerstream.agents.batches import BatchHandler, BatchRunner
from deerstream.agents.offsets import OffsetGate
from deerstream.agents.records import InputMessage
from deerstream.settings import AgentSettings, KafkaConnection, KafkaSettings, Topics
from deerstream.streams.kafka import client_kwargs


def create_app(kafka: KafkaSettings, agent: AgentSettings) -> faust.App:
    """A Faust app configured from settings (no web server: the worker serves its own)."""
    datadir = Path(agent.state_dir) / "faust"
    datadir.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    servers = ";".join(f"kafka://{b}" for b in kafka.connection.bootstrap)
    return faust.App(
        agent.app_id,
        broker=servers,
        broker_credentials=_credentials(kafka.connection),
        value_serializer="raw",
        key_serializer="raw",
        topic_partitions=kafka.topics.partitions,
        topic_replication_factor=kafka.topics.replication,
        processing_guarantee="exactly_once" if agent.exactly_once else "at_least_once",
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_linger_ms=5,
        stream_wait_empty=True,
        web_enabled=False,
        autodiscover=False,
        store="memory://",
        # Faust keeps a small data folder per app; keep it in the state folder, not the CWD.
        datadir=str(datadir / "{conf.name}-data"),
        broker_commit_interval=agent.commit_interval_s,
        broker_session_timeout=agent.session_timeout_s,
        broker_heartbeat_interval=agent.heartbeat_interval_s,
    )


def request_topics(app: faust.App, topics: Topics) -> Any:
    """The topics the agent consumes: live requests and replayed requests."""
    return app.topic(
        topics.request,
        topics.replay,
        key_type=bytes,
        value_type=bytes,
        partitions=topics.partitions,
    )


def add_prediction_agent(
    app: faust.App,
    agent: AgentSettings,
    topics: Topics,
    handle: BatchHandler,
    *,
    gate: OffsetGate[EventT[Any]] | None = None,
) -> Any:
    """Register the agent; ``handle(batch)`` must return only once outputs are acknowledged.

    At-least-once: up to ``BATCHES_IN_FLIGHT`` batches run at once, so one batch's upstream
    wait overlaps the next one's model CPU. A finished batch passes its events through the
    ``OffsetGate`` (acknowledged in offset order per partition, never past an unfinished
    one) and then asks for a commit, so the work a crash can repeat is what was in flight
    plus what finished during the one commit round trip under way.
    Exactly-once: one batch at a time, and Faust's commit (which commits the open Kafka
    transactions) waits while a batch is between its first send and its acks, so a
    transaction never holds a batch's outputs without that batch's offsets; commits stay on
    Faust's interval (each one ends a transaction).
    A stop or rebalance waits at most ``SHUTDOWN_GRACE_S`` for batches in flight
    (``deerstream.agents.batches``).
    """
    consumed = request_topics(app, topics)
    offsets: OffsetGate[EventT[Any]] = gate if gate is not None else OffsetGate()

    async def predict_requests(agent_stream: StreamT[bytes]) -> None:
        # Faust hands agents its concrete Stream; take_events is not on the StreamT protocol.
        if not isinstance(agent_stream, Stream):
            raise TypeError(f"unexpected stream type {type(agent_stream)!r}")
        runner = BatchRunner(
            app,
            agent_stream,
            handle,
            offsets,
            to_input,
            in_flight=1 if agent.exactly_once else agent.batches_in_flight,
            grace_s=agent.shutdown_grace_s,
            exactly_once=agent.exactly_once,
        )
        async for events in agent_stream.take_events(agent.batch_max, agent.batch_within_s):
            await runner.submit(list(events))

    return app.agent(consumed, name="predict-requests")(predict_requests)


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


def _credentials(conn: KafkaConnection) -> Any:
    """Faust broker credentials equivalent to ``deerstream.streams.kafka.client_kwargs``."""
    kwargs = client_kwargs(conn)
    if conn.security_protocol == "PLAINTEXT":
        return None
    context = kwargs.get("ssl_context")
    ssl_context = context if isinstance(context, ssl.SSLContext) else None
    if conn.uses_sasl:
        # The mechanism as validated and upper-cased when the settings were parsed: Faust's enum
        # rejects "scram-sha-512".
        return faust.SASLCredentials(
            username=conn.sasl_username,
            password=conn.sasl_password,
            mechanism=str(kwargs["sasl_mechanism"]),
            ssl_context=ssl_context,
        )
    return faust.SSLCredentials(ssl_context)
