"""Micro-benchmark of the event codec: ``python -m deerstream.bench.codec_bench``.

Prints requests/s for decode + validate + encode of a realistic request on one core (the
process is single-threaded; rates are per second of this process's CPU time, so other
load on the machine does not skew them), plus the parts and the prediction codec. ``--compare`` also
times the alternative of validating with the JSON Schema (jsonschema library), which is
what the hand-written validation was chosen against.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson

from deerstream.models.codec import (
    decode_prediction,
    decode_request,
    encode_prediction,
    encode_request,
    request_from_dict,
)
from deerstream.models.records import (
    ActivityLevel,
    Factor,
    HuntWindow,
    Prediction,
    RutPhase,
    SourceQuality,
    SourceStatus,
    Stand,
    SunTimes,
    Zone,
)

#: A realistic request as an app would send it: every field, a local offset.
REQUEST = orjson.dumps(
    {
        "schema_version": 1,
        "request_id": "app-7:hunt.2026-11-08.0042",
        "lat": 44.977812,
        "lon": -93.265011,
        "target_time": "2026-11-08T06:15:00-06:00",
        "radius_m": 1200,
        "season": "seeking",
        "hunter_id": "hunter_42",
        "options": {"zones": True, "stands": True, "hunt_windows": False},
        "client": "ios-3.2.1",
    }
)


def build_prediction() -> Prediction:
    """A typical prediction: three zones per map, two stands, three windows, six factors."""
    t = datetime(2026, 11, 8, 12, 15, tzinfo=UTC)
    zones = tuple(Zone(44.97 + i / 1000, -93.26 - i / 1000, 8.0 - i) for i in range(3))
    return Prediction(
        prediction_id="3f2a9c0d1e5b47a8b6c4d2e0f1a3b5c7",
        request_id="app-7:hunt.2026-11-08.0042",
        model_version="1.0.0",
        lat=44.977812,
        lon=-93.265011,
        target_time=t,
        rut_phase=RutPhase.SEEKING,
        movement_score=7.4,
        activity_level=ActivityLevel.HIGH,
        confidence=0.82,
        bedding_zones=zones,
        feeding_zones=zones,
        travel_zones=zones,
        stands=(
            Stand(44.979, -93.2666, 225.0, 80.0, 45.0, "downwind of the saddle"),
            Stand(44.9779, -93.2648, 90.0, 80.0, 270.0, "alternate for a west wind", False),
        ),
        hunt_windows=tuple(HuntWindow(t, t, 8.0 - i, ("legal_light",)) for i in range(3)),
        factors=tuple(Factor(f"factor_{i}", "value", 0.5) for i in range(6)),
        data_quality={
            "terrain": SourceQuality(SourceStatus.CACHED, 86400.0),
            "weather": SourceQuality(SourceStatus.FRESH, 0.4),
            "scouting": SourceQuality(SourceStatus.FRESH, 1.2),
        },
        sun=SunTimes(t, t, t, t),
        produced_at=t,
        hunter_id="hunter_42",
        timings_ms={"enrich": 41.7, "model": 2.3, "total": 45.1},
    )


def measure(fn: Callable[[], object], seconds: float) -> tuple[float, float]:
    """(per-core, wall) calls/s: medians over rounds of about 0.1 s, ``seconds`` in all.

    Per-core divides by the CPU time this process used, so it stays meaningful on a
    machine shared with other work (time spent descheduled is not counted); wall divides
    by elapsed time and is what this process actually got.
    """
    n = 1000
    start = time.process_time()
    for _ in range(n):
        fn()
    per_call = max((time.process_time() - start) / n, 1e-9)
    calls = max(1, int(0.1 / per_call))
    cpu_rates, wall_rates = [], []
    for _ in range(max(3, int(seconds / 0.1))):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(calls):
            fn()
        cpu_rates.append(calls / max(time.process_time() - cpu0, 1e-9))
        wall_rates.append(calls / (time.perf_counter() - wall0))
    return statistics.median(cpu_rates), statistics.median(wall_rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deerstream.bench.codec_bench", description=__doc__
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--compare", action="store_true", help="also time jsonschema validation")
    args = parser.parse_args(argv)

    prediction = build_prediction()
    encoded_prediction = encode_prediction(prediction)
    req = decode_request(REQUEST)

    def roundtrip() -> bytes:
        return encode_request(decode_request(REQUEST))

    rows: list[tuple[str, Callable[[], object]]] = [
        ("request decode+validate+encode", roundtrip),
        ("request decode+validate", lambda: decode_request(REQUEST)),
        ("request encode", lambda: encode_request(req)),
        ("prediction encode", lambda: encode_prediction(prediction)),
        ("prediction decode+validate", lambda: decode_prediction(encoded_prediction)),
    ]
    if args.compare:
        from jsonschema import Draft202012Validator

        from deerstream.models.schema import load_schema

        validator = Draft202012Validator(load_schema("request"))

        def with_jsonschema() -> bytes:
            obj = orjson.loads(REQUEST)
            validator.validate(obj)
            return encode_request(request_from_dict(obj))

        rows.append(("request via jsonschema (alternative)", with_jsonschema))

    print(f"request: {len(REQUEST)} bytes; prediction: {len(encoded_prediction)} bytes")
    print(f"{'':<40} {'per core/s':>11}  {'µs':>7}  {'wall/s':>10}")
    for label, fn in rows:
        per_core, wall = measure(fn, args.seconds)
        print(f"{label:<40} {per_core:>11,.0f}  {1e6 / per_core:7.2f}  {wall:>10,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
