"""Unit conversions, applied once when a threshold is defined.

The docs quote some thresholds in °F, mph or inHg because that is how hunters and the
original design state them. The engine works in SI (°C, m/s, hPa, metres), so every such
threshold is converted exactly once, here or where the named constant is defined.
"""

from __future__ import annotations

from typing import Final

#: Hectopascals in one inch of mercury (at 0 °C, standard gravity).
HPA_PER_INHG: Final = 33.8639
#: Metres per second in one statute mile per hour.
MS_PER_MPH: Final = 0.44704


def fahrenheit_to_celsius(deg_f: float) -> float:
    """A temperature in °F as °C."""
    return (deg_f - 32.0) * 5.0 / 9.0


def fahrenheit_delta_to_celsius(delta_f: float) -> float:
    """A temperature *difference* in °F as a difference in °C (no offset)."""
    return delta_f * 5.0 / 9.0


def mph_to_ms(mph: float) -> float:
    """A speed in mph as m/s."""
    return mph * MS_PER_MPH


def inhg_to_hpa(inhg: float) -> float:
    """A pressure (or pressure difference) in inHg as hPa."""
    return inhg * HPA_PER_INHG
