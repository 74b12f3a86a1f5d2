"""Pacing for replays: a fixed rate (token bucket), a multiple of the original pace, or none.

Every pacer has one method, ``wait(timestamp_ms)``, awaited before each send. The clock and
the sleep function are injected so the arithmetic is tested without real time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from deerstream.errors import ConfigError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer(Protocol):
    """Decides when the next event may be sent."""

    async def wait(self, timestamp_ms: int | None) -> None:
        """Return when the event (with its original timestamp, if known) may be sent."""


class Unpaced:
    """As fast as possible."""

    async def wait(self, timestamp_ms: int | None) -> None:
        return None


class TokenBucket:
    """At most ``rate`` events per second on average, bursts of at most ``burst`` events.

    Tokens accrue continuously from elapsed time, so a sleep that overshoots is paid back on
    the next events instead of accumulating as drift. The default burst is 100 ms worth of
    events (at least one), enough to absorb scheduler jitter without visible bursts.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not rate > 0:
            raise ConfigError(f"rate must be > 0, got {rate}")
        capacity = max(1.0, rate / 10) if burst is None else burst
        if capacity < 1:
            raise ConfigError(f"burst must be >= 1, got {burst}")
        self._rate = rate
        self._burst = capacity
        self._clock = clock
        self._sleep = sleep
        # Start with one token, not a full bucket: the first second must not be a burst.
        self._tokens = 1.0
        self._last: float | None = None

    async def wait(self, timestamp_ms: int | None) -> None:
        while True:
            now = self._clock()
            if self._last is not None:
                self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
            # The epsilon absorbs float rounding: after sleeping exactly the deficit the bucket
            # may hold 0.999...; waiting again for 1e-17 s could never advance the clock.
            if self._tokens >= 1 - 1e-9:
                self._tokens -= 1
                return
            await self._sleep((1 - self._tokens) / self._rate)


class SpeedPacer:
    """Reproduce the original spacing of events, ``speed`` times faster (2.0 = twice as fast).

    The first event anchors the schedule; event *i* is due at
    ``start + (ts_i - ts_0) / speed``. Events without a timestamp, or older than the anchor,
    go out immediately.
    """

    def __init__(
        self, speed: float, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        if not speed > 0:
            raise ConfigError(f"speed must be > 0, got {speed}")
        self._speed = speed
        self._clock = clock
        self._sleep = sleep
        self._anchor: tuple[float, int] | None = None

    async def wait(self, timestamp_ms: int | None) -> None:
        if timestamp_ms is None:
            return
        if self._anchor is None:
            self._anchor = (self._clock(), timestamp_ms)
            return
        start, first_ms = self._anchor
        due = start + (timestamp_ms - first_ms) / 1000 / self._speed
        delay = due - self._clock()
        if delay > 0:
            await self._sleep(delay)
