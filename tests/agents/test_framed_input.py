"""A schema-registry producer (Confluent wire format: magic 0, 4-byte schema id, JSON) gets
predictions exactly like a plain-JSON one; a frame with broken JSON is dead-lettered as
``invalid_json`` with the original bytes and the schema id."""

from __future__ import annotations

from pathlib import Path

import pytest

from deerstream.models import headers as hdr
from deerstream.models.deadletter import dead_letter_from_message
from deerstream.models.framing import frame
from deerstream.simulators.server import RunningSimulators
from tests.agents.harness import (
    WorkerProcess,
    collect,
    create_topics,
    produce,
    request_ids,
    request_json,
    topic_env,
    upstream_env,
)

pytestmark = pytest.mark.integration


async def test_framed_requests_are_predicted_and_a_broken_frame_is_dead_lettered(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, sims: RunningSimulators
) -> None:
    env = {**topic_env(unique_name), **upstream_env(sims)}
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    framed = [(f"f-{i}".encode(), frame(request_json(i, tag="f"), 42)) for i in range(20)]
    plain = [(f"p-{i}".encode(), request_json(i, tag="p")) for i in range(5)]
    broken = frame(b'{"request_id": "f-broken", "lat": ', 42)
    try:
        await worker.wait_ready()
        await produce(kafka_bootstrap, settings.request_topic, [*framed, *plain, (b"x", broken)])
        want = {k.decode() for k, _ in framed + plain}
        got = await collect(kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=120)
        dead = await collect(kafka_bootstrap, settings.dlq_topic, until=1, timeout_s=30)
    finally:
        assert worker.terminate() == 0
    assert want <= set(request_ids(got))
    (letter,) = dead
    assert letter.value == broken  # the original bytes, frame included
    assert dead_letter_from_message(letter.value, letter.headers).reason == "invalid_json"
    assert dict(letter.headers)[hdr.SCHEMA_ID] == b"42"
