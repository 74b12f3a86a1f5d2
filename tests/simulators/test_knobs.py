"""The fault knobs: validation, seeded decisions, scripted statuses."""

from __future__ import annotations

import pytest

from deerstream.errors import ConfigError
from deerstream.simulators.knobs import Fault, Knobs, SimConfig


def test_rates_outside_unit_interval_are_rejected() -> None:
    with pytest.raises(ConfigError):
        SimConfig(error_rate=1.5)
    with pytest.raises(ConfigError):
        SimConfig().updated({"no_such_knob": 1})


def test_same_seed_gives_same_fault_sequence() -> None:
    cfg = SimConfig(error_rate=0.3, rate_limit_rate=0.2, malformed_rate=0.1, seed=7)
    a = [Knobs(cfg).decide() for _ in range(1)]
    k1, k2 = Knobs(cfg), Knobs(cfg)
    seq1 = [k1.decide().fault for _ in range(200)]
    seq2 = [k2.decide().fault for _ in range(200)]
    assert seq1 == seq2
    assert a[0].fault == seq1[0]
    # All configured faults occur at roughly their rates.
    assert 30 <= seq1.count(Fault.ERROR) <= 90
    assert seq1.count(Fault.NONE) > 40


def test_script_overrides_rates_then_normal_service_resumes() -> None:
    knobs = Knobs(SimConfig(script=(500, 429, 200)))
    decisions = [knobs.decide() for _ in range(4)]
    assert [(d.fault, d.status) for d in decisions] == [
        (Fault.ERROR, 500),
        (Fault.RATE_LIMIT, 429),
        (Fault.NONE, 200),
        (Fault.NONE, 200),
    ]


def test_latency_is_base_plus_bounded_jitter() -> None:
    knobs = Knobs(SimConfig(latency_base_ms=10, latency_jitter_ms=5))
    delays = [knobs.decide().delay_s for _ in range(100)]
    assert all(0.010 <= d <= 0.015 for d in delays)
    assert len(set(delays)) > 1


def test_hang_uses_hang_duration() -> None:
    knobs = Knobs(SimConfig(hang_rate=1.0, hang_s=12.0))
    decision = knobs.decide()
    assert decision.fault is Fault.HANG and decision.delay_s == 12.0
