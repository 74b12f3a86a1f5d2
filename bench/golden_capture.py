"""Golden predictions: capture ``predict()`` on a broad set of requests, compare later.

A change meant to leave the model's answers alone (a speed-up, a refactor) is checked by
capturing the predictions on the unchanged code and comparing after the change, byte for
byte (``encode_prediction``) and ``repr`` for ``repr`` (every float at full precision,
also the fields the wire form rounds)::

    python -m deerstream.bench.golden_capture write /tmp/golden.jsonl   # unchanged code
    python -m deerstream.bench.golden_capture check /tmp/golden.jsonl   # after the change

``check`` evaluates every case several ways, each against the file: with cold memos
(``clear_memos()`` before each case), with warm memos (all cases in order, twice, without
clearing), in a shuffled order, in reverse order, and in batches of one place at a time.

The cases: the benchmark's three scenarios at several hours; many places in both
hemispheres (the tropics, mid latitudes, polar day and polar night, both sides of the
antimeridian at lon ±179.9995); dates across the rut calendar (September to January, and
June for the polar cases); 0, 1, 5 and 20 hunter stands; horizons 1, 24, 48 and 72 h;
each option on and off; missing, malformed or holed terrain; missing, gappy or short
weather; missing scouting, a hunter's own or shared scouting; a season override and a
local rut peak.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from deerstream.bench.predict_bench import SCENARIOS, build_inputs, scenario_request
from deerstream.engine import BUILD, predict
from deerstream.engine.memo import clear_memos
from deerstream.models.codec import encode_prediction
from deerstream.models.geo import wrap_lon
from deerstream.models.records import (
    Enrichment,
    HunterStand,
    ObservationType,
    PredictionRequest,
    RequestOptions,
    RutPhase,
    ScoutingObservation,
    SourceQuality,
    SourceStatus,
    TerrainGrid,
    WeatherSeries,
)

SPACING_M = 90.0
M_PER_DEG = 6_371_008.8 * math.pi / 180.0
FRESH = SourceQuality(SourceStatus.FRESH, 0.0)
MISSING = SourceQuality(SourceStatus.MISSING, None, "upstream timeout")
NOW_OFFSET = timedelta(hours=12)


@dataclasses.dataclass(frozen=True)
class Case:
    """One named call of ``predict``."""

    name: str
    request: PredictionRequest
    enrichment: Enrichment
    now: datetime
    shared: bool = False
    group: str = ""  # cases of one place share a group (a batch)


# ----------------------------------------------------------------------------- inputs


def _offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    scale = max(1e-6, math.cos(math.radians(lat)))
    return lat + north_m / M_PER_DEG, wrap_lon(lon + east_m / (M_PER_DEG * scale))


def _grid(
    lat: float, lon: float, height: Callable[[float, float], float | None], size: int = 7
) -> TerrainGrid:
    dlat = SPACING_M / M_PER_DEG
    dlon = SPACING_M / (M_PER_DEG * max(1e-6, math.cos(math.radians(lat))))
    half = size // 2
    elev = tuple(
        height((c - half) * SPACING_M, (half - r) * SPACING_M)
        for r in range(size)
        for c in range(size)
    )
    return TerrainGrid(lat, lon, size, size, dlat, dlon, elev)


def _ridge(east: float, north: float) -> float:
    ridge = 60.0 * math.exp(-(east**2) / (2 * 120.0**2))
    saddle = -25.0 * math.exp(-(north**2) / (2 * 100.0**2)) * math.exp(-(east**2) / 8e4)
    bench = 8.0 if 150.0 < east < 220.0 else 0.0
    return 400.0 + ridge + saddle + bench + 0.02 * north


def _valley(east: float, north: float) -> float:
    return 300.0 - 40.0 * math.exp(-(east**2) / (2 * 150.0**2)) + 0.08 * north + 0.01 * east


def _plane(slope_deg: float, aspect_deg: float) -> Callable[[float, float], float]:
    g = math.tan(math.radians(slope_deg))
    a = math.radians(aspect_deg)
    return lambda e, n: 500.0 - g * (e * math.sin(a) + n * math.cos(a))


def _holed(e: float, n: float) -> float | None:
    if (e, n) in ((90.0, 90.0), (-180.0, 0.0)):
        return None
    return _ridge(e, n)


TERRAINS: dict[str, Callable[[float, float], float | None]] = {
    "ridge": _ridge,
    "valley": _valley,
    "plane15se": _plane(15.0, 135.0),
    "plane35n": _plane(35.0, 0.0),
    "plane8w": _plane(8.0, 270.0),
    "flat": lambda e, n: 300.0,
    "holed": _holed,
}


def _series(
    lat: float,
    lon: float,
    target: datetime,
    style: str,
    *,
    before_h: int = 24,
    after_h: int = 72,
) -> WeatherSeries:
    t0 = target.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hours = list(range(-before_h, after_h + 1))

    def temp(h: int) -> float | None:
        if style == "front":
            return 12.0 if h <= -20 else 2.0 - 0.05 * h
        if style == "hot":
            return 27.0 + 4.0 * math.sin(h / 24 * 2 * math.pi)
        if style == "gappy" and h % 11 == 3:
            return None
        return 8.0 - 0.1 * h + 3.0 * math.sin(h / 24 * 2 * math.pi)

    def pressure(h: int) -> float | None:
        if style == "front":
            return 1003.0 + 0.75 * (h + 12) if h > -12 else 1011.0 - 0.7 * (h + 24)
        if style == "high":
            return 1024.0 + 0.05 * math.sin(h / 7)
        if style == "gappy" and h % 13 == 5:
            return None
        return 1010.0 - 0.4 * h if h < 20 else 1002.0 + 0.5 * (h - 20)

    def wind(h: int) -> float | None:
        if style == "calm":
            return 0.4 + 0.3 * math.sin(h / 5) ** 2
        if style == "strong":
            return 7.5 + 2.0 * math.sin(h / 6)
        if style == "gappy" and h % 7 == 2:
            return None
        return 2.0 + 3.5 * math.sin(h / 10) ** 2

    def wind_dir(h: int) -> float | None:
        if style == "gappy" and h % 9 == 4:
            return None
        if style == "strong":
            return (200.0 + 40.0 * math.sin(h / 8)) % 360.0
        return (300.0 + 7.0 * h) % 360.0

    def precip(h: int) -> float | None:
        if style == "wet":
            return 9.0 if 2 <= h <= 8 else 0.5
        return 0.0 if h % 17 else 1.2

    return WeatherSeries(
        lat,
        lon,
        tuple(t0 + timedelta(hours=h) for h in hours),
        tuple(temp(h) for h in hours),
        tuple(pressure(h) for h in hours),
        tuple(wind(h) for h in hours),
        tuple(wind_dir(h) for h in hours),
        tuple(None for _ in hours),
        tuple(precip(h) for h in hours),
        tuple(None for _ in hours),
    )


def _observations(
    lat: float, lon: float, target: datetime, n: int, hunters: bool
) -> tuple[ScoutingObservation, ...]:
    kinds = list(ObservationType)
    out = []
    for i in range(n):
        o_lat, o_lon = _offset(lat, lon, ((i * 37) % 200 - 100) * 1.5, (i - n // 2) * 35.0)
        kind = kinds[i % len(kinds)]
        out.append(
            ScoutingObservation(
                f"obs-{i:02d}",
                kind,
                o_lat,
                o_lon,
                target - timedelta(days=1 + 2 * i, hours=i),
                4.0 + i % 7,
                (f"h{i % 2}" if hunters else None),
                rub_trunk_diameter_cm=22.0 if i % 5 == 1 else None,
                rub_height_cm=95.0 if i % 7 == 1 else None,
                scrape_large=True if i % 3 == 0 else None,
                licking_branch=True if i % 6 == 0 else None,
                mature_buck_seen=True if i % 4 == 3 else None,
            )
        )
    # One from the future (a replay) and one far outside the radius.
    out.append(
        ScoutingObservation(
            "obs-future", ObservationType.RUB, lat, lon, target + timedelta(days=1), 9.0
        )
    )
    f_lat, f_lon = _offset(lat, lon, 5000.0, 0.0)
    out.append(
        ScoutingObservation(
            "obs-far", ObservationType.SCRAPE, f_lat, f_lon, target - timedelta(days=2), 9.0
        )
    )
    return tuple(out)


def _stands(lat: float, lon: float, n: int) -> tuple[HunterStand, ...]:
    out = []
    for i in range(n):
        bearing = math.radians(i * 137.5)
        dist = 40.0 + (i * 97.0) % 560.0
        s_lat, s_lon = _offset(lat, lon, dist * math.sin(bearing), dist * math.cos(bearing))
        out.append(
            HunterStand(f"s{i}", round(s_lat, 6), round(s_lon, 6), None if i % 3 else f"st {i}")
        )
    return tuple(out)


def _enrichment(
    terrain: TerrainGrid | None,
    weather: WeatherSeries | None,
    scouting: tuple[ScoutingObservation, ...] | None,
) -> Enrichment:
    return Enrichment(
        terrain,
        weather,
        scouting,
        FRESH if terrain is not None else MISSING,
        FRESH if weather is not None else MISSING,
        FRESH if scouting is not None else MISSING,
    )


# ----------------------------------------------------------------------------- cases

#: (label, lat, lon): both hemispheres, the tropics, polar day/night, the antimeridian.
PLACES = (
    ("vermont", 44.0, -72.75),
    ("texas", 30.5, -98.2),
    ("sweden", 60.1, 15.3),
    ("nz", -43.5, 171.2),
    ("patagonia", -41.1, -71.3),
    ("equator", 0.2, 36.8),
    ("tropic-s", -18.9, 47.5),
    ("arctic", 69.6, 18.9),
    ("high-arctic", 78.2, 15.6),
    ("antarctic", -77.8, 166.7),
    ("polar-circle", 66.6, -50.7),
    ("anti-e", 52.0, 179.9995),
    ("anti-w", 52.0, -179.9995),
    ("anti-e-s", -16.5, 179.9995),
    ("anti-w-s", -16.5, -179.9995),
)
#: Dates across the rut calendar; June for polar day/night.
DATES = (
    (2025, 9, 5),
    (2025, 9, 28),
    (2025, 10, 17),
    (2025, 11, 2),
    (2025, 11, 15),
    (2025, 11, 27),
    (2025, 12, 12),
    (2025, 12, 21),
    (2026, 1, 8),
    (2026, 1, 28),
    (2025, 6, 21),
)
#: UTC hour:minute of the target time.
CLOCKS = ((5, 40), (11, 30), (16, 5), (22, 50), (0, 0), (13, 59))
STAND_COUNTS = (0, 1, 5, 20)
HORIZONS = (1, 24, 48, 72)
WEATHER_STYLES = ("plain", "front", "calm", "strong", "gappy", "wet", "hot", "high")
OPTION_SETS = (
    RequestOptions(),
    RequestOptions(zones=False),
    RequestOptions(stands=False),
    RequestOptions(hunt_windows=False),
    RequestOptions(hourly=False),
    RequestOptions(hunt_windows=False, hourly=False),
    RequestOptions(False, False, False, False),
)


def _bench_cases() -> Iterator[Case]:
    _, enrichment, now = build_inputs()
    for hours in (0, 3, 7, 11, 19, 30, 41):
        for label, version, horizon, stands in SCENARIOS:
            req = scenario_request(version, horizon, stands)
            req = dataclasses.replace(
                req,
                request_id=f"bench-{hours}-{version}-{horizon}-{stands}",
                target_time=req.target_time + timedelta(hours=hours, minutes=7 * hours),
            )
            yield Case(f"bench {label} +{hours}h", req, enrichment, now, group="bench")


def _place_cases() -> Iterator[Case]:
    k = 0
    for p_i, (place, lat, lon) in enumerate(PLACES):
        for d_i, (y, m, d) in enumerate(DATES):
            # Every place sees every date; the other dimensions cycle so that each value
            # meets many others.
            for c_i in range(2):
                hh, mm = CLOCKS[(p_i + d_i + 3 * c_i) % len(CLOCKS)]
                target = datetime(y, m, d, hh, mm, tzinfo=UTC)
                terrain_name = list(TERRAINS)[(p_i + 2 * d_i + c_i) % len(TERRAINS)]
                style = WEATHER_STYLES[(p_i * 3 + d_i + c_i) % len(WEATHER_STYLES)]
                stands = STAND_COUNTS[(d_i + c_i + p_i) % len(STAND_COUNTS)]
                horizon = HORIZONS[(p_i + d_i * 3 + c_i) % len(HORIZONS)]
                options = OPTION_SETS[k % len(OPTION_SETS)] if k % 3 == 0 else RequestOptions()
                missing = (k // 5) % 8  # bit 0 terrain, 1 weather, 2 scouting
                k += 1
                grid = _grid(lat, lon, TERRAINS[terrain_name])
                wx = _series(lat, lon, target, style)
                scouting = _observations(lat, lon, target, 4 + k % 9, hunters=k % 4 == 0)
                enrichment = _enrichment(
                    None if missing & 1 else grid,
                    None if missing & 2 else wx,
                    None if missing & 4 else scouting,
                )
                hunter = "h1" if k % 4 == 0 else None
                req = PredictionRequest(
                    f"p{k}",
                    lat,
                    lon,
                    target,
                    (400.0, 800.0, 1500.0)[k % 3],
                    None,
                    hunter,
                    options,
                    2 if k % 6 else 1,
                    horizon if k % 6 else 24,
                    _stands(lat, lon, stands) if k % 6 else (),
                    (11, 10) if k % 11 == 0 else None,
                )
                yield Case(
                    f"{place} {y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d} {terrain_name}/{style}"
                    f" stands={stands} h={horizon} opt={options} miss={missing}",
                    req,
                    enrichment,
                    target - NOW_OFFSET,
                    shared=k % 8 == 4,
                    group=place,
                )


def _sweep_cases() -> Iterator[Case]:
    """One place, one grid, one series: every horizon × stand count × option set, and
    many start times across the day (the hour loops' edges: legal light, day changes)."""
    lat, lon = 44.4, -72.9
    base_t = datetime(2025, 11, 15, 0, 10, tzinfo=UTC)
    grid = _grid(lat, lon, _ridge)
    wx = _series(lat, lon, base_t, "front", before_h=30, after_h=110)
    scouting = _observations(lat, lon, base_t, 10, hunters=False)
    enrichment = _enrichment(grid, wx, scouting)
    k = 0
    for horizon in HORIZONS:
        for stands in STAND_COUNTS:
            for o_i, options in enumerate(OPTION_SETS):
                for step in range(3):
                    k += 1
                    target = base_t + timedelta(minutes=37 * (k * 7 % 40) + 13 * step)
                    req = PredictionRequest(
                        f"sw{k}",
                        lat,
                        lon,
                        target,
                        800.0,
                        RutPhase.SEEKING if (k + o_i) % 9 == 0 else None,
                        None,
                        options,
                        2,
                        horizon,
                        _stands(lat, lon, stands),
                    )
                    yield Case(
                        f"sweep h={horizon} stands={stands} opt={o_i} t={target:%H:%M}",
                        req,
                        enrichment,
                        base_t,
                        group="sweep",
                    )
    # The same series for places around the globe at one instant (series shared).
    for p_i, (place, p_lat, p_lon) in enumerate(PLACES):
        target = datetime(2025, 12, 1, (3 * p_i) % 24, 20, tzinfo=UTC)
        g = _grid(p_lat, p_lon, _ridge)
        w = _series(p_lat, p_lon, datetime(2025, 12, 1, tzinfo=UTC), "plain", after_h=110)
        e = _enrichment(g, w, _observations(p_lat, p_lon, target, 6, hunters=False))
        for stands in (0, 5, 20):
            req = PredictionRequest(
                f"g{p_i}-{stands}",
                p_lat,
                p_lon,
                target,
                800.0,
                horizon_h=72,
                stands=_stands(p_lat, p_lon, stands),
            )
            yield Case(f"globe {place} stands={stands}", req, e, target, group=place)


def _odd_cases() -> Iterator[Case]:
    """Malformed grids, weather that does not cover the target, a larger grid."""
    lat, lon = 44.0, -72.75
    target = datetime(2025, 11, 10, 21, 15, tzinfo=UTC)
    good = _grid(lat, lon, _ridge)
    malformed = dataclasses.replace(good, elevations_m=good.elevations_m[:-1])
    zero = dataclasses.replace(good, spacing_lat_deg=0.0)
    big = _grid(lat, lon, _valley, size=11)
    small = _grid(lat, lon, _ridge, size=3)
    early = _series(lat, lon, target - timedelta(days=5), "plain", after_h=24)
    late = _series(lat, lon, target + timedelta(hours=30), "plain")
    scouting = _observations(lat, lon, target, 8, hunters=False)
    grids = {"malformed": malformed, "zero": zero, "big": big, "small": small, "good": good}
    weathers = {"early": early, "late": late, "none": None}
    for g_name, g in grids.items():
        for w_name, w in weathers.items():
            for stands in (0, 5):
                req = PredictionRequest(
                    f"odd-{g_name}-{w_name}-{stands}",
                    lat,
                    lon,
                    target,
                    800.0,
                    horizon_h=48,
                    stands=_stands(lat, lon, stands),
                )
                yield Case(
                    f"odd grid={g_name} weather={w_name} stands={stands}",
                    req,
                    _enrichment(g, w, scouting),
                    target,
                    group="odd",
                )


def cases() -> list[Case]:
    """Every golden case, in their canonical order."""
    return [*_bench_cases(), *_place_cases(), *_sweep_cases(), *_odd_cases()]


# ----------------------------------------------------------------------------- capture


def evaluate(case: Case) -> tuple[str, str]:
    """(encoded prediction as text, repr of the Prediction) of one case; the hourly
    forecast is repr'd as the tuple of its records, whatever holds them."""
    p = predict(case.request, case.enrichment, case.now, scouting_shared=case.shared)
    return encode_prediction(p).decode(), repr(dataclasses.replace(p, hourly=tuple(p.hourly)))


def write(path: str) -> None:
    all_cases = cases()
    with open(path, "w", encoding="utf-8") as out:
        for case in all_cases:
            clear_memos()
            encoded, text = evaluate(case)
            out.write(json.dumps({"case": case.name, "bytes": encoded, "repr": text}) + "\n")
    print(f"wrote {len(all_cases)} cases to {path} (engine build: {BUILD})")


def _orders(all_cases: list[Case]) -> Iterator[tuple[str, list[int], bool]]:
    """(label, order of case indices, clear memos before each) of every check pass."""
    idx = list(range(len(all_cases)))
    yield "cold", idx, True
    yield "warm (in order, twice)", idx + idx, False
    shuffled = idx[:]
    random.Random(20251115).shuffle(shuffled)
    yield "shuffled", shuffled, False
    yield "reversed", idx[::-1], False
    by_group = sorted(idx, key=lambda i: (all_cases[i].group, i))
    yield "batched by place", by_group, False


def check(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        golden = [json.loads(line) for line in f]
    all_cases = cases()
    if [g["case"] for g in golden] != [c.name for c in all_cases]:
        print("the case list differs from the file's: recapture on the unchanged code")
        return 2
    print(f"engine build: {BUILD}")
    failures = 0
    for label, order, cold in _orders(all_cases):
        clear_memos()
        bad = 0
        for i in order:
            if cold:
                clear_memos()
            encoded, text = evaluate(all_cases[i])
            if encoded != golden[i]["bytes"] or text != golden[i]["repr"]:
                bad += 1
                if bad <= 5:
                    print(f"  DIFF [{label}] {all_cases[i].name}")
        print(f"{label}: {len(order)} evaluations, {bad} different")
        failures += bad
    print("IDENTICAL" if not failures else f"{failures} DIFFERENCES")
    return 0 if not failures else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("mode", choices=("write", "check", "count"))
    parser.add_argument("path", nargs="?", default="golden.jsonl")
    args = parser.parse_args()
    if args.mode == "write":
        write(args.path)
    elif args.mode == "count":
        print(len(cases()))
    else:
        sys.exit(check(args.path))


if __name__ == "__main__":
    main()
