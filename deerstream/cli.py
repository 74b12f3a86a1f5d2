"""The ``deerstream`` command line: one entry point, one subcommand module per verb.

Each module in ``deerstream.commands`` exposes ``register(subparsers)`` which adds its
parser and sets ``handler``: a callable ``(args, settings) -> int`` (the exit status).
Settings are built here, once, from the environment.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from deerstream.errors import DeerstreamError
from deerstream.settings import Settings

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = [
    "deerstream.commands.stack",
    "deerstream.commands.worker",
    "deerstream.commands.status",
    "deerstream.commands.produce",
    "deerstream.commands.subscribe",
    "deerstream.commands.show",
    "deerstream.commands.replay",
    "deerstream.commands.archive",
    "deerstream.commands.simulate",
    "deerstream.commands.schema",
    "deerstream.commands.asyncapi",
    "deerstream.commands.bench",
]


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as one line and exits with status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"deerstream: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="deerstream", description=__doc__.splitlines()[0] if __doc__ else "")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        status: int = args.handler(args, settings)
    except DeerstreamError as exc:
        sys.stderr.write(f"deerstream: error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    raise SystemExit(main())
