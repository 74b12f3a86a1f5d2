"""Backoff, circuit breaker and the retry loop, with a fake clock and recorded sleeps."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

import pytest

from deerstream.enrich.http import parse_retry_after
from deerstream.enrich.resilience import (
    BreakerState,
    CircuitBreaker,
    RetryPolicy,
    RetryStats,
    call_resilient,
)
from deerstream.errors import (
    CircuitOpen,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


def test_full_jitter_backoff_stays_within_the_exponential_envelope() -> None:
    policy = RetryPolicy(base_s=0.1, cap_s=1.0)
    rng = random.Random(1)
    for retry in range(8):
        envelope = min(1.0, 0.1 * 2**retry)
        samples = [policy.backoff_s(retry, rng) for _ in range(200)]
        assert all(0.0 <= s <= envelope for s in samples)
        assert max(samples) > 0.8 * envelope  # full jitter spans the whole range
    assert policy.backoff_s(3, random.Random(5)) == policy.backoff_s(3, random.Random(5))


def state(breaker: CircuitBreaker) -> BreakerState:
    """The state, read through a call so the type checker does not pin it."""
    return breaker.state


def test_breaker_opens_half_opens_and_closes() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("weather", threshold=3, reset_s=10.0, clock=clock)
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    assert state(breaker) is BreakerState.OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.now += 10.0
    breaker.before_call()  # the probe
    assert state(breaker) is BreakerState.HALF_OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # only one probe at a time
    breaker.record_success()
    assert state(breaker) is BreakerState.CLOSED and breaker.failures == 0


def test_failed_probe_reopens() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("weather", threshold=1, reset_s=5.0, clock=clock)
    breaker.record_failure()
    clock.now += 5.0
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()


Attempt = Callable[[float], Awaitable[object]]


def _attempts(*outcomes: object) -> tuple[list[float], Attempt]:
    calls: list[float] = []
    queue = list(outcomes)

    async def attempt(timeout_s: float) -> object:
        calls.append(timeout_s)
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    return calls, attempt


async def _run(
    attempt: Attempt,
    clock: FakeClock,
    *,
    breaker: CircuitBreaker | None = None,
    deadline: float | None = None,
    stats: RetryStats | None = None,
) -> object:
    return await call_resilient(
        attempt,
        policy=RetryPolicy(attempts=4, base_s=0.1, cap_s=1.0),
        breaker=breaker or CircuitBreaker("terrain", threshold=10, clock=clock),
        deadline=clock.now + 30.0 if deadline is None else deadline,
        rng=random.Random(0),
        stats=stats or RetryStats(),
        clock=clock,
        sleep=clock.sleep,
    )


async def test_retries_5xx_and_timeouts_then_succeeds() -> None:
    clock = FakeClock()
    stats = RetryStats()
    calls, attempt = _attempts(UpstreamUnavailable("t", "500"), UpstreamTimeout("t", "slow"), "ok")
    assert await _run(attempt, clock, stats=stats) == "ok"
    assert len(calls) == 3
    assert (stats.calls, stats.errors, stats.retries) == (3, 2, 1 + 1)
    assert len(clock.slept) == 2


@pytest.mark.parametrize(
    "error", [UpstreamRejected("t", "400 bad"), UpstreamBadResponse("t", "not json")]
)
async def test_never_retries_rejections_or_bad_bodies(error: Exception) -> None:
    clock = FakeClock()
    calls, attempt = _attempts(error, "never")
    with pytest.raises(type(error)):
        await _run(attempt, clock)
    assert len(calls) == 1 and clock.slept == []


async def test_honours_retry_after() -> None:
    clock = FakeClock()
    _, attempt = _attempts(UpstreamRateLimited("t", "429", retry_after_s=2.5), "ok")
    assert await _run(attempt, clock) == "ok"
    assert clock.slept == [2.5]


async def test_gives_up_when_retry_after_exceeds_the_deadline() -> None:
    clock = FakeClock()
    calls, attempt = _attempts(UpstreamRateLimited("t", "429", retry_after_s=20.0), "ok")
    with pytest.raises(UpstreamRateLimited):
        await _run(attempt, clock, deadline=clock.now + 5.0)
    assert len(calls) == 1


async def test_attempt_timeouts_shrink_to_the_deadline() -> None:
    clock = FakeClock()
    calls, attempt = _attempts(UpstreamUnavailable("t", "x"), UpstreamUnavailable("t", "x"), "ok")
    await _run(attempt, clock, deadline=clock.now + 3.0)
    assert calls[0] == pytest.approx(3.0)
    assert calls[1] < calls[0] and calls[2] < calls[1]


async def test_exhausted_attempts_raise_the_last_error() -> None:
    clock = FakeClock()
    errors = [UpstreamUnavailable("t", str(i)) for i in range(4)]
    calls, attempt = _attempts(*errors)
    with pytest.raises(UpstreamUnavailable, match="3"):
        await _run(attempt, clock)
    assert len(calls) == 4


async def test_open_breaker_fails_fast_without_calling() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("t", threshold=2, reset_s=60.0, clock=clock)
    calls, attempt = _attempts(*(UpstreamUnavailable("t", "x") for _ in range(5)))
    with pytest.raises(CircuitOpen):
        await _run(attempt, clock, breaker=breaker)
    assert len(calls) == 2 and breaker.state is BreakerState.OPEN


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        ("0.5", 0.5),
        (None, None),
        ("garbage", None),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = 1445412480.0  # 2015-10-21T07:28:00Z
    assert parse_retry_after(header, now=now) == expected
