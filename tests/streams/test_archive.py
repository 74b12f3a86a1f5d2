"""Archiving on the real broker: rotating files, resume from state, replay from the files."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from deerstream.errors import ConfigError
from deerstream.models.codec import decode_request
from deerstream.settings import Settings
from deerstream.streams.archive import STATE_FILE, archive, load_state
from deerstream.streams.producer import RequestProducer
from deerstream.streams.replay import ArchiveFile, replay
from tests.streams.conftest import make_request
from tests.streams.kafka_read import read_all


async def test_archive_writes_rotating_files_and_resumes(
    stream_settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    async with RequestProducer(stream_settings.kafka) as producer:
        await producer.send_many(make_request(n) for n in range(200))
    first = await archive(stream_settings.kafka, out, until_end=True, max_lines=10)
    assert first.written == 200

    originals = {r.key: r for r in await read_all(stream_settings, stream_settings.request_topic)}
    lines = []
    for name in sorted(p.name for p in out.glob("*.jsonl")):
        _, partition, offset = name.removesuffix(".jsonl").rsplit("-", 2)
        entries = [orjson.loads(x) for x in (out / name).read_bytes().splitlines()]
        assert 1 <= len(entries) <= 10  # rotated every 10 lines
        # The file is named after its partition and first offset.
        assert (entries[0]["partition"], entries[0]["offset"]) == (int(partition), int(offset))
        lines.extend(entries)
    assert len(lines) == 200
    for entry in lines:
        original = originals[entry["key"].encode()]
        assert (entry["partition"], entry["offset"], entry["timestamp"]) == (
            original.partition,
            original.offset,
            original.timestamp,
        )
        assert decode_request(orjson.dumps(entry["value"])) == decode_request(original.value)
    assert sum(load_state(out).values()) == 200

    # More requests arrive; a second run archives only those, into new files.
    async with RequestProducer(stream_settings.kafka) as producer:
        await producer.send_many(make_request(n) for n in range(200, 230))
    files_before = set(out.glob("*.jsonl"))
    second = await archive(stream_settings.kafka, out, until_end=True, max_lines=10)
    assert second.written == 30
    assert {Path(f) for f in second.files}.isdisjoint(files_before)
    assert sum(load_state(out).values()) == 230
    assert (out / STATE_FILE).exists()

    # The archive replays to exactly the archived requests.
    for path in sorted(out.glob("*.jsonl")):
        await replay(stream_settings.kafka, ArchiveFile(str(path)))
    replayed = await read_all(stream_settings, stream_settings.replay_topic)
    assert sorted(r.key for r in replayed) == sorted(
        originals.keys() | {make_request(n).request_id.encode() for n in range(200, 230)}
    )


async def test_archive_of_an_unknown_topic_is_a_config_error(
    stream_settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="unknown topic"):
        await archive(
            stream_settings.kafka, tmp_path / "a", topic="no-such-topic-abc", until_end=True
        )
    assert not (tmp_path / "a").exists()


def test_corrupt_state_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_text("{not json")
    with pytest.raises(ConfigError, match="corrupt"):
        load_state(tmp_path)
