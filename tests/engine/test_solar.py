"""Sun and light: NOAA sunrise/sunset, legal light, local solar time."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.engine.solar import (
    LEGAL_LIGHT_MARGIN,
    compute_solar_day,
    local_solar_date,
    local_solar_hour,
    solar_day_for,
)

TOLERANCE = timedelta(minutes=2)

# Published values (local clock time converted to UTC), rounded to the minute as published.
# Source: NOAA ESRL Solar Calculator (gml.noaa.gov/grad/solcalc), the same figures are
# listed by timeanddate.com; DST offsets as in force on that date.
PUBLISHED = [
    # place, lat, lon, date, sunrise UTC, sunset UTC
    ("London (Greenwich), summer solstice", 51.4779, -0.0015, date(2024, 6, 21), "03:43", "20:21"),
    ("New York, winter solstice", 40.7128, -74.0060, date(2024, 12, 21), "12:16", "21:32"),
    ("Sydney, summer solstice", -33.8688, 151.2093, date(2024, 12, 21), "18:41", "09:05"),
]


def _usno_almanac(day: date, lat: float, lon: float, rising: bool) -> datetime | None:
    """Independent reference: the US Naval Observatory *Almanac for Computers* (1990)
    sunrise/sunset algorithm (zenith 90°50′), quoted accuracy about one minute. It shares
    no code or intermediate quantities with engine.solar (different orbital series)."""
    n = day.timetuple().tm_yday
    lng_hour = lon / 15.0
    t = n + ((6.0 if rising else 18.0) - lng_hour) / 24.0
    m = 0.9856 * t - 3.289
    sun_l = (
        m + 1.916 * math.sin(math.radians(m)) + 0.020 * math.sin(math.radians(2 * m)) + 282.634
    ) % 360.0
    ra = math.degrees(math.atan(0.91764 * math.tan(math.radians(sun_l)))) % 360.0
    ra += math.floor(sun_l / 90.0) * 90.0 - math.floor(ra / 90.0) * 90.0
    ra /= 15.0
    sin_dec = 0.39782 * math.sin(math.radians(sun_l))
    cos_dec = math.cos(math.asin(sin_dec))
    cos_h = (math.cos(math.radians(90.833)) - sin_dec * math.sin(math.radians(lat))) / (
        cos_dec * math.cos(math.radians(lat))
    )
    if not -1.0 <= cos_h <= 1.0:
        return None
    h = (360.0 - math.degrees(math.acos(cos_h))) if rising else math.degrees(math.acos(cos_h))
    local_t = h / 15.0 + ra - 0.06571 * t - 6.622
    ut = (local_t - lng_hour) % 24.0
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=ut)


def _same_clock(a: datetime, b: datetime) -> timedelta:
    """Difference between two instants compared modulo one day (references give UT clock)."""
    d = abs((a - b).total_seconds()) % 86400.0
    return timedelta(seconds=min(d, 86400.0 - d))


@pytest.mark.parametrize(("place", "lat", "lon", "day", "rise", "set_"), PUBLISHED)
def test_matches_published_noaa_values(
    place: str, lat: float, lon: float, day: date, rise: str, set_: str
) -> None:
    sd = compute_solar_day(day, lat, lon)
    assert sd.sunrise is not None and sd.sunset is not None, place
    hh, mm = map(int, rise.split(":"))
    assert _same_clock(sd.sunrise, datetime(2000, 1, 1, hh, mm, tzinfo=UTC)) <= TOLERANCE
    hh, mm = map(int, set_.split(":"))
    assert _same_clock(sd.sunset, datetime(2000, 1, 1, hh, mm, tzinfo=UTC)) <= TOLERANCE


# Places and dates across latitudes, longitudes (both signs) and seasons.
INDEPENDENT = [
    ("Burlington VT, Nov 15", 44.4759, -73.2121, date(2025, 11, 15)),
    ("Anchorage AK, Jan 10", 61.2181, -149.9003, date(2025, 1, 10)),
    ("Austin TX, Oct 1", 30.2672, -97.7431, date(2025, 10, 1)),
    ("Quito, equinox", -0.1807, -78.4678, date(2025, 3, 20)),
    ("Christchurch NZ, May 5", -43.5321, 172.6362, date(2025, 5, 5)),
    ("Oslo, Sep 1", 59.9139, 10.7522, date(2025, 9, 1)),
    ("Tokyo, Jul 4", 35.6762, 139.6503, date(2025, 7, 4)),
]


@pytest.mark.parametrize(("place", "lat", "lon", "day"), INDEPENDENT)
def test_matches_independent_usno_algorithm(place: str, lat: float, lon: float, day: date) -> None:
    sd = compute_solar_day(day, lat, lon)
    ref_rise = _usno_almanac(day, lat, lon, rising=True)
    ref_set = _usno_almanac(day, lat, lon, rising=False)
    assert sd.sunrise is not None and sd.sunset is not None and ref_rise and ref_set
    assert _same_clock(sd.sunrise, ref_rise) <= TOLERANCE, place
    assert _same_clock(sd.sunset, ref_set) <= TOLERANCE, place


def test_legal_light_is_thirty_minutes_either_side() -> None:
    sd = compute_solar_day(date(2025, 11, 15), 44.0, -72.0)
    assert sd.sunrise and sd.sunset and sd.legal_start and sd.legal_end
    assert sd.sunrise - sd.legal_start == LEGAL_LIGHT_MARGIN == timedelta(minutes=30)
    assert sd.legal_end - sd.sunset == timedelta(minutes=30)
    times = sd.to_sun_times()
    assert times.legal_start == sd.legal_start and times.sunrise == sd.sunrise


def test_polar_day_and_night_have_no_sunrise() -> None:
    summer = compute_solar_day(date(2025, 6, 21), 78.22, 15.65)  # Longyearbyen
    winter = compute_solar_day(date(2025, 12, 21), 78.22, 15.65)
    assert (summer.sunrise, summer.sunset, summer.polar) == (None, None, "day")
    assert (winter.sunrise, winter.sunset, winter.polar) == (None, None, "night")
    assert winter.to_sun_times().legal_start is None


def test_no_hard_coded_time_zone_the_local_day_follows_longitude() -> None:
    # 02:00 UTC is still the previous evening in Vermont and already the morning in Japan.
    when = datetime(2025, 11, 15, 2, 0, tzinfo=UTC)
    assert local_solar_date(when, -72.0) == date(2025, 11, 14)
    assert local_solar_date(when, 139.0) == date(2025, 11, 15)
    assert solar_day_for(when, 44.0, -72.0).day == date(2025, 11, 14)


@settings(max_examples=60, deadline=None)
@given(lat=st.floats(-60, 60), lon=st.floats(-179, 179), doy=st.integers(0, 364))
def test_solar_noon_is_twelve_local_solar_time(lat: float, lon: float, doy: int) -> None:
    day = date(2025, 1, 1) + timedelta(days=doy)
    sd = compute_solar_day(day, lat, lon)
    assert local_solar_hour(sd.solar_noon, lon) == pytest.approx(12.0, abs=0.01)
    if sd.sunrise and sd.sunset:
        assert sd.sunrise < sd.solar_noon < sd.sunset
        # Sunrise and sunset are near-symmetric about solar noon (the declination drifts).
        assert abs((sd.solar_noon - sd.sunrise) - (sd.sunset - sd.solar_noon)) < timedelta(
            minutes=3
        )


# Field report: "polar night" with the sun 47° up at 65.75 N on 18 June. Polar day/night is
# only when the sun stays above / below the horizon all day (altitude at solar noon and at
# solar midnight), never the failure of a refinement step.
POLAR_TABLE = [
    # lat, lon, date, polar, (min, max) hours of daylight when the sun rises and sets
    (65.75, 0.0, date(2025, 6, 18), None, (23.5, 24.0)),
    (65.75, 25.0, date(2025, 6, 18), None, (23.5, 24.0)),
    (-65.75, 0.0, date(2025, 12, 19), None, (23.5, 24.0)),
    (70.0, 0.0, date(2025, 6, 18), "day", None),
    (70.0, 25.0, date(2025, 6, 18), "day", None),
    (70.0, 0.0, date(2025, 12, 21), "night", None),
    (-70.0, 0.0, date(2025, 12, 21), "day", None),
    (-70.0, 0.0, date(2025, 6, 18), "night", None),
    (66.0, 0.0, date(2025, 6, 11), None, (22.0, 24.0)),
    (60.0, 0.0, date(2025, 6, 18), None, (18.0, 19.5)),
]


@pytest.mark.parametrize(("lat", "lon", "day", "polar", "hours"), POLAR_TABLE)
def test_polar_only_when_the_sun_never_crosses_the_horizon(
    lat: float, lon: float, day: date, polar: str | None, hours: tuple[float, float] | None
) -> None:
    sd = compute_solar_day(day, lat, lon)
    assert sd.polar == polar
    if polar is not None:
        assert sd.sunrise is None and sd.sunset is None
        assert sd.sunrise_ts is None and sd.sunset_ts is None
        return
    assert sd.sunrise is not None and sd.sunset is not None and hours is not None
    assert sd.sunrise < sd.solar_noon < sd.sunset
    assert sd.sunrise_ts == pytest.approx(sd.sunrise.timestamp())
    assert sd.sunset_ts == pytest.approx(sd.sunset.timestamp())
    length = (sd.sunset - sd.sunrise).total_seconds() / 3600.0
    assert hours[0] <= length <= hours[1]


def _altitude_deg(lat: float, decl_deg: float, hour_angle_deg: float) -> float:
    phi, dec, ha = map(math.radians, (lat, decl_deg, hour_angle_deg))
    s = math.sin(phi) * math.sin(dec) + math.cos(phi) * math.cos(dec) * math.cos(ha)
    return math.degrees(math.asin(s))


def test_sun_is_47_degrees_up_on_the_field_report_day() -> None:
    # Declination on 2025-06-18 is about 23.41°: the sun culminates near 47.7° at 65.75 N.
    assert _altitude_deg(65.75, 23.41, 0.0) == pytest.approx(47.66, abs=0.05)
    sd = compute_solar_day(date(2025, 6, 18), 65.75, 0.0)
    assert sd.polar is None and sd.sunrise is not None


@settings(max_examples=80, deadline=None)
@given(lat=st.floats(62, 72), doy=st.integers(0, 364), sign=st.sampled_from([1.0, -1.0]))
def test_near_polar_circles_events_bracket_noon(lat: float, doy: int, sign: float) -> None:
    day = date(2025, 1, 1) + timedelta(days=doy)
    sd = compute_solar_day(day, sign * lat, 10.0)
    if sd.polar is None:
        assert sd.sunrise is not None and sd.sunset is not None
        assert sd.solar_noon - timedelta(hours=12) <= sd.sunrise < sd.solar_noon
        assert sd.solar_noon < sd.sunset <= sd.solar_noon + timedelta(hours=12)
    else:
        assert sd.sunrise is None and sd.sunset is None
