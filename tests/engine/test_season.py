"""Rut phase from the local date and hemisphere (docs/how-prediction-works.md)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from deerstream.engine.rut_regions import RUT_REGIONS
from deerstream.engine.season import derive_rut_phase, phase_for_month_day
from deerstream.models.records import RutPhase as P

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


# --------------------------------------------------------------------------- regional rut

PHASE_LENGTHS = {  # days of each phase on the default calendar (excluding off_season)
    P.PRE_RUT: 15,
    P.SEEKING: 6,
    P.PEAK_RUT: 13,
    P.POST_RUT: 13,
}


def _run_lengths(lat: float, lon: float, **kw: object) -> tuple[dict[P, int], date]:
    """Days per phase over one season, and the middle day of peak_rut."""
    counts: dict[P, int] = {}
    peak_days = []
    day = date(2025, 8, 1)
    while day < date(2026, 7, 31):
        phase = derive_rut_phase(day, lat, None, lon=lon, **kw).phase  # type: ignore[arg-type]
        counts[phase] = counts.get(phase, 0) + 1
        if phase is P.PEAK_RUT:
            peak_days.append(day)
        day += timedelta(days=1)
    return counts, peak_days[len(peak_days) // 2]


def test_mississippi_peaks_around_new_year_by_the_regional_table() -> None:
    # Jackson, MS: Dye et al. 2008 put mean wild conception in Mississippi at 1 January.
    result = derive_rut_phase(date(2026, 1, 2), 32.3, None, lon=-90.2)
    assert result.phase is P.PEAK_RUT
    assert "Mississippi" in result.notes[0] and "Dye" in result.notes[0]
    assert derive_rut_phase(date(2025, 11, 16), 32.3, None, lon=-90.2).phase is P.EARLY_SEASON
    counts, middle = _run_lengths(32.3, -90.2)
    assert middle == date(2026, 1, 1)
    for phase, days in PHASE_LENGTHS.items():
        assert counts[phase] == days, phase  # the phases keep their lengths


def test_the_smallest_covering_region_wins() -> None:
    # Caesars Head, SC: inside both the South Carolina box and its mountains box.
    mountains = derive_rut_phase(date(2025, 12, 1), 35.1, None, lon=-82.6)
    assert "mountains" in mountains.notes[0] and mountains.phase is P.PEAK_RUT
    # Columbia, SC: the statewide row (average conception 30 October).
    assert derive_rut_phase(date(2025, 10, 30), 34.0, None, lon=-81.0).phase is P.PEAK_RUT


def test_a_place_no_row_covers_keeps_the_default_calendar_and_says_so() -> None:
    result = derive_rut_phase(date(2025, 11, 16), 46.0, None, lon=-89.5)  # northern WI
    assert result.phase is P.PEAK_RUT
    assert result.notes == (
        "no regional rut row covers this place: default calendar (peak Nov 10-22)",
    )


def test_the_requests_rut_peak_overrides_the_table_and_season_overrides_both() -> None:
    counts, middle = _run_lengths(32.3, -90.2, rut_peak=(12, 10))
    assert middle == date(2025, 12, 10)
    assert all(counts[p] == n for p, n in PHASE_LENGTHS.items())
    note = derive_rut_phase(date(2025, 12, 10), 32.3, None, lon=-90.2, rut_peak=(12, 10)).notes
    assert note == ("rut peak 12-10 given by the request (calendar shifted +24 days)",)
    seasoned = derive_rut_phase(
        date(2025, 12, 10), 32.3, P.LATE_SEASON, lon=-90.2, rut_peak=(12, 10)
    )
    assert seasoned.phase is P.LATE_SEASON


def test_a_rut_peak_across_the_year_end_and_on_29_february() -> None:
    assert derive_rut_phase(date(2026, 2, 1), 44.0, None, lon=0.0, rut_peak=(2, 1)).phase is (
        P.PEAK_RUT
    )
    assert derive_rut_phase(date(2028, 2, 29), 44.0, None, lon=0.0, rut_peak=(2, 29)).phase is (
        P.PEAK_RUT
    )


def test_every_regional_row_is_cited_in_the_docs() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "how-prediction-works.md").read_text()
    section = docs[docs.index("## Regional rut") :]
    for region in RUT_REGIONS:
        assert f"| {region.name} |" in section, region.name
        assert f"{region.peak[0]:02d}-{region.peak[1]:02d}" in section, region.name
