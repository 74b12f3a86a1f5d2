"""Pacing arithmetic with an injected clock (no real time involved)."""

from __future__ import annotations

import pytest

from deerstream.commands._args import parse_rate, parse_speed
from deerstream.errors import ConfigError
from deerstream.streams.pacing import SpeedPacer, TokenBucket


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_token_bucket_spaces_events_at_the_rate() -> None:
    t = FakeTime()
    bucket = TokenBucket(50.0, clock=t.clock, sleep=t.sleep)
    start = t.now
    for _ in range(501):
        await bucket.wait(None)
    # 1 burst token, then 500 more at 50/s → 10 s of simulated time.
    assert t.now - start == pytest.approx(10.0, rel=1e-9)


async def test_token_bucket_repays_oversleeping() -> None:
    t = FakeTime()

    async def late_sleep(seconds: float) -> None:
        t.now += seconds * 1.5  # every sleep overshoots by 50 %

    bucket = TokenBucket(100.0, clock=t.clock, sleep=late_sleep)
    start = t.now
    for _ in range(1001):
        await bucket.wait(None)
    # Overshoot is credited back as tokens, so 1,000 paced events still take about 10 s
    # (a naive "sleep 1/rate" pacer would take 15 s).
    assert 10.0 <= t.now - start < 10.5


async def test_token_bucket_allows_bursts_after_idle() -> None:
    t = FakeTime()
    bucket = TokenBucket(10.0, burst=5, clock=t.clock, sleep=t.sleep)
    await bucket.wait(None)  # the first event goes at once
    t.now += 10.0  # idle: the bucket fills up to its burst, no further
    for _ in range(5):
        await bucket.wait(None)
    assert t.sleeps == []
    await bucket.wait(None)
    assert t.sleeps == [pytest.approx(0.1)]


async def test_speed_pacer_follows_original_spacing() -> None:
    t = FakeTime()
    pacer = SpeedPacer(2.0, clock=t.clock, sleep=t.sleep)
    start = t.now
    sent_at = []
    for ts in (1_000_000, 1_002_000, 1_002_000, 1_010_000):
        await pacer.wait(ts)
        sent_at.append(t.now - start)
    assert sent_at == [0.0, 1.0, 1.0, 5.0]


async def test_speed_pacer_sends_untimed_and_late_events_at_once() -> None:
    t = FakeTime()
    pacer = SpeedPacer(1.0, clock=t.clock, sleep=t.sleep)
    await pacer.wait(5_000)
    await pacer.wait(None)
    await pacer.wait(1_000)  # older than the anchor
    assert t.sleeps == []


@pytest.mark.parametrize(
    ("text", "per_second"),
    [("50", 50.0), ("50/s", 50.0), ("3000/m", 50.0), ("120/min", 2.0), ("7200/h", 2.0)],
)
def test_parse_rate(text: str, per_second: float) -> None:
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["0", "-5/s", "fast", "10/day", "nan", "inf/s", ""])
def test_parse_rate_rejects(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_rate(text)


@pytest.mark.parametrize(("text", "speed"), [("2", 2.0), ("2x", 2.0), ("0.5X", 0.5)])
def test_parse_speed(text: str, speed: float) -> None:
    assert parse_speed(text) == speed


@pytest.mark.parametrize("text", ["0", "-1", "x", "nan", "inf"])
def test_parse_speed_rejects(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_speed(text)


def test_pacers_reject_nonpositive_settings() -> None:
    with pytest.raises(ConfigError):
        TokenBucket(0)
    with pytest.raises(ConfigError):
        TokenBucket(5, burst=0.5)
    with pytest.raises(ConfigError):
        SpeedPacer(0)
