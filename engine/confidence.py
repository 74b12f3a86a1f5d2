"""Confidence 0..1 from data completeness, freshness and agreement."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

from deerstream.models.geo import round_places
from deerstream.models.records import SourceQuality, SourceStatus

#: How much each source contributes when perfect; they sum to 1.
SOURCE_WEIGHTS: Final = {"terrain": 0.35, "weather": 0.35, "scouting": 0.30}
#: Freshness factor by status.
STATUS_FACTORS: Final = {
    SourceStatus.FRESH: 1.0,
    SourceStatus.CACHED: 0.9,
    SourceStatus.STALE: 0.5,
    SourceStatus.MISSING: 0.0,
}
#: Stale data loses half its remaining value every half-life (terrain does not age).
STALE_HALF_LIFE_S: Final = {"terrain": math.inf, "weather": 6 * 3600.0, "scouting": 7 * 86400.0}
#: Weather whose signals disagree (e.g. a front lifts activity, wind lowers it) counts less.
DISAGREEMENT_FACTOR: Final = 0.7


def freshness(source: str, quality: SourceQuality) -> float:
    """0..1: how much to trust a source's data given how it was obtained and its age."""
    factor = STATUS_FACTORS[quality.status]
    if quality.status is SourceStatus.STALE and quality.age_s is not None:
        half_life = STALE_HALF_LIFE_S[source]
        if math.isfinite(half_life):
            factor *= math.pow(0.5, max(0.0, quality.age_s) / half_life)
    return factor


def compute_confidence(
    quality: Mapping[str, SourceQuality],
    coverage: Mapping[str, float],
    *,
    weather_disagrees: bool,
) -> float:
    """Σ weight × freshness × coverage over the sources, the weather share reduced when its
    signals disagree. ``coverage`` is the 0..1 share of each source's needed values present."""
    total = 0.0
    for source, weight in SOURCE_WEIGHTS.items():
        share = weight * freshness(source, quality[source]) * coverage.get(source, 0.0)
        if source == "weather" and weather_disagrees:
            share *= DISAGREEMENT_FACTOR
        total += share
    return round_places(max(0.0, min(1.0, total)), 3)
