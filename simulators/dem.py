"""A deterministic synthetic digital elevation model.

Pure: elevation is a function of (lat, lon, seed) only. The surface is a sum of a few
"ridged" wave trains (``1 - |sin|`` gives sharp crests, and its complement V-shaped
drainages) at kilometre wavelengths, so a 7×7 grid at 90 m shows real structure. Two
crossing ridge trains make saddles where a crest dips between two highs, and a soft
terracing step adds benches (flat shelves on slopes).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class _Wave:
    amplitude_m: float
    wavelength_m: float
    direction_rad: float
    phase: float
    ridged: bool  # crest-shaped when True, drainage-shaped when False


class SyntheticDem:
    """Elevation in metres above sea level for any WGS84 point."""

    def __init__(self, seed: int = 42) -> None:
        rng = random.Random(f"dem:{seed}")
        self._base_m = rng.uniform(250.0, 450.0)
        self._waves = tuple(
            _Wave(
                amplitude_m=amp,
                wavelength_m=wl,
                direction_rad=rng.uniform(0.0, math.pi),
                phase=rng.uniform(0.0, 2 * math.pi),
                ridged=ridged,
            )
            for amp, wl, ridged in (
                (140.0, 3_200.0, True),  # main ridge train
                (90.0, 2_100.0, True),  # crossing ridges → saddles
                (45.0, 1_300.0, False),  # drainages cut into the slopes
                (20.0, 700.0, True),  # small spurs
            )
        )
        self._bench_step_m = 40.0

    def elevation(self, lat: float, lon: float) -> float:
        """Elevation (m) at (lat, lon), rounded to 0.1 m like real DEM services."""
        y = lat * _M_PER_DEG_LAT
        # Longitude metres use a fixed reference latitude band so the field is continuous.
        x = lon * _M_PER_DEG_LAT * math.cos(math.radians(lat))
        h = self._base_m
        for w in self._waves:
            u = (x * math.cos(w.direction_rad) + y * math.sin(w.direction_rad)) / w.wavelength_m
            s = abs(math.sin(math.pi * u + w.phase))
            h += w.amplitude_m * ((1.0 - s) if w.ridged else (s - 1.0))
        return round(max(0.0, self._terrace(h)), 1)

    def _terrace(self, h: float) -> float:
        # Blend towards flat steps: the slope eases near each step level, forming benches.
        step = self._bench_step_m
        k = math.floor(h / step)
        frac = h / step - k
        eased = frac - math.sin(2 * math.pi * frac) / (2 * math.pi)
        return (k + 0.5 * frac + 0.5 * eased) * step
