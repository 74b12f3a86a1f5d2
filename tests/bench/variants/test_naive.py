"""The naive baselines' pure part: which scouting observations a request keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deerstream.bench.variants.naive import nearby
from deerstream.models.records import ObservationType, PredictionRequest, ScoutingObservation

T = datetime(2026, 11, 29, 11, 45, tzinfo=UTC)


def _obs(oid: str, lat: float, age_days: int) -> ScoutingObservation:
    return ScoutingObservation(
        observation_id=oid,
        type=ObservationType.SCRAPE,
        lat=lat,
        lon=-72.6,
        observed_at=T - timedelta(days=age_days),
        confidence=5.0,
    )


def test_keeps_observations_within_radius_and_max_age() -> None:
    req = PredictionRequest(request_id="r", lat=44.2, lon=-72.6, target_time=T, radius_m=800.0)
    close, far, old = _obs("a", 44.201, 3), _obs("b", 44.22, 3), _obs("c", 44.2, 400)
    assert nearby(req, (close, far, old)) == (close,)
