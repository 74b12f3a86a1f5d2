"""Keep requests beyond Kafka's retention: the request topic as rotating JSONL files.

Each partition is written to its own files, ``<topic>-<partition>-<first offset>.jsonl``,
one line per record::

    {"topic": "prediction-requests", "partition": 3, "offset": 1200,
     "timestamp": 1764312000000, "key": "req-1", "value": {...the request...}}

A new file starts every ``max_lines`` records. Progress is kept in a state file
(``.archive-state.json`` in the output directory: the next offset per partition), written
after the lines are flushed, so a restarted archiver resumes where it stopped. A crash
between the two can repeat a few lines (at-least-once); replay keeps the origin header so
duplicates are recognisable.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from deerstream.errors import ConfigError
from deerstream.settings import KafkaSettings
from deerstream.streams.kafka import BrokerError, partitions_of
from deerstream.streams.ranges import close_consumer, open_reader

STATE_FILE = ".archive-state.json"


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
    """One line of an archive file, decoded."""

    line: int
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes


@dataclass(slots=True)
class ArchiveReport:
    """What an archiver run wrote."""

    written: int
    files: list[str]
    next_offsets: dict[int, int]


def format_line(record: Any) -> bytes:
    """The archive line (with newline) of an aiokafka record."""
    entry: dict[str, object] = {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.timestamp,
        "key": record.key.decode("utf-8", "replace") if record.key is not None else None,
    }
    value: bytes = record.value or b""
    try:
        entry["value"] = orjson.loads(value)
    except orjson.JSONDecodeError:
        # Keep bytes that are not JSON exactly; the agent will dead-letter them on replay.
        entry["value_base64"] = base64.b64encode(value).decode("ascii")
    return orjson.dumps(entry) + b"\n"


def parse_line(obj: dict[str, Any], line: int) -> ArchivedRecord:
    """Decode one parsed archive line; ``ConfigError`` when it is not one."""
    try:
        if "value" in obj:
            value = orjson.dumps(obj["value"])
        else:
            value = base64.b64decode(obj["value_base64"], validate=True)
        key = obj.get("key")
        return ArchivedRecord(
            line=line,
            topic=str(obj["topic"]),
            partition=int(obj["partition"]),
            offset=int(obj["offset"]),
            timestamp_ms=int(obj["timestamp"]),
            key=key.encode() if isinstance(key, str) else None,
            value=value,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"line {line} is not an archive record: {exc}") from None


def is_archive_line(obj: dict[str, Any]) -> bool:
    """Whether a parsed JSONL line is an archive record (else it is a plain request)."""
    return "offset" in obj and "partition" in obj and ("value" in obj or "value_base64" in obj)


class _Rotator:
    """Appends lines to the current file of each partition, starting new files as needed."""

    def __init__(self, out_dir: Path, topic: str, max_lines: int) -> None:
        self._dir = out_dir
        self._topic = topic
        self._max = max_lines
        self._open: dict[int, tuple[IO[bytes], int]] = {}
        self.files: list[str] = []

    def write(self, partition: int, offset: int, line: bytes) -> None:
        handle, count = self._open.get(partition, (None, 0))
        if handle is None or count >= self._max:
            if handle is not None:
                handle.close()
            path = self._dir / f"{self._topic}-{partition}-{offset}.jsonl"
            handle = path.open("ab")
            self.files.append(str(path))
            count = 0
        handle.write(line)
        self._open[partition] = (handle, count + 1)

    def flush(self) -> None:
        for handle, _ in self._open.values():
            handle.flush()
            os.fsync(handle.fileno())

    def close(self) -> None:
        for handle, _ in self._open.values():
            handle.close()
        self._open.clear()


def prepare_directory(out_dir: Path) -> dict[int, int]:
    """Create ``out_dir`` if needed and return its saved positions."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {out_dir}: {exc.strerror}") from None
    return load_state(out_dir)


def load_state(out_dir: Path) -> dict[int, int]:
    """Next offset per partition from the state file (empty when starting afresh)."""
    path = out_dir / STATE_FILE
    if not path.exists():
        return {}
    try:
        raw = orjson.loads(path.read_bytes())
        return {int(p): int(o) for p, o in raw["next_offsets"].items()}
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise ConfigError(f"archive state file {path} is corrupt") from None


def save_state(out_dir: Path, topic: str, next_offsets: dict[int, int]) -> None:
    """Write the state atomically (rename), so a crash never leaves half a file."""
    path = out_dir / STATE_FILE
    tmp = path.with_suffix(".tmp")
    data = {"topic": topic, "next_offsets": {str(p): o for p, o in sorted(next_offsets.items())}}
    tmp.write_bytes(orjson.dumps(data))
    os.replace(tmp, path)


async def archive(
    kafka: KafkaSettings,
    out_dir: str | Path,
    *,
    topic: str | None = None,
    until_end: bool = False,
    max_lines: int = 100_000,
    on_written: Callable[[int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> ArchiveReport:
    """Copy ``topic`` (default: the request topic) into rotating JSONL files in ``out_dir``.

    Resumes from the state file; a partition never seen starts at its earliest offset.
    With ``until_end`` it stops at the end offsets seen at start; otherwise it runs until
    ``stop`` is set (or the task is cancelled), saving its state on the way out.
    """
    source = topic or kafka.topics.request
    if max_lines < 1:
        raise ConfigError("max_lines must be >= 1")
    partitions = await partitions_of(kafka.connection, source)
    directory = Path(out_dir)
    positions = prepare_directory(directory)
    consumer = open_reader(kafka.connection, client_id="deerstream-archive")
    rotator = _Rotator(directory, source, max_lines)
    written = 0
    try:
        await consumer.start()
        tps = [TopicPartition(source, p) for p in partitions]
        consumer.assign(tps)
        try:
            firsts = await consumer.beginning_offsets(tps)
            ends = await consumer.end_offsets(tps)
        except KafkaError as exc:
            raise BrokerError(f"cannot look up offsets of {source!r}: {exc}") from exc
        for tp in tps:
            # Records removed by retention since the last run are gone: start at what is left.
            positions[tp.partition] = max(positions.get(tp.partition, 0), firsts[tp])
            consumer.seek(tp, positions[tp.partition])
        while not (stop is not None and stop.is_set()):
            if until_end and all(positions[tp.partition] >= ends[tp] for tp in tps):
                break
            try:
                batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            except KafkaError as exc:
                raise BrokerError(f"cannot read {source!r}: {exc}") from exc
            count = 0
            for tp, records in batches.items():
                for record in records:
                    if until_end and record.offset >= ends[tp]:
                        break
                    rotator.write(tp.partition, record.offset, format_line(record))
                    positions[tp.partition] = record.offset + 1
                    count += 1
            if until_end:
                for tp in tps:  # gaps (transaction markers) at the end still count as done
                    if positions[tp.partition] < ends[tp]:
                        positions[tp.partition] = max(
                            positions[tp.partition], min(await consumer.position(tp), ends[tp])
                        )
            if count:
                rotator.flush()
                save_state(directory, source, positions)
                written += count
                if on_written is not None:
                    on_written(count)
    finally:
        rotator.flush()
        rotator.close()
        save_state(directory, source, positions)
        await close_consumer(consumer)
    return ArchiveReport(written=written, files=rotator.files, next_offsets=dict(positions))


def iter_archive_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) of a file; ``ConfigError`` when it cannot be read."""
    try:
        with path.open("rb") as handle:
            yield from enumerate(handle, start=1)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
