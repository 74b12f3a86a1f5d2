"""``round_places`` is ``round(x, places)`` bit for bit: it stands in for it in the engine's
published numbers, so a prediction's bytes must not move."""

from __future__ import annotations

import math
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.models.geo import round_places


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _same(x: float, places: int) -> None:
    expected = round(x, places)
    got = round_places(x, places)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert _bits(got) == _bits(expected), (x, places, got, expected)


@pytest.mark.parametrize("places", range(7))
def test_edges(places: int) -> None:
    step = 10.0**-places
    edges = [0.0, -0.0, 1e-12, -1e-12, 0.5, -0.5, 1.5, 2.5, -2.5, 2.675, 1.005, 0.125, 0.375]
    edges += [k * step / 2 for k in range(-41, 42)]  # every half and whole step near zero
    edges += [math.nextafter(k * step / 2, d) for k in range(-41, 42) for d in (-1e9, 1e9)]
    edges += [359.95, 359.96, -0.004, -0.005, -0.006, 1e9 / 10**places, 2e9 / 10**places]
    edges += [math.inf, -math.inf, math.nan, 1e300, -1e300, 5e-324]
    for x in edges:
        _same(x, places)


def test_a_million_values_the_engine_rounds() -> None:
    """Scores, winds, bearings, distances and positions (6 places), seeded."""
    rng = random.Random(20261203)
    for _ in range(200_000):
        _same(rng.uniform(0.0, 10.0), 2)
        _same(rng.uniform(-720.0, 720.0), 1)
        _same(rng.uniform(0.0, 2000.0), 1)
        _same(rng.uniform(-180.0, 180.0), 6)
        _same(rng.uniform(-90.0, 90.0), 6)


@settings(max_examples=3000)
@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 6))
def test_any_float(x: float, places: int) -> None:
    _same(x, places)
