"""The docs stay true: every setting is documented, the two commands are at the top of the
README, and every document the README links exists."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from deerstream.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text()


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = [
        f.name.upper()
        for f in dataclasses.fields(Settings)
        if f"`{f.name.upper()}`" not in CONFIGURATION
    ]
    assert missing == []


def test_every_linked_document_exists() -> None:
    import re

    links = re.findall(r"\]\(([^)#]+)\)", README)
    missing = [link for link in links if "://" not in link and not (ROOT / link).exists()]
    assert links and missing == []


def test_the_readme_is_a_landing_page() -> None:
    assert README.count("\n") <= 220


def test_the_two_commands_come_first() -> None:
    head = README[: README.index("### Prerequisites")]
    assert "make run" in head and "make test" in head


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "make test" in ci
