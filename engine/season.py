"""Rut phase from the local date and hemisphere (docs/how-prediction-works.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.records import RutPhase

#: Phase start dates (month, day) of the Northern-Hemisphere whitetail calendar, in order.
#: A phase lasts until the day before the next one starts; the list wraps at the year end.
PHASE_STARTS: tuple[tuple[tuple[int, int], RutPhase], ...] = (
    ((2, 1), RutPhase.OFF_SEASON),
    ((9, 1), RutPhase.EARLY_SEASON),
    ((10, 20), RutPhase.PRE_RUT),
    ((11, 4), RutPhase.SEEKING),
    ((11, 10), RutPhase.PEAK_RUT),
    ((11, 23), RutPhase.POST_RUT),
    ((12, 6), RutPhase.LATE_SEASON),
)
#: Southern latitudes run the same calendar six months later.
SOUTHERN_SHIFT_MONTHS = 6
#: Phases in which bucks move all day (used by the time-of-day rules).
RUT_PHASES = frozenset({RutPhase.SEEKING, RutPhase.PEAK_RUT})


@dataclass(frozen=True, slots=True)
class SeasonResult:
    """The phase used and a note explaining where it came from (empty when obvious)."""

    phase: RutPhase
    notes: tuple[str, ...]


def phase_for_month_day(month: int, day: int) -> RutPhase:
    """The Northern-Hemisphere phase of a (month, day)."""
    key = (month, day)
    phase = RutPhase.LATE_SEASON  # Jan 1 .. Jan 31 continue December's late season
    for start, candidate in PHASE_STARTS:
        if key >= start:
            phase = candidate
    return phase


def derive_rut_phase(local_date: date, lat: float, override: RutPhase | None) -> SeasonResult:
    """The rut phase for ``local_date`` at ``lat``; ``override`` (the request's) wins."""
    if override is not None:
        return SeasonResult(override, (f"rut phase {override.value} given by the request",))
    if lat >= 0.0:
        return SeasonResult(phase_for_month_day(local_date.month, local_date.day), ())
    # Shift the month by six; comparing (month, day) tuples needs no valid calendar date.
    shifted = (local_date.month - 1 + SOUTHERN_SHIFT_MONTHS) % 12 + 1
    phase = phase_for_month_day(shifted, local_date.day)
    return SeasonResult(
        phase,
        ("southern hemisphere: rut calendar shifted by six months",),
    )
