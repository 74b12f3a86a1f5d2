"""``deerstream worker``: consume requests, publish predictions (foreground; Ctrl-C stops)."""

from __future__ import annotations

import argparse

from deerstream.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("worker", help="run the prediction worker in the foreground")
    p.add_argument(
        "--exactly-once",
        action="store_true",
        help="use Kafka transactions (same as EXACTLY_ONCE=true)",
    )
    p.add_argument("--web-port", type=int, help="port of /metrics, /health, /ready (WEB_PORT)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from deerstream.agents.worker import run_worker

    if args.exactly_once:
        settings = settings.replace(exactly_once=True)
    if args.web_port is not None:
        settings = settings.replace(web_port=args.web_port)
    return run_worker(settings)
