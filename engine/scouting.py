"""Scouting evidence: which observations count and how much they weigh."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Final, NamedTuple

from deerstream.models.geo import distance_m
from deerstream.models.records import ObservationType, ScoutingObservation

SECONDS_PER_DAY: Final = 86_400.0


@dataclass(frozen=True, slots=True)
class EvidenceType:
    """Per-type evidence values (docs/how-prediction-works.md table).

    ``travel`` and ``bedding`` (and ``feeding``) are points per 100 of observation weight:
    an observation of weight w adds ``w × travel / 100`` to the 0–10 travel map.
    """

    base: float
    radius_m: float
    travel: float
    bedding: float
    half_life_days: float
    max_age_days: float
    feeding: float = 0.0


EVIDENCE: Final[dict[ObservationType, EvidenceType]] = {
    ObservationType.SCRAPE: EvidenceType(20, 180, 10, 15, 14, 90),
    ObservationType.RUB: EvidenceType(18, 140, 25, 8, 21, 180),
    ObservationType.BEDDING_AREA: EvidenceType(25, 275, 5, 30, 30, 365),
    ObservationType.TRAIL_CAMERA: EvidenceType(15, 90, 20, 5, 7, 90),
    ObservationType.TRACKS: EvidenceType(8, 90, 15, 3, 3, 30),
    # Feeding sign is the only evidence for the feeding map (the docs name no column).
    ObservationType.FEEDING_SIGN: EvidenceType(12, 140, 5, 2, 7, 90, feeding=25),
    ObservationType.SIGHTING: EvidenceType(10, 120, 15, 5, 5, 30),
    ObservationType.SCAT: EvidenceType(4, 60, 4, 2, 5, 30),
}
#: Mature-buck sign counts this much more.
MATURE_MULTIPLIER: Final = 1.5
#: A rub this thick or this high was made by a mature buck.
MATURE_RUB_TRUNK_CM: Final = 20.0
MATURE_RUB_HEIGHT_CM: Final = 90.0
#: A large scrape with a licking branch counts as mature-buck sign while this fresh.
MATURE_SCRAPE_MAX_AGE_DAYS: Final = 7.0
#: A camera/sighting of a mature buck counts while this recent.
MATURE_SIGHTING_MAX_AGE_DAYS: Final = 14.0
#: This many mature-buck signs in range add a bonus to every map.
MATURE_BONUS_MIN_SIGNS: Final = 2
MATURE_MAP_BONUS: Final = 1.0


class Evidence(NamedTuple):
    """An observation that counts, with its age factor and mature-buck flag precomputed."""

    obs: ScoutingObservation
    kind: EvidenceType
    age_days: float
    age_factor: float
    mature: bool
    distance_m: float  # from the request point

    def weight_at(self, lat: float, lon: float) -> float:
        """base × age factor × confidence/10 × distance factor (× mature multiplier)."""
        d = distance_m(self.obs.lat, self.obs.lon, lat, lon)
        return self.weight_at_distance(d)

    def weight_at_distance(self, d: float) -> float:
        """The weight at ``d`` metres from the observation."""
        if d >= self.kind.radius_m:
            return 0.0
        conf = min(10.0, max(0.0, self.obs.confidence)) / 10.0
        mult = MATURE_MULTIPLIER if self.mature else 1.0
        return self.kind.base * self.age_factor * conf * (1.0 - d / self.kind.radius_m) * mult


def age_factor(age_days: float, kind: EvidenceType) -> float:
    """Smooth half-life decay, 1 when fresh, 0 past the type's max age."""
    if age_days > kind.max_age_days:
        return 0.0
    return math.pow(0.5, max(0.0, age_days) / kind.half_life_days)


def is_mature_sign(obs: ScoutingObservation, age_days: float) -> bool:
    """Mature-buck sign: big rub, big fresh scrape with licking branch, or
    a recent camera/sighting of a mature buck."""
    if obs.type is ObservationType.RUB:
        return (obs.rub_trunk_diameter_cm or 0.0) >= MATURE_RUB_TRUNK_CM or (
            obs.rub_height_cm or 0.0
        ) >= MATURE_RUB_HEIGHT_CM
    if obs.type is ObservationType.SCRAPE:
        return (
            bool(obs.scrape_large)
            and bool(obs.licking_branch)
            and age_days <= MATURE_SCRAPE_MAX_AGE_DAYS
        )
    if obs.type in (ObservationType.TRAIL_CAMERA, ObservationType.SIGHTING):
        return bool(obs.mature_buck_seen) and age_days <= MATURE_SIGHTING_MAX_AGE_DAYS
    return False


def select_evidence(
    observations: tuple[ScoutingObservation, ...],
    *,
    lat: float,
    lon: float,
    radius_m: float,
    at: datetime,
    hunter_id: str | None,
    shared: bool,
) -> tuple[Evidence, ...]:
    """The observations that count: in the request radius, not past max age, and the
    hunter's own unless the request has no hunter or scouting is shared.

    Age is measured at ``at`` (the target time). An observation dated after it did not
    exist yet at that time (a replay re-scoring an old request), so it does not count.
    """
    out: list[Evidence] = []
    for obs in observations:
        if hunter_id is not None and not shared and obs.hunter_id != hunter_id:
            continue
        d = distance_m(lat, lon, obs.lat, obs.lon)
        if d > radius_m:
            continue
        if obs.observed_at > at:
            continue
        kind = EVIDENCE[obs.type]
        age = (at - obs.observed_at).total_seconds() / SECONDS_PER_DAY
        factor = age_factor(age, kind)
        if factor <= 0.0:
            continue
        out.append(Evidence(obs, kind, age, factor, is_mature_sign(obs, age), d))
    # A stable order keeps sums (and so the output) byte-identical whatever the input order.
    out.sort(key=lambda e: (e.obs.observation_id, e.obs.observed_at))
    return tuple(out)
