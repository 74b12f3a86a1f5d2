"""Weather at an hour of the series (docs/how-prediction-works.md): trends, the cold front, wind.

Everything is read *around the hour asked for* (never from the end of the series) and
from sea-level pressure (``pressure_msl``), never surface pressure. A value the series
does not have stays ``None``: nothing here invents weather, and a condition that cannot
be evaluated is simply not met.

The cold front (one definition, used everywhere: ``detect_cold_front``). Temperature
≤ 15.5 °C and any of:

* low and falling: pressure < 1012.5 hPa and the 6 h trend < −1.7 hPa ("falling" or faster);
* a temperature drop ≥ 5.5 °C against the same hour yesterday;
* rising after a low: the pressure is *rising* at the target hour — the 6 h trend > +1.7 hPa,
  the "rising" class, the mirror of "falling" above — and stands ≥ 5 hPa above a low
  (< 1012.5 hPa) of the past 24 h. While the pressure is steady or falling (trend ≤ +1.7 hPa,
  or unknown) this rule does not apply and its rise adds nothing to the strength: a
  rebound followed by a new fall is a falling (or no) front, not a passed one.

Strength (0..1, 0 when no front) = 0.35·fall + 0.35·drop + 0.15·low + 0.15·rise, each term
clamped to 0..1: fall = −trend₆ₕ / 6.8 hPa, drop = ΔT₂₄ₕ / 11.1 °C, low = (1012.5 − p) / 20
hPa, rise = post-low rise / 10 hPa, counted only while the rise-after-low rule applies.
Because the rise term only lives above +1.7 hPa/6 h, on a series whose pressure is not
rising at the target hour (trend ≤ 0) lowering the pressure at that hour and after (a deeper
fall) only raises the fall and low terms: the strength never drops and a front never
switches off. A bigger temperature drop likewise only raises the drop term. While the
pressure *is* rising, lowering it shrinks the post-frontal rise itself, so that evidence
(and the strength) legitimately weakens — there is no fall to deepen.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from typing import Final, NamedTuple, cast

from deerstream.engine.memo import record_memo
from deerstream.engine.units import (
    fahrenheit_delta_to_celsius,
    fahrenheit_to_celsius,
    inhg_to_hpa,
    mph_to_ms,
)
from deerstream.models.records import WeatherSeries

# Pressure-trend classes over 6 h (the docs quote 1.7/3.4 hPa = 0.05/0.10 inHg).
TREND_HOURS: Final = 6
TREND_FAST_HPA: Final = 3.4
TREND_HPA: Final = 1.7
# Cold front (one definition, used everywhere).
FRONT_MAX_TEMP_C: Final = fahrenheit_to_celsius(60.0)  # 15.56 °C (the docs: 15.5)
FRONT_LOW_PRESSURE_HPA: Final = inhg_to_hpa(29.9)  # 1012.5 hPa
FRONT_TEMP_DROP_C: Final = fahrenheit_delta_to_celsius(10.0)  # 5.56 °C (the docs: 5.5)
FRONT_RISE_AFTER_LOW_HPA: Final = 5.0
FRONT_LOOKBACK_HOURS: Final = 24
# Strength = weighted sum of saturating terms; each term grows with its driver.
STRENGTH_FALL_FULL_HPA: Final = 2.0 * TREND_FAST_HPA  # a 6.8 hPa/6 h fall saturates the term
STRENGTH_DROP_FULL_C: Final = fahrenheit_delta_to_celsius(20.0)  # an 11.1 °C drop saturates
STRENGTH_LOW_FULL_HPA: Final = 20.0  # 20 hPa below the low threshold saturates
STRENGTH_RISE_FULL_HPA: Final = 10.0  # a 10 hPa post-frontal rise saturates
STRENGTH_WEIGHTS = (0.35, 0.35, 0.15, 0.15)  # fall, drop, low, rise
# Other activity modifiers.
STABLE_HIGH_PRESSURE_HPA: Final = inhg_to_hpa(30.1)  # 1019.3 hPa (the docs: 1019)
SUSTAINED_WIND_MS: Final = mph_to_ms(15.0)  # 6.7 m/s
SUSTAINED_WIND_HALF_HOURS: Final = 1  # mean over target hour ±1 h
HEAVY_PRECIP_MM_H: Final = 0.3 * 25.4  # 0.3 in/h = 7.6 mm/h (AMS "heavy rain")
TEMP_ANOMALY_HIGH_C: Final = fahrenheit_delta_to_celsius(20.0)  # "far above" = 20 °F above normal
ANOMALY_HALF_WINDOW_H: Final = 12
ANOMALY_MIN_HOURS: Final = 12
# Coarse climatological normal of the daily mean temperature (no climate data is fetched):
# annual mean falls with latitude, seasonal swing grows with it, peak ~Jul 20 in the north.
NORMAL_MEAN_MAX_C: Final = 27.0
NORMAL_MEAN_AT_EQUATOR_C: Final = 37.0
NORMAL_MEAN_PER_DEG_C: Final = 0.7
NORMAL_AMPLITUDE_PER_DEG_C: Final = 0.3
NORMAL_PEAK_DAY_OF_YEAR: Final = 200


class ColdFront(NamedTuple):
    """The one cold-front verdict. ``strength`` is 0 when ``detected`` is false."""

    detected: bool
    strength: float
    reasons: tuple[str, ...]


NO_FRONT: Final = ColdFront(False, 0.0, ())


class WeatherAt(NamedTuple):
    """Weather facts at one hour. ``None`` = the series could not tell."""

    temperature_c: float | None
    pressure_hpa: float | None
    trend_6h_hpa: float | None
    trend_class: str | None
    temp_drop_24h_c: float | None
    rise_after_low_hpa: float | None  # height above the 24 h low; counts only while rising
    wind_speed_ms: float | None
    sustained_wind_ms: float | None
    wind_from_deg: float | None
    precipitation_mm: float | None
    temp_anomaly_c: float | None
    front: ColdFront

    @property
    def stable_high(self) -> bool:
        """Stable high pressure: > 1019 hPa with |6 h trend| < 1.7 hPa."""
        return (
            self.pressure_hpa is not None
            and self.trend_6h_hpa is not None
            and self.pressure_hpa > STABLE_HIGH_PRESSURE_HPA
            and abs(self.trend_6h_hpa) < TREND_HPA
        )


def classify_trend(trend_hpa: float) -> str:
    """The 6 h pressure-trend class: falling_fast, falling, steady, rising, rising_fast."""
    if trend_hpa < -TREND_FAST_HPA:
        return "falling_fast"
    if trend_hpa < -TREND_HPA:
        return "falling"
    if trend_hpa > TREND_FAST_HPA:
        return "rising_fast"
    if trend_hpa > TREND_HPA:
        return "rising"
    return "steady"


def _clamp01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def front_strength(
    trend_6h_hpa: float | None,
    temp_drop_24h_c: float | None,
    pressure_hpa: float | None,
    rise_after_low_hpa: float | None,
) -> float:
    """Cold-front strength 0..1 (only meaningful once a front is detected).

    strength = 0.35·fall + 0.35·drop + 0.15·low + 0.15·rise, where each term is clamped
    to 0..1: fall = −trend₆ₕ / 6.8 hPa, drop = ΔT₂₄ₕ / 11.1 °C, low = (1012.5 − p) / 20 hPa,
    rise = post-low rise / 10 hPa. Each term is non-decreasing in its driver, so the
    strength grows with the fall rate, the temperature drop and low absolute pressure.
    ``rise_after_low_hpa`` must be the rise that *applies* (``None`` unless the pressure is
    rising, see ``applicable_rise``); ``detect_cold_front`` passes exactly that.
    """
    w_fall, w_drop, w_low, w_rise = STRENGTH_WEIGHTS
    total = 0.0
    if trend_6h_hpa is not None:
        total += w_fall * _clamp01(-trend_6h_hpa / STRENGTH_FALL_FULL_HPA)
    if temp_drop_24h_c is not None:
        total += w_drop * _clamp01(temp_drop_24h_c / STRENGTH_DROP_FULL_C)
    if pressure_hpa is not None:
        total += w_low * _clamp01((FRONT_LOW_PRESSURE_HPA - pressure_hpa) / STRENGTH_LOW_FULL_HPA)
    if rise_after_low_hpa is not None:
        total += w_rise * _clamp01(rise_after_low_hpa / STRENGTH_RISE_FULL_HPA)
    return _clamp01(total)


def applicable_rise(trend_6h_hpa: float | None, rise_after_low_hpa: float | None) -> float | None:
    """The post-low rise, only while the pressure is rising (6 h trend > +1.7 hPa); else None.

    "Rising after a low" describes a front that has passed and the pressure climbing behind
    it: a height above the 24 h low while steady or falling again is not that.
    """
    if trend_6h_hpa is None or trend_6h_hpa <= TREND_HPA:
        return None
    return rise_after_low_hpa


def detect_cold_front(
    temperature_c: float | None,
    pressure_hpa: float | None,
    trend_6h_hpa: float | None,
    temp_drop_24h_c: float | None,
    rise_after_low_hpa: float | None,
) -> ColdFront:
    """The single cold-front definition (docs/how-prediction-works.md).

    Temperature ≤ 15.5 °C and any of: pressure < 1012.5 hPa and falling; a temperature drop
    ≥ 5.5 °C over 24 h; a pressure rise ≥ 5 hPa over 24 h after a low, while the pressure is
    rising (6 h trend > +1.7 hPa). ``rise_after_low_hpa`` is the height above the 24 h low;
    it counts (for the rule and the strength) only while rising.
    """
    if temperature_c is None or temperature_c > FRONT_MAX_TEMP_C:
        return NO_FRONT
    reasons: list[str] = []
    if (
        pressure_hpa is not None
        and trend_6h_hpa is not None
        and pressure_hpa < FRONT_LOW_PRESSURE_HPA
        and trend_6h_hpa < -TREND_HPA
    ):
        reasons.append("low and falling pressure")
    if temp_drop_24h_c is not None and temp_drop_24h_c >= FRONT_TEMP_DROP_C:
        reasons.append("temperature drop over 24 h")
    rise = applicable_rise(trend_6h_hpa, rise_after_low_hpa)
    if rise is not None and rise >= FRONT_RISE_AFTER_LOW_HPA:
        reasons.append("pressure rising after a low")
    if not reasons:
        return NO_FRONT
    strength = front_strength(trend_6h_hpa, temp_drop_24h_c, pressure_hpa, rise)
    return ColdFront(True, strength, tuple(reasons))


def normal_temperature_c(lat: float, day_of_year: int) -> float:
    """A coarse seasonal normal of the daily mean temperature at ``lat`` (°C)."""
    a = abs(lat)
    mean = min(NORMAL_MEAN_MAX_C, NORMAL_MEAN_AT_EQUATOR_C - NORMAL_MEAN_PER_DEG_C * a)
    phase = 2.0 * math.pi * (day_of_year - NORMAL_PEAK_DAY_OF_YEAR) / 365.25
    swing = NORMAL_AMPLITUDE_PER_DEG_C * a * math.cos(phase)
    return mean + (swing if lat >= 0.0 else -swing)


class HourlyWeather:
    """The series laid out on a dense hourly axis so facts at any hour are cheap slices.

    Hours the series lacks (gaps, unsorted or duplicate times) become ``None`` on the axis:
    a gap is missing data, never interpolated.
    """

    __slots__ = (
        "_cache",
        "_first",
        "_n",
        "_normal",
        "_p",
        "_precip",
        "_t",
        "_wd",
        "_ws",
        "series",
    )

    def __init__(self, series: WeatherSeries) -> None:
        self.series = series
        times = series.times
        regular = (
            bool(times)
            and times[0].timestamp() % 3600 == 0
            and all(b - a == _ONE_HOUR for a, b in itertools.pairwise(times))
        )
        if regular:
            # The common case (contiguous, sorted, on the hour): the series *is* the axis.
            self._first = _hour_key(times[0])
            self._n = len(times)
            slots = list(range(self._n))
        else:
            keys = [_hour_key(t) for t in times]
            self._first = min(keys) if keys else 0
            self._n = (max(keys) - self._first + 1) if keys else 0
            slots = [k - self._first for k in keys]

        def dense(values: tuple[float | None, ...]) -> list[float | None]:
            if regular and len(values) == self._n:
                return list(values)
            out: list[float | None] = [None] * self._n
            for slot, v in zip(slots, values, strict=False):
                if out[slot] is None:
                    out[slot] = v
            return out

        self._t = dense(series.temperature_c)
        self._p = dense(series.pressure_msl_hpa)
        self._ws = dense(series.wind_speed_ms)
        self._wd = dense(series.wind_direction_deg)
        self._precip = dense(series.precipitation_mm)
        self._cache: dict[int, WeatherAt] = {}
        # The seasonal normal moves < 0.3 °C over a few days: one value per series suffices.
        middle = datetime.fromtimestamp((self._first + self._n // 2) * 3600, UTC)
        self._normal = normal_temperature_c(series.lat, middle.timetuple().tm_yday)

    def hour_offset(self, when: datetime) -> int:
        """Axis position of the hour nearest ``when``; may lie outside the series."""
        return _nearest_hour_key(when) - self._first

    def index_of(self, when: datetime) -> int | None:
        """The axis index of the hour nearest ``when`` (None if outside the series)."""
        i = _nearest_hour_key(when) - self._first
        return i if 0 <= i < self._n else None

    @staticmethod
    def _known(values: list[float | None], lo: int, hi: int) -> list[float]:
        """Known values on the axis slice [lo, hi)."""
        part = values[max(0, lo) : max(0, hi)]
        if None not in part:
            return cast(list[float], part)  # checked: no None in it
        return [v for v in part if v is not None]

    def facts_at(self, when: datetime) -> WeatherAt | None:
        """Weather facts at the hour nearest ``when``; None if that hour is not covered."""
        return self.facts_at_index(self.index_of(when))

    def facts_at_index(self, i: int | None) -> WeatherAt | None:
        """Weather facts at axis index ``i`` (see ``index_of``); None outside the series."""
        if i is None or not 0 <= i < self._n:
            return None
        cached = self._cache.get(i)
        if cached is None:
            cached = self._facts(i)
            self._cache[i] = cached
        return cached

    def _facts(self, i: int) -> WeatherAt:
        t_axis, p_axis = self._t, self._p
        temp = t_axis[i]
        p = p_axis[i]
        j = i - TREND_HOURS
        p_before = p_axis[j] if j >= 0 else None
        trend = None if p is None or p_before is None else p - p_before
        j = i - FRONT_LOOKBACK_HOURS
        t_before = t_axis[j] if j >= 0 else None
        # Same hour yesterday, so the diurnal cycle does not masquerade as a front.
        drop = None if temp is None or t_before is None else t_before - temp
        rise = None
        if p is not None:
            known = self._known(p_axis, j, i + 1)
            if len(known) > 1:
                low = min(known)
                rise = p - low if low < FRONT_LOW_PRESSURE_HPA else 0.0
        winds = self._known(
            self._ws, i - SUSTAINED_WIND_HALF_HOURS, i + SUSTAINED_WIND_HALF_HOURS + 1
        )
        sustained = sum(winds) / len(winds) if winds else None
        temps = self._known(t_axis, i - ANOMALY_HALF_WINDOW_H, i + ANOMALY_HALF_WINDOW_H)
        anomaly = None
        if len(temps) >= ANOMALY_MIN_HOURS:
            anomaly = sum(temps) / len(temps) - self._normal
        # Positional: this runs for every scanned hour (field order as declared).
        return WeatherAt(
            temp,
            p,
            trend,
            None if trend is None else classify_trend(trend),
            drop,
            rise,
            self._ws[i],
            sustained,
            self._wd[i],
            self._precip[i],
            anomaly,
            detect_cold_front(temp, p, trend, drop, rise),
        )

    def winds_between(self, start: datetime, hours: int) -> list[tuple[float, float]]:
        """(speed m/s, from-degrees) for each covered hour in [start, start + hours)."""
        i = self.index_of(start)
        if i is None:
            return []
        return [
            (speed, direction)
            for speed, direction in zip(
                self._ws[i : i + hours], self._wd[i : i + hours], strict=True
            )
            if speed is not None and direction is not None
        ]


_ONE_HOUR: Final = timedelta(hours=1)


def _nearest_hour_key(when: datetime) -> int:
    """``_hour_key`` of the hour nearest ``when`` (half past rounds up), by arithmetic on
    its timestamp: ``divmod`` of a float is exact, so the half-hour test is exact too."""
    hours, rest = divmod(when.timestamp(), 3600.0)
    return int(hours) + 1 if rest >= 1800.0 else int(hours)


def _hour_key(when: datetime) -> int:
    """Whole hours since the epoch (UTC): a cheap, exact dictionary key."""
    return int(when.timestamp()) // 3600


@record_memo("hourly_weather", 256)
def hourly_weather(series: WeatherSeries) -> HourlyWeather:
    """The (memoised) hourly view of a series: its per-hour facts are computed once for
    every request that reads the same series."""
    return HourlyWeather(series)
