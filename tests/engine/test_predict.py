"""The whole prediction: contract, missing data, determinism and the issue's properties."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import EllipsisType

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deerstream.engine import MODEL_VERSION, predict
from deerstream.engine.stands import cone_covers
from deerstream.errors import ContractError
from deerstream.models.ids import prediction_id_for
from deerstream.models.records import (
    Enrichment,
    HourlyForecast,
    RequestOptions,
    RutPhase,
    ScoutingObservation,
    SourceQuality,
    SourceStatus,
    TerrainGrid,
    WeatherSeries,
)
from deerstream.models.records import ObservationType as O
from tests.engine.builders import enrichment, flat_grid, grid_from, obs, offset, request, series

LAT, LON = 44.0, -72.0
TARGET = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)  # ~17 min after a Vermont sunrise
NOW = datetime(2025, 11, 14, 20, 0, tzinfo=UTC)


def _hill(e: float, n: float) -> float:
    return 400.0 + 50.0 * math.exp(-((e - 60) ** 2 + (n - 60) ** 2) / (2 * 130.0**2)) + 0.05 * n


def _full(
    *,
    terrain: TerrainGrid | EllipsisType | None = ...,
    weather: WeatherSeries | EllipsisType | None = ...,
    scouting: tuple[ScoutingObservation, ...] | EllipsisType | None = ...,
) -> Enrichment:
    """Standard enrichment; pass a source (or None for missing) to replace it."""
    default_scouting = (
        obs("s1", O.SCRAPE, *offset(LAT, LON, 40, -30), TARGET - timedelta(days=2)),
        obs("s2", O.BEDDING_AREA, *offset(LAT, LON, 100, 120), TARGET - timedelta(days=20)),
        obs(
            "s3",
            O.TRAIL_CAMERA,
            *offset(LAT, LON, -90, 0),
            TARGET - timedelta(days=1),
            mature_buck_seen=True,
        ),
    )
    return enrichment(
        grid_from(LAT, LON, _hill) if terrain is ... else terrain,
        series(TARGET, wind=lambda h: 3.0, wind_dir=lambda h: 315.0) if weather is ... else weather,
        default_scouting if scouting is ... else scouting,
    )


def test_contract_fields() -> None:
    req = request(target=TARGET)
    p = predict(req, _full(), NOW)
    assert p.prediction_id == prediction_id_for(req, MODEL_VERSION)
    assert p.request_id == req.request_id and p.model_version == MODEL_VERSION == "deer-2.1.0"
    assert p.produced_at == NOW and p.timings_ms == {} and p.replay is False
    assert set(p.data_quality) == {"terrain", "weather", "scouting"}
    assert p.rut_phase is RutPhase.PEAK_RUT
    assert p.sun.sunrise is not None and p.sun.legal_start is not None
    assert p.bedding_zones and p.travel_zones and p.stands and p.hunt_windows
    assert p.factors[0].name == "time_of_day"


def test_naive_target_time_is_an_error_not_a_guess() -> None:
    req = request(target=TARGET.replace(tzinfo=None))
    with pytest.raises(ContractError) as info:
        predict(req, _full(), NOW)
    assert info.value.code == "naive_datetime" and info.value.path == "$.target_time"


def test_model_version_changes_the_id() -> None:
    req = request(target=TARGET)
    assert (
        predict(req, _full(), NOW, model_version="x").prediction_id
        != predict(req, _full(), NOW).prediction_id
    )


@pytest.mark.parametrize("source", ["terrain", "weather", "scouting"])
def test_missing_source_still_predicts_with_lower_confidence_and_says_why(source: str) -> None:
    req = request(target=TARGET)
    full = predict(req, _full(), NOW)
    part = predict(req, _drop(source), NOW)
    assert part.confidence < full.confidence
    assert part.data_quality[source].status is SourceStatus.MISSING
    assert part.data_quality[source].reason == "upstream timeout"
    missing = [f for f in part.factors if f.name == f"{source}_data"]
    assert missing and "missing: upstream timeout" in missing[0].value
    assert 0.0 <= part.movement_score <= 10.0


def _drop(source: str) -> Enrichment:
    if source == "terrain":
        return _full(terrain=None)
    if source == "weather":
        return _full(weather=None)
    return _full(scouting=None)


def test_source_claiming_fresh_without_data_is_reported_missing() -> None:
    e = replace(_full(terrain=None), terrain_quality=SourceQuality(SourceStatus.FRESH, 0.0))
    p = predict(request(target=TARGET), e, NOW)
    assert p.data_quality["terrain"].status is SourceStatus.MISSING
    assert p.bedding_zones == () and p.travel_zones == ()


def test_malformed_grid_is_reported_missing_not_crashed_on() -> None:
    good = grid_from(LAT, LON, _hill)
    bad = replace(good, elevations_m=good.elevations_m[:-1])
    p = predict(request(target=TARGET), _full(terrain=bad), NOW)
    assert p.data_quality["terrain"].status is SourceStatus.MISSING
    assert p.data_quality["terrain"].reason == "malformed elevation grid"
    assert p.bedding_zones == () and p.stands  # stands still placed from the request point


def test_no_weather_means_no_cold_front_and_no_stands() -> None:
    cold = series(
        TARGET, temp=lambda h: 14.0 if h <= -24 else 2.0, pressure=lambda h: 1005.0 - 0.5 * h
    )
    with_front = predict(request(target=TARGET), _full(weather=cold), NOW)
    assert any(f.name == "cold_front_detected" for f in with_front.factors)
    p = predict(request(target=TARGET), _full(weather=None), NOW)
    assert not any("cold_front" in f.name for f in p.factors)
    assert not any("cold_front" in w.triggers for w in p.hunt_windows)
    assert p.stands == ()
    assert any("no wind data" in f.value for f in p.factors)


def test_everything_missing_still_predicts() -> None:
    p = predict(request(target=TARGET), enrichment(None, None, None), NOW)
    assert p.confidence == 0.0
    assert p.activity_level.value == "high"  # dawn, from the sun alone
    assert p.bedding_zones == () and p.stands == ()
    assert {f.name for f in p.factors} >= {"terrain_data", "weather_data", "scouting_data"}


def test_options_switch_parts_off() -> None:
    req = replace(
        request(target=TARGET),
        options=RequestOptions(zones=False, stands=False, hunt_windows=False),
    )
    p = predict(req, _full(), NOW)
    assert p.bedding_zones == p.feeding_zones == p.travel_zones == ()
    assert p.stands == () and p.hunt_windows == ()


def test_other_hunters_scouting_counts_only_when_shared() -> None:
    mine = obs("m", O.SCRAPE, LAT, LON, TARGET, hunter_id="me")
    theirs = obs("t", O.BEDDING_AREA, LAT, LON, TARGET, hunter_id="you")
    req = request(target=TARGET, hunter_id="me")
    e = _full(scouting=(mine, theirs))

    def counted(shared: bool) -> str:
        p = predict(req, e, NOW, scouting_shared=shared)
        return next(f.value for f in p.factors if f.name == "scouting")

    assert counted(False).startswith("1 observations")
    assert counted(True).startswith("2 observations")


def test_southern_hemisphere_note() -> None:
    p = predict(
        request(-38.0, 145.0, datetime(2025, 5, 15, 21, 0, tzinfo=UTC)), _full(terrain=None), NOW
    )
    assert p.rut_phase is RutPhase.PEAK_RUT
    assert any("southern hemisphere" in n for n in p.notes)


def _rows(o: object) -> object:
    """orjson's fallback: the hourly forecast (columns, not a dataclass) as its records."""
    if isinstance(o, HourlyForecast):
        return list(o.rows())
    raise TypeError(type(o).__name__)


