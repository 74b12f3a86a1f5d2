"""The upstream APIs' own limits, applied before and around a call (pure, or nearly).

* Open-Meteo's forecast API serves dates from today − 92 days to today + 15 days (16
  forecast days); asking outside answers HTTP 400 for the whole call. ``allowed_window``
  clips a requested window to that range, or says there is nothing to ask.
* A multi-location call is refused whole (HTTP 400) when one location is bad.
  ``split_on_rejection`` bisects such a call so the bad location is found and named, and
  every other location of the call still gets its answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import date, timedelta
from typing import TypeVar

from deerstream.enrich.nodata import NoData
from deerstream.errors import UpstreamRejected

PAST_DAYS = 92
FORECAST_DAYS_AHEAD = 15

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def allowed_window(start: date, end: date, *, today: date) -> tuple[date, date] | None:
    """``[start, end]`` clipped to what the forecast API serves; None when nothing is left."""
    first = max(start, today - timedelta(days=PAST_DAYS))
    last = min(end, today + timedelta(days=FORECAST_DAYS_AHEAD))
    return (first, last) if first <= last else None


async def split_on_rejection(
    call: Callable[[list[K]], Awaitable[Sequence[V | NoData]]], keys: list[K]
) -> dict[K, V | NoData]:
    """``call(keys)``; when the upstream rejects it (4xx), call each half again, down to
    single keys, whose rejection becomes that key's ``NoData`` with the upstream's reason.
    Other failures (timeouts, 5xx, rate limits) propagate: they are not about a location."""
    try:
        values = await call(keys)
    except UpstreamRejected as exc:
        if len(keys) == 1:
            return {keys[0]: NoData(str(exc))}
        middle = len(keys) // 2
        left = await split_on_rejection(call, keys[:middle])
        return {**left, **await split_on_rejection(call, keys[middle:])}
    return dict(zip(keys, values, strict=True))
