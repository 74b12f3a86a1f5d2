"""Dependencies point one way, checked on every import statement of the source tree.

    core     deerstream.{errors, settings, lifecycle, logs, metrics}   nothing of ours
    models   records, codecs, headers (the wire contract)             core
    engine   the pure model                                           core, models
    enrich, streams, simulators, views  (edges, client library)       core, models, engine*
    agents   the Faust app, pipeline, worker, ops web (deerstream.web) everything above
    app      deerstream.{cli, commands, stack, bench}                 anything; imported by none

(* only ``views`` reads ``engine``: the page draws scent cones with the model's own rule.)
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("errors", "settings", "lifecycle", "logs", "metrics")
APP = ("cli", "commands", "stack", "bench")
#: The folders kept at the repository's top level and installed as ``deerstream.<folder>``
#: (each is a symlink inside ``deerstream/``).
MAPPED = ("models", "engine", "enrich", "streams", "simulators", "views", "agents", "bench",
          "schemas")  # fmt: skip

#: What each layer may import from the project (besides itself).
ALLOWED: dict[str, tuple[str, ...]] = {
    "core": (),
    "models": ("core",),
    "engine": ("core", "models"),
    "enrich": ("core", "models"),
    "streams": ("core", "models"),
    "simulators": ("core", "models"),
    "views": ("core", "models", "engine"),
    "agents": ("core", "models", "engine", "enrich", "streams", "simulators", "views"),
}  # fmt: skip


def layer_of(module: str) -> str | None:
    """The layer a dotted module name belongs to (None: not ours)."""
    parts = module.split(".")
    if parts[0] != "deerstream":
        return None
    if len(parts) == 1:
        return "app"
    second = parts[1]
    if second == "web":
        return "agents"  # the worker's ops server lives in the package, wired by agents
    if second == "schemas":
        return "models"  # the JSON Schemas are the contract's data
    if second in CORE:
        return "core"
    if second in APP:
        return "app"
    return second


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement names; ``from deerstream import errors`` names
    ``deerstream.errors``, and a relative import is reported as ``.relative`` (the links
    would let ``from ..agents import x`` inside ``engine/`` resolve past the checks)."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 0:
                out.append((node.lineno, ".relative"))
            elif node.module == "deerstream":
                out += [(node.lineno, f"deerstream.{a.name}") for a in node.names]
            elif node.module:
                out.append((node.lineno, node.module))
    return out


_BARE_IN_CODE = re.compile(r"\b(?:from|import)\s+(?:" + "|".join(MAPPED) + r")\b")


def code_strings_of(path: Path) -> list[tuple[int, str]]:
    """String constants that hold Python code importing a folder by its bare name (code run
    with ``python -c``); docstrings, which may mention such an import as prose, are skipped."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and _BARE_IN_CODE.search(node.value)
    ]


def wrong_way(source_module: str, imported: str) -> bool:
    here, there = layer_of(source_module), layer_of(imported)
    if here is None or there is None or here == "app" or here == there:
        return False
    allowed = ALLOWED[here]
    if there == "core":
        return here == "core" or "core" not in allowed
    if there == "app":
        return True
    return there not in allowed


def _modules() -> list[tuple[str, Path]]:
    """Every source module by the dotted name it has when installed."""
    found = []
    for folder in ("deerstream", *MAPPED):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.is_symlink() or (ROOT / folder).is_symlink():
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[0] != "deerstream":
                parts.insert(0, "deerstream")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append((".".join(parts), path))
    return found


def test_the_mapped_folders_are_the_installed_subpackages() -> None:
    for folder in MAPPED:
        link = ROOT / "deerstream" / folder
        assert link.is_symlink() and link.resolve() == (ROOT / folder).resolve(), folder


def test_nothing_imports_a_top_level_folder_by_its_repository_name() -> None:
    """``import models`` would work in the checkout and fail once installed, and it would
    load a second copy of every module beside ``deerstream.models``."""
    sources = [path for _, path in _modules()] + sorted((ROOT / "tests").rglob("*.py"))
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sources
        for line, imported in imports_of(path)
        if imported.split(".")[0] in MAPPED or imported == ".relative"
    ]
    offenders += [
        f"{path.relative_to(ROOT)}:{line} runs code that imports by a bare folder name"
        for path in sources
        for line, _ in code_strings_of(path)
    ]
    assert offenders == []


def test_every_import_points_down_the_layers() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for module, path in _modules()
        for line, imported in imports_of(path)
        if wrong_way(module, imported)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("module", "imported", "wrong"),
    [
        (
            "deerstream.models.codec",
            "deerstream.enrich.cache",
            True,
        ),  # the wire contract reaching for Redis
        ("deerstream.engine.predict", "deerstream.agents.pipeline", True),
        ("deerstream.streams.replay", "deerstream.agents.pipeline", True),
        (
            "deerstream.enrich.enricher",
            "deerstream.commands.stack",
            True,
        ),  # a library naming a command
        (
            "deerstream.settings",
            "deerstream.models.records",
            True,
        ),  # core depending on a layer above
        ("deerstream.web", "deerstream.views.page", False),  # the ops server is the agents' edge
        ("deerstream.agents.pipeline", "deerstream.models.codec", False),
        ("deerstream.views.page", "deerstream.engine.stands", False),
        ("deerstream.commands.show", "deerstream.views.page", False),
    ],
)
def test_the_check_would_catch_a_wrong_way_import(module: str, imported: str, wrong: bool) -> None:
    assert wrong_way(module, imported) is wrong
