"""The enricher's per-request scouting filter: its latitude shortcut changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.enrich.enricher import SCOUTING_MAX_AGE, _observations_for
from deerstream.models.geo import distance_m
from deerstream.models.records import ObservationType, PredictionRequest, ScoutingObservation

T = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-180, 180),
    radius=st.floats(100, 5000),
    offsets=st.lists(
        st.tuples(st.floats(-0.06, 0.06), st.floats(-0.2, 0.2), st.integers(0, 400)),
        max_size=30,
    ),
)
@settings(max_examples=300, deadline=None)
def test_the_latitude_shortcut_keeps_exactly_the_observations_in_the_radius(
    lat: float, lon: float, radius: float, offsets: list[tuple[float, float, int]]
) -> None:
    obs = tuple(
        ScoutingObservation(
            f"o{i}",
            ObservationType.SCRAPE,
            max(-90.0, min(90.0, lat + dlat)),
            ((lon + dlon + 180.0) % 360.0) - 180.0,
            T - timedelta(days=days),
            5.0,
        )
        for i, (dlat, dlon, days) in enumerate(offsets)
    )
    req = PredictionRequest("r", lat, lon, T, radius)
    expected = tuple(
        o
        for o in obs
        if o.observed_at >= T - SCOUTING_MAX_AGE and distance_m(lat, lon, o.lat, o.lon) <= radius
    )
    assert _observations_for(req, obs) == expected
