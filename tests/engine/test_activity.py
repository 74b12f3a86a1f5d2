"""Activity by time of day (docs/how-prediction-works.md) and its weather modifiers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.engine.activity import (
    LEVEL_VALUES,
    DayPeriod,
    apply_weather,
    base_activity,
    classify_period,
    weather_level,
)
from deerstream.engine.solar import compute_solar_day
from deerstream.engine.weather import NO_FRONT, ColdFront, WeatherAt
from deerstream.models.records import ActivityLevel as L
from deerstream.models.records import RutPhase as P

DAY = compute_solar_day(date(2025, 11, 15), 44.0, -72.0)
assert DAY.sunrise and DAY.sunset
RISE, SET = DAY.sunrise, DAY.sunset
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("when", "period"),
    [
        (RISE - 90 * M, DayPeriod.DAWN),
        (RISE, DayPeriod.DAWN),
        (RISE + 90 * M, DayPeriod.DAWN),
        (RISE - 91 * M, DayPeriod.NIGHT),
        (RISE + 91 * M, DayPeriod.MORNING),
        (RISE + 180 * M, DayPeriod.MIDDAY),
        (SET - 180 * M, DayPeriod.MIDDAY),
        (SET - 179 * M, DayPeriod.AFTERNOON),
        (SET - 89 * M, DayPeriod.DUSK),
        (SET + 90 * M, DayPeriod.DUSK),
        (SET + 91 * M, DayPeriod.NIGHT),
    ],
)
def test_periods_follow_sunrise_and_sunset(when: datetime, period: DayPeriod) -> None:
    assert classify_period(when, DAY) is period


@pytest.mark.parametrize(
    ("period", "phase", "hour", "level"),
    [
        (DayPeriod.DAWN, P.EARLY_SEASON, 6.5, L.HIGH),
        (DayPeriod.DUSK, P.OFF_SEASON, 17.0, L.HIGH),
        (DayPeriod.MIDDAY, P.EARLY_SEASON, 12.0, L.LOW),
        (DayPeriod.MIDDAY, P.LATE_SEASON, 12.0, L.LOW),
        (DayPeriod.MIDDAY, P.PRE_RUT, 12.0, L.MODERATE),
        (DayPeriod.MIDDAY, P.POST_RUT, 12.0, L.MODERATE),
        (DayPeriod.MIDDAY, P.SEEKING, 12.0, L.HIGH),
        (DayPeriod.MIDDAY, P.PEAK_RUT, 12.0, L.HIGH),
        (DayPeriod.MORNING, P.EARLY_SEASON, 9.0, L.MODERATE),
        (DayPeriod.AFTERNOON, P.PEAK_RUT, 14.5, L.HIGH),
        (DayPeriod.NIGHT, P.EARLY_SEASON, 22.0, L.MODERATE),
        (DayPeriod.NIGHT, P.EARLY_SEASON, 2.0, L.LOW),
        (DayPeriod.NIGHT, P.LATE_SEASON, 3.99, L.LOW),
        (DayPeriod.NIGHT, P.LATE_SEASON, 4.0, L.MODERATE),
        (DayPeriod.NIGHT, P.PEAK_RUT, 2.0, L.MODERATE),
    ],
)
def test_base_activity_table(period: DayPeriod, phase: P, hour: float, level: L) -> None:
    assert base_activity(period, phase, hour) is level


def test_level_numbers() -> None:
    assert LEVEL_VALUES == {L.LOW: 0.3, L.MODERATE: 0.6, L.HIGH: 1.0}


def wx(
    *,
    front: float | None = None,
    pressure: float | None = 1015.0,
    trend: float | None = 0.0,
    wind: float | None = 2.0,
    precip: float | None = 0.0,
    anomaly: float | None = 0.0,
) -> WeatherAt:
    cf = NO_FRONT if front is None else ColdFront(True, front, ("test",))
    return WeatherAt(5.0, pressure, trend, None, None, None, wind, wind, 270.0, precip, anomaly, cf)


@pytest.mark.parametrize(
    ("base", "period", "weather", "level", "names"),
    [
        (L.LOW, DayPeriod.MIDDAY, wx(front=0.7), L.HIGH, ["cold_front"]),
        (L.LOW, DayPeriod.MIDDAY, wx(front=0.45), L.MODERATE, ["cold_front"]),
        (L.LOW, DayPeriod.MIDDAY, wx(front=0.2), L.LOW, []),
        (L.MODERATE, DayPeriod.NIGHT, wx(front=0.3), L.HIGH, ["cold_front"]),
        (L.HIGH, DayPeriod.DAWN, wx(front=0.45), L.HIGH, ["cold_front"]),  # already high
        # Stable high pressure keeps midday at its base level even with a mild front.
        (L.LOW, DayPeriod.MIDDAY, wx(front=0.45, pressure=1022.0, trend=0.5), L.LOW,
         ["cold_front", "stable_high_pressure"]),
        (L.LOW, DayPeriod.DAWN, wx(front=0.45, pressure=1022.0, trend=0.5), L.MODERATE,
         ["cold_front"]),
        (L.HIGH, DayPeriod.DAWN, wx(wind=7.0), L.MODERATE, ["strong_wind"]),
        (L.HIGH, DayPeriod.DAWN, wx(wind=6.6), L.HIGH, []),
        (L.HIGH, DayPeriod.DAWN, wx(precip=8.0), L.MODERATE, ["heavy_precipitation"]),
        (L.HIGH, DayPeriod.DAWN, wx(anomaly=12.0), L.MODERATE, ["heat"]),
        (L.HIGH, DayPeriod.DAWN, wx(wind=8.0, precip=9.0, anomaly=15.0), L.LOW,
         ["strong_wind", "heavy_precipitation", "heat"]),  # named even at the floor
        (L.LOW, DayPeriod.NIGHT, wx(wind=9.0), L.LOW, ["strong_wind"]),
        (L.HIGH, DayPeriod.DAWN, wx(pressure=None, trend=None, wind=None, precip=None,
                                    anomaly=None), L.HIGH, []),
    ],
)  # fmt: skip
def test_weather_modifiers_table(
    base: L, period: DayPeriod, weather: WeatherAt, level: L, names: list[str]
) -> None:
    got, mods = apply_weather(base, period, weather)
    assert got is level
    assert [m.name for m in mods] == names
    assert weather_level(base, period, weather) is level


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(list(L)),
    period=st.sampled_from(list(DayPeriod)),
    front=st.none() | st.sampled_from([0.0, 0.3, 0.6]) | st.floats(0.0, 1.0),
    pressure=st.none() | st.sampled_from([1019.3, 1025.0]) | st.floats(990.0, 1040.0),
    trend=st.none() | st.sampled_from([-1.7, 1.7, 0.0]) | st.floats(-5.0, 5.0),
    wind=st.none() | st.floats(0.0, 12.0),
    precip=st.none() | st.floats(0.0, 12.0),
    anomaly=st.none() | st.floats(-15.0, 20.0),
)
def test_weather_level_is_the_level_apply_weather_ends_at(
    base: L,
    period: DayPeriod,
    front: float | None,
    pressure: float | None,
    trend: float | None,
    wind: float | None,
    precip: float | None,
    anomaly: float | None,
) -> None:
    weather = wx(
        front=front, pressure=pressure, trend=trend, wind=wind, precip=precip, anomaly=anomaly
    )
    assert weather_level(base, period, weather) is apply_weather(base, period, weather)[0]
    assert weather_level(base, period, None) is base


def test_no_weather_no_modifiers() -> None:
    assert apply_weather(L.LOW, DayPeriod.MIDDAY, None) == (L.LOW, ())


@settings(max_examples=200, deadline=None)
@given(
    phase=st.sampled_from([p for p in P if p not in (P.SEEKING, P.PEAK_RUT)]),
    hour=st.floats(0, 24, exclude_max=True),
)
def test_dawn_and_dusk_at_least_midday_outside_the_rut(phase: P, hour: float) -> None:
    midday = LEVEL_VALUES[base_activity(DayPeriod.MIDDAY, phase, 12.0)]
    for period in (DayPeriod.DAWN, DayPeriod.DUSK):
        assert LEVEL_VALUES[base_activity(period, phase, hour)] >= midday
