"""The engine as it ships: compiled by mypyc (``setup.py``), byte-identical to its source.

The installed package imports the compiled modules in place of the ``.py`` files, so the
suite runs against what users run. Two checks: the dev install really is compiled (unless
the developer asked for pure Python with ``DEERSTREAM_COMPILE=0``), and a pure-Python copy of
the same sources gives exactly the same encoded predictions on the golden cases
(``deerstream.bench.golden_capture``: 762 requests over both hemispheres, polar days and
nights, the antimeridian, 0–20 stands, 1–72 h horizons, missing and malformed inputs,
evaluated cold, warm, shuffled, reversed and batched).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import deerstream
from deerstream.engine import BUILD

PACKAGE = Path(deerstream.__file__).resolve().parent


#: The one reason to test without the compiled engine: the developer asked for pure Python
#: (``DEERSTREAM_COMPILE=0 make install``). Anything else that leaves it uncompiled fails.
pure_by_request = pytest.mark.skipif(
    os.environ.get("DEERSTREAM_COMPILE") == "0",
    reason="DEERSTREAM_COMPILE=0: this install was asked to stay pure Python",
)


@pure_by_request
def test_the_installed_engine_is_the_compiled_one() -> None:
    assert BUILD == "mypyc", "the engine imported from .py files; run `make install`"


def _pure_copy(dest: Path) -> Path:
    """The package's sources with every compiled module left out."""
    shutil.copytree(
        PACKAGE,
        dest / "deerstream",
        symlinks=False,
        ignore=shutil.ignore_patterns("*.so", "__pycache__"),
    )
    return dest


def _python(*argv: str, path: Path | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=240
    )


@pure_by_request
def test_compiled_and_pure_engines_give_byte_identical_predictions(tmp_path: Path) -> None:
    assert BUILD == "mypyc", "the engine imported from .py files; run `make install`"
    pure = _pure_copy(tmp_path / "pure")
    golden = tmp_path / "golden.jsonl"
    wrote = _python(
        "-m", "deerstream.bench.golden_capture", "write", str(golden), path=pure, cwd=tmp_path
    )
    assert wrote.returncode == 0, wrote.stderr
    assert "wrote 762 cases" in wrote.stdout
    assert "(engine build: python)" in wrote.stdout
    checked = _python(
        "-m", "deerstream.bench.golden_capture", "check", str(golden), path=None, cwd=tmp_path
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("engine build: mypyc\n"), checked.stdout
    assert checked.stdout.strip().endswith("IDENTICAL"), checked.stdout
