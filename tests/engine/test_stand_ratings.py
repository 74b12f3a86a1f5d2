"""The hunter's own stands, rated hour by hour: what a hunter reads about each stand."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.engine.stand_ratings import (
    BEDDING_HIT_RATING,
    NO_WIND,
    NO_ZONES,
    TRAVEL_HIT_RATING,
    rate_stands,
    travel_rating,
)
from deerstream.engine.stands import cone_covers
from deerstream.engine.windows import HourScore
from deerstream.models.geo import COMPASS_16, local_offset
from deerstream.models.records import ActivityLevel, HunterStand, Zone

LAT, LON = 44.5, -89.5
T0 = 1_800_000_000.0


def _at(east: float, north: float, lat: float = LAT, lon: float = LON) -> tuple[float, float]:
    return local_offset(lat, lon, east, north)


def _zone(east: float, north: float) -> Zone:
    return Zone(*_at(east, north), 8.0)


def _stand(sid: str, east: float, north: float) -> HunterStand:
    return HunterStand(sid, *_at(east, north), f"stand {sid}")


def _hour(
    wind_from: float | None, wind_ms: float | None = 5.0, *, legal: bool = True, k: int = 0
) -> HourScore:
    """A midday legal hour (no thermals: rise/set unknown) with the given wind."""
    start = T0 + k * 3600.0
    return HourScore(
        start, start + 3600.0, 6.0, (), 1, legal, ActivityLevel.HIGH, wind_from, wind_ms
    )


def test_a_stand_whose_scent_blows_over_the_bedding_zone_is_rated_bad_with_the_reason() -> None:
    # The stand is 150 m south of the bedding zone; a south wind carries scent north.
    stand = _stand("oak", 0.0, 0.0)
    ratings, best = rate_stands(
        [stand], [_hour(180.0)], bedding=[_zone(0.0, 150.0)], travel=[_zone(60.0, 0.0)], lat=LAT
    )
    (r,) = ratings
    assert r.ratings == (BEDDING_HIT_RATING,)
    assert r.reasons == ("wind from 180° carries scent over the bedding zone 150 m N",)
    assert best == [None]  # nobody should sit a stand that blows the bedding zone


def test_ratings_rotate_with_the_wind() -> None:
    stand = _stand("oak", 0.0, 0.0)
    bedding, travel = [_zone(0.0, 150.0)], [_zone(60.0, 0.0)]
    hours = [_hour(w, k=i) for i, w in enumerate((180.0, 0.0, 90.0, 270.0))]
    (r,), best = rate_stands([stand], hours, bedding=bedding, travel=travel, lat=LAT)
    base = round(travel_rating(60.0), 1)
    # From the south: over the bedding zone; from the north: clear; from the west the cone
    # (5 m/s: 22° wide, 305 m long) sweeps east over the travel zone 60 m E.
    assert r.ratings == (BEDDING_HIT_RATING, base, base, min(base, TRAVEL_HIT_RATING))
    assert "travel zone 60 m E" in (r.reasons[3] or "")
    assert best == [None, "oak", "oak", None]
    # The safe sectors are the wind directions that do not blow toward either zone.
    assert "S" not in r.good_winds and "W" not in r.good_winds
    assert {"N", "E", "NE", "SE"} <= set(r.good_winds)


@given(turn=st.integers(0, 15))
@settings(max_examples=16, deadline=None)
def test_good_winds_turn_with_the_layout(turn: int) -> None:
    """Rotating the zones around the stand by k sectors rotates its safe sectors by k."""
    theta = math.radians(turn * 22.5)

    def rotated(east: float, north: float) -> Zone:
        e = east * math.cos(theta) + north * math.sin(theta)
        n = -east * math.sin(theta) + north * math.cos(theta)
        return _zone(e, n)

    stand = _stand("s", 0.0, 0.0)
    layout = [(0.0, 150.0), (200.0, -40.0)]
    (plain,), _ = rate_stands(
        [stand], [_hour(0.0)], bedding=[_zone(*layout[0])], travel=[_zone(*layout[1])], lat=LAT
    )
    (turned,), _ = rate_stands(
        [stand],
        [_hour(0.0)],
        bedding=[rotated(*layout[0])],
        travel=[rotated(*layout[1])],
        lat=LAT,
    )
    shift = {COMPASS_16[(COMPASS_16.index(s) + turn) % 16] for s in plain.good_winds}
    assert set(turned.good_winds) == shift


@given(
    zones=st.lists(
        st.tuples(st.floats(-500, 500), st.floats(-500, 500), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    wind_from=st.floats(0, 359.9),
    wind_ms=st.floats(0, 12),
    lon=st.sampled_from([-89.5, 179.9995, -179.9995]),
)
@settings(max_examples=300, deadline=None)
def test_each_hour_agrees_with_the_scent_cone_of_stand_placement(
    zones: list[tuple[float, float, bool]], wind_from: float, wind_ms: float, lon: float
) -> None:
    """The rating loop's fast, precomputed geometry gives exactly the cone check that
    stand placement uses, zone by zone, also across the antimeridian."""
    stand = HunterStand("s", *_at(0.0, 0.0, LAT, lon))
    bedding = [Zone(*_at(e, n, LAT, lon), 5.0) for e, n, is_bed in zones if is_bed]
    travel = [Zone(*_at(e, n, LAT, lon), 5.0) for e, n, is_bed in zones if not is_bed]
    (r,), _ = rate_stands(
        [stand], [_hour(wind_from, wind_ms)], bedding=bedding, travel=travel, lat=LAT
    )

    def hit(zs: list[Zone]) -> bool:
        return any(cone_covers(stand.lat, stand.lon, wind_from, wind_ms, z.lat, z.lon) for z in zs)

    rating = r.ratings[0]
    assert rating is not None
    if hit(bedding):
        assert rating <= BEDDING_HIT_RATING and "bedding zone" in (r.reasons[0] or "")
    elif hit(travel):
        assert rating <= TRAVEL_HIT_RATING and "travel zone" in (r.reasons[0] or "")
    else:
        assert (r.reasons[0] or "").startswith("scent clear")


def test_the_best_stand_each_hour_is_the_one_that_keeps_its_scent_off_the_deer() -> None:
    # Bedding zone north of both stands' line; the wind swings from south to north.
    a, b = _stand("a", 0.0, 0.0), _stand("b", 0.0, 300.0)  # b is north of the zone
    bedding, travel = [_zone(0.0, 150.0)], [_zone(40.0, 150.0)]
    hours = [_hour(180.0, k=0), _hour(0.0, k=1)]
    ratings, best = rate_stands([a, b], hours, bedding=bedding, travel=travel, lat=LAT)
    # South wind: a's scent goes north over the zone, b's goes away from it; north wind: reverse.
    assert best == ["b", "a"]
    assert ratings[0].ratings[0] == BEDDING_HIT_RATING
    assert ratings[1].ratings[1] == BEDDING_HIT_RATING


def test_hours_that_cannot_be_judged_say_why() -> None:
    stand = _stand("s", 0.0, 0.0)
    hours = [_hour(None, None, k=0), _hour(90.0, k=1, legal=False), _hour(90.0, k=2)]
    (r,), best = rate_stands([stand], hours, bedding=[_zone(0, 150)], travel=[], lat=LAT)
    assert r.ratings[:2] == (None, None)
    assert r.reasons[:2] == (NO_WIND, None)  # the hourly entry says there is no legal light
    (r,), best = rate_stands([stand], hours, bedding=[], travel=[], lat=LAT)
    assert r.ratings == (None, None, None) and r.reasons[2] == NO_ZONES
    assert r.good_winds == () and best == [None, None, None]
