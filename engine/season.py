"""Rut phase from the local date and hemisphere (docs/how-prediction-works.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from deerstream.engine.rut_regions import region_for
from deerstream.models.records import RutPhase
from deerstream.models.slot_init import slot_init

#: Phase start dates (month, day) of the Northern-Hemisphere whitetail calendar, in order.
#: A phase lasts until the day before the next one starts; the list wraps at the year end.
PHASE_STARTS: Final[tuple[tuple[tuple[int, int], RutPhase], ...]] = (
    ((2, 1), RutPhase.OFF_SEASON),
    ((9, 1), RutPhase.EARLY_SEASON),
    ((10, 20), RutPhase.PRE_RUT),
    ((11, 4), RutPhase.SEEKING),
    ((11, 10), RutPhase.PEAK_RUT),
    ((11, 23), RutPhase.POST_RUT),
    ((12, 6), RutPhase.LATE_SEASON),
)
#: The middle of the default calendar's peak_rut (Nov 10–22): a regional or requested peak
#: shifts every phase by its distance from this day, so the phases keep their lengths.
DEFAULT_PEAK: Final = (11, 16)
#: A non-leap year to do month/day arithmetic in (02-29 counts as 02-28).
_YEAR: Final = 2001
#: Southern latitudes run the same calendar six months later.
SOUTHERN_SHIFT_MONTHS: Final = 6
#: Phases in which bucks move all day (used by the time-of-day rules).
RUT_PHASES: Final = frozenset({RutPhase.SEEKING, RutPhase.PEAK_RUT})


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


def _in_year(month: int, day: int) -> date:
    """(month, day) in the reference non-leap year; 29 February counts as the 28th."""
    return date(_YEAR, month, 28 if (month, day) == (2, 29) else day)


def peak_shift_days(peak: tuple[int, int]) -> int:
    """Days from the default peak to ``peak``, the nearer way round the year (−182..182)."""
    month, day = peak
    days = (
        date(_YEAR, month, min(day, 28 if month == 2 else day)) - date(_YEAR, *DEFAULT_PEAK)
    ).days
    return (days + 182) % 365 - 182


def shifted_phase(local_date: date, shift_days: int) -> RutPhase:
    """The phase of ``local_date`` on the default calendar moved ``shift_days`` later."""
    moved = _in_year(local_date.month, local_date.day) - timedelta(days=shift_days)
    return phase_for_month_day(moved.month, moved.day)


def derive_rut_phase(
    local_date: date,
    lat: float,
    override: RutPhase | None,
    *,
    lon: float | None = None,
    rut_peak: tuple[int, int] | None = None,
) -> SeasonResult:
    """The rut phase for ``local_date`` at (``lat``, ``lon``).

    In order: the request's ``season`` wins; then its ``rut_peak``; then the regional table
    (``deerstream.engine.rut_regions``); else the default calendar (six months later south of the
    equator), and the note says no regional row covers the place.
    """
    if override is not None:
        return SeasonResult(override, (f"rut phase {override.value} given by the request",))
    if rut_peak is not None:
        shift = peak_shift_days(rut_peak)
        return SeasonResult(
            shifted_phase(local_date, shift),
            (
                f"rut peak {rut_peak[0]:02d}-{rut_peak[1]:02d} given by the request"
                f" (calendar shifted {shift:+d} days)",
            ),
        )
    region = region_for(lat, lon) if lon is not None else None
    if region is not None:
        shift = peak_shift_days(region.peak)
        return SeasonResult(
            shifted_phase(local_date, shift),
            (
                f"rut peak {region.peak[0]:02d}-{region.peak[1]:02d} for {region.name}"
                f" ({region.source}; calendar shifted {shift:+d} days)",
            ),
        )
    no_row = "no regional rut row covers this place: default calendar (peak Nov 10-22)"
    if lat >= 0.0:
        notes = (no_row,) if lon is not None else ()
        return SeasonResult(phase_for_month_day(local_date.month, local_date.day), notes)
    # Shift the month by six; comparing (month, day) tuples needs no valid calendar date.
    shifted = (local_date.month - 1 + SOUTHERN_SHIFT_MONTHS) % 12 + 1
    phase = phase_for_month_day(shifted, local_date.day)
    return SeasonResult(
        phase,
        ("southern hemisphere: rut calendar shifted by six months",)
        + ((no_row,) if lon is not None else ()),
    )


# Built for every prediction: stored through the slots' descriptors, not object.__setattr__
# (``deerstream.models.slot_init``: the same signature, half the cost).
slot_init(SeasonResult)
