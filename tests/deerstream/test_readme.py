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
    """Relative links in the README and in docs/ resolve from the file that holds them (a
    ``docs/x.md`` link written inside docs/ points at docs/docs/x.md, which does not exist)."""
    import re

    missing = []
    checked = 0
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
            if "://" in link or link.startswith("mailto:"):
                continue
            checked += 1
            if not (path.parent / link).exists():
                missing.append(f"{path.relative_to(ROOT)}: {link}")
    assert checked > 20 and missing == []


def test_the_readme_is_a_landing_page() -> None:
    assert README.count("\n") <= 220


def test_the_two_commands_come_first() -> None:
    head = README[: README.index("### Prerequisites")]
    assert "make run" in head and "make test" in head


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "make test" in ci


def _python_blocks() -> list[tuple[str, str]]:
    import re

    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S):
            found.append((path.name, block))
    return found


def test_the_python_in_the_docs_compiles_and_its_imports_resolve() -> None:
    """A reader pastes these: a stale module path (the code moved under ``deerstream``) or a
    renamed function must fail here, not in their terminal."""
    import ast
    import importlib

    blocks = _python_blocks()
    broken = []
    for name, block in blocks:
        tree = ast.parse(block, filename=name)  # a SyntaxError fails the test
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                module = importlib.import_module(node.module)
                broken += [
                    f"{name}: from {node.module} import {a.name}"
                    for a in node.names
                    if not hasattr(module, a.name)
                ]
    assert len(blocks) >= 3 and broken == []
