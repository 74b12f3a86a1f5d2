"""Rut phase from the local date and hemisphere (docs/how-prediction-works.md)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.season import derive_rut_phase, phase_for_month_day
from models.records import RutPhase as P

# Every boundary of the calendar, both sides.
TABLE = [
    (date(2025, 8, 31), P.OFF_SEASON),
    (date(2025, 9, 1), P.EARLY_SEASON),
    (date(2025, 10, 19), P.EARLY_SEASON),
    (date(2025, 10, 20), P.PRE_RUT),
    (date(2025, 11, 3), P.PRE_RUT),
    (date(2025, 11, 4), P.SEEKING),
    (date(2025, 11, 9), P.SEEKING),
    (date(2025, 11, 10), P.PEAK_RUT),
    (date(2025, 11, 22), P.PEAK_RUT),
    (date(2025, 11, 23), P.POST_RUT),
    (date(2025, 12, 5), P.POST_RUT),
    (date(2025, 12, 6), P.LATE_SEASON),
    (date(2025, 12, 31), P.LATE_SEASON),
    (date(2026, 1, 1), P.LATE_SEASON),
    (date(2026, 1, 31), P.LATE_SEASON),
    (date(2026, 2, 1), P.OFF_SEASON),
    (date(2026, 6, 15), P.OFF_SEASON),
]


@pytest.mark.parametrize(("day", "phase"), TABLE)
def test_northern_calendar(day: date, phase: P) -> None:
    result = derive_rut_phase(day, 44.0, None)
    assert result.phase is phase
    assert result.notes == ()


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (date(2025, 5, 15), P.PEAK_RUT),  # Nov 15 shifted six months
        (date(2025, 3, 1), P.EARLY_SEASON),
        (date(2025, 11, 15), P.OFF_SEASON),
        (date(2025, 7, 1), P.LATE_SEASON),
        (date(2025, 2, 28), P.OFF_SEASON),  # → Aug 28
    ],
)
def test_southern_hemisphere_shifts_six_months_and_says_so(day: date, phase: P) -> None:
    result = derive_rut_phase(day, -38.0, None)
    assert result.phase is phase
    assert any("southern hemisphere" in n for n in result.notes)


def test_request_season_overrides_the_calendar() -> None:
    result = derive_rut_phase(date(2025, 7, 1), 44.0, P.PEAK_RUT)
    assert result.phase is P.PEAK_RUT
    assert any("given by the request" in n for n in result.notes)


def test_one_vocabulary_every_day_maps_to_a_record_phase() -> None:
    phases = {phase_for_month_day(m, d) for m in range(1, 13) for d in range(1, 32)}
    assert phases == set(P)
