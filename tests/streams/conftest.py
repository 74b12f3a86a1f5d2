"""Fixtures for the streams tests: per-test topics on the real broker."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from deerstream.models.records import PredictionRequest
from deerstream.settings import Settings
from deerstream.streams.admin import delete_topics, ensure_topics, topic_exists
from tests.topics import KEEP_EVERYTHING


@pytest.fixture
def stream_settings(
    settings: Settings, kafka_bootstrap: str, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings whose four topics are fresh and unique to this test (8 partitions each).

    The environment is patched too, so the CLI run in-process sees the same topics.
    A plain (sync) fixture, so both async tests and sync CLI tests (whose ``main`` runs its
    own event loop) can use it.
    """
    names = {
        "request_topic": f"{unique_name}-requests",
        "prediction_topic": f"{unique_name}-predictions",
        "dlq_topic": f"{unique_name}-dlq",
        "replay_topic": f"{unique_name}-replay",
    }
    for key, value in names.items():
        monkeypatch.setenv(key.upper(), value)
    monkeypatch.setenv("TOPIC_PARTITIONS", "8")
    ours = settings.replace(**names, topic_partitions=8)
    try:
        asyncio.run(_create(ours, list(names.values())))
        yield ours
    finally:
        asyncio.run(delete_topics(ours.kafka.connection, list(names.values())))


async def _create(settings: Settings, topics: list[str]) -> None:
    await ensure_topics(settings.kafka, topics=topics, config=KEEP_EVERYTHING)
    for topic in topics:
        assert await topic_exists(settings.kafka.connection, topic)


def make_request(n: int, *, hunter_id: str | None = None) -> PredictionRequest:
    """A valid request whose fields vary with ``n`` (so keys spread over partitions)."""
    return PredictionRequest(
        request_id=f"r-{n:05d}",
        lat=44.0 + (n % 100) / 1000,
        lon=-89.0 - (n % 50) / 1000,
        target_time=datetime(2026, 11, 14, 11, 30, tzinfo=UTC) + timedelta(minutes=n % 60),
        hunter_id=hunter_id,
    )
