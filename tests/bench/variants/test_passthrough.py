"""The passthrough baseline's output: prediction-shaped, keyed by request id, deterministic."""

from __future__ import annotations

import orjson
import pytest

from deerstream.bench.variants.passthrough import MODEL_VERSION, passthrough_output
from deerstream.errors import ContractError

REQUEST = orjson.dumps(
    {"request_id": "r-1", "lat": 44.2, "lon": -72.6, "target_time": "2026-11-29T11:45:00+00:00"}
)


def test_output_echoes_the_request_with_a_stable_prediction_id() -> None:
    out = passthrough_output(REQUEST, "preds")
    body = orjson.loads(out.value)
    assert out.topic == "preds" and out.key == b"r-1"
    assert body["request_id"] == "r-1" and body["model_version"] == MODEL_VERSION
    assert body["target_time"] == "2026-11-29T11:45:00+00:00"
    assert passthrough_output(REQUEST, "preds").value == out.value


def test_invalid_requests_are_refused() -> None:
    with pytest.raises(ContractError):
        passthrough_output(b'{"request_id": "x"}', "preds")
