"""Replay on the real broker: time window, offset range and file give exactly the right set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from deerstream.errors import ConfigError
from deerstream.models import headers as hdr
from deerstream.models.codec import request_to_dict
from deerstream.settings import Settings
from deerstream.streams.producer import RequestProducer
from deerstream.streams.replay import NO_PARTITION, ArchiveFile, OffsetRange, TimeRange, replay
from deerstream.streams.times import to_ms
from tests.streams.conftest import make_request
from tests.streams.kafka_read import read_all

SPACING = timedelta(seconds=37)  # not a divisor of 10 min, so windows cut between events


def day_start() -> datetime:
    # Two days back: inside the broker's retention and far from its future-timestamp limit.
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(days=2)


async def produce_day(settings: Settings) -> list[tuple[str, datetime]]:
    """A day of requests, one every 37 s, with explicit event timestamps."""
    start = day_start()
    events = [(make_request(n), start + n * SPACING) for n in range(int(86400 / 37))]
    async with RequestProducer(settings.kafka) as producer:
        assert await producer.send_many(events) == len(events)
    return [(r.request_id, at) for r, at in events]


def headers_of(record: Any) -> dict[str, bytes]:
    return {k: bytes(v) for k, v in record.headers}


async def test_time_window_replays_exactly_the_requests_inside(stream_settings: Settings) -> None:
    produced = await produce_day(stream_settings)
    since = produced[500][1]  # on an event: the window is inclusive at both ends
    until = since + timedelta(minutes=10)
    expected = {rid for rid, at in produced if since <= at <= until}
    assert len(expected) == 17

    dry = await replay(stream_settings.kafka, TimeRange(since, until), dry_run=True)
    assert dry.total == 17
    assert await read_all(stream_settings, stream_settings.replay_topic) == []

    report = await replay(stream_settings.kafka, TimeRange(since, until), no_cache=True)
    assert report.counts == dry.counts
    replayed = await read_all(stream_settings, stream_settings.replay_topic)
    assert {r.key.decode() for r in replayed} == expected
    assert len(replayed) == len(expected)  # no duplicates
    assert len(report.counts) > 3  # the window spans several of the 8 partitions

    originals = {r.key: r for r in await read_all(stream_settings, stream_settings.request_topic)}
    for record in replayed:
        original = originals[record.key]
        h = headers_of(record)
        assert record.value == original.value  # forwarded byte for byte
        assert h[hdr.REPLAY] == b"1"
        assert h[hdr.REPLAY_NO_CACHE] == b"1"
        assert h[hdr.REPLAY_ORIGIN] == (
            f"{stream_settings.request_topic}:{original.partition}:{original.offset}".encode()
        )
        assert h[hdr.REPLAY_TIMESTAMP] == str(original.timestamp).encode()
        assert since <= datetime.fromtimestamp(original.timestamp / 1000, UTC) <= until


async def test_window_before_or_after_the_data_replays_nothing(stream_settings: Settings) -> None:
    produced = await produce_day(stream_settings)
    last = produced[-1][1]
    after = await replay(
        stream_settings.kafka, TimeRange(last + timedelta(seconds=1), last + timedelta(hours=1))
    )
    before = await replay(
        stream_settings.kafka,
        TimeRange(produced[0][1] - timedelta(hours=2), produced[0][1] - timedelta(hours=1)),
    )
    assert after.total == 0 and before.total == 0
    assert await read_all(stream_settings, stream_settings.replay_topic) == []


async def test_offset_range_replays_exactly_those_offsets(stream_settings: Settings) -> None:
    await produce_day(stream_settings)
    originals = await read_all(stream_settings, stream_settings.request_topic)
    in_p3 = [r for r in originals if r.partition == 3]
    assert len(in_p3) > 40
    expected = {r.key for r in in_p3 if 10 <= r.offset <= 29}

    report = await replay(stream_settings.kafka, OffsetRange(3, 10, 29))
    replayed = await read_all(stream_settings, stream_settings.replay_topic)
    assert report.counts == {3: 20}
    assert {r.key for r in replayed} == expected and len(replayed) == 20
    assert all(hdr.REPLAY_NO_CACHE not in headers_of(r) for r in replayed)

    # An end past the last offset stops at the end of the partition.
    tail = await replay(stream_settings.kafka, OffsetRange(3, len(in_p3) - 5, 10**9), dry_run=True)
    assert tail.counts == {3: 5}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (OffsetRange(3, 5, 4), "before start offset"),
        (OffsetRange(99, 0, 4), "no partition 99"),
        (OffsetRange(0, 10**9, 10**9 + 1), "outside partition 0"),
        (OffsetRange(0, 0, 1, topic="no-such-topic-xyz"), "unknown topic"),
    ],
)
async def test_bad_offset_ranges_are_config_errors(
    stream_settings: Settings, source: OffsetRange, message: str
) -> None:
    async with RequestProducer(stream_settings.kafka) as producer:
        await producer.send_many(make_request(n) for n in range(20))
    with pytest.raises(ConfigError, match=message):
        await replay(stream_settings.kafka, source)
    assert await read_all(stream_settings, stream_settings.replay_topic) == []


async def test_file_replay_sends_every_line(stream_settings: Settings, tmp_path: Path) -> None:
    requests = [make_request(n) for n in range(25)]
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"".join(orjson.dumps(request_to_dict(r)) + b"\n" for r in requests))

    report = await replay(stream_settings.kafka, ArchiveFile(str(path)))
    replayed = await read_all(stream_settings, stream_settings.replay_topic)
    assert report.counts == {NO_PARTITION: 25}
    assert {r.key.decode() for r in replayed} == {r.request_id for r in requests}
    origins = {headers_of(r)[hdr.REPLAY_ORIGIN] for r in replayed}
    assert origins == {f"file:requests.jsonl:{n}".encode() for n in range(1, 26)}


async def test_file_with_an_invalid_line_sends_nothing(
    stream_settings: Settings, tmp_path: Path
) -> None:
    good = orjson.dumps(request_to_dict(make_request(1)))
    path = tmp_path / "bad.jsonl"
    path.write_bytes(good + b"\n" + b'{"request_id": "x", "lat": 500}\n')
    with pytest.raises(ConfigError, match=r"bad\.jsonl line 2"):
        await replay(stream_settings.kafka, ArchiveFile(str(path)))
    with pytest.raises(ConfigError, match="cannot read"):
        await replay(stream_settings.kafka, ArchiveFile(str(tmp_path / "missing.jsonl")))
    assert await read_all(stream_settings, stream_settings.replay_topic) == []


async def test_unknown_target_topic_sends_nothing(stream_settings: Settings) -> None:
    produced = await produce_day(stream_settings)
    window = TimeRange(produced[0][1], produced[10][1])
    with pytest.raises(ConfigError, match="unknown topic"):
        await replay(stream_settings.kafka, window, target_topic="no-such-topic-xyz")


async def test_speed_replay_keeps_time_order(stream_settings: Settings) -> None:
    produced = await produce_day(stream_settings)
    since = produced[100][1]
    until = produced[130][1]  # 30 events, 37 s apart in event time → 1.11 s at 1000x
    from deerstream.streams.pacing import SpeedPacer

    report = await replay(stream_settings.kafka, TimeRange(since, until), pacer=SpeedPacer(1000))
    assert report.total == 31
    replayed = await read_all(stream_settings, stream_settings.replay_topic)
    original_ts = sorted((r.timestamp, int(headers_of(r)[hdr.REPLAY_TIMESTAMP])) for r in replayed)
    # Sent in original-time order across partitions: send times sort like event times.
    assert [o for _, o in original_ts] == sorted(o for _, o in original_ts)
    assert to_ms(since) == original_ts[0][1]


async def test_time_window_is_exact_when_timestamps_are_out_of_offset_order(
    stream_settings: Settings,
) -> None:
    """A backfill: 60 requests stamped two days back are produced *after* newer records.
    Replay by time finds every one of them, across the 8 partitions, and nothing else."""
    now = datetime.now(UTC).replace(microsecond=0)
    old_start = now - timedelta(days=2)
    newer = [
        (make_request(n), now - timedelta(minutes=30) + n * timedelta(seconds=5))
        for n in range(200)
    ]
    backfill = [(make_request(1000 + n), old_start + n * SPACING) for n in range(60)]
    after = [
        (make_request(2000 + n), now - timedelta(minutes=5) + n * timedelta(seconds=5))
        for n in range(40)
    ]
    async with RequestProducer(stream_settings.kafka) as producer:
        for events in (newer, backfill, after):
            assert await producer.send_many(events) == len(events)
    since, until = old_start, old_start + 59 * SPACING
    expected = {r.request_id for r, _ in backfill}

    dry = await replay(stream_settings.kafka, TimeRange(since, until), dry_run=True)
    assert dry.total == 60
    assert len(dry.counts) == 8  # every partition holds some of them
    report = await replay(stream_settings.kafka, TimeRange(since, until))
    assert report.counts == dry.counts
    replayed = await read_all(stream_settings, stream_settings.replay_topic)
    assert sorted(r.key.decode() for r in replayed) == sorted(expected)

    # Trusting monotonic timestamps stops each partition at the first newer record, which
    # comes before the backfill: the documented price of the shortcut.
    trusting = await replay(
        stream_settings.kafka, TimeRange(since, until, monotonic=True), dry_run=True
    )
    assert trusting.total < 60


async def test_a_window_that_ends_before_it_starts_names_no_flag(
    stream_settings: Settings,
) -> None:
    at = datetime.now(UTC)
    with pytest.raises(ConfigError) as caught:
        await replay(stream_settings.kafka, TimeRange(at, at - timedelta(seconds=1)), dry_run=True)
    assert "--" not in str(caught.value) and "before it starts" in str(caught.value)
