"""Hunt windows over the next 24 h (docs/how-prediction-works.md)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from deerstream.engine.activity import (
    LEVEL_VALUES,
    DayPeriod,
    apply_weather,
    base_activity,
    classify_period_ts,
)
from deerstream.engine.curve import movement_curve
from deerstream.engine.solar import LEGAL_LIGHT_MARGIN, SolarDay, compute_solar_day
from deerstream.engine.stands import STRONG_WIND_MS
from deerstream.engine.weather import HourlyWeather
from deerstream.engine.windows import (
    FRONT_MULTIPLIER,
    FRONT_TRIGGER_STRENGTH,
    THERMAL_MULTIPLIER,
    HourScore,
    merge_windows,
    scan_hours,
    utc_hhmm,
    wind_alignment,
)
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


def _reference_scan(
    start: datetime,
    lat: float,
    lon: float,
    phase: RutPhase,
    weather: HourlyWeather | None,
    stands: list[Stand],
    hours: int,
) -> list[HourScore]:
    """The scan written plainly, hour by hour, from the functions it unrolls
    (classify_period_ts, base_activity, apply_weather, movement_curve, wind_alignment)."""
    legal_s = LEGAL_LIGHT_MARGIN.total_seconds()
    slot0 = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    i0 = weather.hour_offset(slot0) if weather is not None else 0
    out = []
    for h in range(hours):
        slot_ts = slot0.timestamp() + h * 3600.0
        mid_ts = slot_ts + 1800.0
        local = datetime.fromtimestamp(mid_ts + lon * 240.0, UTC).date()
        day: SolarDay = compute_solar_day(local, lat, lon)
        if day.sunrise_ts is not None and day.sunset_ts is not None:
            legal_start = float(math.ceil(day.sunrise_ts - legal_s))
            legal_end = float(math.floor(day.sunset_ts + legal_s))
        elif day.polar == "day":
            legal_start, legal_end = slot_ts, slot_ts + 3600.0
        else:
            legal_start = legal_end = slot_ts
        hour_begin = max(slot_ts, start.timestamp())
        hour_end = slot_ts + 3600.0
        if hour_begin >= hour_end:
            continue
        begin_ts, end_ts = max(hour_begin, legal_start), min(hour_end, legal_end)
        legal = begin_ts < end_ts
        if not legal:
            begin_ts, end_ts = hour_begin, hour_end
        period = classify_period_ts(mid_ts, day)
        solar_hour = (12.0 + (mid_ts - day.noon_ts) / 3600.0) % 24.0
        wx = weather.facts_at_index(i0 + h) if weather is not None else None
        base = base_activity(period, phase, solar_hour)
        level, _ = apply_weather(base, period, wx)
        curve = movement_curve(
            phase,
            mid_ts,
            sunrise_ts=day.sunrise_ts,
            sunset_ts=day.sunset_ts,
            polar=day.polar,
            solar_hour=solar_hour,
        )
        twilight = period in (DayPeriod.DAWN, DayPeriod.DUSK)
        triggers = ["legal_light"] if legal else []
        mult = 1.0
        if wx is not None and wx.front.detected and wx.front.strength >= FRONT_TRIGGER_STRENGTH:
            triggers.append("cold_front")
            mult *= FRONT_MULTIPLIER
        if twilight and wx is not None and wx.wind_speed_ms is not None:
            if wx.wind_speed_ms <= STRONG_WIND_MS:
                triggers.append("stable_thermals")
                mult *= THERMAL_MULTIPLIER
        if twilight:
            triggers.append(period.value)
        wind_from = wx.wind_from_deg if wx is not None else None
        align, aligned = 0.75, -1
        if wind_from is not None and stands:
            # The scan converts each bearing to radians before the difference (the
            # stands' once), where wind_alignment takes radians of the difference.
            w = math.radians(wind_from)
            fits = [(1.0 + math.cos(w - math.radians(s.wind_from_deg))) / 2.0 for s in stands]
            align = max(fits)
            aligned = fits.index(align)
        weather_factor = LEVEL_VALUES[level] / LEVEL_VALUES[base]
        score = min(10.0, 10.0 * min(1.0, curve * weather_factor) * align * mult)
        out.append(
            HourScore(
                begin_ts,
                end_ts,
                score,
                tuple(triggers),
                day.day.toordinal(),
                legal,
                level,
                wind_from,
                wx.wind_speed_ms if wx is not None else None,
                day.sunrise_ts,
                day.sunset_ts,
                aligned,
            )
        )
    return out


@pytest.mark.parametrize(
    ("lat", "lon", "start", "phase"),
    [
        (44.0, -72.0, datetime(2025, 11, 15, 11, 45, 17, tzinfo=UTC), RutPhase.PEAK_RUT),
        (44.0, -72.0, datetime(2025, 10, 1, 4, 0, tzinfo=UTC), RutPhase.EARLY_SEASON),
        (-38.0, 145.0, datetime(2025, 4, 20, 22, 15, tzinfo=UTC), RutPhase.SEEKING),
        (51.0, -179.98, datetime(2025, 12, 10, 0, 0, tzinfo=UTC), RutPhase.POST_RUT),
        (-41.0, 179.97, datetime(2025, 6, 21, 13, 5, tzinfo=UTC), RutPhase.OFF_SEASON),
        (69.6, 18.9, datetime(2025, 12, 21, 10, 0, tzinfo=UTC), RutPhase.LATE_SEASON),
        (78.2, 15.6, datetime(2025, 6, 21, 16, 47, tzinfo=UTC), RutPhase.PRE_RUT),
        (66.5, 25.7, datetime(2025, 3, 20, 5, 30, tzinfo=UTC), RutPhase.PEAK_RUT),
    ],
)
@pytest.mark.parametrize("with_weather", [True, False])
def test_scan_matches_the_plain_hour_by_hour_reference(
    lat: float, lon: float, start: datetime, phase: RutPhase, with_weather: bool
) -> None:
    """The unrolled scan gives exactly (bit for bit) what the plain functions give."""
    weather = (
        HourlyWeather(
            series(
                start,
                before_h=24,
                after_h=80,
                lat=lat,
                lon=lon,
                temp=lambda h: 10.0 - 0.3 * h if h < 30 else None if h == 40 else 2.0,
                pressure=lambda h: 1012.0 - 0.8 * h if h < 12 else 1000.0 + 0.9 * (h - 12),
                wind=lambda h: None if h == 7 else 1.0 + (h % 9) * 0.9,
                wind_dir=lambda h: (h * 37.0) % 360.0,
                precip=lambda h: 9.0 if h % 13 == 0 else 0.0,
            )
        )
        if with_weather
        else None
    )
    stands = [_stand(0.0), _stand(135.0), _stand(250.0)]
    for n in (1, 24, 72):
        got = scan_hours(
            start=start, lat=lat, lon=lon, phase=phase, weather=weather, stands=stands, hours=n
        )
        want = _reference_scan(start, lat, lon, phase, weather, stands, n)
        assert got == want
    assert scan_hours(
        start=start, lat=lat, lon=lon, phase=phase, weather=weather, stands=[], hours=24
    ) == _reference_scan(start, lat, lon, phase, weather, [], 24)


def _dawn(ts: float, day: int, peak: float, shoulder: float = 0.5) -> list[HourScore]:
    """A two-hour dawn peak starting at ``ts``: an hour ``shoulder`` below the peak, then it."""
    h = 3600.0
    return [
        HourScore(ts, ts + h, peak - shoulder, ("dawn",), day=day),
        HourScore(ts + h, ts + 2 * h, peak, ("dawn",), day=day),
    ]


def test_of_near_equal_windows_on_consecutive_days_the_sooner_ranks_first() -> None:
    # The field report: tomorrow's dawn (9.02 / 10.0 / 9.23) fell out of a 48 h forecast
    # behind the next day's (8.95 / 10.0 / 9.27), a worth difference of about 1 %.
    ts = START.timestamp()
    day_s = 86400.0
    first = _dawn(ts + 3600.0, 1, 10.0)  # worth 1.1 + 1.6 = 2.7 above its 8.5 threshold
    second = _dawn(ts + 3600.0 + day_s, 2, 10.0, shoulder=0.45)  # 2.75: 2 % more, a day later
    assert [w.start for w in merge_windows(first + second, count=1)] == [START + timedelta(hours=1)]
    assert [w.start for w in merge_windows(first + second)] == [
        START + timedelta(hours=1),
        START + timedelta(hours=1, days=1),
    ]


def test_a_clearly_better_later_window_still_outranks_a_sooner_one() -> None:
    ts = START.timestamp()
    day_s = 86400.0
    weak = _dawn(ts + 3600.0, 1, 6.0)  # worth 0.6 + 1.1 = 1.7 above 5.0, against 2.7 x 0.9
    strong = _dawn(ts + 3600.0 + day_s, 2, 10.0)
    windows = merge_windows(weak + strong, count=1)
    assert [w.start for w in windows] == [START + timedelta(hours=1, days=1)]


def test_utc_hhmm_reads_like_the_datetime_it_replaces() -> None:
    """The windows' reason prints the peak's UTC time by arithmetic; it must agree with
    formatting the datetime, also a hair either side of a minute (microsecond rounding)."""
    base = datetime(2026, 12, 3, 11, 59, tzinfo=UTC).timestamp()
    offsets = [0.0, 59.0, 59.9999994, 59.9999995, 59.9999996, 60.0, 60.0000004, 86399.9999996]
    stamps = [base + d for d in offsets] + [1_700_000_000 + k * 97.123457 for k in range(3000)]
    for ts in stamps:
        assert utc_hhmm(ts) == f"{datetime.fromtimestamp(ts, UTC):%H:%M}", ts
