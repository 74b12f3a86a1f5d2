"""Weather around the target hour: trends, the one cold front, gaps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.engine.weather import (
    FRONT_LOW_PRESSURE_HPA,
    FRONT_MAX_TEMP_C,
    FRONT_TEMP_DROP_C,
    STABLE_HIGH_PRESSURE_HPA,
    SUSTAINED_WIND_MS,
    TREND_HPA,
    HourlyWeather,
    applicable_rise,
    classify_trend,
    detect_cold_front,
    front_strength,
)
from tests.engine.builders import series

T = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)


def test_imperial_thresholds_are_converted_once_to_si() -> None:
    assert FRONT_MAX_TEMP_C == pytest.approx(15.56, abs=0.01)  # 60 °F
    assert FRONT_TEMP_DROP_C == pytest.approx(5.56, abs=0.01)  # 10 °F
    assert FRONT_LOW_PRESSURE_HPA == pytest.approx(1012.5, abs=0.1)  # 29.9 inHg
    assert STABLE_HIGH_PRESSURE_HPA == pytest.approx(1019.3, abs=0.1)  # 30.1 inHg
    assert SUSTAINED_WIND_MS == pytest.approx(6.7, abs=0.01)  # 15 mph


@pytest.mark.parametrize(
    ("trend", "cls"),
    [
        (-3.5, "falling_fast"),
        (-3.3, "falling"),
        (-1.8, "falling"),
        (-1.6, "steady"),
        (0.0, "steady"),
        (1.6, "steady"),
        (1.8, "rising"),
        (3.3, "rising"),
        (3.5, "rising_fast"),
    ],
)
def test_pressure_trend_classes(trend: float, cls: str) -> None:
    assert classify_trend(trend) == cls


@pytest.mark.parametrize(
    ("temp", "p", "trend", "drop", "rise", "detected"),
    [
        (10.0, 1008.0, -2.0, 0.0, 0.0, True),  # low and falling
        (10.0, 1008.0, -1.0, 0.0, 0.0, False),  # low but only steady
        (10.0, 1014.0, -2.5, 0.0, 0.0, False),  # falling but not low
        (10.0, 1016.0, 0.0, 6.0, 0.0, True),  # 24 h temperature drop
        (10.0, 1016.0, 0.0, 5.0, 0.0, False),
        (10.0, 1016.0, 2.0, 0.0, 6.0, True),  # rise after a low
        (10.0, 1016.0, 2.0, 0.0, 4.0, False),
        (10.0, 1016.0, -2.0, 0.0, 6.0, False),  # above a low but falling again: not a rise
        (10.0, 1016.0, 1.0, 0.0, 6.0, False),  # above a low but steady: not a rise
        (10.0, 1016.0, None, 0.0, 6.0, False),  # trend unknown: the rise cannot be told
        (16.0, 1000.0, -5.0, 10.0, 10.0, False),  # too warm: never a front
        (None, 1000.0, -5.0, 10.0, 10.0, False),  # unknown temperature: not a front
        (10.0, None, None, None, None, False),  # nothing known: not a front
    ],
)
def test_cold_front_definition(
    temp: float | None,
    p: float | None,
    trend: float | None,
    drop: float | None,
    rise: float | None,
    detected: bool,
) -> None:
    front = detect_cold_front(temp, p, trend, drop, rise)
    assert front.detected is detected
    assert 0.0 <= front.strength <= 1.0
    if not detected:
        assert front.strength == 0.0 and front.reasons == ()


def test_strength_formula_values() -> None:
    assert front_strength(0.0, 0.0, 1020.0, 0.0) == 0.0
    assert front_strength(-6.8, 11.2, 990.0, 10.0) == 1.0
    # 0.35 × (3.4/6.8) + 0.35 × (5.56/11.1): half of each of the first two terms.
    assert front_strength(-3.4, 5.5556, 1013.0, 0.0) == pytest.approx(0.35, abs=0.01)


def test_the_post_low_rise_counts_only_while_rising() -> None:
    # A fast fall 8 hPa above the 24 h low: the height above the low adds no strength.
    falling = detect_cold_front(10.0, 1008.0, -7.0, 0.0, 8.0)
    assert falling.detected and falling.reasons == ("low and falling pressure",)
    assert falling.strength == front_strength(-7.0, 0.0, 1008.0, None)
    rising = detect_cold_front(10.0, 1016.0, 3.0, 0.0, 8.0)
    assert rising.reasons == ("pressure rising after a low",)
    assert rising.strength == front_strength(3.0, 0.0, 1016.0, 8.0)
    assert applicable_rise(TREND_HPA, 8.0) is None and applicable_rise(1.71, 8.0) == 8.0


opt = st.one_of(st.none(), st.floats(-20, 20))


@settings(max_examples=300, deadline=None)
@given(
    trend=st.floats(-12, 6),
    drop=st.floats(-5, 20),
    p=st.floats(970, 1040),
    rise=st.floats(0, 15),
    d=st.floats(0, 5),
    which=st.integers(0, 3),
)
def test_strength_is_monotonic(
    trend: float, drop: float, p: float, rise: float, d: float, which: int
) -> None:
    base = front_strength(trend, drop, p, rise)
    stronger = [
        front_strength(trend - d, drop, p, rise),  # faster fall
        front_strength(trend, drop + d, p, rise),  # bigger drop
        front_strength(trend, drop, p - d, rise),  # lower pressure
        front_strength(trend, drop, p, rise + d),  # bigger post-low rise
    ][which]
    assert 0.0 <= base <= stronger <= 1.0


def test_trend_is_taken_at_the_target_hour_not_the_end_of_the_series() -> None:
    # Falling 0.5 hPa/h up to the target, then rising fast until the series ends.
    s = series(T, pressure=lambda h: 1010.0 - 0.5 * h if h <= 0 else 1010.0 + 1.0 * h)
    facts = HourlyWeather(s).facts_at(T)
    assert facts is not None
    assert facts.trend_6h_hpa == pytest.approx(-3.0)
    assert facts.trend_class == "falling"


def test_temperature_drop_compares_the_same_hour_yesterday() -> None:
    s = series(T, temp=lambda h: 12.0 if h <= -24 else 4.0)
    facts = HourlyWeather(s).facts_at(T)
    assert facts is not None and facts.temp_drop_24h_c == pytest.approx(8.0)
    assert facts.front.detected and "temperature drop over 24 h" in facts.front.reasons


def test_rise_after_a_low_detects_a_passed_front() -> None:
    s = series(T, temp=lambda h: 6.0, pressure=lambda h: 1004.0 + max(0, h + 12) * 0.6)
    facts = HourlyWeather(s).facts_at(T)
    assert facts is not None and facts.rise_after_low_hpa == pytest.approx(7.2)
    assert facts.front.detected and "pressure rising after a low" in facts.front.reasons


def test_missing_values_stay_missing() -> None:
    s = series(T, pressure=lambda h: None if h == -6 else 1010.0, temp=lambda h: None)
    facts = HourlyWeather(s).facts_at(T)
    assert facts is not None
    assert facts.trend_6h_hpa is None and facts.trend_class is None
    assert facts.temperature_c is None and facts.temp_drop_24h_c is None
    assert facts.front.detected is False


def test_short_series_computes_what_it_can() -> None:
    s = series(T, before_h=2, after_h=2)
    facts = HourlyWeather(s).facts_at(T)
    assert facts is not None
    assert facts.pressure_hpa == 1015.0 and facts.wind_speed_ms == 2.0
    assert facts.trend_6h_hpa is None and facts.temp_drop_24h_c is None
    assert facts.temp_anomaly_c is None  # fewer than 12 h of temperatures
    assert HourlyWeather(s).facts_at(T + timedelta(hours=5)) is None


def test_gaps_are_not_bridged() -> None:
    s = series(T, pressure=lambda h: 1000.0 + h)
    keep = [i for i, t in enumerate(s.times) if t != T - timedelta(hours=6)]
    gappy = replace(
        s,
        times=tuple(s.times[i] for i in keep),
        temperature_c=tuple(s.temperature_c[i] for i in keep),
        pressure_msl_hpa=tuple(s.pressure_msl_hpa[i] for i in keep),
        wind_speed_ms=tuple(s.wind_speed_ms[i] for i in keep),
        wind_direction_deg=tuple(s.wind_direction_deg[i] for i in keep),
        wind_gusts_ms=tuple(s.wind_gusts_ms[i] for i in keep),
        precipitation_mm=tuple(s.precipitation_mm[i] for i in keep),
        snow_depth_m=tuple(s.snow_depth_m[i] for i in keep),
    )
    facts = HourlyWeather(gappy).facts_at(T)
    assert facts is not None and facts.trend_6h_hpa is None


def test_sustained_wind_and_heat_anomaly() -> None:
    s = series(T, wind=lambda h: 8.0 if -1 <= h <= 1 else 1.0, temp=lambda h: 25.0)
    facts = HourlyWeather(s).facts_at(T)
    assert facts is not None
    assert facts.sustained_wind_ms == pytest.approx(8.0)
    # 25 °C in mid-November at 44° N is far above the ~0 °C normal.
    assert facts.temp_anomaly_c is not None and facts.temp_anomaly_c > 11.1


def test_stable_high_pressure() -> None:
    facts = HourlyWeather(series(T, pressure=lambda h: 1024.0)).facts_at(T)
    assert facts is not None and facts.stable_high
    facts = HourlyWeather(series(T, pressure=lambda h: 1024.0 + 0.5 * h)).facts_at(T)
    assert facts is not None and not facts.stable_high


def test_next_winds_listed_hour_by_hour() -> None:
    s = series(T, wind_dir=lambda h: None if h == 3 else 90.0 + h)
    winds = HourlyWeather(s).winds_between(T, 24)
    assert len(winds) == 23
    assert winds[0] == (2.0, 90.0)


def _nearest_hour_by_datetime(when: datetime) -> datetime:
    """The nearest whole hour by datetime arithmetic (half past rounds up): the reference
    the index arithmetic on timestamps must agree with."""
    utc = when.astimezone(UTC)
    floor = utc.replace(minute=0, second=0, microsecond=0)
    return floor + timedelta(hours=1) if utc - floor >= timedelta(minutes=30) else floor


@given(
    st.datetimes(
        min_value=datetime(1950, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-6)), timezone(timedelta(hours=5, minutes=30))]
        ),
    )
)
@settings(max_examples=400, deadline=None)
def test_the_hour_index_is_the_nearest_hour(when: datetime) -> None:
    hourly = HourlyWeather(series(T))
    expected = _nearest_hour_by_datetime(when)
    offset = hourly.hour_offset(when)
    assert T - timedelta(hours=24) + timedelta(hours=offset) == expected


@pytest.mark.parametrize(
    ("minute", "second", "micro", "after"),
    [(29, 59, 999_999, 0), (30, 0, 0, 1), (0, 0, 0, 0), (59, 59, 999_999, 1), (30, 0, 1, 1)],
)
def test_the_hour_index_rounds_at_half_past_exactly(
    minute: int, second: int, micro: int, after: int
) -> None:
    hourly = HourlyWeather(series(T))
    for base in (T, datetime(1960, 3, 1, 4, tzinfo=UTC)):
        when = base.replace(minute=minute, second=second, microsecond=micro)
        assert hourly.hour_offset(when) - hourly.hour_offset(base) == after
