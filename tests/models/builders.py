"""Hand-built, realistic records for tests."""

from __future__ import annotations

from datetime import UTC, datetime

from deerstream.models.records import (
    ActivityLevel,
    Factor,
    HourForecast,
    HuntWindow,
    Prediction,
    RutPhase,
    SourceQuality,
    SourceStatus,
    Stand,
    StandRating,
    SunTimes,
    Zone,
)


def full_prediction() -> Prediction:
    """A prediction with every field and every collection populated."""
    return Prediction(
        prediction_id="3f2a9c0d1e5b47a8b6c4d2e0f1a3b5c7",
        request_id="app-7:hunt.2026-11-08",
        model_version="1.0.0",
        lat=44.9778,
        lon=-93.265,
        target_time=datetime(2026, 11, 8, 12, 15, tzinfo=UTC),
        rut_phase=RutPhase.SEEKING,
        movement_score=7.4,
        activity_level=ActivityLevel.HIGH,
        confidence=0.82,
        bedding_zones=(Zone(44.9801, -93.2672, 8.6), Zone(44.9765, -93.2611, 7.1)),
        feeding_zones=(Zone(44.9752, -93.2689, 6.9),),
        travel_zones=(Zone(44.9784, -93.2655, 7.8), Zone(44.9771, -93.2640, 6.2)),
        stands=(
            Stand(44.9790, -93.2666, 225.0, 80.0, 45.0, "downwind of the saddle", True, "P1"),
            Stand(44.9779, -93.2648, 90.0, 80.0, 270.0, "alternate for a west wind", False, "P2"),
        ),
        hunt_windows=(
            HuntWindow(
                datetime(2026, 11, 8, 12, 0, tzinfo=UTC),
                datetime(2026, 11, 8, 15, 0, tzinfo=UTC),
                8.2,
                ("legal_light", "cold_front_near"),
                "ridge-oak",
                "dawn peak, 3.0 h: movement 8.2 from 13:00 UTC; sit ridge-oak",
            ),
            HuntWindow(
                datetime(2026, 11, 8, 21, 30, tzinfo=UTC),
                datetime(2026, 11, 8, 23, 30, tzinfo=UTC),
                6.5,
                ("legal_light",),
            ),
        ),
        factors=(
            Factor("time_of_day", "within 90 min of sunrise", 2.5),
            Factor("pressure_trend", "falling", 1.0),
            Factor("wind", "7.2 m/s from NE", -0.8),
            Factor("rut_phase", "seeking", 0.0),
        ),
        data_quality={
            "terrain": SourceQuality(SourceStatus.CACHED, 86400.0),
            "weather": SourceQuality(SourceStatus.FRESH, 0.4),
            "scouting": SourceQuality(SourceStatus.MISSING, None, "upstream timeout"),
        },
        sun=SunTimes(
            sunrise=datetime(2026, 11, 8, 12, 59, 12, tzinfo=UTC),
            sunset=datetime(2026, 11, 8, 22, 47, 3, tzinfo=UTC),
            legal_start=datetime(2026, 11, 8, 12, 29, 12, tzinfo=UTC),
            legal_end=datetime(2026, 11, 8, 23, 17, 3, tzinfo=UTC),
        ),
        produced_at=datetime(2026, 11, 8, 3, 2, 1, 123456, tzinfo=UTC),
        hunter_id="hunter_42",
        notes=("scouting unavailable: confidence reduced",),
        timings_ms={"enrich": 41.7, "model": 2.3, "total": 45.1},
        replay=False,
        hourly=(
            HourForecast(
                datetime(2026, 11, 8, 12, 29, 12, tzinfo=UTC),
                datetime(2026, 11, 8, 13, 0, tzinfo=UTC),
                7.9,
                ActivityLevel.HIGH,
                45.0,
                3.2,
                True,
                ("legal_light", "dawn"),
                "ridge-oak",
            ),
            HourForecast(
                datetime(2026, 11, 8, 13, 0, tzinfo=UTC),
                datetime(2026, 11, 8, 14, 0, tzinfo=UTC),
                8.2,
                ActivityLevel.HIGH,
                None,
                None,
                True,
                ("legal_light", "dawn"),
                None,
            ),
        ),
        stand_ratings=(
            StandRating(
                "ridge-oak",
                "Ridge oak",
                44.9795,
                -93.2668,
                120.5,
                ("N", "NNE", "NE"),
                (8.5, None),
                ("scent clear of the bedding and travel zones", "no wind data for this hour"),
            ),
        ),
    )
