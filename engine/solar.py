"""Sun position and light (docs/how-prediction-works.md), from the NOAA solar-position equations.

These are the equations of the NOAA Solar Calculator spreadsheet (after Meeus,
*Astronomical Algorithms*): no lookup tables and no time zones. Every time is UTC; the
"local" day is the *local solar* day at the point's longitude, so nothing depends on a
political time zone. Sunrise and sunset use the standard 90.833° zenith (refraction plus
the sun's semi-diameter) and are refined by evaluating the sun at the event time itself.

Polar day/night is decided only from the sun's altitude at solar noon and at the two solar
midnights that bound the local day: polar night when the sun is below the horizon even at
noon, polar day when it is above it at both midnights. Every other day has a sunrise and a
sunset. The hour-angle refinement is iterated at the event time; where it cannot converge
(the grazing days near the polar circles) the event is found by bisection on the altitude.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from deerstream.engine.memo import memo
from deerstream.models.geo import degrees, radians
from deerstream.models.records import SunTimes

#: Zenith angle of the sun's upper limb at apparent sunrise/sunset (refraction + radius).
SUNRISE_ZENITH_DEG: Final = 90.833
#: Legal shooting light starts this long before sunrise and ends this long after sunset.
LEGAL_LIGHT_MARGIN: Final = timedelta(minutes=30)
#: Julian day of 0001-01-01 00:00 UTC minus one (so JD = ordinal + offset).
_JD_ORDINAL_OFFSET: Final = 1_721_424.5
_J2000: Final = 2_451_545.0
_COS_ZENITH: Final = math.cos(radians(SUNRISE_ZENITH_DEG))
#: Hour-angle iterations at the event time before falling back to bisection.
_MAX_REFINEMENTS: Final = 6
#: The iteration has converged when the event moves by less than this (minutes, 0.6 s).
_CONVERGED_MIN: Final = 0.01
#: Bisection stops when the bracket is narrower than this (minutes, 0.06 s).
_BISECT_TOL_MIN: Final = 0.001
#: Half a day in minutes: solar noon to solar midnight.
_HALF_DAY_MIN: Final = 720.0
#: Polar day needs |lat| > 90 − 23.45 − 0.833 ≈ 65.7 and polar night |lat| > 67.4 (the
#: declination never exceeds 23.45°), so below this latitude the sun always rises and sets
#: and the altitude checks at noon and midnight can be skipped.
_POLAR_LAT_MIN: Final = 65.0


@dataclass(frozen=True, slots=True)
class SolarDay:
    """Sun events of one local solar day at a point. ``polar`` is "day"/"night" or None."""

    day: date
    solar_noon: datetime
    sunrise: datetime | None
    sunset: datetime | None
    polar: str | None
    # The same instants as POSIX seconds, for the hour-by-hour scans.
    noon_ts: float = 0.0
    sunrise_ts: float | None = None
    sunset_ts: float | None = None

    @property
    def legal_start(self) -> datetime | None:
        """Start of legal shooting light (sunrise − 30 min)."""
        return None if self.sunrise is None else self.sunrise - LEGAL_LIGHT_MARGIN

    @property
    def legal_end(self) -> datetime | None:
        """End of legal shooting light (sunset + 30 min)."""
        return None if self.sunset is None else self.sunset + LEGAL_LIGHT_MARGIN

    def to_sun_times(self) -> SunTimes:
        """The record published on the prediction."""
        return SunTimes(self.sunrise, self.sunset, self.legal_start, self.legal_end)


def _sun_terms(jd: float) -> tuple[float, float]:
    """(declination in radians, equation of time in minutes) at Julian day ``jd``."""
    t = (jd - _J2000) / 36525.0
    l0 = (280.46646 + t * (36000.76983 + t * 0.0003032)) % 360.0
    m = radians(357.52911 + t * (35999.05029 - 0.0001537 * t))
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    c = (
        math.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + math.sin(2 * m) * (0.019993 - 0.000101 * t)
        + math.sin(3 * m) * 0.000289
    )
    omega = radians(125.04 - 1934.136 * t)
    app_long = radians(l0 + c - 0.00569 - 0.00478 * math.sin(omega))
    mean_obliq = (
        23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0
    )
    obliq = radians(mean_obliq + 0.00256 * math.cos(omega))
    decl = math.asin(math.sin(obliq) * math.sin(app_long))
    y = math.tan(obliq / 2.0) ** 2
    l0r = radians(l0)
    eot = 4.0 * degrees(
        y * math.sin(2 * l0r)
        - 2 * e * math.sin(m)
        + 4 * e * y * math.sin(m) * math.cos(2 * l0r)
        - 0.5 * y * y * math.sin(4 * l0r)
        - 1.25 * e * e * math.sin(2 * m)
    )
    return decl, eot


def _julian_day(day: date, minutes_utc: float) -> float:
    return day.toordinal() + _JD_ORDINAL_OFFSET + minutes_utc / 1440.0


def _cos_hour_angle(lat: float, decl: float) -> float:
    phi = radians(lat)
    return math.cos(radians(SUNRISE_ZENITH_DEG)) / (math.cos(phi) * math.cos(decl)) - math.tan(
        phi
    ) * math.tan(decl)


def _altitude_excess(day: date, lat: float, lon: float, minutes: float) -> float:
    """sin(altitude) − cos(90.833°) at ``minutes`` after ``day`` 00:00 UTC: positive when
    the sun's upper limb is above the horizon."""
    decl, eot = _sun_terms(_julian_day(day, minutes))
    hour_angle = radians((minutes + eot + 4.0 * lon) / 4.0 - 180.0)
    phi = radians(lat)
    return (
        math.sin(phi) * math.sin(decl)
        + math.cos(phi) * math.cos(decl) * math.cos(hour_angle)
        - _COS_ZENITH
    )


