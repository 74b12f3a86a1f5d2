"""``deerstream show``: the latest prediction for a request, as a self-contained HTML page.

Reads the prediction topic from the beginning (no consumer group: it commits nothing and
takes no partitions from anyone), keeps the latest valid prediction keyed by REQUEST_ID,
renders it (``deerstream.views.page``: a plan of zones, stands and scent cones, the hunt
windows, the factors) and writes it to ``--out``, ``prediction-<id>.html`` by default, then
prints the path. When the topic holds none yet, it waits for one until ``--timeout``.

Exit status: 0 when the page was written, 1 when no prediction for the id arrived within
``--timeout`` (or on an error), 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from aiokafka import TopicPartition
from aiokafka.errors import KafkaError
from redis.exceptions import RedisError

from deerstream.agents.recent import cached_terrain_for
from deerstream.commands._console import quiet_kafka_logs
from deerstream.enrich.redis_client import RedisOptions, open_redis
from deerstream.errors import ConfigError, ContractError
from deerstream.models.codec import decode_prediction
from deerstream.models.framing import unframe
from deerstream.settings import Settings
from deerstream.streams.kafka import BrokerError, partitions_of
from deerstream.streams.ranges import close_consumer, open_reader
from deerstream.views.page import render_prediction_page

DEFAULT_TIMEOUT_S = 10.0
_POLL_MS = 500


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "show",
        help="render the latest prediction for a request as an HTML page",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("request_id", metavar="REQUEST_ID", help="the request's id (the record key)")
    p.add_argument("--out", metavar="FILE", help="write here (default: prediction-<id>.html)")
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"give up after S seconds (default {DEFAULT_TIMEOUT_S:g})",
    )
    p.add_argument("--topic", help="prediction topic (default: $PREDICTION_TOPIC)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    quiet_kafka_logs()
    if not args.timeout > 0:
        raise ConfigError("--timeout must be > 0")
    topic = args.topic or settings.prediction_topic
    found, scan = asyncio.run(find_latest(settings, topic, args.request_id, args.timeout))
    if scan.invalid:
        sys.stderr.write(f"deerstream: skipped {scan.invalid} invalid event(s) for that key\n")
    if found is None:
        sys.stderr.write(
            f"deerstream: error: no prediction for request_id {args.request_id!r} on"
            f" {topic!r} within {args.timeout:g} s\n"
        )
        return 1
    if not found.complete:
        sys.stderr.write(
            f"deerstream: timed out before the end of {topic!r}: showing the latest"
            " prediction read so far\n"
        )
    out = Path(args.out) if args.out else Path(default_filename(args.request_id))
    grid = asyncio.run(cached_terrain(settings, found.prediction))
    if grid is None:
        sys.stderr.write(
            "deerstream: no cached terrain for this place in Redis: the plan has no shading\n"
        )
    try:
        page = render_prediction_page(found.prediction, elevation_grid=grid)
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(f"deerstream: error: cannot write {str(out)!r}: {exc.strerror}\n")
        return 1
    print(out)
    return 0


async def cached_terrain(settings: Settings, prediction: dict[str, Any]) -> dict[str, Any] | None:
    """The elevation grid the worker cached for the prediction's place (read from Redis,
    never fetched from an upstream), or None when it is not there or Redis is not."""
    try:
        client = await open_redis(RedisOptions.from_settings(settings.redis))
    except (ConfigError, RedisError, OSError, ValueError):
        return None
    try:
        return await cached_terrain_for(client, prediction)
    finally:
        with contextlib.suppress(RedisError, OSError):
            await client.aclose()


def default_filename(request_id: str) -> str:
    """``prediction-<id>.html`` (request ids are [A-Za-z0-9._:-], so always one file name)."""
    return f"prediction-{request_id}.html"


@dataclass(frozen=True, slots=True)
class Found:
    """The latest prediction seen for the id: its JSON (unknown fields kept) and position."""

    prediction: dict[str, Any]
    partition: int
    offset: int
    timestamp_ms: int
    complete: bool = True  # False when the timeout hit before the end of the topic


class LatestScan:
    """Keeps the latest valid prediction for one request_id out of the records offered.

    Within a partition the later offset wins; across partitions (a key moves only if the
    partition count changed) the later record timestamp wins.
    """

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self._key = request_id.encode()
        self._by_partition: dict[int, Found] = {}
        self.invalid = 0

    def offer(self, record: Any) -> bool:
        """Consider one consumed record; True when it is a prediction for the id."""
        if record.key != self._key:
            return False
        value: bytes = record.value or b""
        try:
            prediction = decode_prediction(value)
        except ContractError:
            self.invalid += 1
            return False
        if prediction.request_id != self.request_id:
            return False
        found = Found(
            orjson.loads(unframe(value).payload),
            record.partition,
            record.offset,
            record.timestamp or 0,
        )
        previous = self._by_partition.get(record.partition)
        if previous is None or found.offset > previous.offset:
            self._by_partition[record.partition] = found
        return True

    def latest(self) -> Found | None:
        if not self._by_partition:
            return None
        return max(self._by_partition.values(), key=lambda f: (f.timestamp_ms, -f.partition))


async def find_latest(
    settings: Settings, topic: str, request_id: str, timeout_s: float
) -> tuple[Found | None, LatestScan]:
    """Scan ``topic`` from the beginning to its current end, then wait for a first match
    if there was none, all within ``timeout_s``. Raises ``BrokerError`` when Kafka fails."""
    scan = LatestScan(request_id)
    complete = False
    consumer: Any = None
    try:
        async with asyncio.timeout(timeout_s):
            partitions = await partitions_of(settings.kafka.connection, topic)
            consumer = open_reader(settings.kafka.connection, client_id="deerstream-show")
            try:
                await consumer.start()
                complete = await _read(consumer, topic, partitions, scan)
            except KafkaError as exc:
                raise BrokerError(f"cannot read {topic!r}: {exc}") from exc
    except TimeoutError:
        pass
    finally:
        if consumer is not None:
            await close_consumer(consumer)
    found = scan.latest()
    if found is not None and not complete:
        found = dataclasses.replace(found, complete=False)
    return found, scan


async def _read(consumer: Any, topic: str, partitions: list[int], scan: LatestScan) -> bool:
    """Read every partition to the end offset seen at the start; then, if nothing matched,
    keep reading until something does. True once the end was reached."""
    tps = [TopicPartition(topic, p) for p in partitions]
    consumer.assign(tps)
    begins = await consumer.beginning_offsets(tps)
    ends = await consumer.end_offsets(tps)
    for tp in tps:
        consumer.seek(tp, begins[tp])
    remaining = {tp for tp in tps if ends[tp] > begins[tp]}
    while remaining:
        batches = await consumer.getmany(timeout_ms=_POLL_MS, max_records=500)
        for records in batches.values():
            for record in records:
                scan.offer(record)
        for tp in sorted(remaining, key=lambda t: t.partition):
            # The position, not the last record's offset: transaction markers take offsets.
            if await consumer.position(tp) >= ends[tp]:
                remaining.discard(tp)
    while scan.latest() is None:
        batches = await consumer.getmany(timeout_ms=_POLL_MS, max_records=500)
        for records in batches.values():
            for record in records:
                scan.offer(record)
    return True
