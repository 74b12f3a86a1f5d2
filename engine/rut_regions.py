"""Regional peak-breeding dates of white-tailed deer: a small, sourced table (pure data).

Peak breeding follows day length and is steady from year to year, so a static table is
sound. Every row cites its published source in docs/how-prediction-works.md ("Regional
rut"); a row is added only with a source, never with a guessed date. Boxes are approximate
(hand-drawn from state outlines and the regions the sources describe), so where boxes
overlap the smallest one wins (South Carolina's mountains inside South Carolina; the
Mississippi/Alabama line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class RutRegion:
    """A lat/lon box and its peak-breeding day (month, day), with a short citation."""

    name: str
    south: float
    north: float
    west: float
    east: float
    peak: tuple[int, int]
    source: str

    def covers(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    @property
    def area(self) -> float:
        return (self.north - self.south) * (self.east - self.west)


RUT_REGIONS: Final[tuple[RutRegion, ...]] = (
    RutRegion(
        "Pennsylvania",
        39.72,
        42.27,
        -80.52,
        -74.69,
        (11, 15),
        "Pennsylvania Game Commission, When is the rut in Pennsylvania? (mid-November)",
    ),
    RutRegion(
        "Iowa",
        40.38,
        43.50,
        -96.64,
        -90.14,
        (11, 11),
        "Iowa DNR, Deer (peak in the first three weeks of November)",
    ),
    RutRegion(
        "Mississippi",
        30.17,
        35.00,
        -91.66,
        -88.10,
        (1, 1),
        "Dye et al. 2008, SEDSG (mean wild conception 1 January)",
    ),
    RutRegion(
        "South Carolina",
        32.03,
        35.22,
        -83.35,
        -78.54,
        (10, 30),
        "SCDNR, C. Ruth (average conception 30 October)",
    ),
    RutRegion(
        "South Carolina mountains",
        34.60,
        35.22,
        -83.35,
        -81.90,
        (11, 30),
        "SCDNR, C. Ruth (mountains: mid-November to mid-December)",
    ),
    RutRegion(
        "Texas, eastern Edwards Plateau",
        29.6,
        31.0,
        -100.0,
        -97.9,
        (11, 7),
        "Texas Parks & Wildlife, The Rut in White-tailed Deer (peak 7 November)",
    ),
    RutRegion(
        "Alabama, northern half",
        32.6,
        35.01,
        -88.47,
        -84.89,
        (1, 4),
        "Alabama DCNR via Buckmasters (Christmas to mid-January)",
    ),
    RutRegion(
        "Alabama, southern half",
        30.14,
        32.6,
        -88.47,
        -84.89,
        (1, 26),
        "Alabama DCNR via Buckmasters (mid-January to the first week of February)",
    ),
)


def region_for(lat: float, lon: float) -> RutRegion | None:
    """The smallest table box that covers the point, or None."""
    best: RutRegion | None = None
    for region in RUT_REGIONS:
        if region.covers(lat, lon) and (best is None or region.area < best.area):
            best = region
    return best
