"""The batch pipeline's logic with the real codec and model, fakeredis and a recording
publisher. (The same behaviour on the real broker is in test_worker_integration.py.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import fakeredis
import orjson
import pytest

from deerstream.agents.pipeline import ENRICHMENT_UNAVAILABLE
from deerstream.enrich import RedisCache
from deerstream.models import headers as hdr
from deerstream.models.codec import decode_prediction
from deerstream.models.deadletter import dead_letter_from_message
from deerstream.models.records import (
    Enrichment,
    PredictionRequest,
    SourceQuality,
    SourceStatus,
)
from tests.agents.fakes import (
    SETTINGS,
    FakeEnricher,
    RecordingPublisher,
    msg,
    pipeline_with,
)


def _req(i: int, lat: float = 44.2601) -> bytes:
    return orjson.dumps(
        {
            "request_id": f"r{i}",
            "lat": lat,
            "lon": -72.58,
            "target_time": "2026-11-15T06:40:00-05:00",
        }
    )


def _json(**fields: object) -> bytes:
    return orjson.dumps(fields)


async def test_every_input_ends_as_one_prediction_or_one_dead_letter(cache: RedisCache) -> None:
    publisher = RecordingPublisher()
    batch = [
        msg(_req(1), 0),
        msg(b"{not json", 1),
        msg(_json(request_id="r2", lat=91, lon=0, target_time="2026-11-15T06:00:00Z"), 2),
        msg(_json(request_id="r3", lat=44, lon=0, target_time="2026-11-15T06:00:00"), 3),
        msg(b"x" * 70_000, 4),
        msg(None, 5),
        msg(_req(6), 6),
    ]  # fmt: skip
    outcome = await pipeline_with(FakeEnricher(), publisher, cache).process(batch)
    assert (outcome.predicted, outcome.dead_lettered) == (2, 5)
    assert len(publisher.sent) == len(batch)
    dlq = [m for m in publisher.sent if m.topic == SETTINGS.dlq_topic]
    reasons = sorted(dead_letter_from_message(m.value, m.headers).reason for m in dlq)
    assert reasons == [
        "invalid_json",
        "invalid_json",
        "naive_datetime",
        "out_of_range",
        "too_large",
    ]
    originals = {m.value for m in dlq}
    assert b"{not json" in originals and b"x" * 70_000 in originals  # original bytes kept
    preds = [
        decode_prediction(m.value) for m in publisher.sent if m.topic == SETTINGS.prediction_topic
    ]
    assert {p.request_id for p in preds} == {"r1", "r6"}
    assert all(
        m.key == p.request_id.encode()
        for m, p in zip(
            [m for m in publisher.sent if m.topic == SETTINGS.prediction_topic], preds, strict=True
        )
    )


async def test_identical_evaluations_are_computed_once_and_cached(cache: RedisCache) -> None:
    enricher = FakeEnricher()
    publisher = RecordingPublisher()
    pipe = pipeline_with(enricher, publisher, cache)
    # r1 and r2 are 15 m apart in the same cell and slot; r3 is 2 km away.
    first = await pipe.process(
        [msg(_req(1), 0), msg(_req(2, lat=44.2602), 1), msg(_req(3, lat=44.28), 2)]
    )
    assert first.predicted == 3 and first.from_cache == 0
    assert enricher.calls == [2]
    second = await pipe.process([msg(_req(4), 3), msg(_req(5, lat=44.28), 4)])
    assert second.from_cache == 2
    assert enricher.calls == [2]  # nothing new to enrich
    p4 = decode_prediction(publisher.sent[-2].value)
    p1 = decode_prediction(publisher.sent[0].value)
    # A cached answer is re-stamped with the request's own identity.
    assert p4.request_id == "r4" and p4.prediction_id != p1.prediction_id
    assert p4.movement_score == p1.movement_score and p4.bedding_zones == p1.bedding_zones


async def test_same_request_gives_same_prediction_id(cache: RedisCache) -> None:
    publisher = RecordingPublisher()
    pipe = pipeline_with(FakeEnricher(), publisher, cache)
    await pipe.process([msg(_req(1), 0)])
    await pipe.process([msg(_req(1), 0)])  # a redelivery
    a, b = (decode_prediction(m.value) for m in publisher.sent)
    assert a.prediction_id == b.prediction_id
    # The second answer came from the cache: identical to the computed one but for timings.
    first, second = (orjson.loads(m.value) for m in publisher.sent)
    assert (first["timings_ms"]["cached"], second["timings_ms"]["cached"]) == (0.0, 1.0)
    first.pop("timings_ms"), second.pop("timings_ms")
    assert first == second
    assert a.lat == 44.2601 and a.target_time == datetime(2026, 11, 15, 11, 40, tzinfo=UTC)


async def test_replay_is_tagged_and_no_cache_bypasses_the_cache(cache: RedisCache) -> None:
    enricher = FakeEnricher()
    publisher = RecordingPublisher()
    pipe = pipeline_with(enricher, publisher, cache)
    await pipe.process([msg(_req(1), 0)])
    replay_headers = [(hdr.REPLAY, b"1"), (hdr.REPLAY_ORIGIN, b"prediction-requests:0:0")]
    await pipe.process([msg(_req(1), 0, replay_headers)])
    assert enricher.calls == [1]  # served from the cache
    await pipe.process([msg(_req(1), 0, [*replay_headers, (hdr.REPLAY_NO_CACHE, b"1")])])
    assert enricher.calls == [1, 1]  # bypassed the cache
    replayed = publisher.sent[-1]
    assert decode_prediction(replayed.value).replay is True
    assert (hdr.REPLAY_ORIGIN, b"prediction-requests:0:0") in list(replayed.headers)
    assert decode_prediction(publisher.sent[0].value).replay is False


async def test_unscorable_requests_are_retried_then_dead_lettered() -> None:
    publisher = RecordingPublisher()
    outcome = await pipeline_with(FakeEnricher(fail_first=1000), publisher, None).process(
        [msg(_req(1), 7)]
    )
    assert outcome.dead_letter_reasons == (ENRICHMENT_UNAVAILABLE,)
    dl = dead_letter_from_message(publisher.sent[0].value, publisher.sent[0].headers)
    assert dl.reason == ENRICHMENT_UNAVAILABLE and dl.source_offset == 7
    assert "upstream timeout" in dl.message


async def test_a_source_that_recovers_within_the_deadline_yields_a_prediction() -> None:
    enricher = FakeEnricher(fail_first=2)
    publisher = RecordingPublisher()
    outcome = await pipeline_with(enricher, publisher, None).process([msg(_req(1), 0)])
    assert outcome.predicted == 1 and len(enricher.calls) == 3


async def test_delivery_failure_raises_so_offsets_are_not_committed(cache: RedisCache) -> None:
    with pytest.raises(ConnectionError):
        await pipeline_with(FakeEnricher(), RecordingPublisher(fail=True), cache).process(
            [msg(_req(1), 0)]
        )


async def test_degraded_predictions_are_not_cached(cache: RedisCache) -> None:
    class HalfEnricher(FakeEnricher):
        async def enrich_batch(self, requests: Sequence[PredictionRequest]) -> list[Enrichment]:
            full = await super().enrich_batch(requests)
            down = SourceQuality(SourceStatus.MISSING, None, "HTTP 503")
            return [
                Enrichment(e.terrain, None, e.scouting, e.terrain_quality, down, e.scouting_quality)
                for e in full
            ]

    enricher = HalfEnricher()
    publisher = RecordingPublisher()
    pipe = pipeline_with(enricher, publisher, cache)
    await pipe.process([msg(_req(1), 0)])
    await pipe.process([msg(_req(1), 1)])
    assert enricher.calls == [1, 1]
    p = decode_prediction(publisher.sent[0].value)
    assert p.data_quality["weather"].status is SourceStatus.MISSING


@pytest.mark.parametrize(
    "entry",
    [b"not json", b"[]", b'{"schema_version": 1}', None],
    ids=["corrupt", "not-an-object", "incomplete", "other-model"],
)
async def test_unusable_cache_entries_are_misses(
    cache: RedisCache, fake_redis: fakeredis.FakeAsyncRedis, entry: bytes | None
) -> None:
    enricher = FakeEnricher()
    publisher = RecordingPublisher()
    pipe = pipeline_with(enricher, publisher, cache)
    await pipe.process([msg(_req(1), 0)])  # writes the real entry
    keys = await fake_redis.keys("*")
    assert len(keys) == 1
    if entry is None:  # the same entry, written by another model version
        stored = orjson.loads(await fake_redis.get(keys[0]))
        entry = orjson.dumps({**stored, "model_version": "deer-0.9"})
    await fake_redis.set(keys[0], entry)
    outcome = await pipe.process([msg(_req(1), 1)])
    assert outcome.predicted == 1 and outcome.from_cache == 0
    assert enricher.calls == [1, 1]
