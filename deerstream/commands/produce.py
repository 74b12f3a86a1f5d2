"""``deerstream produce``: publish prediction requests from flags, a JSONL/CSV file or stdin.

Everything is validated before anything is sent: invalid rows are reported with their line
numbers and reasons, and nothing is sent unless ``--skip-invalid``. Exit status: 0 when
every request was sent, 1 when any was not (or on an error), 2 for bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from deerstream.commands._args import parse_stand
from deerstream.commands._console import ProgressBar, check_kafka_login, quiet_kafka_logs
from deerstream.errors import ConfigError, ContractError
from deerstream.models.codec import MAX_HORIZON_H, MAX_STANDS, MIN_HORIZON_H
from deerstream.models.records import SCHEMA_VERSION, PredictionRequest, RutPhase
from deerstream.settings import Settings
from deerstream.streams.admin import require_topic
from deerstream.streams.inputs import (
    FORMATS,
    Parsed,
    format_for,
    generate_request_id,
    read_requests,
    request_from_row,
)
from deerstream.streams.producer import RequestProducer


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "produce",
        help="publish prediction requests (flags, a JSONL/CSV file, or stdin)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    one = p.add_argument_group("one request from flags")
    one.add_argument("--lat", type=float, help="latitude, degrees")
    one.add_argument("--lon", type=float, help="longitude, degrees")
    one.add_argument("--at", metavar="TIME", help="target time, RFC 3339 with offset")
    one.add_argument("--radius", type=float, metavar="M", help="radius in metres (default 800)")
    one.add_argument("--season", choices=[r.value for r in RutPhase], help="rut phase override")
    one.add_argument("--hunter-id", help="scope scouting to this hunter")
    one.add_argument("--request-id", help="the request id (default: generated)")
    one.add_argument(
        "--stand",
        action="append",
        metavar="ID:LAT,LON[:NAME]",
        help=f"one of your own stands, rated hour by hour (repeatable, at most {MAX_STANDS})",
    )
    one.add_argument(
        "--horizon",
        type=int,
        metavar="H",
        help=f"hours of the hour-by-hour forecast, {MIN_HORIZON_H}..{MAX_HORIZON_H} (default 24)",
    )
    one.add_argument("--rut-peak", metavar="MM-DD", help="local peak-breeding day override")
    many = p.add_argument_group("many requests from a file")
    many.add_argument("--file", metavar="PATH", help="JSONL or CSV file, or - for stdin")
    many.add_argument("--format", choices=FORMATS, help="input format (default: by extension)")
    many.add_argument(
        "--skip-invalid", action="store_true", help="send the valid rows even if some are invalid"
    )
    p.add_argument("--topic", help="target topic (default: $REQUEST_TOPIC)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    quiet_kafka_logs()
    if args.file is not None:
        extra = [n for n, v in _single_flags(args) if v is not None]
        if extra:
            raise ConfigError(f"--file cannot be combined with {', '.join(extra)}")
        check_kafka_login(settings)
        return asyncio.run(_produce_file(args, settings))
    # The flags are checked before the broker is contacted: a typo costs no round trip.
    if any(v is None for v in (args.lat, args.lon, args.at)):
        raise ConfigError("give --lat, --lon and --at (one request) or --file PATH")
    if args.skip_invalid or args.format:
        raise ConfigError("--skip-invalid and --format only apply with --file")
    request = _request_from_flags(args)
    check_kafka_login(settings)
    return asyncio.run(_produce_one(request, args.topic or settings.request_topic, settings))


def _single_flags(args: argparse.Namespace) -> list[tuple[str, object]]:
    return [
        ("--lat", args.lat),
        ("--lon", args.lon),
        ("--at", args.at),
        ("--radius", args.radius),
        ("--season", args.season),
        ("--hunter-id", args.hunter_id),
        ("--request-id", args.request_id),
        ("--stand", args.stand),
        ("--horizon", args.horizon),
        ("--rut-peak", args.rut_peak),
    ]


def _request_from_flags(args: argparse.Namespace) -> PredictionRequest:
    """The request the flags describe, in the current contract version.

    The flags only become the request's JSON fields; every rule (ranges, ids, how far a
    stand may be) is the codec's, so its reason code, path and message are what is shown.
    """
    row: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "lat": args.lat,
        "lon": args.lon,
        "target_time": args.at,
    }
    stands = None if args.stand is None else [parse_stand(text) for text in args.stand]
    for key, value in (
        ("request_id", args.request_id),
        ("radius_m", args.radius),
        ("season", args.season),
        ("hunter_id", args.hunter_id),
        ("horizon_h", args.horizon),
        ("stands", stands),
        ("rut_peak", args.rut_peak),
    ):
        if value is not None:
            row[key] = value
    try:
        return request_from_row(row, new_id=generate_request_id)
    except ContractError as exc:
        raise ConfigError(f"invalid request: {exc.code} at {exc.path}: {exc.message}") from None


async def _produce_one(request: PredictionRequest, topic: str, settings: Settings) -> int:
    await require_topic(settings.kafka.connection, topic)
    async with RequestProducer(settings.kafka, topic=topic) as producer:
        delivery = await producer.send(request)
    print(request.request_id)
    sys.stderr.write(
        f"sent {request.request_id} to {delivery.topic} "
        f"[partition {delivery.partition}, offset {delivery.offset}]\n"
    )
    return 0


@contextmanager
def _open_input(path: str) -> Iterator[TextIO]:
    if path == "-":
        yield sys.stdin
        return
    try:
        handle = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        yield handle


def _parse_input(path: str, fmt: str) -> Parsed:
    with _open_input(path) as handle:
        try:
            return read_requests(handle, fmt)
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path} is not UTF-8 text: {exc.reason}") from None


async def _produce_file(args: argparse.Namespace, settings: Settings) -> int:
    topic = args.topic or settings.request_topic
    try:
        fmt = format_for(args.file, args.format)
    except ConfigError as exc:
        raise ConfigError(f"{exc}; use --format jsonl or --format csv") from None
    await require_topic(settings.kafka.connection, topic)
    parsed = _parse_input(args.file, fmt)
    for rejection in parsed.rejections:
        sys.stderr.write(f"deerstream: {rejection.describe()}\n")
    rejected = len(parsed.rejections)
    if rejected and not args.skip_invalid:
        sys.stderr.write(
            f"deerstream: error: {rejected} invalid row(s); nothing sent "
            "(--skip-invalid sends the valid ones)\n"
        )
        return 1
    started = time.monotonic()
    with ProgressBar("sending", enabled=not args.no_progress) as bar:
        bar.set_total(len(parsed.requests))
        async with RequestProducer(settings.kafka, topic=topic) as producer:
            sent = await producer.send_many(
                (r for _, r in parsed.requests), on_delivered=bar.advance
            )
    elapsed = time.monotonic() - started
    rate = sent / elapsed if elapsed > 0 else 0.0
    sys.stderr.write(
        f"sent {sent}, rejected {rejected} to {topic} in {elapsed:.2f} s ({rate:,.0f} req/s)\n"
    )
    return 0 if rejected == 0 else 1
