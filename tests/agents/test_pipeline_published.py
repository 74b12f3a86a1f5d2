"""``PredictionPipeline(on_published=...)``: told each prediction once it is acknowledged."""

from __future__ import annotations

import orjson
import pytest

from deerstream.agents.pipeline import PredictionPipeline
from deerstream.agents.recent import RecentPredictions
from deerstream.agents.records import InputMessage
from deerstream.models.codec import decode_prediction
from tests.agents.fakes import SETTINGS, FakeEnricher, RecordingPublisher, pipeline_with


def _msg(value: bytes, offset: int) -> InputMessage:
    return InputMessage("prediction-requests", 0, offset, 1_700_000_000_000, b"k", value)


def _req(request_id: str) -> bytes:
    return orjson.dumps(
        {
            "request_id": request_id,
            "lat": 44.2601,
            "lon": -72.58,
            "target_time": "2026-11-15T06:40:00-05:00",
        }
    )


def _pipeline(publisher: RecordingPublisher, on_published: object) -> PredictionPipeline:
    return pipeline_with(FakeEnricher(), publisher, None, on_published=on_published)


async def test_predictions_are_handed_over_after_delivery_dead_letters_are_not() -> None:
    publisher = RecordingPublisher()
    store = RecentPredictions()
    outcome = await _pipeline(publisher, store.add).process(
        [_msg(_req("r1"), 0), _msg(b"not json", 1), _msg(_req("r2"), 2)]
    )
    assert outcome.predicted == 2 and outcome.dead_lettered == 1
    assert store.ids() == ["r2", "r1"]
    sent = {m.key: m.value for m in publisher.sent if m.topic == SETTINGS.prediction_topic}
    assert store.get("r1") == sent[b"r1"]  # the exact bytes consumers got
    assert decode_prediction(store.get("r2") or b"").request_id == "r2"


async def test_nothing_is_handed_over_when_delivery_fails() -> None:
    seen: list[bytes] = []
    with pytest.raises(ConnectionError):
        await _pipeline(RecordingPublisher(fail=True), lambda k, v: seen.append(k)).process(
            [_msg(_req("r1"), 0)]
        )
    assert seen == []


async def test_a_failing_callback_does_not_fail_the_batch() -> None:
    def broken(key: bytes, value: bytes) -> None:
        raise RuntimeError("store broken")

    outcome = await _pipeline(RecordingPublisher(), broken).process([_msg(_req("r1"), 0)])
    assert outcome.predicted == 1
