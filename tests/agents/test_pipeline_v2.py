"""Contract v2 through the pipeline (real codec and model, fakeredis, recording publisher):
a v1 request keeps its v1 answer, a v2 request gets the hourly forecast and its stands
rated, the prediction cache tells requests with different stands apart, and a bad stand
is dead-lettered with the reason."""

from __future__ import annotations

import orjson
from jsonschema import Draft202012Validator

from deerstream.enrich import RedisCache
from deerstream.models.codec import decode_prediction
from deerstream.models.deadletter import dead_letter_from_message
from deerstream.models.schema import load_schema
from tests.agents.fakes import (
    SETTINGS,
    FakeEnricher,
    RecordingPublisher,
    msg,
    pipeline_with,
)

BASE = {"lat": 44.2601, "lon": -72.58, "target_time": "2026-11-15T05:40:00-05:00"}
STANDS = [
    {"id": "ridge-oak", "lat": 44.2625, "lon": -72.5785, "name": "Ridge oak"},
    {"id": "creek", "lat": 44.2580, "lon": -72.5830},
]


def _v2(rid: str, **extra: object) -> bytes:
    return orjson.dumps({"request_id": rid, **BASE, "schema_version": 2, **extra})


def _header(m: object, name: str) -> bytes | None:
    return dict(m.headers).get(name)  # type: ignore[attr-defined]


async def test_v1_and_v2_requests_are_each_answered_in_their_own_version(
    cache: RedisCache,
) -> None:
    publisher = RecordingPublisher()
    v1 = orjson.dumps({"request_id": "old-app", **BASE})
    v2 = _v2("new-app", horizon_h=48, stands=STANDS)
    await pipeline_with(FakeEnricher(), publisher, cache).process([msg(v1, 0), msg(v2, 1)])
    old, new = publisher.sent
    old_body, new_body = orjson.loads(old.value), orjson.loads(new.value)
    assert old_body["schema_version"] == 1 and "hourly" not in old_body
    assert _header(old, "deerstream.schema_version") == b"1"
    assert Draft202012Validator(load_schema("prediction.v1")).is_valid(old_body)
    assert _header(new, "deerstream.schema_version") == b"2"
    assert Draft202012Validator(load_schema("prediction")).is_valid(new_body)
    p = decode_prediction(new.value)
    assert len(p.hourly) == 48
    assert [r.stand_id for r in p.stand_ratings] == ["ridge-oak", "creek"]
    assert all(len(r.ratings) == 48 for r in p.stand_ratings)
    # Unchanged fields are unchanged: the two answers agree on everything v1 has.
    for key in ("movement_score", "activity_level", "rut_phase", "bedding_zones", "sun"):
        assert old_body[key] == new_body[key], key


async def test_the_prediction_cache_tells_apart_requests_with_different_stands(
    cache: RedisCache,
) -> None:
    publisher = RecordingPublisher()
    pipe = pipeline_with(FakeEnricher(), publisher, cache)
    first = await pipe.process([msg(_v2("a", stands=STANDS), 0)])
    assert first.from_cache == 0
    moved = [{**STANDS[0], "lat": 44.2630}, STANDS[1]]
    other = await pipe.process(
        [msg(_v2("b", stands=moved), 1), msg(_v2("c", stands=STANDS[:1]), 2)]
    )
    assert other.from_cache == 0  # a moved stand, a missing stand: different answers
    longer = await pipe.process([msg(_v2("d", stands=STANDS, horizon_h=30), 3)])
    assert longer.from_cache == 0  # a different horizon
    again = await pipe.process([msg(_v2("e", stands=STANDS), 4)])
    assert again.from_cache == 1  # the same stands in the same cell and slot
    a, e = (decode_prediction(publisher.sent[i].value) for i in (0, 4))
    assert a.stand_ratings == e.stand_ratings and a.hourly == e.hourly


async def test_a_bad_stand_is_dead_lettered_with_the_reason(
    cache: RedisCache,
) -> None:
    publisher = RecordingPublisher()
    far = [{"id": "far", "lat": 44.40, "lon": -72.58}]
    twice = [STANDS[0], {**STANDS[1], "id": "ridge-oak"}]
    batch = [msg(_v2("far", stands=far), 0), msg(_v2("twice", stands=twice), 1)]
    outcome = await pipeline_with(FakeEnricher(), publisher, cache).process(batch)
    assert outcome.dead_lettered == 2
    dls = [dead_letter_from_message(m.value, m.headers) for m in publisher.sent]
    assert all(m.topic == SETTINGS.dlq_topic for m in publisher.sent)
    assert (dls[0].reason, dls[0].path) == ("out_of_range", "$.stands[0]")
    assert "15.6 km from the point" in dls[0].message and "2.8 km" in dls[0].message
    assert (dls[1].reason, dls[1].path) == ("out_of_range", "$.stands[1].id")
    assert "used twice" in dls[1].message