def _refined_event(
    day: date, lat: float, lon: float, sign: float, noon_terms: tuple[float, float]
) -> float | None:
    """Sunrise (sign −1) or sunset (sign +1) by iterating the hour angle at the event time;
    None when the iteration leaves the domain of acos or does not converge."""
    decl, eot = noon_terms
    previous = math.nan
    for _ in range(_MAX_REFINEMENTS):
        cos_ha = _cos_hour_angle(lat, decl)
        if not -1.0 <= cos_ha <= 1.0:
            return None
        ha = degrees(math.acos(cos_ha))
        minutes = 720.0 - 4.0 * (lon - sign * ha) - eot
        if abs(minutes - previous) < _CONVERGED_MIN:
            return minutes
        previous = minutes
        decl, eot = _sun_terms(_julian_day(day, minutes))
    return None


def _bisect_event(day: date, lat: float, lon: float, below: float, above: float) -> float:
    """The horizon crossing between ``below`` (sun down) and ``above`` (sun up), minutes."""
    while abs(above - below) > _BISECT_TOL_MIN:
        mid = 0.5 * (below + above)
        if _altitude_excess(day, lat, lon, mid) > 0.0:
            above = mid
        else:
            below = mid
    return 0.5 * (below + above)


def _event_minutes(
    day: date, lat: float, lon: float, sign: float, noon: float, noon_terms: tuple[float, float]
) -> float:
    """Minutes after ``day`` 00:00 UTC of sunrise (sign −1) or sunset (sign +1), given that
    the sun is up at solar ``noon`` and down at the solar midnight on that side of it."""
    midnight = noon + sign * _HALF_DAY_MIN
    minutes = _refined_event(day, lat, lon, sign, noon_terms)
    if minutes is not None and min(noon, midnight) < minutes < max(noon, midnight):
        return minutes
    return _bisect_event(day, lat, lon, below=midnight, above=noon)


def local_solar_date(when: datetime, lon: float) -> date:
    """The calendar date at ``lon`` by mean solar time (UTC shifted by lon/15 hours)."""
    return (when.astimezone(UTC) + timedelta(hours=lon / 15.0)).date()


@memo("solar_day", 4096)
def compute_solar_day(day: date, lat: float, lon: float) -> SolarDay:
    """Sunrise, sunset and solar noon of the local solar ``day`` at (lat, lon).

    ``polar`` is "night" when the sun is below the horizon at solar noon, "day" when it is
    above it at both solar midnights of the day, otherwise None with both events set. On
    the rare grazing day when the sun is up at one midnight only, the missing event is
    taken symmetric to the other about solar noon (the sun dips for minutes either side).
    """
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    noon_terms = _sun_terms(_julian_day(day, 720.0 - 4.0 * lon))
    noon_min = 720.0 - 4.0 * lon - noon_terms[1]
    noon = midnight + timedelta(minutes=noon_min)
    up_before = up_after = False
    if abs(lat) >= _POLAR_LAT_MIN:
        polar: str | None = None
        if _altitude_excess(day, lat, lon, noon_min) <= 0.0:
            polar = "night"
        else:
            up_before = _altitude_excess(day, lat, lon, noon_min - _HALF_DAY_MIN) > 0.0
            up_after = _altitude_excess(day, lat, lon, noon_min + _HALF_DAY_MIN) > 0.0
            if up_before and up_after:
                polar = "day"
        if polar is not None:
            return SolarDay(day, noon, None, None, polar, noon.timestamp())
    rise = None if up_before else _event_minutes(day, lat, lon, -1.0, noon_min, noon_terms)
    set_ = None if up_after else _event_minutes(day, lat, lon, +1.0, noon_min, noon_terms)
    if rise is None:
        assert set_ is not None
        rise = 2.0 * noon_min - set_
    elif set_ is None:
        set_ = 2.0 * noon_min - rise
    sunrise = midnight + timedelta(minutes=rise)
    sunset = midnight + timedelta(minutes=set_)
    # The *_ts mirror the (microsecond) datetimes exactly, so both compare alike.
    return SolarDay(
        day,
        noon,
        sunrise,
        sunset,
        None,
        noon.timestamp(),
        sunrise.timestamp(),
        sunset.timestamp(),
    )


def local_solar_hour(when: datetime, lon: float) -> float:
    """Apparent local solar time at ``lon`` in hours [0, 24): 12 is solar noon."""
    utc = when.astimezone(UTC)
    minutes = utc.hour * 60.0 + utc.minute + utc.second / 60.0 + utc.microsecond / 6e7
    _, eot = _sun_terms(_julian_day(utc.date(), minutes))
    return ((minutes + 4.0 * lon + eot) % 1440.0) / 60.0


def solar_day_for(when: datetime, lat: float, lon: float) -> SolarDay:
    """The solar day (local solar date at ``lon``) that contains ``when``."""
    return compute_solar_day(local_solar_date(when, lon), lat, lon)
