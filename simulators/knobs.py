"""Fault and latency knobs shared by the three simulators, and their request counters.

The knobs decide, per request, what misbehaviour to inject. Decisions come from one
``random.Random`` seeded by ``SimConfig.seed`` per server, so a run with the same seed and
the same request order injects the same faults. ``script`` is a queue of HTTP statuses to
return for the next requests regardless of the rates (tests use it for "500, 500, then 200").
"""

from __future__ import annotations

import dataclasses
import enum
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from deerstream.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class SimConfig:
    """Knobs of one simulator; rates are probabilities 0..1 per request."""

    latency_base_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0  # HTTP 500
    rate_limit_rate: float = 0.0  # HTTP 429
    retry_after_s: float = 1.0  # Retry-After header sent with a 429
    hang_rate: float = 0.0  # request never answered within hang_s
    hang_s: float = 60.0
    malformed_rate: float = 0.0  # HTTP 200 with a body that is not the documented shape
    seed: int = 42
    script: tuple[int, ...] = ()  # statuses to return for the next requests, in order

    def __post_init__(self) -> None:
        for name in ("error_rate", "rate_limit_rate", "hang_rate", "malformed_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} must be within 0..1, got {value}")
        if self.latency_base_ms < 0 or self.latency_jitter_ms < 0 or self.hang_s < 0:
            raise ConfigError("latencies must be >= 0")

    def updated(self, changes: dict[str, Any]) -> SimConfig:
        """A copy with ``changes`` applied (unknown knobs are a ``ConfigError``)."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown knobs: {sorted(unknown)}")
        values = dict(changes)
        if "script" in values:
            values["script"] = tuple(int(s) for s in values["script"])
        return dataclasses.replace(self, **values)


class Fault(enum.StrEnum):
    NONE = "none"
    ERROR = "error"
    RATE_LIMIT = "rate_limit"
    HANG = "hang"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one request."""

    fault: Fault
    delay_s: float
    status: int = 200


@dataclass
class Knobs:
    """The live configuration of one server plus its seeded decision stream and counters."""

    config: SimConfig
    rng: random.Random = field(init=False)
    script: list[int] = field(init=False)
    requests: Counter[str] = field(default_factory=Counter)
    points: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.configure(self.config)

    def configure(self, config: SimConfig) -> None:
        """Apply a new configuration; the decision stream restarts from its seed.

        A ``script`` is queued once and consumed; it does not stay in the configuration.
        """
        self.config = dataclasses.replace(config, script=())
        self.rng = random.Random(config.seed)
        self.script = list(config.script)

    def reset(self) -> None:
        """Zero the counters (the configuration stays)."""
        self.requests.clear()
        self.points.clear()
        self.faults.clear()

    def decide(self) -> Decision:
        """Draw the fate of the next request."""
        cfg = self.config
        delay = cfg.latency_base_ms / 1000.0
        if cfg.latency_jitter_ms:
            delay += self.rng.uniform(0.0, cfg.latency_jitter_ms) / 1000.0
        if self.script:
            status = self.script.pop(0)
            if status == 429:
                return Decision(Fault.RATE_LIMIT, delay, 429)
            if status >= 400:
                return Decision(Fault.ERROR, delay, status)
            return Decision(Fault.NONE, delay)
        roll = self.rng.random()
        for fault, rate in (
            (Fault.HANG, cfg.hang_rate),
            (Fault.ERROR, cfg.error_rate),
            (Fault.RATE_LIMIT, cfg.rate_limit_rate),
            (Fault.MALFORMED, cfg.malformed_rate),
        ):
            if roll < rate:
                status = {Fault.ERROR: 500, Fault.RATE_LIMIT: 429}.get(fault, 200)
                return Decision(fault, cfg.hang_s if fault is Fault.HANG else delay, status)
            roll -= rate
        return Decision(Fault.NONE, delay)

    def snapshot(self) -> dict[str, Any]:
        """Counters and knobs as JSON-ready data (``GET /_sim/stats``)."""
        return {
            "requests": dict(self.requests),
            "points": dict(self.points),
            "faults": dict(self.faults),
            "total_requests": sum(self.requests.values()),
            "config": dataclasses.asdict(self.config),
        }
