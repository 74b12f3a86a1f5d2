"""``radians`` and ``degrees`` are ``math.radians`` and ``math.degrees`` bit for bit: the
compiled engine calls them in their place, so a prediction's bytes must not move."""

from __future__ import annotations

import math
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.engine import BUILD
from deerstream.models import geo
from deerstream.models.geo import degrees, radians


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


EDGES = [0.0, -0.0, 1.0, -1.0, 90.0, 180.0, 359.99, 360.0, 1e-300, 5e-324, 1e300, -1e300]
EDGES += [math.pi, -math.pi, math.pi / 2, 2 * math.pi, math.inf, -math.inf]


def test_edges() -> None:
    for x in EDGES:
        assert _bits(radians(x)) == _bits(math.radians(x)), x
        assert _bits(degrees(x)) == _bits(math.degrees(x)), x
    assert math.isnan(radians(math.nan)) and math.isnan(degrees(math.nan))


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=False))
def test_any_float(x: float) -> None:
    assert _bits(radians(x)) == _bits(math.radians(x))
    assert _bits(degrees(x)) == _bits(math.degrees(x))


def test_the_engine_build_has_them_compiled() -> None:
    """In the installed (compiled) build these are native functions, which is the point."""
    compiled = (geo.__file__ or "").endswith(".so")
    assert compiled == (BUILD == "mypyc")
