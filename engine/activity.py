"""Activity level by time of day (docs/how-prediction-works.md) and its weather modifiers."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Final, NamedTuple

from deerstream.engine.season import RUT_PHASES
from deerstream.engine.solar import SolarDay
from deerstream.engine.weather import (
    HEAVY_PRECIP_MM_H,
    SUSTAINED_WIND_MS,
    TEMP_ANOMALY_HIGH_C,
    WeatherAt,
)
from deerstream.models.records import ActivityLevel, RutPhase

#: Numbers used for scoring each level (docs/how-prediction-works.md).
LEVEL_VALUES: Final = {ActivityLevel.LOW: 0.3, ActivityLevel.MODERATE: 0.6, ActivityLevel.HIGH: 1.0}
_ORDER: Final = (ActivityLevel.LOW, ActivityLevel.MODERATE, ActivityLevel.HIGH)
#: Dawn and dusk: within this long of sunrise or sunset.
TWILIGHT_HALF_WIDTH: Final = timedelta(minutes=90)
#: Midday: from this long after sunrise to this long before sunset.
MIDDAY_OFFSET: Final = timedelta(hours=3)
_TWILIGHT_S: Final = TWILIGHT_HALF_WIDTH.total_seconds()
_MIDDAY_S: Final = MIDDAY_OFFSET.total_seconds()
#: Outside the rut, activity is low between these local solar hours.
DEEP_NIGHT_HOURS = (0.0, 4.0)
#: Front strength above which activity is high; above the lower one, one level up.
FRONT_HIGH_STRENGTH: Final = 0.6
FRONT_UP_STRENGTH: Final = 0.3
#: Midday level by phase (low outside the rut, moderate around it, high in it).
MIDDAY_LEVELS: Final = {
    RutPhase.PRE_RUT: ActivityLevel.MODERATE,
    RutPhase.POST_RUT: ActivityLevel.MODERATE,
    RutPhase.SEEKING: ActivityLevel.HIGH,
    RutPhase.PEAK_RUT: ActivityLevel.HIGH,
}


class DayPeriod(enum.StrEnum):
    """Where a time falls in the solar day."""

    DAWN = "dawn"
    MORNING = "morning"  # between dawn and midday
    MIDDAY = "midday"
    AFTERNOON = "afternoon"  # between midday and dusk
    DUSK = "dusk"
    NIGHT = "night"


def level_rank(level: ActivityLevel) -> int:
    """0 for low, 1 for moderate, 2 for high."""
    return _ORDER.index(level)


class Modifier(NamedTuple):
    """One weather modifier that changed the level (from ``before`` to ``after``)."""

    name: str
    value: str
    before: ActivityLevel
    after: ActivityLevel


def classify_period(when: datetime, day: SolarDay) -> DayPeriod:
    """The period of ``when`` within its solar day (polar day → midday, polar night → night)."""
    return classify_period_ts(when.timestamp(), day)


def classify_period_ts(ts: float, day: SolarDay) -> DayPeriod:
    """``classify_period`` for a POSIX timestamp (the hour-by-hour scan's fast path)."""
    rise, set_ = day.sunrise_ts, day.sunset_ts
    if rise is None or set_ is None:
        return DayPeriod.MIDDAY if day.polar == "day" else DayPeriod.NIGHT
    if abs(ts - rise) <= _TWILIGHT_S:
        return DayPeriod.DAWN
    if abs(ts - set_) <= _TWILIGHT_S:
        return DayPeriod.DUSK
    if ts < rise or ts > set_:
        return DayPeriod.NIGHT
    if ts < rise + _MIDDAY_S:
        return DayPeriod.MORNING
    if ts > set_ - _MIDDAY_S:
        return DayPeriod.AFTERNOON
    return DayPeriod.MIDDAY


def base_activity(period: DayPeriod, phase: RutPhase, solar_hour: float) -> ActivityLevel:
    """Activity before weather: crepuscular peaks, phase-dependent midday, quiet deep night."""
    if period in (DayPeriod.DAWN, DayPeriod.DUSK):
        return ActivityLevel.HIGH
    midday = MIDDAY_LEVELS.get(phase, ActivityLevel.LOW)
    if period is DayPeriod.MIDDAY:
        return midday
    if period in (DayPeriod.MORNING, DayPeriod.AFTERNOON):
        # The shoulders between twilight and midday: at least moderate, as busy as midday.
        return ActivityLevel.HIGH if midday is ActivityLevel.HIGH else ActivityLevel.MODERATE
    lo, hi = DEEP_NIGHT_HOURS
    if phase not in RUT_PHASES and lo <= solar_hour < hi:
        return ActivityLevel.LOW
    return ActivityLevel.MODERATE


def _shift(level: ActivityLevel, steps: int) -> ActivityLevel:
    i = min(len(_ORDER) - 1, max(0, _ORDER.index(level) + steps))
    return _ORDER[i]


def apply_weather(
    base: ActivityLevel, period: DayPeriod, wx: WeatherAt | None
) -> tuple[ActivityLevel, tuple[Modifier, ...]]:
    """Apply the weather modifiers in a fixed order; returns the trail."""
    if wx is None:
        return base, ()
    mods: list[Modifier] = []
    level = base
    strength = wx.front.strength if wx.front.detected else 0.0
    if strength > FRONT_HIGH_STRENGTH:
        level = _record(mods, "cold_front", f"strength {strength:.2f}", level, ActivityLevel.HIGH)
    elif strength >= FRONT_UP_STRENGTH:
        level = _record(mods, "cold_front", f"strength {strength:.2f}", level, _shift(level, 1))
    if period is DayPeriod.MIDDAY and wx.stable_high and _ORDER.index(level) > _ORDER.index(base):
        # Only worth naming when it undoes a rise: otherwise midday simply stays as it is.
        level = _record(
            mods, "stable_high_pressure", f"{wx.pressure_hpa:.1f} hPa, steady", level, base
        )
    if wx.sustained_wind_ms is not None and wx.sustained_wind_ms > SUSTAINED_WIND_MS:
        value = f"{wx.sustained_wind_ms:.1f} m/s sustained"
        level = _record(mods, "strong_wind", value, level, _shift(level, -1))
    if wx.precipitation_mm is not None and wx.precipitation_mm >= HEAVY_PRECIP_MM_H:
        value = f"{wx.precipitation_mm:.1f} mm/h"
        level = _record(mods, "heavy_precipitation", value, level, _shift(level, -1))
    if wx.temp_anomaly_c is not None and wx.temp_anomaly_c >= TEMP_ANOMALY_HIGH_C:
        value = f"{wx.temp_anomaly_c:+.1f} °C vs seasonal normal"
        level = _record(mods, "heat", value, level, _shift(level, -1))
    return level, tuple(mods)


_RANK: Final = {level: i for i, level in enumerate(_ORDER)}


def weather_level(base: ActivityLevel, period: DayPeriod, wx: WeatherAt | None) -> ActivityLevel:
    """The level ``apply_weather`` ends at, without building its trail (the hourly scan
    needs only the level): the same modifiers in the same order, on ranks."""
    if wx is None:
        return base
    rank = start = _RANK[base]
    top = len(_ORDER) - 1
    front = wx.front
    strength = front.strength if front.detected else 0.0
    if strength > FRONT_HIGH_STRENGTH:
        rank = top
    elif strength >= FRONT_UP_STRENGTH:
        rank = min(top, rank + 1)
    if period is DayPeriod.MIDDAY and rank > start and wx.stable_high:
        rank = start
    # Each lowering modifier steps one level down, never below the lowest.
    if wx.sustained_wind_ms is not None and wx.sustained_wind_ms > SUSTAINED_WIND_MS:
        rank -= 1 if rank > 0 else 0
    if wx.precipitation_mm is not None and wx.precipitation_mm >= HEAVY_PRECIP_MM_H:
        rank -= 1 if rank > 0 else 0
    if wx.temp_anomaly_c is not None and wx.temp_anomaly_c >= TEMP_ANOMALY_HIGH_C:
        rank -= 1 if rank > 0 else 0
    return _ORDER[rank]


def _record(
    mods: list[Modifier], name: str, value: str, before: ActivityLevel, after: ActivityLevel
) -> ActivityLevel:
    """Record a modifier that applies (even when the level is already at its bound, so the
    explanation still names it); return the new level."""
    mods.append(Modifier(name, value, before, after))
    return after
