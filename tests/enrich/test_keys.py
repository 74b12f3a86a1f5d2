"""Quantisation of cache keys (pure)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from deerstream.enrich.keys import (
    GRID_SPACING_M,
    M_PER_DEG_LAT,
    radius_bucket,
    scouting_cell,
    terrain_cell,
    weather_cell,
)
from deerstream.models.codec import MAX_HORIZON_H
from deerstream.models.geo import distance_m

lats = st.floats(-70, 70)
lons = st.floats(-179, 179)
times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@given(lats, lons)
def test_terrain_cell_is_near_the_point_and_has_the_standard_grid(lat: float, lon: float) -> None:
    cell = terrain_cell(lat, lon)
    assert distance_m(lat, lon, cell.center_lat, cell.center_lon) < GRID_SPACING_M
    assert cell.spacing_lat_deg == GRID_SPACING_M / M_PER_DEG_LAT
    expected_dlon = GRID_SPACING_M / (M_PER_DEG_LAT * math.cos(math.radians(cell.center_lat)))
    assert math.isclose(cell.spacing_lon_deg, expected_dlon)
    points = cell.points()
    assert len(points) == 49
    assert points[24] == (cell.center_lat, cell.center_lon)
    assert points[0][0] > points[48][0] and points[0][1] < points[48][1]  # row 0 is north-west
    assert terrain_cell(cell.center_lat, cell.center_lon).key == cell.key


def test_nearby_points_share_cells_and_far_points_do_not() -> None:
    a = terrain_cell(45.0, -90.0)
    assert terrain_cell(45.0 + 10 / M_PER_DEG_LAT, -90.0).key == a.key
    assert terrain_cell(45.0 + 200 / M_PER_DEG_LAT, -90.0).key != a.key
    t = datetime(2026, 11, 15, 6, 17, 3, tzinfo=UTC)
    assert (
        weather_cell(45.02, -89.98, t).key
        == weather_cell(45.01, -89.99, t + timedelta(hours=3)).key
    )
    assert weather_cell(45.0, -90.0, t).key != weather_cell(45.0, -90.0, t + timedelta(days=1)).key


@given(lats, lons, times)
def test_weather_window_covers_minus_24_hours_to_the_longest_horizon(
    lat: float, lon: float, t: datetime
) -> None:
    """Every hour a request can read: the 24 h before the target (trends, fronts) and every
    hour of the longest forecast horizon (72 h: the scan's last hour starts 71 h after the
    target's hour)."""
    cell = weather_cell(lat, lon, t)
    first = datetime(cell.start_date.year, cell.start_date.month, cell.start_date.day, tzinfo=UTC)
    last = datetime(cell.end_date.year, cell.end_date.month, cell.end_date.day, 23, tzinfo=UTC)
    assert first <= t - timedelta(hours=24)
    target_hour = t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    assert last >= target_hour + timedelta(hours=MAX_HORIZON_H - 1)
    assert abs(cell.lat - lat) <= 0.05 and abs(cell.lon - lon) <= 0.05
    assert cell.key.startswith("ds:weather:v1:")


@given(lats, lons, st.floats(100, 5000), times)
def test_scouting_query_circle_contains_the_request_circle(
    lat: float, lon: float, radius: float, t: datetime
) -> None:
    cell = scouting_cell(lat, lon, radius, t)
    assert cell.bucket_m >= radius or cell.bucket_m == 5000.0
    # Every point within `radius` of the request lies within the cell's query circle.
    assert distance_m(lat, lon, cell.center_lat, cell.center_lon) + radius <= cell.query_radius_m
    assert cell.since <= t - timedelta(days=365)


def test_radius_buckets() -> None:
    assert [radius_bucket(r) for r in (100, 800, 801, 5000, 9000)] == [250, 800, 1000, 5000, 5000]
