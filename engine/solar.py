"""Sun position and light (domain.md §3), from the NOAA solar-position equations.

These are the equations of the NOAA Solar Calculator spreadsheet (after Meeus,
*Astronomical Algorithms*): no lookup tables and no time zones. Every time is UTC; the
"local" day is the *local solar* day at the point's longitude, so nothing depends on a
political time zone. Sunrise and sunset use the standard 90.833° zenith (refraction plus
the sun's semi-diameter) and are refined by evaluating the sun at the event time itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from models.records import SunTimes

#: Zenith angle of the sun's upper limb at apparent sunrise/sunset (refraction + radius).
SUNRISE_ZENITH_DEG = 90.833
#: Legal shooting light starts this long before sunrise and ends this long after sunset.
LEGAL_LIGHT_MARGIN = timedelta(minutes=30)
#: Julian day of 0001-01-01 00:00 UTC minus one (so JD = ordinal + offset).
_JD_ORDINAL_OFFSET = 1_721_424.5
_J2000 = 2_451_545.0
#: Re-evaluations of the sun's position at the computed event time.
_EVENT_REFINEMENTS = 1


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
    m = math.radians(357.52911 + t * (35999.05029 - 0.0001537 * t))
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    c = (
        math.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + math.sin(2 * m) * (0.019993 - 0.000101 * t)
        + math.sin(3 * m) * 0.000289
    )
    omega = math.radians(125.04 - 1934.136 * t)
    app_long = math.radians(l0 + c - 0.00569 - 0.00478 * math.sin(omega))
    mean_obliq = (
        23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0
    )
    obliq = math.radians(mean_obliq + 0.00256 * math.cos(omega))
    decl = math.asin(math.sin(obliq) * math.sin(app_long))
    y = math.tan(obliq / 2.0) ** 2
    l0r = math.radians(l0)
    eot = 4.0 * math.degrees(
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
    phi = math.radians(lat)
    return math.cos(math.radians(SUNRISE_ZENITH_DEG)) / (math.cos(phi) * math.cos(decl)) - math.tan(
        phi
    ) * math.tan(decl)


def _event_minutes(day: date, lat: float, lon: float, sign: float) -> float | None:
    """Minutes after ``day`` 00:00 UTC of sunrise (sign −1) or sunset (sign +1)."""
    minutes = 720.0 - 4.0 * lon
    for _ in range(_EVENT_REFINEMENTS + 1):
        decl, eot = _sun_terms(_julian_day(day, minutes))
        cos_ha = _cos_hour_angle(lat, decl)
        if not -1.0 <= cos_ha <= 1.0:
            return None
        ha = math.degrees(math.acos(cos_ha))
        minutes = 720.0 - 4.0 * (lon - sign * ha) - eot
    return minutes


def local_solar_date(when: datetime, lon: float) -> date:
    """The calendar date at ``lon`` by mean solar time (UTC shifted by lon/15 hours)."""
    return (when.astimezone(UTC) + timedelta(hours=lon / 15.0)).date()


def compute_solar_day(day: date, lat: float, lon: float) -> SolarDay:
    """Sunrise, sunset and solar noon of the local solar ``day`` at (lat, lon)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    _, eot = _sun_terms(_julian_day(day, 720.0 - 4.0 * lon))
    noon = midnight + timedelta(minutes=720.0 - 4.0 * lon - eot)
    rise = _event_minutes(day, lat, lon, -1.0)
    set_ = _event_minutes(day, lat, lon, +1.0)
    polar: str | None = None
    if rise is None or set_ is None:
        decl, _ = _sun_terms(_julian_day(day, 720.0 - 4.0 * lon))
        # cos(HA) below −1 means the sun never reaches the horizon zenith: it stays up.
        polar = "day" if _cos_hour_angle(lat, decl) < -1.0 else "night"
        return SolarDay(day, noon, None, None, polar, noon.timestamp())
    base = midnight.timestamp()
    return SolarDay(
        day,
        noon,
        midnight + timedelta(minutes=rise),
        midnight + timedelta(minutes=set_),
        polar,
        noon.timestamp(),
        base + rise * 60.0,
        base + set_ * 60.0,
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
