"""``radians`` and ``degrees`` are ``math.radians`` and ``math.degrees`` bit for bit, and
``whole_text`` is the ``.0f`` format character for character: the
compiled engine calls them in their place, so a prediction's bytes must not move."""

from __future__ import annotations

import math
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.engine import BUILD
from deerstream.models import geo
from deerstream.models.geo import degrees, radians, whole_text


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


WHOLE_EDGES = [0.0, -0.0, 0.5, 1.5, 2.5, 3.5, 0.49999999999999994, 359.5, 360.5, 1e15 + 0.5]
WHOLE_EDGES += [2.0**52 - 0.5, 2.0**52, 2.0**53, -0.5, -1.5, -2.4, 5e-324, 1e300]
WHOLE_EDGES += [math.nextafter(k + 0.5, d) for k in range(0, 20) for d in (0.0, 100.0)]
WHOLE_EDGES += [math.inf, -math.inf, math.nan]


def test_whole_text_edges() -> None:
    for x in WHOLE_EDGES:
        assert whole_text(x) == f"{x:.0f}", x


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.floats(), st.floats(0.0, 2000.0), st.integers(0, 4000).map(lambda k: k / 2)))
def test_whole_text_is_the_0f_format(x: float) -> None:
    assert whole_text(x) == f"{x:.0f}"