def _bytes(p: object) -> bytes:
    return orjson.dumps(p, default=_rows, option=orjson.OPT_NON_STR_KEYS)


def test_same_inputs_byte_identical_and_input_order_does_not_matter() -> None:
    e = _full()
    a = _bytes(predict(request(target=TARGET), e, NOW))
    b = _bytes(predict(request(target=TARGET), e, NOW))
    assert a == b
    shuffled = replace(e, scouting=tuple(reversed(e.scouting or ())))
    assert _bytes(predict(request(target=TARGET), shuffled, NOW)) == a


# ------------------------------------------------------------------ properties

bumps = st.lists(
    st.tuples(st.floats(-300, 300), st.floats(-300, 300), st.floats(-60, 60), st.floats(60, 300)),
    max_size=3,
)


def _terrain(
    tilt_e: float, tilt_n: float, hills: list[tuple[float, float, float, float]]
) -> TerrainGrid:
    def h(e: float, n: float) -> float:
        z = 400.0 + tilt_e * e + tilt_n * n
        for x, y, k, s in hills:
            z += k * math.exp(-((e - x) ** 2 + (n - y) ** 2) / (2 * s * s))
        return z

    return grid_from(LAT, LON, h)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tilt_e=st.floats(-0.4, 0.4),
    tilt_n=st.floats(-0.4, 0.4),
    hills=bumps,
    wind=st.floats(0.0, 12.0),
    wind_from=st.floats(0.0, 359.9),
    veer=st.floats(0.0, 30.0),
    hour=st.integers(0, 23),
    scout=st.lists(
        st.tuples(st.sampled_from(list(O)), st.floats(-400, 400), st.floats(-400, 400)), max_size=6
    ),
)
def test_no_stand_scent_cone_covers_a_predicted_bedding_zone(
    tilt_e: float,
    tilt_n: float,
    hills: list[tuple[float, float, float, float]],
    wind: float,
    wind_from: float,
    veer: float,
    hour: int,
    scout: list[tuple[O, float, float]],
) -> None:
    target = TARGET + timedelta(hours=hour)
    weather = series(target, wind=lambda h: wind, wind_dir=lambda h: (wind_from + veer * h) % 360.0)
    observations = tuple(
        obs(f"o{i}", k, *offset(LAT, LON, e, n), target - timedelta(days=1))
        for i, (k, e, n) in enumerate(scout)
    )
    p = predict(
        request(target=target),
        _full(terrain=_terrain(tilt_e, tilt_n, hills), weather=weather, scouting=observations),
        NOW,
    )
    for stand in p.stands:
        for zone in p.bedding_zones:
            assert not cone_covers(
                stand.lat, stand.lon, stand.wind_from_deg, wind, zone.lat, zone.lon
            )
    # Outputs stay in their ranges.
    assert 0.0 <= p.movement_score <= 10.0 and 0.0 <= p.confidence <= 1.0
    for z in p.bedding_zones + p.feeding_zones + p.travel_zones:
        assert 0.0 <= z.score <= 10.0
    for w in p.hunt_windows:
        assert 0.0 <= w.score <= 10.0 and w.start < w.end
    for s in p.stands:
        assert 60.0 <= s.distance_m <= 120.0 and 0.0 <= s.bearing_deg < 360.0


