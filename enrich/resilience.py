"""Retries with exponential backoff and full jitter, and a circuit breaker per upstream.

Own small code rather than a library: the retry loop must honour ``Retry-After`` from our
own ``UpstreamRateLimited`` error, stop at an overall deadline shared by every attempt, and
feed a breaker whose state the metrics layer reads. tenacity covers the first only with
custom wait/stop callbacks and has no breaker; the async breaker libraries (aiobreaker,
purgatory) are thinly maintained. The whole thing is ~150 lines and fully tested.
"""

from __future__ import annotations

import asyncio
import enum
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from deerstream.errors import (
    BudgetExhausted,
    CircuitOpen,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
)

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """``attempts`` total tries; the n-th retry waits uniform(0, min(cap, base·2ⁿ))."""

    attempts: int = 4
    base_s: float = 0.05
    cap_s: float = 2.0
    max_retry_after_s: float = 30.0  # a longer Retry-After is not waited for

    def backoff_s(self, retry: int, rng: random.Random) -> float:
        """Full-jitter backoff before retry number ``retry`` (0-based)."""
        return rng.uniform(0.0, min(self.cap_s, self.base_s * (2**retry)))


class BreakerState(enum.IntEnum):
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; after ``reset_s`` lets one probe
    through (half-open); the probe's success closes it, its failure re-opens it."""

    source: str
    threshold: int = 5
    reset_s: float = 10.0
    clock: Clock = time.monotonic
    state: BreakerState = field(default=BreakerState.CLOSED, init=False)
    failures: int = field(default=0, init=False)
    opened_at: float = field(default=0.0, init=False)
    open_reason: str = field(default="", init=False)
    _open_s: float = field(default=0.0, init=False)
    _probe_in_flight: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self._open_s = self.reset_s

    def before_call(self) -> None:
        """Raise ``CircuitOpen`` unless a call may go out now."""
        if self.state is BreakerState.OPEN:
            if self.clock() - self.opened_at < self._open_s:
                why = f": {self.open_reason}" if self.open_reason else ""
                raise CircuitOpen(self.source, f"circuit open; failing fast{why}")
            self.state = BreakerState.HALF_OPEN
            self._probe_in_flight = False
        if self.state is BreakerState.HALF_OPEN:
            if self._probe_in_flight:
                raise CircuitOpen(self.source, "circuit half-open; probe in flight")
            self._probe_in_flight = True

    def record_success(self) -> None:
        self.state = BreakerState.CLOSED
        self.failures = 0
        self._probe_in_flight = False
        self.open_reason = ""
        self._open_s = self.reset_s

    def record_failure(self) -> None:
        self._probe_in_flight = False
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.threshold:
            self.state = BreakerState.OPEN
            self.opened_at = self.clock()
            self._open_s = max(self._open_s, self.reset_s)

    def open_for(self, seconds: float, reason: str) -> None:
        """Open now for ``seconds`` (a quota that resets then), saying why."""
        self._probe_in_flight = False
        self.state = BreakerState.OPEN
        self.opened_at = self.clock()
        self._open_s = max(seconds, self.reset_s)
        self.open_reason = reason

    def open_seconds_left(self) -> float:
        if self.state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._open_s - (self.clock() - self.opened_at))


@dataclass
class RetryStats:
    """Counters the retry loop feeds (monotonic)."""

    calls: int = 0
    errors: int = 0
    retries: int = 0


async def call_resilient(
    attempt: Callable[[float], Awaitable[T]],
    *,
    policy: RetryPolicy,
    breaker: CircuitBreaker,
    deadline: float,
    rng: random.Random,
    stats: RetryStats,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Run ``attempt(timeout_s)`` until it succeeds, fails for good, or ``deadline`` passes.

    Retries retriable ``UpstreamError``s (connection, timeout, 429, 5xx) with full-jitter
    backoff, waiting at least ``Retry-After`` for a 429. Never retries a rejection (4xx) or
    a bad response. Each attempt's timeout is cut to what is left of the deadline.
    """
    source = breaker.source
    retry = 0
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            raise UpstreamTimeout(source, "deadline exceeded")
        breaker.before_call()
        stats.calls += 1
        try:
            result = await attempt(remaining)
        except BudgetExhausted:
            stats.errors += 1
            raise
        except UpstreamRejected:
            # The upstream is healthy; the request was wrong. Not the breaker's business.
            breaker.record_success()
            stats.errors += 1
            raise
        except UpstreamError as exc:
            breaker.record_failure()
            stats.errors += 1
            if isinstance(exc, UpstreamRateLimited) and exc.quota_s is not None:
                # A quota ran out: no retry can succeed before it resets. Open the breaker
                # until then (every later call fails fast with the reason), and give up.
                breaker.open_for(exc.quota_s, str(exc))
                raise
            if not exc.retriable or retry + 1 >= policy.attempts:
                raise
            wait = policy.backoff_s(retry, rng)
            if isinstance(exc, UpstreamRateLimited) and exc.retry_after_s is not None:
                if exc.retry_after_s > policy.max_retry_after_s:
                    raise
                wait = max(wait, exc.retry_after_s)
            if clock() + wait >= deadline:
                raise
            retry += 1
            stats.retries += 1
            await sleep(wait)
            continue
        breaker.record_success()
        return result
