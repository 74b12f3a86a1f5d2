"""``NoData``: an upstream's answer that it has nothing for one key (negative-cached)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NoData:
    """The upstream answered that it has no data for a key (negative-cached)."""

    reason: str