@settings(max_examples=60, deadline=None)
@given(
    wind_from=st.floats(0.0, 359.9),
    theta=st.floats(0.0, 359.9),
    wind=st.floats(0.0, 12.0),
    hour=st.integers(0, 23),
)
def test_rotating_the_wind_rotates_the_stand_on_flat_ground(
    wind_from: float, theta: float, wind: float, hour: int
) -> None:
    target = TARGET + timedelta(hours=hour)

    def primary(direction: float) -> float:
        weather = series(target, wind=lambda h: wind, wind_dir=lambda h: direction % 360.0)
        p = predict(
            request(target=target),
            _full(terrain=flat_grid(LAT, LON), weather=weather, scouting=()),
            NOW,
        )
        return next(s.bearing_deg for s in p.stands if s.primary)

    turned = primary(wind_from + theta)
    expected = (primary(wind_from) + theta) % 360.0
    diff = (turned - expected + 180.0) % 360.0 - 180.0
    assert abs(diff) <= 0.11  # bearings are published to 0.1°


@settings(max_examples=40, deadline=None)
@given(
    temp0=st.floats(-10, 25),
    drop=st.floats(0, 15),
    p0=st.floats(990, 1030),
    fall=st.floats(-1.5, 1.5),
    hour=st.integers(0, 23),
    status=st.sampled_from([SourceStatus.FRESH, SourceStatus.CACHED, SourceStatus.STALE]),
)
def test_dropping_weather_lowers_confidence_and_never_yields_a_front(
    temp0: float, drop: float, p0: float, fall: float, hour: int, status: SourceStatus
) -> None:
    target = TARGET + timedelta(hours=hour)
    weather = series(
        target, temp=lambda h: temp0 + (drop if h <= -24 else 0.0), pressure=lambda h: p0 + fall * h
    )
    with_wx = replace(_full(weather=weather), weather_quality=SourceQuality(status, 60.0))
    without = _full(weather=None)
    a = predict(request(target=target), with_wx, NOW)
    b = predict(request(target=target), without, NOW)
    assert b.confidence < a.confidence
    assert not any("cold_front" in f.name for f in b.factors)
    assert not any("cold_front" in w.triggers for w in b.hunt_windows)


@settings(max_examples=30, deadline=None)
@given(hour=st.integers(0, 47), wind_from=st.floats(0, 359.9), radius=st.floats(100, 5000))
def test_same_inputs_give_byte_identical_output(hour: int, wind_from: float, radius: float) -> None:
    target = TARGET + timedelta(hours=hour)
    e = _full(weather=series(target, wind_dir=lambda h: wind_from))
    req = request(target=target, radius_m=radius)
    assert _bytes(predict(req, e, NOW)) == _bytes(predict(req, e, NOW))


@pytest.mark.parametrize(
    ("lat", "lon"), [(0.0, 180.0), (0.0, -180.0), (89.9995, 10.0), (-89.9995, -170.0)]
)
def test_coordinates_stay_in_range_near_the_antimeridian_and_poles(lat: float, lon: float) -> None:
    target = datetime(2026, 11, 8, 12, 15, tzinfo=UTC)
    weather = series(target, lat=lat, lon=lon, wind=lambda h: 3.0, wind_dir=lambda h: 90.0)
    e = enrichment(grid_from(lat, lon, _hill), weather, ())
    p = predict(request(lat, lon, target), e, target)
    points = [(z.lat, z.lon) for z in p.bedding_zones + p.feeding_zones + p.travel_zones]
    points += [(s.lat, s.lon) for s in p.stands]
    assert points
    for plat, plon in points:
        assert -90.0 <= plat <= 90.0 and -180.0 <= plon <= 180.0
