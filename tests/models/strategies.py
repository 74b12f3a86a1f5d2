"""Hypothesis strategies for contract records and JSON values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from models.records import (
    ActivityLevel,
    Factor,
    HuntWindow,
    Prediction,
    PredictionRequest,
    RequestOptions,
    RutPhase,
    SourceQuality,
    SourceStatus,
    Stand,
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

requests = st.builds(
    PredictionRequest,
    request_id=ids,
    lat=bounded(-90, 90),
    lon=bounded(-180, 180),
    target_time=aware_datetimes,
    radius_m=bounded(100, 5000),
    season=st.none() | st.sampled_from(RutPhase),
    hunter_id=st.none() | ids,
    options=st.builds(RequestOptions, st.booleans(), st.booleans(), st.booleans()),
)

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
)
windows = st.builds(
    HuntWindow,
    start=aware_datetimes,
    end=aware_datetimes,
    score=bounded(0, 10),
    triggers=st.lists(st.text(max_size=20), max_size=3).map(tuple),
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
