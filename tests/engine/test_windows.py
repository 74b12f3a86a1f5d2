"""Hunt windows over the next 24 h (docs/how-prediction-works.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from deerstream.engine.solar import compute_solar_day
from deerstream.engine.weather import HourlyWeather
from deerstream.engine.windows import HourScore, merge_windows, scan_hours, wind_alignment
from deerstream.models.records import RutPhase, Stand
from tests.engine.builders import series

LAT, LON = 44.0, -72.0
START = datetime(2025, 10, 1, 4, 0, tzinfo=UTC)  # Vermont midnight, early season
H = timedelta(hours=1)


def _stand(wind_from: float) -> Stand:
    return Stand(LAT, LON, 0.0, 80.0, wind_from, "test")


def test_alignment() -> None:
    assert wind_alignment(315.0, [_stand(315.0)]) == pytest.approx(1.0)
    assert wind_alignment(135.0, [_stand(315.0)]) == pytest.approx(0.0)
    assert wind_alignment(135.0, [_stand(315.0), _stand(135.0)]) == pytest.approx(1.0)
    assert wind_alignment(None, [_stand(0.0)]) == 0.75
    assert wind_alignment(90.0, []) == 0.75


def test_only_legal_light_hours_are_scored_and_dawn_dusk_win() -> None:
    wx = HourlyWeather(series(START, before_h=24, after_h=30, wind_dir=lambda h: 315.0))
    hours = legal_hours(
        start=START,
        lat=LAT,
        lon=LON,
        phase=RutPhase.EARLY_SEASON,
        weather=wx,
        stands=[_stand(315.0)],
    )
    day = compute_solar_day(date(2025, 10, 1), LAT, LON)
    assert day.legal_start and day.legal_end
    lo, hi = day.legal_start.timestamp(), day.legal_end.timestamp()
    eps = 1e-3  # float seconds vs. datetime microseconds
    assert all(lo - eps <= h.start_ts < h.end_ts <= hi + eps for h in hours)
    windows = merge_windows(hours)
    assert len(windows) == 2
    # Early season: dawn and dusk windows, nothing at midday.
    assert {t for w in windows for t in w.triggers} >= {
        "dawn",
        "dusk",
        "legal_light",
        "stable_thermals",
    }
    # The dawn window opens at legal light, on the first whole second inside it.
    starts = [(w.start - day.legal_start).total_seconds() for w in windows]
    assert 0.0 <= min(starts) < 1.0
    assert all(w.start.microsecond == 0 and w.end.microsecond == 0 for w in windows)
    for w in windows:
        assert 0.0 <= w.score <= 10.0


def test_windows_are_the_peaks_of_each_day_ranked_by_worth() -> None:
    t = START
    ts = t.timestamp()
    h = 3600.0
    hours = [
        HourScore(ts, ts + h, 8.0, ("a",), day=1),  # within 1.5 of the day's peak (9.0)
        HourScore(ts + h, ts + 2 * h, 9.0, ("b",), day=1),
        HourScore(ts + 2 * h, ts + 3 * h, 6.0, (), day=1),  # a moderate hour: not a peak
        HourScore(ts + 3 * h, ts + 4 * h, 9.0, ("c",), day=1),
        HourScore(ts + 4 * h, ts + 4 * h + 120, 9.0, ("sliver",), day=1),  # two minutes
        HourScore(ts + 7 * h, ts + 8 * h, 5.5, (), day=2),  # day 2's peak, above 5
        HourScore(ts + 8 * h, ts + 9 * h, 4.0, (), day=2),
    ]
    windows = merge_windows(hours)
    assert [(w.start, w.end, w.score) for w in windows] == [
        (t, t + 2 * H, 9.0),  # two good hours are worth more than one
        (t + 3 * H, t + 4 * H + timedelta(seconds=120), 9.0),
        (t + 7 * H, t + 8 * H, 5.5),
    ]
    assert windows[0].triggers == ("a", "b")


def test_a_clipped_sliver_alone_is_never_a_window() -> None:
    ts = START.timestamp()
    hours = [
        HourScore(ts, ts + 600, 10.0, ("dusk",), day=1),  # 10 min left of legal light
        HourScore(ts + 3600, ts + 7200, 5.0, (), day=1),
    ]
    assert merge_windows(hours) == ()


def test_without_weather_no_cold_front_trigger() -> None:
    hours = legal_hours(
        start=START, lat=LAT, lon=LON, phase=RutPhase.PEAK_RUT, weather=None, stands=[]
    )
    assert hours and not any("cold_front" in h.triggers for h in hours)


def legal_hours(**kwargs: Any) -> list[HourScore]:
    """The legal-light hours of the scan: what windows are cut from."""
    return [h for h in scan_hours(**kwargs) if h.legal]
