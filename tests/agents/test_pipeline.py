"""The batch pipeline's logic with the real codec and model, fakeredis and a recording
publisher. (The same behaviour on the real broker is in test_worker_integration.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime, timedelta

import fakeredis
import orjson
import pytest

from agents.pipeline import ENRICHMENT_UNAVAILABLE, PredictionPipeline
from agents.records import InputMessage, OutputMessage
from deerstream.settings import Settings
from engine import MODEL_VERSION, predict
from enrich import RedisCache
from models.codec import decode_prediction
from models.deadletter import dead_letter_from_message
from models.records import (
    Enrichment,
    PredictionRequest,
    SourceQuality,
    SourceStatus,
    TerrainGrid,
    WeatherSeries,
)
from streams.replay import REPLAY_HEADER, REPLAY_NO_CACHE_HEADER, REPLAY_ORIGIN_HEADER

NOW = datetime(2026, 11, 14, 12, 0, tzinfo=UTC)
SETTINGS = Settings.from_env({}, enrichment_unavailable_deadline_s=2.0)


def _grid(lat: float, lon: float) -> TerrainGrid:
    elev = tuple(300.0 + 8.0 * r + 3.0 * c for r in range(7) for c in range(7))
    return TerrainGrid(lat, lon, 7, 7, 90 / 111320, 90 / 111320 / 0.72, elev)


def _weather(lat: float, lon: float, around: datetime) -> WeatherSeries:
    start = around.replace(minute=0, second=0, microsecond=0) - timedelta(hours=24)
    times = tuple(start + timedelta(hours=h) for h in range(72))
    n = len(times)
    return WeatherSeries(
        lat, lon, times,
        temperature_c=tuple(2.0 for _ in range(n)),
        pressure_msl_hpa=tuple(1015.0 for _ in range(n)),
        wind_speed_ms=tuple(3.0 for _ in range(n)),
        wind_direction_deg=tuple(315.0 for _ in range(n)),
        wind_gusts_ms=tuple(5.0 for _ in range(n)),
        precipitation_mm=tuple(0.0 for _ in range(n)),
        snow_depth_m=tuple(0.0 for _ in range(n)),
    )  # fmt: skip


class FakeEnricher:
    """Returns complete data, or nothing at all for the first ``fail_first`` calls."""

    def __init__(self, fail_first: int = 0) -> None:
        self.calls: list[int] = []
        self.fail_first = fail_first

    async def enrich_batch(self, requests: Sequence[PredictionRequest]) -> list[Enrichment]:
        self.calls.append(len(requests))
        if len(self.calls) <= self.fail_first:
            down = SourceQuality(SourceStatus.MISSING, None, "upstream timeout")
            return [Enrichment(None, None, None, down, down, down) for _ in requests]
        fresh = SourceQuality(SourceStatus.FRESH, 0.0)
        return [
            Enrichment(
                _grid(r.lat, r.lon), _weather(r.lat, r.lon, r.target_time), (), fresh, fresh, fresh
            )
            for r in requests
        ]


class RecordingPublisher:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[OutputMessage] = []
        self.fail = fail

    async def send(self, message: OutputMessage, source: InputMessage) -> Awaitable[object]:
        self.sent.append(message)
        fut: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        if self.fail:
            fut.set_exception(ConnectionError("broker gone"))
        else:
            fut.set_result(None)
        return fut


def _msg(
    value: bytes | None, offset: int, headers: Sequence[tuple[str, bytes]] = ()
) -> InputMessage:
    return InputMessage("prediction-requests", 0, offset, 1_700_000_000_000, b"k", value, headers)


def _req(i: int, lat: float = 44.2601) -> bytes:
    return orjson.dumps(
        {
            "request_id": f"r{i}",
            "lat": lat,
            "lon": -72.58,
            "target_time": "2026-11-15T06:40:00-05:00",
        }
    )


def _pipeline(enricher: FakeEnricher, publisher: RecordingPublisher, cache: RedisCache | None):
    async def no_sleep(_: float) -> None:
        return None

    return PredictionPipeline(
        SETTINGS,
        enricher=enricher,
        cache=cache,
        publisher=publisher,
        predict=predict,
        model_version=MODEL_VERSION,
        clock=lambda: NOW,
        sleep=no_sleep,
    )


def _json(**fields: object) -> bytes:
    return orjson.dumps(fields)


async def test_every_input_ends_as_one_prediction_or_one_dead_letter(cache: RedisCache) -> None:
    publisher = RecordingPublisher()
    batch = [
        _msg(_req(1), 0),
        _msg(b"{not json", 1),
        _msg(_json(request_id="r2", lat=91, lon=0, target_time="2026-11-15T06:00:00Z"), 2),
        _msg(_json(request_id="r3", lat=44, lon=0, target_time="2026-11-15T06:00:00"), 3),
        _msg(b"x" * 70_000, 4),
        _msg(None, 5),
        _msg(_req(6), 6),
    ]  # fmt: skip
    outcome = await _pipeline(FakeEnricher(), publisher, cache).process(batch)
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
    pipe = _pipeline(enricher, publisher, cache)
    # r1 and r2 are 15 m apart in the same cell and slot; r3 is 2 km away.
    first = await pipe.process(
        [_msg(_req(1), 0), _msg(_req(2, lat=44.2602), 1), _msg(_req(3, lat=44.28), 2)]
    )
    assert first.predicted == 3 and first.from_cache == 0
    assert enricher.calls == [2]
    second = await pipe.process([_msg(_req(4), 3), _msg(_req(5, lat=44.28), 4)])
    assert second.from_cache == 2
    assert enricher.calls == [2]  # nothing new to enrich
    p4 = decode_prediction(publisher.sent[-2].value)
    p1 = decode_prediction(publisher.sent[0].value)
    # A cached answer is re-stamped with the request's own identity.
    assert p4.request_id == "r4" and p4.prediction_id != p1.prediction_id
    assert p4.movement_score == p1.movement_score and p4.bedding_zones == p1.bedding_zones


async def test_same_request_gives_same_prediction_id(cache: RedisCache) -> None:
    publisher = RecordingPublisher()
    pipe = _pipeline(FakeEnricher(), publisher, cache)
    await pipe.process([_msg(_req(1), 0)])
    await pipe.process([_msg(_req(1), 0)])  # a redelivery
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
    pipe = _pipeline(enricher, publisher, cache)
    await pipe.process([_msg(_req(1), 0)])
    replay_headers = [(REPLAY_HEADER, b"1"), (REPLAY_ORIGIN_HEADER, b"prediction-requests:0:0")]
    await pipe.process([_msg(_req(1), 0, replay_headers)])
    assert enricher.calls == [1]  # served from the cache
    await pipe.process([_msg(_req(1), 0, [*replay_headers, (REPLAY_NO_CACHE_HEADER, b"1")])])
    assert enricher.calls == [1, 1]  # bypassed the cache
    replayed = publisher.sent[-1]
    assert decode_prediction(replayed.value).replay is True
    assert (REPLAY_ORIGIN_HEADER, b"prediction-requests:0:0") in list(replayed.headers)
    assert decode_prediction(publisher.sent[0].value).replay is False


async def test_unscorable_requests_are_retried_then_dead_lettered() -> None:
    publisher = RecordingPublisher()
    outcome = await _pipeline(FakeEnricher(fail_first=1000), publisher, None).process(
        [_msg(_req(1), 7)]
    )
    assert outcome.dead_letter_reasons == (ENRICHMENT_UNAVAILABLE,)
    dl = dead_letter_from_message(publisher.sent[0].value, publisher.sent[0].headers)
    assert dl.reason == ENRICHMENT_UNAVAILABLE and dl.source_offset == 7
    assert "upstream timeout" in dl.message


async def test_a_source_that_recovers_within_the_deadline_yields_a_prediction() -> None:
    enricher = FakeEnricher(fail_first=2)
    publisher = RecordingPublisher()
    outcome = await _pipeline(enricher, publisher, None).process([_msg(_req(1), 0)])
    assert outcome.predicted == 1 and len(enricher.calls) == 3


async def test_delivery_failure_raises_so_offsets_are_not_committed(cache: RedisCache) -> None:
    with pytest.raises(ConnectionError):
        await _pipeline(FakeEnricher(), RecordingPublisher(fail=True), cache).process(
            [_msg(_req(1), 0)]
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
    pipe = _pipeline(enricher, publisher, cache)
    await pipe.process([_msg(_req(1), 0)])
    await pipe.process([_msg(_req(1), 1)])
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
    pipe = _pipeline(enricher, publisher, cache)
    await pipe.process([_msg(_req(1), 0)])  # writes the real entry
    keys = await fake_redis.keys("*")
    assert len(keys) == 1
    if entry is None:  # the same entry, written by another model version
        stored = orjson.loads(await fake_redis.get(keys[0]))
        entry = orjson.dumps({**stored, "model_version": "deer-0.9"})
    await fake_redis.set(keys[0], entry)
    outcome = await pipe.process([_msg(_req(1), 1)])
    assert outcome.predicted == 1 and outcome.from_cache == 0
    assert enricher.calls == [1, 1]
