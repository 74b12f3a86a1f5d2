"""Hunt windows as a hunter reads them, over a whole year at several latitudes.

The field report: in the rut, windows spanned all daylight (a moderate hour with aligned
wind cleared a fixed 5.0), windows started before the requested time, and two-minute
slivers ranked first; later, a 48 h forecast dropped tomorrow's dawn behind the next day's.
Here every prediction of a year-long scan (weekly for 24 h, daily for 48 h; both
hemispheres, the full model with a calm, steady hourly series) is checked on what a hunter
sees.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from deerstream.engine import MODEL_VERSION, predict
from deerstream.engine.solar import SolarDay, compute_solar_day
from deerstream.models.records import Prediction, RutPhase
from tests.engine.builders import enrichment, plane_grid, request, series

LATITUDES = [(44.4, -72.9), (32.3, -90.2), (-37.8, 145.0), (61.2, -149.9)]
RUT = {RutPhase.SEEKING, RutPhase.PEAK_RUT}


def _year(
    lat: float, lon: float, *, step: timedelta = timedelta(weeks=1), horizon: int = 24
) -> list[tuple[datetime, tuple[Prediction, SolarDay]]]:
    """A prediction asked before dawn every ``step`` of a year, over ``horizon`` hours."""
    out = []
    day0 = datetime(2025, 1, 3, tzinfo=UTC)
    for n in range(int(timedelta(days=365) / step)):
        day = (day0 + n * step).date()
        sun = compute_solar_day(day, lat, lon)
        if sun.sunrise is None or sun.sunset is None:
            continue  # polar night or day: no twilight peaks to find
        # Two hours before legal light: the scan covers the whole hunting day.
        target = sun.sunrise - timedelta(hours=2, minutes=30)
        wx = series(
            target,
            lat=lat,
            lon=lon,
            after_h=horizon + 24,
            wind=lambda h: 2.0,
            wind_dir=lambda h: 270.0,
        )
        p = predict(
            dataclasses.replace(request(lat, lon, target), horizon_h=horizon),
            enrichment(plane_grid(lat, lon, 12.0, 180.0), wx, ()),
            target - timedelta(hours=1),
            model_version=MODEL_VERSION,
        )
        out.append((target, (p, sun)))
    return out


@pytest.mark.parametrize(("lat", "lon"), LATITUDES)
def test_a_year_of_windows_reads_right(lat: float, lon: float) -> None:
    lengths: list[float] = []
    for target, (p, sun) in _year(lat, lon):
        windows = p.hunt_windows
        assert windows, f"{target}: no window at all"
        for w in windows:
            hours = (w.end - w.start).total_seconds() / 3600
            lengths.append(hours)
            assert w.start >= target, f"{target}: a window starts before the request"
            assert hours >= 0.5, f"{target}: a {hours * 60:.0f}-minute sliver"
            assert hours <= 3.5, f"{target}: a {hours:.1f} h window ({p.rut_phase})"
            daylight = (sun.sunset - sun.sunrise).total_seconds() / 3600
            assert hours < 0.5 * daylight, f"{target}: a window spans most of the day"
            assert 0.0 <= w.score <= 10.0
        if p.rut_phase in RUT:
            triggers = [set(w.triggers) for w in windows]
            assert any("dawn" in t for t in triggers) and any("dusk" in t for t in triggers)
            assert not any({"dawn", "dusk"} <= t for t in triggers), "dawn and dusk merged"
    lengths.sort()
    median = lengths[len(lengths) // 2]
    assert 0.75 <= median <= 3.0, f"median window {median:.2f} h"


@pytest.mark.parametrize(("lat", "lon"), LATITUDES)
def test_a_two_day_forecast_keeps_tomorrows_dawn_and_dusk(lat: float, lon: float) -> None:
    """Asked before dawn for 48 h in steady weather, a hunter gets that day's dawn and
    dusk: four near-equal peaks compete for three places, and the sooner day wins ties
    (the field report: the first dawn fell out behind the second by 1 % of worth)."""
    checked = 0
    for target, (p, sun) in _year(lat, lon, step=timedelta(days=1), horizon=48):
        if p.rut_phase not in RUT:
            continue
        checked += 1
        first_day = [w for w in p.hunt_windows if w.start < sun.sunset + timedelta(hours=1)]
        kinds = {k for w in first_day for k in ("dawn", "dusk") if k in w.triggers}
        assert kinds == {"dawn", "dusk"}, f"{target}: {p.hunt_windows}"
    assert checked >= 10, f"only {checked} rut days at {lat}"
