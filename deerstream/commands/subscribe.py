"""``deerstream subscribe``: tail predictions, filtered, as a table or JSON Lines.

Exit status: 0 when it stopped normally (``--count`` reached, or ``--timeout`` without
``--count``), 1 when ``--timeout`` expired before ``--count`` predictions arrived (or on an
error), 130 on Ctrl-C (after closing the consumer cleanly; no traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import orjson
from rich.console import Console, JustifyMethod
from rich.table import Table

from deerstream.commands._args import parse_bbox
from deerstream.commands._console import check_kafka_login, quiet_kafka_logs
from deerstream.errors import ConfigError
from deerstream.models.codec import prediction_to_dict
from deerstream.models.records import Prediction
from deerstream.settings import Settings
from deerstream.streams.subscriber import PredictionSubscriber, Start
from deerstream.streams.times import parse_time

_COLUMNS = (
    ("request_id", 24),
    ("target_time", 20),
    ("lat", 9),
    ("lon", 10),
    ("phase", 12),
    ("activity", 8),
    ("score", 5),
    ("conf", 4),
    ("replay", 6),
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "subscribe",
        help="tail predictions (from now, the beginning or a time), filtered",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--from-beginning", action="store_true", help="start at the oldest")
    where.add_argument("--since", metavar="TIME", help="start at this time (RFC 3339)")
    p.add_argument(
        "--request-id", action="append", metavar="ID", help="only this request (repeatable)"
    )
    p.add_argument("--hunter-id", help="only this hunter's predictions")
    p.add_argument("--bbox", metavar="MINLAT,MINLON,MAXLAT,MAXLON", help="only inside this box")
    p.add_argument(
        "--format",
        choices=("auto", "table", "jsonl"),
        default="auto",
        help="auto (default): a table on a terminal, JSON lines in a pipe or a file",
    )
    p.add_argument("--count", type=int, metavar="N", help="stop after N predictions")
    p.add_argument("--timeout", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--group", help="join this consumer group (default: none, read everything)")
    p.add_argument("--topic", help="prediction topic (default: $PREDICTION_TOPIC)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    quiet_kafka_logs()
    check_kafka_login(settings)
    if args.count is not None and args.count < 1:
        raise ConfigError("--count must be >= 1")
    if args.timeout is not None and not args.timeout > 0:
        raise ConfigError("--timeout must be > 0")
    if args.group and args.since:
        raise ConfigError("--since cannot be combined with --group (the group has offsets)")
    start: Start = "now"
    if args.from_beginning:
        start = "beginning"
    elif args.since:
        start = parse_time(args.since, name="--since")
    subscriber = PredictionSubscriber(
        settings.kafka,
        topic=args.topic,
        start=start,
        request_ids=args.request_id,
        hunter_id=args.hunter_id,
        bbox=parse_bbox(args.bbox) if args.bbox else None,
        group_id=args.group,
    )
    try:
        return asyncio.run(_subscribe(subscriber, args))
    except BrokenPipeError:
        # The reader went away (`| head`): that is a normal end, not an error.
        sys.stderr.close()
        return 0


async def _subscribe(subscriber: PredictionSubscriber, args: argparse.Namespace) -> int:
    fmt = args.format
    if fmt == "auto":
        fmt = "table" if sys.stdout.isatty() else "jsonl"
    show = _print_jsonl if fmt == "jsonl" else _table_printer()
    seen = 0
    async with subscriber:
        try:
            async with asyncio.timeout(args.timeout):
                async for prediction in subscriber:
                    show(prediction)
                    seen += 1
                    if args.count is not None and seen >= args.count:
                        break
        except TimeoutError:
            if args.count is not None and seen < args.count:
                sys.stderr.write(
                    f"deerstream: error: timed out after {args.timeout:g} s with {seen} of "
                    f"{args.count} predictions\n"
                )
                return 1
    if subscriber.invalid:
        sys.stderr.write(f"deerstream: skipped {subscriber.invalid} invalid event(s)\n")
    return 0


def _print_jsonl(prediction: Prediction) -> None:
    sys.stdout.buffer.write(orjson.dumps(prediction_to_dict(prediction)) + b"\n")
    sys.stdout.flush()


def _table_printer() -> _TablePrinter:
    return _TablePrinter(Console())


class _TablePrinter:
    """Rows of a rich table printed as they arrive (header once, fixed column widths)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._header_done = False

    def __call__(self, p: Prediction) -> None:
        table = Table(show_header=not self._header_done, box=None, pad_edge=False)
        for name, width in _COLUMNS:
            justify: JustifyMethod = "right" if name in ("lat", "lon", "score", "conf") else "left"
            table.add_column(name, width=width, no_wrap=True, justify=justify)
        table.add_row(
            p.request_id,
            p.target_time.strftime("%Y-%m-%dT%H:%MZ"),
            f"{p.lat:.4f}",
            f"{p.lon:.4f}",
            p.rut_phase.value,
            p.activity_level.value,
            f"{p.movement_score:.1f}",
            f"{p.confidence:.2f}",
            "yes" if p.replay else "",
        )
        self._console.print(table)
        self._header_done = True
