"""The engine's memos never change an answer: cold, warm and in a fresh process alike."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
from datetime import timedelta

from deerstream.bench.predict_bench import build_inputs, hunter_stands
from deerstream.engine import predict
from deerstream.engine.memo import clear_memos, memo_stats
from deerstream.models.codec import encode_prediction
from deerstream.models.records import PredictionRequest


def _requests() -> list[PredictionRequest]:
    base, _, _ = build_inputs()
    out = []
    for hours in (0, 5, 11, 19, 30):
        for version, horizon, stands in ((1, 24, 0), (2, 24, 5), (2, 72, 20), (2, 7, 3)):
            out.append(
                dataclasses.replace(
                    base,
                    request_id=f"m{hours}-{horizon}-{stands}",
                    target_time=base.target_time + timedelta(hours=hours),
                    schema_version=version,
                    horizon_h=horizon,
                    stands=hunter_stands(stands),
                )
            )
    return out


def test_predictions_are_identical_with_cold_and_warm_memos() -> None:
    _, enrichment, now = build_inputs()
    cold = []
    for req in _requests():
        clear_memos()  # every call computes everything afresh
        cold.append(encode_prediction(predict(req, enrichment, now)))
    clear_memos()
    warm = [encode_prediction(predict(req, enrichment, now)) for req in _requests()]
    again = [encode_prediction(predict(req, enrichment, now)) for req in _requests()]
    assert cold == warm == again
    stats = memo_stats()
    # The memos were really used (the warm runs hit them), and stayed bounded.
    assert stats["terrain_features"]["hits"] > 0 and stats["solar_day"]["hits"] > 0
    assert stats["hourly_weather"]["hits"] > 0
    assert all(s["size"] <= 4096 for s in stats.values())


def test_predictions_are_byte_identical_in_a_fresh_process() -> None:
    code = (
        "import sys, hashlib; sys.path.insert(0, '.');"
        "from tests.engine.test_memo import _requests;"
        "from deerstream.bench.predict_bench import build_inputs;"
        "from deerstream.engine import predict;"
        "from deerstream.models.codec import encode_prediction;"
        "_, e, now = build_inputs();"
        "print(hashlib.sha256(b''.join(encode_prediction(predict(r, e, now)) "
        "for r in _requests())).hexdigest())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    _, enrichment, now = build_inputs()
    here = hashlib.sha256(
        b"".join(encode_prediction(predict(r, enrichment, now)) for r in _requests())
    ).hexdigest()
    assert out == here


def test_an_equal_record_that_is_not_the_same_object_is_found_by_value() -> None:
    request, enrichment, now = build_inputs()
    clear_memos()
    first = encode_prediction(predict(request, enrichment, now))
    # Equal records rebuilt field by field: not the objects the memos hold.
    weather = enrichment.weather
    terrain = enrichment.terrain
    assert weather is not None and terrain is not None
    copy = dataclasses.replace(
        enrichment,
        weather=dataclasses.replace(weather, times=tuple(weather.times)),
        terrain=dataclasses.replace(terrain, elevations_m=tuple(terrain.elevations_m)),
    )
    assert copy.weather is not weather and copy.weather == weather
    before = memo_stats()["hourly_weather"]
    assert encode_prediction(predict(request, copy, now)) == first
    after = memo_stats()["hourly_weather"]
    # A hit (by value), no new computation.
    assert after["misses"] == before["misses"] and after["hits"] == before["hits"] + 1
