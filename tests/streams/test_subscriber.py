"""PredictionSubscriber on the real broker: start positions and filters; BBox parsing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from deerstream.commands._args import parse_bbox
from deerstream.errors import ConfigError
from deerstream.models.codec import encode_prediction
from deerstream.models.records import (
    ActivityLevel,
    Prediction,
    RutPhase,
    SourceQuality,
    SourceStatus,
    SunTimes,
)
from deerstream.settings import Settings
from deerstream.streams.producer import RequestProducer
from deerstream.streams.subscriber import BBox, PredictionSubscriber
from deerstream.streams.times import to_ms

T0 = datetime(2026, 11, 14, 12, 0, tzinfo=UTC)


def make_prediction(n: int, *, hunter_id: str | None = None, lat: float = 44.5) -> Prediction:
    missing = SourceQuality(SourceStatus.MISSING, reason="test")
    return Prediction(
        prediction_id=f"p-{n}",
        request_id=f"r-{n:05d}",
        model_version="test-1",
        lat=lat,
        lon=-89.5,
        target_time=T0,
        rut_phase=RutPhase.PEAK_RUT,
        movement_score=6.5,
        activity_level=ActivityLevel.HIGH,
        confidence=0.4,
        bedding_zones=(),
        feeding_zones=(),
        travel_zones=(),
        stands=(),
        hunt_windows=(),
        factors=(),
        data_quality={"terrain": missing, "weather": missing, "scouting": missing},
        sun=SunTimes(None, None, None, None),
        produced_at=T0,
        hunter_id=hunter_id,
    )


async def publish(
    settings: Settings, predictions: list[Prediction], at: datetime | None = None
) -> None:
    async with RequestProducer(settings.kafka, topic=settings.prediction_topic) as producer:
        for p in predictions:
            pending = await producer.enqueue(
                encode_prediction(p),
                key=p.request_id.encode(),
                timestamp_ms=to_ms(at) if at is not None else None,
            )
            await pending


async def take(subscriber: PredictionSubscriber, n: int) -> list[Prediction]:
    got: list[Prediction] = []
    async with asyncio.timeout(30):
        async for p in subscriber:
            got.append(p)
            if len(got) == n:
                break
    return got


async def nothing_more(subscriber: PredictionSubscriber) -> bool:
    """True when no further prediction arrives within a short quiet period."""
    try:
        async with asyncio.timeout(1.5):
            async for _ in subscriber:
                return False
    except TimeoutError:
        return True
    return True


async def test_filters_from_the_beginning(stream_settings: Settings) -> None:
    await publish(
        stream_settings,
        [make_prediction(n, hunter_id="h1" if n % 3 == 0 else None) for n in range(30)]
        + [make_prediction(100, lat=10.0), make_prediction(101, lat=60.0, hunter_id="h1")],
    )
    # A broken event on the topic is skipped and counted, never fatal.
    async with RequestProducer(
        stream_settings.kafka, topic=stream_settings.prediction_topic
    ) as prod:
        await (await prod.enqueue(b"{broken", key=b"r-00003"))

    async with PredictionSubscriber(
        stream_settings.kafka, start="beginning", hunter_id="h1"
    ) as sub:
        got = await take(sub, 11)
        assert await nothing_more(sub)
    assert {p.request_id for p in got} == {f"r-{n:05d}" for n in range(0, 30, 3)} | {"r-00101"}

    box = BBox(40.0, -91.0, 50.0, -88.0)
    async with PredictionSubscriber(
        stream_settings.kafka, start="beginning", hunter_id="h1", bbox=box
    ) as sub:
        got = await take(sub, 10)
        assert await nothing_more(sub)
    assert "r-00101" not in {p.request_id for p in got}

    async with PredictionSubscriber(
        stream_settings.kafka, start="beginning", request_ids=["r-00003", "r-00004"]
    ) as sub:
        got = await take(sub, 2)
        assert await nothing_more(sub)
        assert sub.invalid == 1
    assert sorted(p.request_id for p in got) == ["r-00003", "r-00004"]


async def test_now_skips_history_and_since_starts_at_a_time(stream_settings: Settings) -> None:
    old = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    await publish(stream_settings, [make_prediction(n) for n in range(5)], at=old)
    await publish(
        stream_settings, [make_prediction(n) for n in range(5, 8)], at=old + timedelta(hours=1)
    )

    async with PredictionSubscriber(stream_settings.kafka) as sub:  # default: from now
        await publish(stream_settings, [make_prediction(50)])
        got = await take(sub, 1)
        assert await nothing_more(sub)
    assert [p.request_id for p in got] == ["r-00050"]

    since = old + timedelta(minutes=30)
    async with PredictionSubscriber(stream_settings.kafka, start=since) as sub:
        got = await take(sub, 4)
        assert await nothing_more(sub)
    assert {p.request_id for p in got} == {"r-00005", "r-00006", "r-00007", "r-00050"}


async def test_unknown_topic_is_a_config_error(stream_settings: Settings) -> None:
    with pytest.raises(ConfigError, match="unknown topic"):
        async with PredictionSubscriber(stream_settings.kafka, topic="no-such-topic-def"):
            pass


def test_since_with_a_group_is_refused_in_neutral_words(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="consumer group") as caught:
        PredictionSubscriber(settings.kafka, start=T0, group_id="g")
    assert "--" not in str(caught.value)  # flag names belong to the commands


@pytest.mark.parametrize(
    ("text", "box"),
    [
        ("40,-91,50,-88", BBox(40, -91, 50, -88)),
        (" 40.5 , -91 ,50,-88", BBox(40.5, -91, 50, -88)),
        ("-10,170,10,-170", BBox(-10, 170, 10, -170)),
    ],
)
def test_parse_bbox(text: str, box: BBox) -> None:
    assert parse_bbox(text) == box


@pytest.mark.parametrize(
    "text", ["40,-91,50", "a,b,c,d", "50,-91,40,-88", "40,-191,50,-88", "nan,0,1,1"]
)
def test_parse_bbox_rejects(text: str) -> None:
    with pytest.raises(ConfigError, match="--bbox"):
        parse_bbox(text)


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [(45, -90, True), (40, -91, True), (39.9, -90, False), (45, -87.9, False)],
)
def test_bbox_contains(lat: float, lon: float, inside: bool) -> None:
    assert BBox(40, -91, 50, -88).contains(lat, lon) is inside


def test_bbox_across_the_antimeridian() -> None:
    box = BBox(-10, 170, 10, -170)
    assert box.contains(0, 179) and box.contains(0, -175)
    assert not box.contains(0, 0)


async def test_a_group_resumes_where_it_stopped(
    stream_settings: Settings, unique_name: str
) -> None:
    await publish(stream_settings, [make_prediction(n) for n in range(6)])
    group = f"{unique_name}-watchers"
    async with PredictionSubscriber(
        stream_settings.kafka, start="beginning", group_id=group
    ) as sub:
        assert len(await take(sub, 6)) == 6
    await publish(stream_settings, [make_prediction(n) for n in range(6, 8)])
    async with PredictionSubscriber(
        stream_settings.kafka, start="beginning", group_id=group
    ) as sub:
        got = await take(sub, 2)
        assert await nothing_more(sub)
    assert sorted(p.request_id for p in got) == ["r-00006", "r-00007"]
