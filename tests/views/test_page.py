"""The prediction page renderer: pure, deterministic, self-contained, true to the JSON."""

from __future__ import annotations

import copy
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from deerstream.engine.stands import scent_half_width_deg, scent_reach_m
from deerstream.views.page import PLAN_PX, render_index_page, render_prediction_page
from tests.views.dom import data_elements

FULL = Path(__file__).resolve().parents[2] / "examples" / "predictions" / "full.json"
V1 = FULL.with_name("v1.json")
ZONE_KEYS = {"bedding_zones": "bedding", "feeding_zones": "feeding", "travel_zones": "travel"}
_ARC = re.compile(
    r"M(-?[\d.]+),(-?[\d.]+)L(-?[\d.]+),(-?[\d.]+)A[\d.]+,[\d.]+ 0 0 1 (-?[\d.]+),(-?[\d.]+)Z"
)


@pytest.fixture
def full() -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(FULL.read_bytes())
    return data


@pytest.fixture
def v1() -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(V1.read_bytes())
    return data


def _proposed(page: str, kind: str) -> list[dict[str, str]]:
    """The ``stand`` or ``cone`` elements of the proposed stands (not the hunter's)."""
    yours = {
        e["data-stand"] for e in data_elements(page, "stand") if e["data-stand-kind"] == "yours"
    }
    return [e for e in data_elements(page, kind) if e["data-stand"] not in yours]


def _grid(lat: float, lon: float) -> dict[str, Any]:
    elev: list[float | None] = [300.0 + 8.0 * r + 3.0 * c for r in range(7) for c in range(7)]
    elev[24] = None  # a missing value stays unshaded
    return {
        "center_lat": lat,
        "center_lon": lon,
        "rows": 7,
        "cols": 7,
        "spacing_lat_deg": 90 / 111320,
        "spacing_lon_deg": 90 / 111320 / math.cos(math.radians(lat)),
        "elevations_m": elev,
    }


def _screen_bearing(x0: float, y0: float, x1: float, y1: float) -> float:
    """Compass bearing of (x1, y1) seen from (x0, y0) on the SVG (y grows downward)."""
    return math.degrees(math.atan2(x1 - x0, y0 - y1)) % 360.0


