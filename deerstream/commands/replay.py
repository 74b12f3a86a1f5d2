"""``deerstream replay``: re-publish historical requests to the replay topic.

Sources: a time range (``--from T1 --to T2``, both inclusive), an offset range of one
partition (``--partition P --start-offset A --end-offset B``, both inclusive, or
``--offsets P:A-B``), or an archive/request JSONL file (``--file PATH``). Pacing:
``--rate N/s``, ``--speed X`` (× the original pace) or as fast as possible.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from deerstream.commands._args import parse_rate, parse_speed
from deerstream.commands._console import ProgressBar, check_kafka_login, quiet_kafka_logs
from deerstream.errors import ConfigError
from deerstream.settings import Settings
from deerstream.streams.pacing import Pacer, SpeedPacer, TokenBucket
from deerstream.streams.replay import (
    NO_PARTITION,
    ArchiveFile,
    OffsetRange,
    ReplayReport,
    ReplaySource,
    TimeRange,
    replay,
)
from deerstream.streams.times import parse_time

_COMPACT = re.compile(r"(\d+):(\d+)-(\d+)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replay",
        help="replay requests by time range, offset range or archive file",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("--from", dest="since", metavar="T1", help="start time (RFC 3339)")
    p.add_argument("--to", dest="until", metavar="T2", help="end time (RFC 3339, inclusive)")
    p.add_argument("--partition", type=int, metavar="P")
    p.add_argument("--start-offset", type=int, metavar="A")
    p.add_argument("--end-offset", type=int, metavar="B", help="inclusive")
    p.add_argument("--offsets", metavar="P:A-B", help="compact form of the three above")
    p.add_argument("--file", metavar="PATH", help="archive (or request) JSONL file")
    p.add_argument(
        "--monotonic-timestamps",
        action="store_true",
        help="with --from/--to: timestamps rise with offsets, stop each partition at the "
        "first record past --to (faster on long topics; wrong if they do not)",
    )
    p.add_argument("--topic", help="source topic (default: $REQUEST_TOPIC)")
    p.add_argument("--target-topic", help="where to replay (default: $REPLAY_TOPIC)")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--rate", metavar="N/s", help="at most N events per second")
    pace.add_argument("--speed", metavar="X", help="X times the original pace (from timestamps)")
    p.add_argument("--no-cache", action="store_true", help="predictions bypass the cache")
    p.add_argument("--dry-run", action="store_true", help="count per partition, send nothing")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def source_from_args(args: argparse.Namespace) -> ReplaySource:
    """The one replay source the arguments describe; ``ConfigError`` if none or several."""
    time_given = args.since is not None or args.until is not None
    offsets_given = any(v is not None for v in (args.partition, args.start_offset, args.end_offset))
    chosen = sum([time_given, offsets_given, args.offsets is not None, args.file is not None])
    if chosen != 1:
        raise ConfigError(
            "give exactly one source: --from/--to, --partition/--start-offset/--end-offset, "
            "--offsets P:A-B or --file PATH"
        )
    if args.monotonic_timestamps and not time_given:
        raise ConfigError("--monotonic-timestamps goes with --from/--to")
    if args.file is not None:
        if args.topic is not None:
            raise ConfigError("--topic does not apply to --file")
        return ArchiveFile(args.file)
    if time_given:
        if args.since is None or args.until is None:
            raise ConfigError("--from and --to go together")
        since = parse_time(args.since, name="--from")
        until = parse_time(args.until, name="--to")
        if until < since:
            raise ConfigError(f"--to {args.until} is before --from {args.since}")
        return TimeRange(since, until, args.topic, monotonic=args.monotonic_timestamps)
    if args.offsets is not None:
        match = _COMPACT.fullmatch(args.offsets.strip())
        if match is None:
            raise ConfigError(f"--offsets {args.offsets!r} is not P:A-B (e.g. 3:100-199)")
        partition, start, end = (int(g) for g in match.groups())
    else:
        if None in (args.partition, args.start_offset, args.end_offset):
            raise ConfigError("--partition, --start-offset and --end-offset go together")
        partition, start, end = args.partition, args.start_offset, args.end_offset
    if partition < 0 or start < 0:
        raise ConfigError("partition and offsets must be >= 0")
    if end < start:
        raise ConfigError(f"end offset {end} is before start offset {start}")
    return OffsetRange(partition, start, end, args.topic)


def pacer_from_args(args: argparse.Namespace) -> Pacer | None:
    if args.rate is not None:
        return TokenBucket(parse_rate(args.rate))
    if args.speed is not None:
        return SpeedPacer(parse_speed(args.speed))
    return None


def run(args: argparse.Namespace, settings: Settings) -> int:
    quiet_kafka_logs()
    check_kafka_login(settings)
    source = source_from_args(args)
    pacer = pacer_from_args(args)
    report = asyncio.run(_replay(settings, source, pacer, args))
    if report.dry_run:
        for partition, count in sorted(report.counts.items()):
            name = "file" if partition == NO_PARTITION else f"partition {partition}"
            print(f"{name}: {count}")
        print(f"total: {report.total} (dry run, nothing sent)")
        return 0
    rate = report.total / report.elapsed_s if report.elapsed_s > 0 else 0.0
    sys.stderr.write(
        f"replayed {report.total} to {report.target_topic} in {report.elapsed_s:.2f} s "
        f"({rate:,.1f}/s)\n"
    )
    return 0


async def _replay(
    settings: Settings, source: ReplaySource, pacer: Pacer | None, args: argparse.Namespace
) -> ReplayReport:
    with ProgressBar("replaying", enabled=not (args.no_progress or args.dry_run)) as bar:
        return await replay(
            settings.kafka,
            source,
            target_topic=args.target_topic,
            pacer=pacer,
            no_cache=args.no_cache,
            dry_run=args.dry_run,
            on_planned=bar.set_total,
            on_sent=bar.advance,
        )
