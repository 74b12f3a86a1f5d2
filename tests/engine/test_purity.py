"""The engine is pure: no I/O libraries, no clock reads, no randomness."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN_MODULES = {"aiohttp", "redis", "faust", "aiokafka", "random", "socket", "time", "os"}


def test_importing_the_engine_loads_no_io_library() -> None:
    code = (
        "import sys, deerstream.engine; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'aiohttp', 'redis', 'faust', 'aiokafka', 'mode'}); print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_engine_source_reads_no_clock_and_draws_no_random_numbers() -> None:
    for path in sorted(ENGINE.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                if isinstance(node, ast.Attribute) and node.attr in ("now", "utcnow", "today"):
                    raise AssertionError(f"{path.name}: reads the clock ({node.attr})")
                continue
            assert not names & FORBIDDEN_MODULES, f"{path.name} imports {names & FORBIDDEN_MODULES}"
