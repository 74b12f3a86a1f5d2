"""A call budget per upstream, shared by every worker through Redis.

Open-Meteo's free tier allows 600 calls a minute, 5,000 an hour and 10,000 a day, and every
location of a multi-location call counts as (at least) one call. The budget counts the
same way: fixed windows per minute, hour and UTC day, each location one unit, checked and
spent in one atomic Lua script so that any number of workers together stay within it.
(Fixed windows, not a token bucket: they reset when the API's own counters do, so a budget
"spent" here is exactly one the API would refuse.)

A call that does not fit is not made: the lookup fails with ``BudgetExhausted`` (which
names the window), and the prediction degrades to a stale copy or ``missing`` with that
reason. When Redis cannot be asked, the call goes out and is counted as unchecked: the API
itself remains the last word (its 429 opens the breaker).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from redis.exceptions import RedisError

from deerstream.errors import BudgetExhausted, ConfigError

WINDOWS = (("minute", 60), ("hour", 3600), ("day", 86400))
_UNITS = {"min": "minute", "minute": "minute", "h": "hour", "hour": "hour", "d": "day",
          "day": "day"}  # fmt: skip

# KEYS: one counter per window; ARGV: cost, then (limit, ttl) per window.
# Returns 0 when spent, else the 1-based index of the first window that would overflow.
_SPEND = """
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used + tonumber(ARGV[1]) > tonumber(ARGV[2 * i]) then return i end
end
for i, key in ipairs(KEYS) do
  redis.call('INCRBY', key, ARGV[1])
  redis.call('EXPIRE', key, ARGV[2 * i + 1])
end
return 0
"""


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    """Calls allowed per window; 0 means no limit for that window."""

    per_minute: int = 0
    per_hour: int = 0
    per_day: int = 0

    @property
    def unlimited(self) -> bool:
        return not (self.per_minute or self.per_hour or self.per_day)

    def by_window(self) -> list[tuple[str, int, int]]:
        limits = {"minute": self.per_minute, "hour": self.per_hour, "day": self.per_day}
        return [(name, limits[name], span) for name, span in WINDOWS if limits[name]]


OPEN_METEO_FREE = BudgetLimits(per_minute=600, per_hour=5000, per_day=10000)


def parse_budget(text: str, *, name: str) -> BudgetLimits:
    """``"600/min,5000/h,10000/day"`` → limits; ``""`` or ``"none"`` → unlimited."""
    if text.strip().lower() in ("", "none", "unlimited"):
        return BudgetLimits()
    values: dict[str, int] = {}
    for part in text.split(","):
        count, sep, unit = part.strip().partition("/")
        window = _UNITS.get(unit.strip().lower())
        if not sep or window is None or not count.strip().isdigit():
            raise ConfigError(f"{name}={text!r}: expected N/min, N/h and/or N/day, comma-separated")
        values[window] = int(count)
    return BudgetLimits(values.get("minute", 0), values.get("hour", 0), values.get("day", 0))


class UpstreamBudget:
    """Spends units of one upstream's shared budget; counters for metrics."""

    def __init__(
        self,
        redis: Any,
        source: str,
        limits: BudgetLimits,
        *,
        namespace: str = "deerstream",
        clock: Callable[[], float] = time.time,
        op_timeout_s: float = 1.0,
    ) -> None:
        self._redis = redis
        self.source = source
        self.limits = limits
        # One hash tag: the three counters share a slot, so the script runs on a cluster.
        self._prefix = f"{{{namespace}:budget:{source}}}"
        self._clock = clock
        self._op_timeout_s = op_timeout_s
        self.stats = {"spent": 0.0, "refused": 0.0, "unchecked": 0.0}

    async def spend(self, cost: int) -> None:
        """Take ``cost`` units now, or raise ``BudgetExhausted`` naming the full window."""
        if self.limits.unlimited or cost <= 0:
            return
        windows = self.limits.by_window()
        now = int(self._clock())
        keys = [f"{self._prefix}:{name}:{now // span}" for name, _, span in windows]
        args: list[int] = [cost]
        for _, limit, span in windows:
            args += [limit, span + 60]
        try:
            full = await asyncio.wait_for(
                self._redis.eval(_SPEND, len(keys), *keys, *args), self._op_timeout_s
            )
        except (RedisError, OSError, TimeoutError):
            self.stats["unchecked"] += cost
            return
        if int(full) == 0:
            self.stats["spent"] += cost
            return
        self.stats["refused"] += cost
        name, limit, span = windows[int(full) - 1]
        resets = span - now % span
        raise BudgetExhausted(
            self.source,
            f"shared call budget of {limit} per {name} is spent (resets in {resets} s)",
        )


def resolve_budget(text: str, url: str, *, api_key: str, name: str) -> BudgetLimits:
    """A budget setting's limits; ``auto`` is the free tier for the public API (any host
    that is not loopback) without a key, and no limit for local simulators or a key."""
    if text.strip().lower() != "auto":
        return parse_budget(text, name=f"{name.upper()}_BUDGET")
    host = (urlsplit(url).hostname or "").lower()
    local = host in ("localhost", "::1") or host.startswith("127.")
    return BudgetLimits() if local or api_key else OPEN_METEO_FREE
