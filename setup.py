"""Build hook: the model (``deerstream.engine``) and the geometry it uses are compiled to C
extension modules with mypyc, which runs the same typed Python about 1.5× faster.

Everything else about the package is in ``pyproject.toml``. The compiled modules sit next
to their ``.py`` sources and are imported in their place; the sources stay in the wheel, so
``DEERSTREAM_COMPILE=0`` (or a machine without a C compiler) builds the same package as
pure Python. Which one is running: ``deerstream.engine.BUILD``.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent

#: Modules compiled, as paths under the package (the engine's __init__ stays Python so
#: it can say which build is loaded).
COMPILED = [
    *sorted(
        f"deerstream/engine/{p.name}"
        for p in (ROOT / "engine").glob("*.py")
        if p.name != "__init__.py"
    ),
    "deerstream/models/geo.py",
]


def _compiler_available() -> bool:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc) is not None


def _ext_modules() -> list[object]:
    if os.environ.get("DEERSTREAM_COMPILE", "1") == "0":
        return []
    if not _compiler_available():
        print("deerstream: no C compiler found; the engine stays pure Python", file=sys.stderr)
        return []
    from mypyc.build import mypycify

    return list(mypycify(COMPILED, opt_level="3", group_name="deerstream.engine._compiled"))


setup(ext_modules=_ext_modules())