def _angle_diff(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


def test_output_is_deterministic(full: dict[str, Any]) -> None:
    first = render_prediction_page(full)
    assert render_prediction_page(copy.deepcopy(full)) == first
    assert render_prediction_page(orjson.loads(FULL.read_bytes())) == first
    grid = _grid(full["lat"], full["lon"])
    assert render_prediction_page(full, elevation_grid=grid) == render_prediction_page(
        full, elevation_grid=copy.deepcopy(grid)
    )


def test_rendering_does_not_change_its_input(full: dict[str, Any]) -> None:
    before = copy.deepcopy(full)
    render_prediction_page(full, elevation_grid=_grid(full["lat"], full["lon"]))
    assert full == before


def test_every_zone_has_an_element_with_its_score(full: dict[str, Any]) -> None:
    zones = data_elements(render_prediction_page(full), "zone")
    expected = [
        (kind, repr(float(z["lat"])), repr(float(z["lon"])), z["score"])
        for key, kind in ZONE_KEYS.items()
        for z in full[key]
    ]
    got = [(e["data-zone"], e["data-lat"], e["data-lon"], float(e["data-score"])) for e in zones]
    assert sorted(got) == sorted(expected)
    page = render_prediction_page(full)
    for kind, _, _, score in expected:
        assert f">{kind} {score:g}</text>" in page  # the visible label


def test_every_stand_has_a_marker_and_a_cone(full: dict[str, Any]) -> None:
    page = render_prediction_page(full)
    stands = _proposed(page, "stand")
    assert [(e["data-stand"], float(e["data-lat"]), float(e["data-lon"])) for e in stands] == [
        (s["id"], s["lat"], s["lon"]) for s in full["stands"]
    ]  # v2 stands are named by their id (P1, P2…), as hours and windows name them
    assert [e["data-stand-kind"] for e in stands] == [
        "primary" if s["primary"] else "alternate" for s in full["stands"]
    ]
    cones = _proposed(page, "cone")
    assert [c["data-stand"] for c in cones] == [e["data-stand"] for e in stands]


def test_v1_stands_are_numbered_in_published_order(v1: dict[str, Any]) -> None:
    page = render_prediction_page(v1)
    assert [e["data-stand"] for e in data_elements(page, "stand")] == ["S1", "S2"]
    assert [e["data-stand"] for e in data_elements(page, "cone")] == ["S1", "S2"]


def test_cone_bearing_is_where_the_scent_goes(full: dict[str, Any]) -> None:
    cones = _proposed(render_prediction_page(full), "cone")
    assert len(cones) == len(full["stands"])
    for cone, stand in zip(cones, full["stands"], strict=True):
        assert float(cone["data-bearing"]) == pytest.approx((stand["wind_from_deg"] + 180) % 360)
        assert float(cone["data-wind-from"]) == pytest.approx(stand["wind_from_deg"])


def test_cones_are_drawn_pointing_their_bearing_with_the_projects_size_rule(
    full: dict[str, Any],
) -> None:
    # The wind factor says 7.2 m/s: 80 + 45 × 7.2 = 404 m, ±18° (above 6.7 m/s).
    cones = data_elements(render_prediction_page(full), "cone")
    for cone in cones:
        assert float(cone["data-length-m"]) == pytest.approx(scent_reach_m(7.2)) == 404.0
        assert float(cone["data-half-width"]) == scent_half_width_deg(7.2) == 18.0
        m = _ARC.fullmatch(cone["d"])
        assert m is not None, cone["d"]
        x0, y0, x1, y1, x2, y2 = (float(v) for v in m.groups())
        bearing = float(cone["data-bearing"])
        half = float(cone["data-half-width"])
        assert _angle_diff(_screen_bearing(x0, y0, x1, y1), bearing - half) < 0.5
        assert _angle_diff(_screen_bearing(x0, y0, x2, y2), bearing + half) < 0.5


def test_map_orientation_north_up_east_right(full: dict[str, Any]) -> None:
    zones = {
        (e["data-zone"], e["data-index"]): (float(e["cx"]), float(e["cy"]))
        for e in data_elements(render_prediction_page(full), "zone")
    }
    # bedding 1 is north-west of bedding 2 (44.9801,-93.2672 vs 44.9765,-93.2611).
    (xa, ya), (xb, yb) = zones[("bedding", "1")], zones[("bedding", "2")]
    assert xa < xb and ya < yb
    # East–west distances shrink by cos(lat): 0.0061° lon vs 0.0036° lat at 45° N.
    east_m = 0.0061 * math.cos(math.radians(full["lat"]))
    assert (xb - xa) / (yb - ya) == pytest.approx(east_m / 0.0036, rel=0.02)


def test_hunt_windows_wind_north_and_scale_are_there(full: dict[str, Any]) -> None:
    page = render_prediction_page(full)
    windows = data_elements(page, "window")
    assert [(w["data-start"], w["data-end"], float(w["data-score"])) for w in windows] == [
        (w["start"], w["end"], w["score"]) for w in full["hunt_windows"]
    ]
    (wind,) = data_elements(page, "wind")
    assert float(wind["data-from"]) == 45.0 and float(wind["data-speed-ms"]) == 7.2
    assert len(data_elements(page, "north")) == 1
    (scale,) = data_elements(page, "scale")
    assert int(scale["data-metres"]) > 0


def test_windows_on_several_days_each_say_their_day(full: dict[str, Any]) -> None:
    """A 48 h forecast ranks dusk of both days first: "21:00–22:50" twice is unreadable
    without the day (seen in the tour's page); one day's windows need no date."""
    one_day = re.findall(r"<li><b>([^<]*)</b> score", render_prediction_page(full))
    assert one_day and all(re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", t) for t in one_day)
    later = copy.deepcopy(full["hunt_windows"][0])
    for key in ("start", "end"):
        later[key] = (datetime.fromisoformat(later[key]) + timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    full["hunt_windows"] = [full["hunt_windows"][0], later]
    labels = re.findall(r"<li><b>([^<]*)</b> score", render_prediction_page(full))
    assert labels == ["Sun 8 Nov 12:00–15:00", "Mon 9 Nov 12:00–15:00"]


def test_factors_are_listed_in_words(full: dict[str, Any]) -> None:
    page = render_prediction_page(full)
    for f in full["factors"]:
        assert f["name"].replace("_", " ") in page
        assert f["value"] in page
    assert "+2.5" in page and "-0.8" in page


def test_the_page_is_self_contained(full: dict[str, Any]) -> None:
    page = render_prediction_page(full, elevation_grid=_grid(full["lat"], full["lon"]))
    assert "http://" not in page and "https://" not in page
    assert re.search(r"\b(src|href)\s*=", page) is None
    assert re.search(r"url\((?!#)", page) is None
    assert "@import" not in page and "<script" not in page and "<link" not in page


def test_terrain_cells_are_shaded_by_elevation(full: dict[str, Any]) -> None:
    grid = _grid(full["lat"], full["lon"])
    page = render_prediction_page(full, elevation_grid=grid)
    (terrain,) = data_elements(page, "terrain")
    assert float(terrain["data-min-m"]) == 300.0 and float(terrain["data-max-m"]) == 366.0
    cells = re.findall(r'fill="(#[0-9a-f]{6})" data-elevation="([\d.]+)"', page)
    assert len(cells) == 48  # 49 cells, one missing
    by_elevation = dict((float(e), fill) for fill, e in cells)
    assert by_elevation[300.0] != by_elevation[366.0]
    assert data_elements(render_prediction_page(full), "terrain") == []
    short = {
        "lat": grid["center_lat"],
        "lon": grid["center_lon"],
        "rows": 7,
        "cols": 7,
        "dlat": grid["spacing_lat_deg"],
        "dlon": grid["spacing_lon_deg"],
        "e": grid["elevations_m"],
    }  # the enrichment cache's form
    assert render_prediction_page(full, elevation_grid=short) == page


def test_longitude_differences_wrap_at_the_antimeridian(full: dict[str, Any]) -> None:
    near = {
        **full,
        "lat": 0.0,
        "lon": 179.9995,
        "bedding_zones": [{"lat": 0.0, "lon": -179.9995, "score": 5.0}],  # 111 m east
        "feeding_zones": [],
        "travel_zones": [],
        "stands": [],
        "stand_ratings": [],
    }
    (zone,) = data_elements(render_prediction_page(near), "zone")
    assert PLAN_PX / 2 < float(zone["cx"]) < PLAN_PX / 2 + PLAN_PX / 2 * 0.9
    assert float(zone["cy"]) == pytest.approx(PLAN_PX / 2)


def test_missing_and_malformed_fields_degrade_gracefully(full: dict[str, Any]) -> None:
    minimal = render_prediction_page({"request_id": "r1"})
    assert "r1" in minimal and "</html>" in minimal
    assert data_elements(minimal, "zone") == [] and data_elements(minimal, "cone") == []
    broken = {
        **full,
        "stands": "nope",
        "stand_ratings": [{"stand_id": "x", "lat": "y"}, 7, {"lat": 44.98, "lon": -93.26}],
        "hourly": [None, {"start": "never", "legal_light": True}],
        "bedding_zones": [{"lat": "x"}, None, {"lat": 44.98, "lon": -93.26, "score": 5}],
        "hunt_windows": [{"start": "not a time", "end": 3}],
        "factors": [{"name": 1}],
        "sun": None,
        "data_quality": [],
        "target_time": "2026-11-08T12:15:00",  # no offset: not placed on the timeline
    }
    page = render_prediction_page(broken)
    assert len(data_elements(page, "zone")) == 1 + len(full["feeding_zones"]) + len(
        full["travel_zones"]
    )
    assert data_elements(page, "window") == [] and data_elements(page, "stand") == []
    no_wind = {
        **full,
        "factors": [],
        "stands": [{**s, "wind_from_deg": None} for s in full["stands"]],
    }
    page = render_prediction_page(no_wind)
    assert data_elements(page, "cone") == []
    assert data_elements(page, "wind")[0]["data-from"] == ""


def test_without_a_wind_speed_cones_are_drawn_for_calm_air(full: dict[str, Any]) -> None:
    calm = {**full, "factors": [f for f in full["factors"] if f["name"] != "wind"]}
    page = render_prediction_page(calm)
    cones = data_elements(page, "cone")
    assert {float(c["data-length-m"]) for c in cones} == {80.0}
    assert {float(c["data-half-width"]) for c in cones} == {55.0}
    assert "calm air" in page
    # The wind direction then comes from the primary stand.
    assert float(data_elements(page, "wind")[0]["data-from"]) == 45.0


def test_the_engines_wind_factor_wording_is_understood(full: dict[str, Any]) -> None:
    engine_style = {
        **full,
        "factors": [{"name": "wind", "value": "from 300° at 2.0 m/s", "effect": 0.0}],
    }
    page = render_prediction_page(engine_style)
    (wind,) = data_elements(page, "wind")
    assert float(wind["data-from"]) == 300.0 and float(wind["data-speed-ms"]) == 2.0
    assert {float(c["data-half-width"]) for c in data_elements(page, "cone")} == {40.0}


def test_the_hunters_own_stand_is_drawn_with_a_cone(full: dict[str, Any]) -> None:
    mine = {
        **full,
        "stand_ratings": [],
        "hunter_stand": {"lat": 44.9772, "lon": -93.2660, "id": "oak"},
    }
    page = render_prediction_page(mine)
    own = [e for e in data_elements(page, "stand") if e["data-stand-kind"] == "yours"]
    assert [e["data-stand"] for e in own] == ["oak"]
    (cone,) = [c for c in data_elements(page, "cone") if c["data-stand"] == "oak"]
    assert float(cone["data-bearing"]) == 225.0  # the target hour's wind: from NE


def test_hourly_series_are_charted_when_present(full: dict[str, Any]) -> None:
    hourly = [
        {"time": f"2026-11-08T{h:02d}:00:00Z", "score": float(h % 7), "wind_ms": 3.0 + h / 10}
        for h in range(10, 24)
    ]
    page = render_prediction_page({**full, "hourly": hourly})
    assert {e["data-series"] for e in data_elements(page, "hourly")} == {"score", "wind_ms"}


def test_text_is_escaped(full: dict[str, Any]) -> None:
    evil = {
        **full,
        "notes": ["<script>alert(1)</script>"],
        "factors": [{"name": "x", "value": '"><img onerror=1>', "effect": 1}],
    }
    page = render_prediction_page(evil)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


def _v2_day(full: dict[str, Any]) -> dict[str, Any]:
    """full.json over 11:00-01:00 UTC: 11:00 and 00:00 dark, three windows' hours, two stands
    of the hunter's (one with bad hours, one that cannot be judged)."""
    hours = []
    for k in range(14):
        start = datetime(2026, 11, 8, 11, tzinfo=UTC) + timedelta(hours=k)
        hours.append(
            {
                "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "movement_score": 2.0 + k / 2,
                "activity_level": "moderate",
                "wind_from_deg": None if k == 5 else 40.0 + 20 * k,
                "wind_ms": None if k == 5 else 3.0,
                "legal_light": 1 <= k <= 12,
                "triggers": ["legal_light", "cold_front_near"] if 1 <= k <= 12 else [],
                "best_stand_id": "ridge-oak" if k in (1, 2, 3) else None,
            }
        )
    ratings: list[float | None] = [None if k in (0, 5, 13) else 8.0 for k in range(14)]
    reasons: list[str | None] = ["scent clear" for _ in range(14)]
    reasons[0] = reasons[13] = None
    reasons[5] = "no wind data for this hour"
    for k in (6, 7):
        ratings[k] = 1.0
        reasons[k] = f"wind from {40 + 20 * k:.0f}° carries scent over the bedding zone 120 m NE"
    return {
        **full,
        "hourly": hours,
        "stand_ratings": [
            {**full["stand_ratings"][0], "ratings": ratings, "reasons": reasons},
            {
                "stand_id": "creek",
                "name": None,
                "lat": 44.9772,
                "lon": -93.2650,
                "travel_zone_m": None,
                "good_winds": [],
                "ratings": [None] * 14,
                "reasons": [None] * 14,
            },
        ],
    }


def test_v2_hour_by_hour_table_lists_the_legal_light_hours(full: dict[str, Any]) -> None:
    page = render_prediction_page(full)
    assert "Hour by hour (UTC)" in page
    rows = data_elements(page, "hour")
    legal = [h for h in full["hourly"] if h["legal_light"]]
    assert [(r["data-start"], float(r["data-score"]), r["data-best-stand"]) for r in rows] == [
        (h["start"], h["movement_score"], h["best_stand_id"] or "") for h in legal
    ]
    assert "12:29–13:00" in page and "45° NE, 3.2 m/s" in page  # from° and m/s, in UTC
    assert "legal light, dawn" in page and "8.5/10" in page  # triggers; the stand's rating
    assert "no data" in page and "none suits" in page  # the 13:00 hour has no wind


def test_v2_hours_in_windows_are_highlighted_and_dark_hours_left_out(
    full: dict[str, Any],
) -> None:
    page = render_prediction_page(_v2_day(full))
    rows = data_elements(page, "hour")
    assert [r["data-start"][11:16] for r in rows] == [f"{h}:00" for h in range(12, 24)]
    in_window = {r["data-start"][11:16] for r in rows if r["data-window"] == "1"}
    # Windows 12:00-15:00 and 21:30-23:30: the hours they touch.
    assert in_window == {"12:00", "13:00", "14:00", "21:00", "22:00", "23:00"}
    assert all(("class" in r) == (r["data-window"] == "1") for r in rows)
    assert "2 hours outside legal light not shown" in page
    assert "Sun 8 Nov" in page  # a day row heads the table


def test_v2_your_stands_show_travel_zone_good_winds_and_bad_hours(full: dict[str, Any]) -> None:
    page = render_prediction_page(_v2_day(full))
    assert "Your stands" in page and "Ridge oak" in page
    assert "travel zone 120 m away" in page  # 120.5 rounded
    roses = {e["data-stand"]: e for e in data_elements(page, "rose")}
    assert roses["ridge-oak"]["data-good"] == "N NNE NE"
    assert roses["creek"]["data-good"] == ""
    sectors = re.findall(r'<path data-sector="(\w+)" data-good="([01])"', page)
    assert len(sectors) == 32  # 16 per stand
    assert {s for s, good in sectors if good == "1"} == {"N", "NNE", "NE"}
    bad = [e for e in data_elements(page, "bad-hour") if e["data-stand"] == "ridge-oak"]
    assert len(bad) == 2
    assert "<b>8 Nov 17:00</b>" in page  # the forecast crosses midnight UTC: dated
    assert "wind from 160° carries scent over the bedding zone 120 m NE" in page
    assert "wind from 140°" not in page  # a good hour is not listed as bad
    assert "not rated 8 Nov 16:00: no wind data for this hour" in page
    assert "worth sitting (≥ 4) in 9 of 11 rated hours" in page
    assert "distance to a travel zone unknown" in page  # creek: no travel zone


def test_v2_bad_hours_in_a_row_for_one_reason_are_one_line(full: dict[str, Any]) -> None:
    """The tour's creek stand listed the same "wind carries scent over the bedding zone" for
    eleven hours one by one; a run of equal bad hours is one line with its span."""
    p = _v2_day(full)
    rated = p["stand_ratings"][0]
    same = "wind from 200° carries scent over the bedding zone 161 m NNE"
    for k in (8, 9, 10):
        rated["ratings"][k], rated["reasons"][k] = 1.0, same
    rated["ratings"][11], rated["reasons"][11] = 2.0, same  # another rating: its own line
    page = render_prediction_page(p)
    bad = [e for e in data_elements(page, "bad-hour") if e["data-stand"] == "ridge-oak"]
    assert [e["data-hours"] for e in bad] == ["1", "1", "3", "1"]
    assert "<b>8 Nov 19:00–22:00</b> (3 h)" in page
    assert page.count(same) == 2


def test_v2_hunter_stands_are_drawn_on_the_plan_with_their_id(full: dict[str, Any]) -> None:
    page = render_prediction_page(_v2_day(full))
    stands = {e["data-stand"]: e for e in data_elements(page, "stand")}
    assert set(stands) == {"P1", "P2", "ridge-oak", "creek"}
    assert stands["ridge-oak"]["data-stand-kind"] == stands["creek"]["data-stand-kind"] == "yours"
    assert {stands[s]["data-stand-kind"] for s in ("P1", "P2")} == {"primary", "alternate"}
    assert float(stands["ridge-oak"]["data-lat"]) == 44.9795
    assert ">ridge-oak</text>" in page and ">creek</text>" in page  # labels on the plan
    assert "your stand" in page  # the legend
    # A hunter_stand that is also rated is drawn once.
    twice = {**full, "hunter_stand": {"lat": 44.9795, "lon": -93.2668, "id": "ridge-oak"}}
    ids = [e["data-stand"] for e in data_elements(render_prediction_page(twice), "stand")]
    assert ids.count("ridge-oak") == 1


def test_v2_windows_name_the_stand_to_sit_and_why(full: dict[str, Any]) -> None:
    page = render_prediction_page(full)
    assert "sit <b>ridge-oak</b> (Ridge oak)" in page
    assert full["hunt_windows"][0]["reason"] in page
    assert "no stand suits" in page  # the second window names none


def test_v1_prediction_renders_without_the_v2_sections(v1: dict[str, Any]) -> None:
    page = render_prediction_page(v1)
    for text in ("Hour by hour", "Your stands", "sit <b>", "no stand suits", "tr.win"):
        assert text not in page
    for kind in ("hour", "hours", "rose", "rated-stand", "bad-hour"):
        assert data_elements(page, kind) == []
    assert all(e["data-stand-kind"] != "yours" for e in data_elements(page, "stand"))
    assert len(data_elements(page, "window")) == len(v1["hunt_windows"])
    # The same page as from full.json stripped of every v2 field.
    full = orjson.loads(FULL.read_bytes())
    stripped = {k: v for k, v in full.items() if k not in ("hourly", "stand_ratings")}
    stripped["schema_version"] = 1
    stripped["stands"] = [{k: v for k, v in s.items() if k != "id"} for s in full["stands"]]
    stripped["hunt_windows"] = [
        {k: v for k, v in w.items() if k not in ("best_stand_id", "reason")}
        for w in full["hunt_windows"]
    ]
    assert render_prediction_page(stripped) == page


def test_v2_text_is_escaped(full: dict[str, Any]) -> None:
    evil = _v2_day(full)
    evil["stand_ratings"][0]["name"] = "<script>alert(1)</script>"
    evil["stand_ratings"][0]["reasons"][6] = '"><img src=x onerror=1>'
    evil["stand_ratings"][0]["good_winds"] = ["N", "<b>"]
    evil["stand_ratings"][1]["stand_id"] = 'c"><script>'
    evil["hourly"][1]["triggers"] = ["<script>x</script>"]
    evil["hourly"][2]["best_stand_id"] = "<img>"
    evil["hunt_windows"][0]["reason"] = "<script>alert(2)</script>"
    evil["hunt_windows"][0]["best_stand_id"] = "<i>"
    page = render_prediction_page(evil)
    assert "<script" not in page and "<img" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=1&gt;" in page
    assert 'data-stand="c&quot;&gt;&lt;script&gt;"' in page
    (rose,) = [e for e in data_elements(page, "rose") if e["data-stand"] == "ridge-oak"]
    assert rose["data-good"] == "N"  # not a compass point: dropped


def test_v2_pages_stay_self_contained_and_deterministic(full: dict[str, Any]) -> None:
    day = _v2_day(full)
    page = render_prediction_page(day)
    assert render_prediction_page(copy.deepcopy(day)) == page
    assert "http://" not in page and "https://" not in page
    assert re.search(r"\b(src|href)\s*=", page) is None
    assert re.search(r"url\((?!#)", page) is None
    empty = render_prediction_page({**full, "hourly": [], "stand_ratings": []})
    assert "No hourly forecast." in empty and "Your stands" not in empty


def test_index_page_links_to_each_prediction() -> None:
    page = render_index_page(["app-7:hunt.2026-11-08", "r2"])
    assert '<a href="/predictions/app-7:hunt.2026-11-08">' in page
    assert page.index("app-7:hunt") < page.index("r2")
    assert "No predictions yet" in render_index_page([])
    assert "https://" not in page and "http://" not in page
