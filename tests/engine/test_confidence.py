"""Confidence from completeness, freshness and agreement (docs/how-prediction-works.md)."""

from __future__ import annotations

import pytest

from deerstream.engine.confidence import compute_confidence, freshness
from deerstream.models.records import SourceQuality as Q
from deerstream.models.records import SourceStatus as S

ALL = {"terrain": 1.0, "weather": 1.0, "scouting": 1.0}


def q(status: S, age: float | None = 0.0) -> Q:
    return Q(status, age)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((S.FRESH, S.FRESH, S.FRESH), 1.0),
        ((S.CACHED, S.CACHED, S.CACHED), 0.9),
        ((S.FRESH, S.MISSING, S.FRESH), 0.65),
        ((S.MISSING, S.FRESH, S.FRESH), 0.65),
        ((S.FRESH, S.FRESH, S.MISSING), 0.7),
        ((S.MISSING, S.MISSING, S.MISSING), 0.0),
        ((S.FRESH, S.STALE, S.FRESH), 0.825),  # stale weather of age 0 counts half
    ],
)
def test_confidence_table(statuses: tuple[S, S, S], expected: float) -> None:
    quality = dict(zip(("terrain", "weather", "scouting"), (q(s) for s in statuses), strict=True))
    assert compute_confidence(quality, ALL, weather_disagrees=False) == pytest.approx(expected)


def test_stale_data_ages() -> None:
    assert freshness("weather", q(S.STALE, 6 * 3600.0)) == pytest.approx(0.25)
    assert freshness("terrain", q(S.STALE, 1e9)) == pytest.approx(0.5)  # terrain does not age


def test_coverage_and_disagreement_lower_confidence() -> None:
    quality = {k: q(S.FRESH) for k in ALL}
    full = compute_confidence(quality, ALL, weather_disagrees=False)
    partial = compute_confidence(quality, ALL | {"terrain": 0.5}, weather_disagrees=False)
    split = compute_confidence(quality, ALL, weather_disagrees=True)
    assert full > partial and full > split
    assert split == pytest.approx(1.0 - 0.35 * 0.3)
