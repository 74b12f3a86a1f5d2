"""Fault and latency knobs shared by the three simulators, and their request counters.

The knobs decide, per request, what misbehaviour to inject. Decisions come from one
``random.Random`` seeded by ``SimConfig.seed`` per server, so a run with the same seed and
the same request order injects the same faults. ``script`` is a queue of HTTP statuses to
return for the next requests regardless of the rates (tests use it for "500, 500, then 200").

Besides injected faults, the knobs switch the behaviours the real Open-Meteo API shows on
its own (from its server code and from answers seen in the field), on by default where the
real API does it:

- ``omit_first_location_id``: in a multi-location answer, item 0 has no ``location_id``.
- ``undefined_variables``: variables the weather model lacks → unit ``"undefined"``, nulls.
- ``null_gap_hours`` / ``null_gap_rate``: ``null`` values inside hourly series.
- ``enforce_date_window``: dates outside today − 92 days .. today + 15 days → HTTP 400.
- ``rate_limit_reason`` / ``send_retry_after`` / ``quota_per_minute``: the real 429 (its
  reason text, no ``Retry-After``) and a real per-minute quota counted per location.
- ``nan_at_poles``: the elevation API writes bare ``nan`` for lat ≥ 90 or lon ≥ 180.

``SimConfig.real_open_meteo()`` turns all of them on at once.
"""

from __future__ import annotations

import dataclasses
import enum
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from deerstream.errors import ConfigError

#: The reasons of the real API's HTTP 429 bodies, by limit.
RATE_LIMIT_REASONS: dict[str, str] = {
    "minutely": "Minutely API request limit exceeded. Please try again in one minute.",
    "hourly": "Hourly API request limit exceeded. Please try again in the next hour.",
    "daily": "Daily API request limit exceeded. Please try again tomorrow.",
}

#: The knobs of the real Open-Meteo behaviours, all on (``SimConfig.real_open_meteo``).
REAL_OPEN_METEO: dict[str, Any] = {
    "omit_first_location_id": True,
    "undefined_variables": ("snow_depth",),
    "null_gap_hours": 6,
    "enforce_date_window": True,
    "rate_limit_reason": "minutely",
    "send_retry_after": False,
    "quota_per_minute": 600,  # the free tier's minutely limit
    "nan_at_poles": True,
}

PRESETS: dict[str, dict[str, Any]] = {"real_open_meteo": REAL_OPEN_METEO}


