"""One pooled HTTP client per upstream: session lifecycle, error mapping, resilience.

Library errors (aiohttp, asyncio timeouts, bad JSON) are translated into the project's
``UpstreamError`` tree here, at the boundary, so nothing above sees aiohttp.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import orjson

from deerstream.enrich.budget import UpstreamBudget
from deerstream.enrich.resilience import CircuitBreaker, RetryPolicy, RetryStats, call_resilient
from deerstream.errors import (
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamTruncated,
    UpstreamUnavailable,
)
from deerstream.lifecycle import AsyncStartStop


@dataclass(frozen=True, kw_only=True)
class HttpLimits:
    """Connection pool and timeout limits of one upstream session."""

    max_connections: int = 32
    connect_timeout_s: float = 2.0
    request_timeout_s: float = 3.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def quota_wait_s(reason: str, now: float | None = None) -> float | None:
    """How long a quota named in a 429's reason lasts: the rest of the minute, hour or UTC
    day ("Minutely/Hourly/Daily API request limit exceeded"); None when it names none."""
    low = reason.lower()
    t = time.time() if now is None else now
    for word, period in (("minutely", 60.0), ("hourly", 3600.0), ("daily", 86400.0)):
        if word in low:
            return period - (t % period)
    return None


# A bare nan/NaN/-nan token between JSON punctuation (never inside a string).
_BARE_NAN = re.compile(rb"(?<=[\[,:])\s*-?nan\s*(?=[\],}])", re.IGNORECASE)


def _reason(body: bytes) -> str:
    """The error reason from an Open-Meteo/OpenTopoData/scouting error body, if any."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body[:200].decode("utf-8", "replace")
    if isinstance(data, dict):
        for key in ("reason", "error"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return body[:200].decode("utf-8", "replace")


class UpstreamHttp(AsyncStartStop):
    """A pooled, resilient JSON client for one upstream (``source`` names it)."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        limits: HttpLimits,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        rng: random.Random,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.limits = limits
        self.policy = policy
        self.breaker = breaker
        self.rng = rng
        self.stats = RetryStats()
        self.budget: UpstreamBudget | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def is_open(self) -> bool:
        return self._session is not None and not self._session.closed

    async def start(self) -> None:
        """Open the session (one connection pool for this upstream)."""
        if self.is_open:
            return
        connector = aiohttp.TCPConnector(
            limit=self.limits.max_connections, limit_per_host=self.limits.max_connections
        )
        timeout = aiohttp.ClientTimeout(
            total=self.limits.request_timeout_s, connect=self.limits.connect_timeout_s
        )
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=timeout, json_serialize=lambda o: orjson.dumps(o).decode()
        )

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        deadline: float,
        params: dict[str, str] | None = None,
        body: Any = None,
        cost: int = 1,
    ) -> Any:
        """``method url`` with retries and the breaker; returns the parsed JSON body.

        ``url`` is absolute or a path under ``base_url``; ``deadline`` is a
        ``time.monotonic()`` instant after which no attempt starts. Every attempt spends
        ``cost`` units (the call's locations) of the shared budget, if one is set.
        """
        full = url if "://" in url else f"{self.base_url}{url}"

        async def attempt(remaining_s: float) -> Any:
            if self.budget is not None:
                await self.budget.spend(cost)
            return await self._once(method, full, params, body, remaining_s)

        return await call_resilient(
            attempt,
            policy=self.policy,
            breaker=self.breaker,
            deadline=deadline,
            rng=self.rng,
            stats=self.stats,
        )

    async def _once(
        self, method: str, url: str, params: dict[str, str] | None, body: Any, remaining_s: float
    ) -> Any:
        session = self._session
        if session is None:
            raise UpstreamUnavailable(self.source, "client not started")
        timeout = aiohttp.ClientTimeout(
            total=min(self.limits.request_timeout_s, remaining_s),
            connect=self.limits.connect_timeout_s,
        )
        data = None if body is None else orjson.dumps(body)
        headers = {"Content-Type": "application/json"} if data is not None else None
        try:
            async with session.request(
                method, url, params=params, data=data, headers=headers, timeout=timeout
            ) as resp:
                raw = await resp.read()
                status = resp.status
                retry_after = resp.headers.get("Retry-After")
        except TimeoutError:
            raise UpstreamTimeout(self.source, "request timed out") from None
        except aiohttp.ClientError as exc:
            raise UpstreamUnavailable(self.source, f"connection failed: {exc!r}") from None
        return self._decode(status, raw, retry_after)

    def _decode(self, status: int, raw: bytes, retry_after: str | None) -> Any:
        if status == 429:
            reason = _reason(raw) if raw else ""
            return_after = parse_retry_after(retry_after)
            raise UpstreamRateLimited(
                self.source,
                f"rate limited (HTTP 429){': ' + reason if reason else ''}",
                return_after,
                # Open-Meteo sends no Retry-After, only the quota that ran out.
                quota_s=None if return_after is not None else quota_wait_s(reason),
            )
        if status >= 500:
            raise UpstreamUnavailable(self.source, f"HTTP {status}: {_reason(raw)}")
        if status >= 400:
            raise UpstreamRejected(self.source, f"HTTP {status}: {_reason(raw)}")
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
        # Open-Meteo writes NaN as a bare `nan` (not JSON): read those values as null.
        if _BARE_NAN.search(raw):
            try:
                return orjson.loads(_BARE_NAN.sub(b"null", raw))
            except orjson.JSONDecodeError:
                pass
        # A 200 whose body does not parse was most likely cut off mid-stream: retriable.
        raise UpstreamTruncated(self.source, f"HTTP {status} body is not valid JSON")


__all__ = ["HttpLimits", "UpstreamHttp", "parse_retry_after"]
