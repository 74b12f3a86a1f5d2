"""Predictions produced by the real model satisfy the contract (schema and codec)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from deerstream.engine.predict import predict
from deerstream.models.codec import decode_prediction, encode_prediction
from deerstream.models.records import (
    Enrichment,
    ObservationType,
    Prediction,
    PredictionRequest,
    ScoutingObservation,
    SourceQuality,
    SourceStatus,
    TerrainGrid,
    WeatherSeries,
)
from deerstream.models.schema import load_schema

PREDICTION = Draft202012Validator(load_schema("prediction"))
M_PER_DEG = 111_195.0
FRESH = SourceQuality(SourceStatus.FRESH, 0.0)
MISSING = SourceQuality(SourceStatus.MISSING, None, "upstream timeout")


def ridge_grid(lat: float, lon: float) -> TerrainGrid:
    """7×7 cells, 90 m apart: a ridge running north-south with a bench on its east side."""
    dlat = 90.0 / M_PER_DEG
    dlon = 90.0 / (M_PER_DEG * max(math.cos(math.radians(lat)), 0.05))
    heights = (400.0, 430.0, 460.0, 470.0, 455.0, 455.0, 420.0)
    return TerrainGrid(lat, lon, 7, 7, dlat, dlon, tuple(h for _ in range(7) for h in heights))


def weather(target: datetime, lat: float, lon: float, front: bool) -> WeatherSeries:
    """Hourly, 24 h before to 48 h after; with ``front`` a cold front passes at the target."""
    t0 = target.replace(minute=0, second=0, microsecond=0)
    hours = range(-24, 49)
    temp = [(12.0 - (8.0 if front and h > -6 else 0.0)) for h in hours]
    pressure = [1014.0 - (0.8 * (h + 6) if front and -6 < h < 6 else 0.0) for h in hours]
    return WeatherSeries(
        lat=lat,
        lon=lon,
        times=tuple(t0 + timedelta(hours=h) for h in hours),
        temperature_c=tuple(temp),
        pressure_msl_hpa=tuple(pressure),
        wind_speed_ms=tuple(3.0 + (h % 5) for h in hours),
        wind_direction_deg=tuple(float((200 + 7 * h) % 360) for h in hours),
        wind_gusts_ms=tuple(None for _ in hours),
        precipitation_mm=tuple(0.0 for _ in hours),
        snow_depth_m=tuple(None for _ in hours),
    )


def scouting(lat: float, lon: float, target: datetime) -> tuple[ScoutingObservation, ...]:
    return (
        ScoutingObservation("o1", ObservationType.SCRAPE, lat + 0.0005, lon, target, 8.0),
        ScoutingObservation(
            "o2",
            ObservationType.RUB,
            lat,
            lon + 0.0005,
            target - timedelta(days=3),
            9.0,
            rub_trunk_diameter_cm=22.0,
        ),
    )


def check(p: Prediction) -> None:
    data = encode_prediction(p)
    PREDICTION.validate(orjson.loads(data))
    assert decode_prediction(data) == p


def test_a_fully_enriched_prediction_satisfies_the_contract() -> None:
    target = datetime(2026, 11, 8, 12, 15, tzinfo=UTC)
    req = PredictionRequest("req-1", 44.9778, -93.265, target, hunter_id="h1")
    enr = Enrichment(
        ridge_grid(req.lat, req.lon),
        weather(target, req.lat, req.lon, front=True),
        scouting(req.lat, req.lon, target),
        FRESH,
        FRESH,
        FRESH,
    )
    p = predict(req, enr, target)
    assert p.bedding_zones and p.stands and p.factors
    check(p)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lat=st.floats(-89.99, 89.99),
    # Away from the antimeridian: see test_zones_near_the_antimeridian_and_poles_stay_in_range.
    lon=st.floats(-179.9, 179.9),
    target=st.datetimes(datetime(2020, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC)),
    has_terrain=st.booleans(),
    has_weather=st.booleans(),
    has_scouting=st.booleans(),
    front=st.booleans(),
)
def test_model_output_always_satisfies_the_contract(
    lat: float,
    lon: float,
    target: datetime,
    has_terrain: bool,
    has_weather: bool,
    has_scouting: bool,
    front: bool,
) -> None:
    req = PredictionRequest("req-1", lat, lon, target)
    enr = Enrichment(
        ridge_grid(lat, lon) if has_terrain else None,
        weather(target, lat, lon, front) if has_weather else None,
        scouting(lat, lon, target) if has_scouting else None,
        FRESH if has_terrain else MISSING,
        FRESH if has_weather else MISSING,
        FRESH if has_scouting else MISSING,
    )
    check(predict(req, enr, target))


@pytest.mark.parametrize(("lat", "lon"), [(0.0, 180.0), (0.0, -180.0), (89.9995, 10.0)])
def test_zones_near_the_antimeridian_and_poles_stay_in_range(lat: float, lon: float) -> None:
    target = datetime(2026, 11, 8, 12, 15, tzinfo=UTC)
    req = PredictionRequest("req-1", lat, lon, target)
    enr = Enrichment(ridge_grid(lat, lon), None, None, FRESH, MISSING, MISSING)
    check(predict(req, enr, target))
