"""Scouting evidence: values, decay, max age, radius, hunters, mature bucks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.engine.scouting import EVIDENCE, age_factor, is_mature_sign, select_evidence
from deerstream.models.records import ObservationType as O
from tests.engine.builders import obs, offset

AT = datetime(2025, 11, 15, 12, tzinfo=UTC)
LAT, LON = 44.0, -72.0

TABLE = [
    # type, base, radius, travel, bedding, half-life d, max age d
    (O.SCRAPE, 20, 180, 10, 15, 14, 90),
    (O.RUB, 18, 140, 25, 8, 21, 180),
    (O.BEDDING_AREA, 25, 275, 5, 30, 30, 365),
    (O.TRAIL_CAMERA, 15, 90, 20, 5, 7, 90),
    (O.TRACKS, 8, 90, 15, 3, 3, 30),
    (O.FEEDING_SIGN, 12, 140, 5, 2, 7, 90),
    (O.SIGHTING, 10, 120, 15, 5, 5, 30),
    (O.SCAT, 4, 60, 4, 2, 5, 30),
]


@pytest.mark.parametrize(("kind", "base", "radius", "travel", "bedding", "half", "max_age"), TABLE)
def test_evidence_table_matches_the_domain(
    kind: O, base: int, radius: int, travel: int, bedding: int, half: int, max_age: int
) -> None:
    e = EVIDENCE[kind]
    assert (e.base, e.radius_m, e.travel, e.bedding, e.half_life_days, e.max_age_days) == (
        base, radius, travel, bedding, half, max_age,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "age", "factor"),
    [
        (O.SCRAPE, 0.0, 1.0),
        (O.SCRAPE, 14.0, 0.5),
        (O.SCRAPE, 28.0, 0.25),
        (O.SCRAPE, 90.0, 0.5 ** (90 / 14)),
        (O.SCRAPE, 90.01, 0.0),
        (O.TRACKS, 3.0, 0.5),
        (O.TRACKS, 31.0, 0.0),
    ],
)
def test_age_factor(kind: O, age: float, factor: float) -> None:
    assert age_factor(age, EVIDENCE[kind]) == pytest.approx(factor)


def _one(
    kind: O = O.SCRAPE,
    east: float = 0.0,
    days: float = 0.0,
    *,
    confidence: float = 8.0,
    rub_trunk_diameter_cm: float | None = None,
) -> list[float]:
    lat, lon = offset(LAT, LON, east, 0.0)
    o = obs(
        "a",
        kind,
        lat,
        lon,
        AT - timedelta(days=days),
        confidence=confidence,
        rub_trunk_diameter_cm=rub_trunk_diameter_cm,
    )
    found = select_evidence(
        (o,), lat=LAT, lon=LON, radius_m=800, at=AT, hunter_id=None, shared=False
    )
    return [e.weight_at(LAT, LON) for e in found]


def test_weight_is_base_times_age_times_confidence_times_distance() -> None:
    # Scrape 90 m away (half its 180 m radius), 14 days old, confidence 8.
    assert _one(east=90.0, days=14.0, confidence=8.0) == [
        pytest.approx(20 * 0.5 * 0.8 * 0.5, rel=1e-3)
    ]
    assert _one(east=180.5) == [0.0]  # outside its radius: no weight here
    assert _one(days=91.0) == []  # past max age: dropped


def test_request_radius_filters() -> None:
    lat, lon = offset(LAT, LON, 900.0, 0.0)
    far = obs("far", O.SCRAPE, lat, lon, AT)
    assert (
        select_evidence((far,), lat=LAT, lon=LON, radius_m=800, at=AT, hunter_id=None, shared=False)
        == ()
    )


def test_observations_after_the_target_time_do_not_count() -> None:
    # Re-scoring an old request must not use sign found after the hunt.
    before = obs("before", O.SCRAPE, LAT, LON, AT - timedelta(hours=1))
    after = obs("after", O.SCRAPE, LAT, LON, AT + timedelta(hours=1))
    chosen = select_evidence(
        (before, after), lat=LAT, lon=LON, radius_m=800, at=AT, hunter_id=None, shared=False
    )
    assert [e.obs.observation_id for e in chosen] == ["before"]


@pytest.mark.parametrize(
    ("request_hunter", "shared", "counted"),
    [
        (None, False, {"mine", "theirs", "anon"}),
        ("me", False, {"mine"}),
        ("me", True, {"mine", "theirs", "anon"}),
    ],
)
def test_other_hunters_count_only_without_hunter_or_when_shared(
    request_hunter: str | None, shared: bool, counted: set[str]
) -> None:
    items = (
        obs("mine", O.RUB, LAT, LON, AT, hunter_id="me"),
        obs("theirs", O.RUB, LAT, LON, AT, hunter_id="you"),
        obs("anon", O.RUB, LAT, LON, AT),
    )
    got = select_evidence(
        items, lat=LAT, lon=LON, radius_m=800, at=AT, hunter_id=request_hunter, shared=shared
    )
    assert {e.obs.observation_id for e in got} == counted


@pytest.mark.parametrize(
    ("kind", "extra", "days", "mature"),
    [
        (O.RUB, {"rub_trunk_diameter_cm": 20.0}, 10, True),
        (O.RUB, {"rub_height_cm": 95.0}, 10, True),
        (O.RUB, {"rub_trunk_diameter_cm": 8.0, "rub_height_cm": 60.0}, 10, False),
        (O.SCRAPE, {"scrape_large": True, "licking_branch": True}, 3, True),
        (O.SCRAPE, {"scrape_large": True, "licking_branch": True}, 20, False),  # not fresh
        (O.SCRAPE, {"scrape_large": True}, 3, False),
        (O.TRAIL_CAMERA, {"mature_buck_seen": True}, 13, True),
        (O.TRAIL_CAMERA, {"mature_buck_seen": True}, 15, False),
        (O.SIGHTING, {"mature_buck_seen": True}, 2, True),
        (O.SCAT, {}, 0, False),
    ],
)
def test_mature_buck_sign(kind: O, extra: dict[str, Any], days: int, mature: bool) -> None:
    o = replace(obs("m", kind, LAT, LON, AT - timedelta(days=days)), **extra)
    assert is_mature_sign(o, float(days)) is mature


def test_mature_sign_counts_more() -> None:
    plain = _one(O.RUB, east=10.0, days=1.0)
    big = _one(O.RUB, east=10.0, days=1.0, rub_trunk_diameter_cm=25.0)
    assert big[0] == pytest.approx(plain[0] * 1.5)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(list(O)),
    days=st.floats(0, 400),
    fresher=st.floats(0, 50),
    east=st.floats(0, 300),
    closer=st.floats(0, 300),
)
def test_fresher_or_closer_never_weighs_less(
    kind: O, days: float, fresher: float, east: float, closer: float
) -> None:
    base = sum(_one(kind, east=east, days=days))
    assert sum(_one(kind, east=east, days=max(0.0, days - fresher))) >= base
    assert sum(_one(kind, east=max(0.0, east - closer), days=days)) >= base
