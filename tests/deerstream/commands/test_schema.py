"""``deerstream schema``: prints the shipped schemas."""

from __future__ import annotations

import argparse
from typing import Literal

import orjson
import pytest

from deerstream.commands import schema as command
from deerstream.models.schema import load_schema
from deerstream.settings import Settings


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.mark.parametrize("name", ["request", "prediction"])
def test_prints_the_schema(
    name: Literal["request", "prediction"], capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse(["schema", name])
    assert args.handler(args, Settings()) == 0
    assert orjson.loads(capsys.readouterr().out) == load_schema(name)


def test_rejects_unknown_names() -> None:
    with pytest.raises(SystemExit):
        parse(["schema", "weather"])