@dataclass(frozen=True, kw_only=True)
class SimConfig:
    """Knobs of one simulator; rates are probabilities 0..1 per request."""

    latency_base_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0  # HTTP 500
    rate_limit_rate: float = 0.0  # HTTP 429
    retry_after_s: float = 1.0  # Retry-After value, sent with a 429 when send_retry_after
    hang_rate: float = 0.0  # request never answered within hang_s
    hang_s: float = 60.0
    malformed_rate: float = 0.0  # HTTP 200 with a body that is not the documented shape
    seed: int = 42
    script: tuple[int, ...] = ()  # statuses to return for the next requests, in order
    # Real Open-Meteo behaviours (see the module docstring).
    omit_first_location_id: bool = True  # multi-location item 0 carries no location_id
    undefined_variables: tuple[str, ...] = ()  # hourly variables the model lacks
    null_gap_hours: int = 0  # trailing hours of every hourly series answered null
    null_gap_rate: float = 0.0  # probability that any one hourly value is null
    enforce_date_window: bool = True  # dates outside today-92d..today+15d → HTTP 400
    rate_limit_reason: str = "minutely"  # which 429 reason a rate_limit fault answers
    send_retry_after: bool = False  # the real API sends no Retry-After with its 429
    quota_per_minute: int = 0  # calls (one per location) per clock minute; 0 = no quota
    nan_at_poles: bool = True  # elevation answers bare nan for lat >= 90 or lon >= 180

    def __post_init__(self) -> None:
        for name in (
            "error_rate",
            "rate_limit_rate",
            "hang_rate",
            "malformed_rate",
            "null_gap_rate",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} must be within 0..1, got {value}")
        if self.latency_base_ms < 0 or self.latency_jitter_ms < 0 or self.hang_s < 0:
            raise ConfigError("latencies must be >= 0")
        for name in ("null_gap_hours", "quota_per_minute"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{name} must be an integer >= 0, got {value!r}")
        if self.rate_limit_reason not in RATE_LIMIT_REASONS:
            raise ConfigError(
                f"rate_limit_reason must be one of {sorted(RATE_LIMIT_REASONS)}, "
                f"got {self.rate_limit_reason!r}"
            )
        if not isinstance(self.undefined_variables, tuple) or not all(
            isinstance(v, str) for v in self.undefined_variables
        ):
            raise ConfigError("undefined_variables must be a tuple of variable names")

    @classmethod
    def real_open_meteo(cls, **overrides: Any) -> SimConfig:
        """Every real Open-Meteo behaviour on at once: no ``location_id`` on item 0,
        ``snow_depth`` undefined, the last 6 hours of each series null, the date window
        enforced, a 600 calls/minute quota, 429s without ``Retry-After``, ``nan`` at the
        poles. ``overrides`` set any knob on top."""
        return cls(**{**REAL_OPEN_METEO, **overrides})

    def updated(self, changes: dict[str, Any]) -> SimConfig:
        """A copy with ``changes`` applied (unknown knobs are a ``ConfigError``).

        JSON lists become tuples. ``"preset": "real_open_meteo"`` applies that preset
        first (the other changes go on top). Setting ``retry_after_s`` without saying
        ``send_retry_after`` turns ``send_retry_after`` on: asking for a Retry-After value
        means wanting the header, although the real API sends none.
        """
        values = dict(changes)
        preset = values.pop("preset", None)
        known = {f.name for f in dataclasses.fields(self)}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"unknown knobs: {sorted(unknown)}")
        if preset is not None:
            if preset not in PRESETS:
                raise ConfigError(f"unknown preset {preset!r}; known: {sorted(PRESETS)}")
            values = {**PRESETS[preset], **values}
        if "script" in values:
            values["script"] = tuple(int(s) for s in values["script"])
        if "undefined_variables" in values:
            names = values["undefined_variables"]
            if isinstance(names, str):
                names = [n for n in names.split(",") if n]
            values["undefined_variables"] = tuple(names)
        if "retry_after_s" in values and "send_retry_after" not in values:
            values["send_retry_after"] = True
        return dataclasses.replace(self, **values)


class Fault(enum.StrEnum):
    NONE = "none"
    ERROR = "error"
    RATE_LIMIT = "rate_limit"
    HANG = "hang"
    MALFORMED = "malformed"
    QUOTA = "quota"  # the per-minute quota was used up (a real, not injected, 429)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one request."""

    fault: Fault
    delay_s: float
    status: int = 200


@dataclass
class Knobs:
    """The live configuration of one server plus its seeded decision stream and counters.

    ``clock`` (seconds since the epoch) places calls in clock minutes for the quota.
    """

    config: SimConfig
    clock: Callable[[], float] = time.time
    rng: random.Random = field(init=False)
    script: list[int] = field(init=False)
    requests: Counter[str] = field(default_factory=Counter)
    points: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    quota_minute: int = field(default=-1, init=False)
    quota_used: int = field(default=0, init=False)

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
        self.quota_minute, self.quota_used = -1, 0

    def take_quota(self, calls: int) -> bool:
        """Charge ``calls`` to this clock minute's quota; False (nothing charged) when they
        do not fit. Always True when ``quota_per_minute`` is 0."""
        limit = self.config.quota_per_minute
        if limit <= 0:
            return True
        minute = int(self.clock() // 60)
        if minute != self.quota_minute:
            self.quota_minute, self.quota_used = minute, 0
        if self.quota_used + calls > limit:
            return False
        self.quota_used += calls
        return True

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
