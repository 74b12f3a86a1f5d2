"""The simulators' pure data: DEM, weather and scouting observations."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from deerstream.models.geo import distance_m
from deerstream.simulators.dem import SyntheticDem
from deerstream.simulators.scouting_data import seeded_observations
from deerstream.simulators.weather_model import weather_at

_M = 111_320.0


@given(st.floats(-60, 60), st.floats(-179, 179))
def test_dem_is_deterministic_and_plausible(lat: float, lon: float) -> None:
    a, b = SyntheticDem(3), SyntheticDem(3)
    h = a.elevation(lat, lon)
    assert h == b.elevation(lat, lon)
    assert 0.0 <= h <= 1500.0


def _profile(dem: SyntheticDem, lat: float, lon: float, n: int, step_m: float) -> list[float]:
    return [dem.elevation(lat + i * step_m / _M, lon) for i in range(n)]


def test_dem_has_relief_ridges_and_drainages() -> None:
    dem = SyntheticDem(42)
    profile = _profile(dem, 45.0, -90.0, 200, 30.0)  # a 6 km north-south transect
    assert max(profile) - min(profile) > 100.0
    peaks = [i for i in range(1, 199) if profile[i - 1] < profile[i] > profile[i + 1]]
    valleys = [i for i in range(1, 199) if profile[i - 1] > profile[i] < profile[i + 1]]
    assert peaks and valleys  # crests and drainage bottoms along the way


def test_dem_has_benches_flatter_than_the_slopes_around_them() -> None:
    dem = SyntheticDem(42)
    profile = _profile(dem, 45.0, -90.0, 400, 10.0)
    slopes = [abs(profile[i + 1] - profile[i]) for i in range(399)]
    steep = sorted(slopes)[int(0.8 * len(slopes))]
    # Flat shelves on slopes: segments much flatter than the steep parts, not at crests.
    assert min(slopes) < 0.25 * steep


def test_dem_has_a_saddle_in_a_small_area() -> None:
    dem = SyntheticDem(42)
    found = False
    step = 90.0
    for r in range(1, 59):
        for c in range(1, 59):
            lat = 45.0 + r * step / _M
            lon = -90.0 + c * step / (_M * math.cos(math.radians(45.0)))
            h = dem.elevation(lat, lon)
            ns = (dem.elevation(lat + step / _M, lon), dem.elevation(lat - step / _M, lon))
            dlon = step / (_M * math.cos(math.radians(lat)))
            ew = (dem.elevation(lat, lon + dlon), dem.elevation(lat, lon - dlon))
            # Low between two highs one way, high between two lows the other way.
            if (min(ns) > h > max(ew)) or (min(ew) > h > max(ns)):
                found = True
                break
        if found:
            break
    assert found


def test_weather_has_a_diurnal_cycle() -> None:
    day = datetime(2026, 10, 1, tzinfo=UTC)
    lon = 0.0  # solar time = UTC
    afternoons = [weather_at(45, lon, day + timedelta(days=d, hours=15)) for d in range(20)]
    mornings = [weather_at(45, lon, day + timedelta(days=d, hours=4)) for d in range(20)]
    warmer = sum(
        a.temperature_c > m.temperature_c for a, m in zip(afternoons, mornings, strict=True)
    )
    assert warmer >= 15


def test_a_front_passage_drops_pressure_and_temperature_and_veers_the_wind() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    series = [weather_at(45.0, -90.0, start + timedelta(hours=h)) for h in range(24 * 20)]
    pressures = [w.pressure_msl_hpa for w in series]
    # The deepest pressure low marks a front passage.
    low = min(range(24, len(series) - 24), key=lambda i: pressures[i])
    assert pressures[low - 12] > pressures[low] + 2.0  # fell into the front
    assert pressures[low + 18] > pressures[low] + 2.0  # rose behind it
    before = series[low - 12]
    after = series[low + 12]
    assert after.wind_direction_deg > before.wind_direction_deg + 40  # veered SW → NW
    same_hour_day_before = series[low + 12 - 24]
    assert after.temperature_c < same_hour_day_before.temperature_c  # colder behind it


def test_weather_is_deterministic_and_seed_dependent() -> None:
    t = datetime(2026, 11, 15, 6, tzinfo=UTC)
    assert weather_at(45, -90, t, 1) == weather_at(45, -90, t, 1)
    series1 = [weather_at(45, -90, t + timedelta(hours=h), 1) for h in range(200)]
    series2 = [weather_at(45, -90, t + timedelta(hours=h), 2) for h in range(200)]
    assert series1 != series2


def test_seeded_observations_are_stable_and_inside_the_query() -> None:
    since = datetime(2025, 11, 1, tzinfo=UTC)
    until = datetime(2026, 11, 1, tzinfo=UTC)
    obs = seeded_observations(45.0, -90.0, 1500.0, since, until, seed=5)
    assert obs == seeded_observations(45.0, -90.0, 1500.0, since, until, seed=5)
    assert len(obs) > 5
    for o in obs:
        assert distance_m(45.0, -90.0, o["lat"], o["lon"]) <= 1500.0
        assert since <= datetime.fromisoformat(o["observed_at"]) <= until


def test_smaller_queries_return_subsets() -> None:
    since = datetime(2025, 11, 1, tzinfo=UTC)
    until = datetime(2026, 11, 1, tzinfo=UTC)
    big = {o["observation_id"] for o in seeded_observations(45.0, -90.0, 2000.0, since, until)}
    small = {o["observation_id"] for o in seeded_observations(45.001, -90.0, 500.0, since, until)}
    assert small <= big
