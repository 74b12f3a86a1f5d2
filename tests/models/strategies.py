"""Hypothesis strategies for contract records and JSON values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from deerstream.models.geo import COMPASS_16
from deerstream.models.records import (
    ActivityLevel,
    Factor,
    HourForecast,
    HunterStand,
    HuntWindow,
    Prediction,
    PredictionRequest,
    RequestOptions,
    RutPhase,
    SourceQuality,
    SourceStatus,
    Stand,
    StandRating,
    SunTimes,
    Zone,
)

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"

ids = st.text(alphabet=ID_ALPHABET, min_size=1, max_size=64)

# Offsets RFC 3339 can write: whole minutes, strictly within ±24 h.
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)

# Years 2..9998 so that any offset still converts to a UTC time Python can represent.
aware_datetimes = st.datetimes(
    min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=offsets
)
utc_datetimes = aware_datetimes.map(lambda d: d.astimezone(UTC))


def bounded(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


finite = st.floats(allow_nan=False, allow_infinity=False)

v1_requests = st.builds(
    PredictionRequest,
    request_id=ids,
    lat=bounded(-90, 90),
    lon=bounded(-180, 180),
    target_time=aware_datetimes,
    radius_m=bounded(100, 5000),
    season=st.none() | st.sampled_from(RutPhase),
    hunter_id=st.none() | ids,
    options=st.builds(RequestOptions, st.booleans(), st.booleans(), st.booleans()),
    schema_version=st.just(1),
)


def _near(lat: float, lon: float) -> st.SearchStrategy[tuple[float, float]]:
    """A point within ~1.6 km of (lat, lon): inside any request's stand reach."""
    step = bounded(-0.01, 0.01)
    return st.tuples(step, step).map(
        lambda d: (min(90.0, max(-90.0, lat + d[0])), min(180.0, max(-180.0, lon + d[1])))
    )


@st.composite
def v2_requests(draw: st.DrawFn) -> PredictionRequest:
    base = draw(v1_requests)
    n = draw(st.integers(0, 20))
    stand_ids = draw(st.lists(ids, min_size=n, max_size=n, unique=True))
    stands = []
    for stand_id in stand_ids:
        s_lat, s_lon = draw(_near(base.lat, base.lon))
        name = draw(st.none() | st.text(min_size=1, max_size=80))
        stands.append(HunterStand(stand_id, s_lat, s_lon, name))
    peak = draw(st.none() | st.tuples(st.integers(1, 12), st.integers(1, 28)))
    options = draw(st.builds(RequestOptions, *[st.booleans()] * 4))
    return PredictionRequest(
        request_id=base.request_id,
        lat=base.lat,
        lon=base.lon,
        target_time=base.target_time,
        radius_m=base.radius_m,
        season=base.season,
        hunter_id=base.hunter_id,
        options=options,
        schema_version=2,
        horizon_h=draw(st.integers(1, 72)),
        stands=tuple(stands),
        rut_peak=peak,
    )


requests = v1_requests | v2_requests()

zones = st.builds(Zone, lat=bounded(-90, 90), lon=bounded(-180, 180), score=bounded(0, 10))
stands = st.builds(
    Stand,
    lat=bounded(-90, 90),
    lon=bounded(-180, 180),
    bearing_deg=bounded(0, 360),
    distance_m=bounded(0, 1e6),
    wind_from_deg=bounded(0, 360),
    reason=st.text(max_size=40),
    primary=st.booleans(),
    id=ids,
)
windows = st.builds(
    HuntWindow,
    start=aware_datetimes,
    end=aware_datetimes,
    score=bounded(0, 10),
    triggers=st.lists(st.text(max_size=20), max_size=3).map(tuple),
    best_stand_id=st.none() | ids,
    reason=st.text(max_size=40),
)
optional_number = st.none() | bounded(0, 10)
hours = st.builds(
    HourForecast,
    start=aware_datetimes,
    end=aware_datetimes,
    movement_score=bounded(0, 10),
    activity_level=st.sampled_from(ActivityLevel),
    wind_from_deg=st.none() | bounded(0, 360),
    wind_ms=st.none() | bounded(0, 100),
    legal_light=st.booleans(),
    triggers=st.lists(st.text(max_size=20), max_size=3).map(tuple),
    best_stand_id=st.none() | ids,
)


@st.composite
def stand_ratings(draw: st.DrawFn) -> StandRating:
    n = draw(st.integers(0, 4))
    return StandRating(
        stand_id=draw(ids),
        name=draw(st.none() | st.text(max_size=20)),
        lat=draw(bounded(-90, 90)),
        lon=draw(bounded(-180, 180)),
        travel_zone_m=draw(st.none() | bounded(0, 1e5)),
        good_winds=tuple(draw(st.lists(st.sampled_from(COMPASS_16), unique=True))),
        ratings=tuple(draw(st.lists(optional_number, min_size=n, max_size=n))),
        reasons=tuple(draw(st.lists(st.none() | st.text(max_size=30), min_size=n, max_size=n))),
    )


factors = st.builds(Factor, name=st.text(max_size=20), value=st.text(max_size=20), effect=finite)
qualities = st.builds(
    SourceQuality,
    status=st.sampled_from(SourceStatus),
    age_s=st.none() | bounded(0, 1e9),
    reason=st.none() | st.text(max_size=30),
)
optional_times = st.none() | aware_datetimes

predictions = st.builds(
    Prediction,
    prediction_id=ids,
    request_id=ids,
    model_version=st.text(min_size=1, max_size=20),
    lat=bounded(-90, 90),
    lon=bounded(-180, 180),
    target_time=aware_datetimes,
    rut_phase=st.sampled_from(RutPhase),
    movement_score=bounded(0, 10),
    activity_level=st.sampled_from(ActivityLevel),
    confidence=bounded(0, 1),
    bedding_zones=st.lists(zones, max_size=3).map(tuple),
    feeding_zones=st.lists(zones, max_size=3).map(tuple),
    travel_zones=st.lists(zones, max_size=3).map(tuple),
    stands=st.lists(stands, max_size=3).map(tuple),
    hunt_windows=st.lists(windows, max_size=3).map(tuple),
    factors=st.lists(factors, max_size=4).map(tuple),
    data_quality=st.fixed_dictionaries(
        {"terrain": qualities, "weather": qualities, "scouting": qualities},
        optional={"extra": qualities},
    ),
    sun=st.builds(SunTimes, optional_times, optional_times, optional_times, optional_times),
    produced_at=aware_datetimes,
    hunter_id=st.none() | ids,
    notes=st.lists(st.text(max_size=30), max_size=3).map(tuple),
    timings_ms=st.dictionaries(st.text(max_size=10), bounded(0, 1e7), max_size=4),
    replay=st.booleans(),
    hourly=st.lists(hours, max_size=3).map(tuple),
    stand_ratings=st.lists(stand_ratings(), max_size=2).map(tuple),
)

# Any JSON value orjson can write (it refuses integers beyond 64 bits).
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | finite
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=20,
)
