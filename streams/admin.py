"""Topic administration: create the project's topics when missing, check that one exists."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from deerstream.errors import ConfigError
from deerstream.settings import KafkaConnection, KafkaSettings
from deerstream.streams.kafka import BrokerError, client_kwargs

# Kafka protocol error codes that mean "already in the state we want".
_TOPIC_ALREADY_EXISTS = 36
_UNKNOWN_TOPIC = 3

_READY_POLLS = 100
_READY_POLL_S = 0.1


async def ensure_topics(
    kafka: KafkaSettings,
    *,
    topics: Sequence[str] | None = None,
    config: Mapping[str, str] | None = None,
) -> None:
    """Create ``topics`` (default: the pipeline's four) that do not exist yet. Idempotent.

    New topics get ``kafka.topics.partitions`` partitions, ``kafka.topics.replication``
    replicas and the topic ``config`` (e.g. ``{"retention.ms": "-1"}``); existing topics are
    left untouched.
    """
    wanted = list(dict.fromkeys(topics if topics is not None else kafka.topics.all()))
    admin = AIOKafkaAdminClient(**client_kwargs(kafka.connection))
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return
        response = await admin.create_topics(
            [
                NewTopic(
                    name=t,
                    num_partitions=kafka.topics.partitions,
                    replication_factor=kafka.topics.replication,
                    topic_configs=dict(config or {}),
                )
                for t in missing
            ]
        )
        for topic, code, *rest in response.topic_errors:
            # Another process may have created it between list and create: that is fine.
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                message = rest[0] if rest else ""
                raise BrokerError(f"cannot create topic {topic!r}: error {code} {message}")
        await _wait_until_ready(admin, missing)
    except KafkaError as exc:
        raise BrokerError(f"topic administration failed: {exc}") from exc
    finally:
        await admin.close()


async def _wait_until_ready(admin: AIOKafkaAdminClient, topics: list[str]) -> None:
    # The controller answers before every broker's metadata has the new topic; callers
    # expect to use the topics right away, so wait until each has leaders everywhere.
    for _ in range(_READY_POLLS):
        described = await admin.describe_topics(topics)
        ready = {
            t["topic"]
            for t in described
            if t["error_code"] == 0
            and t["partitions"]
            and all(p["leader"] >= 0 for p in t["partitions"])
        }
        if ready >= set(topics):
            return
        await asyncio.sleep(_READY_POLL_S)
    raise BrokerError(f"topics {', '.join(topics)} were created but did not become ready")


async def topic_exists(conn: KafkaConnection, topic: str) -> bool:
    """Whether ``topic`` exists on the cluster."""
    admin = AIOKafkaAdminClient(**client_kwargs(conn))
    try:
        await admin.start()
        return topic in set(await admin.list_topics())
    except KafkaError as exc:
        raise BrokerError(f"cannot list topics: {exc}") from exc
    finally:
        await admin.close()


async def require_topic(conn: KafkaConnection, topic: str) -> None:
    """Raise ``ConfigError`` (a one-line CLI error) when ``topic`` does not exist."""
    if not await topic_exists(conn, topic):
        raise ConfigError(f"unknown topic {topic!r}")


async def delete_topics(conn: KafkaConnection, topics: Sequence[str]) -> None:
    """Delete ``topics``; missing ones are ignored (tests and operators clean up with it)."""
    admin = AIOKafkaAdminClient(**client_kwargs(conn))
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        present = [t for t in topics if t in existing]
        if not present:
            return
        response = await admin.delete_topics(present)
        for topic, code, *_ in response.topic_error_codes:
            if code not in (0, _UNKNOWN_TOPIC):
                raise BrokerError(f"cannot delete topic {topic!r}: error {code}")
    except KafkaError as exc:
        raise BrokerError(f"topic administration failed: {exc}") from exc
    finally:
        await admin.close()
