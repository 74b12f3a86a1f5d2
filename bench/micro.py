"""Micro-benchmarks reported with every run: the codec round trip and ``predict()``."""

from __future__ import annotations

from typing import Any

from deerstream.bench import codec_bench, predict_bench
from deerstream.models.codec import decode_request, encode_request


def run_micro(seconds: float, predict_runs: int) -> dict[str, Any]:
    """Codec decode+validate+encode per second (per core and wall) and predict() per call."""

    def roundtrip() -> bytes:
        return encode_request(decode_request(codec_bench.REQUEST))

    per_core, wall = codec_bench.measure(roundtrip, seconds)
    return {
        "codec_roundtrip_per_s": {"per_core": per_core, "wall": wall},
        "predict_us": predict_bench.run(predict_runs),
    }
