"""``deerstream archive``: copy the request topic into rotating JSONL files.

Files are ``<dir>/<topic>-<partition>-<first offset>.jsonl``; progress is kept in
``<dir>/.archive-state.json`` so a restart resumes. ``--until-end`` stops at the end of the
topic as it is now; otherwise it keeps following until Ctrl-C or SIGTERM (exit 0).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from deerstream.commands._console import ProgressBar, check_kafka_login, quiet_kafka_logs
from deerstream.errors import ConfigError
from deerstream.settings import Settings
from deerstream.streams.archive import ArchiveReport, archive


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "archive",
        help="keep requests beyond retention: the request topic as rotating JSONL files",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("--out", default="archive", metavar="DIR", help="output directory")
    p.add_argument("--topic", help="topic to archive (default: $REQUEST_TOPIC)")
    p.add_argument("--until-end", action="store_true", help="stop at the current end")
    p.add_argument(
        "--max-lines", type=int, default=100_000, metavar="N", help="lines per file (100000)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    quiet_kafka_logs()
    if args.max_lines < 1:
        raise ConfigError("--max-lines must be >= 1")
    check_kafka_login(settings)
    report = asyncio.run(_archive(settings, args))
    sys.stderr.write(
        f"archived {report.written} record(s) into {len(report.files)} new file(s) in {args.out}\n"
    )
    return 0


async def _archive(settings: Settings, args: argparse.Namespace) -> ArchiveReport:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
        except (RuntimeError, ValueError):  # not the main thread: keep default handling
            pass
    try:
        with ProgressBar("archiving", enabled=not args.no_progress) as bar:
            return await archive(
                settings.kafka,
                args.out,
                topic=args.topic,
                until_end=args.until_end,
                max_lines=args.max_lines,
                on_written=bar.advance,
                stop=stop,
            )
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
