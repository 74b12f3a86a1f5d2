"""The README stays true: every setting is documented, the two commands are at the top."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from deerstream.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = [
        f.name.upper() for f in dataclasses.fields(Settings) if f"`{f.name.upper()}`" not in README
    ]
    assert missing == []


def test_the_two_commands_come_first() -> None:
    head = README[: README.index("### Prerequisites")]
    assert "make run" in head and "make test" in head


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "make test" in ci
