"""Factors: the named, signed parts that explain a prediction (docs/how-prediction-works.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from deerstream.engine.activity import LEVEL_VALUES, Modifier
from deerstream.engine.weather import WeatherAt
from deerstream.models.geo import round_places, whole_text
from deerstream.models.records import Factor, SourceQuality, SourceStatus, Zone

#: Points for the time-of-day activity level at "high" (levels scale by 0.3/0.6/1.0).
ACTIVITY_POINTS: Final = 7.0
#: Terrain: up to this many points for a strong travel zone (score above the floor).
TERRAIN_MAX_POINTS: Final = 0.5
TERRAIN_FLOOR: Final = 5.0
SOURCES: Final = ("terrain", "weather", "scouting")


def source_factors(quality: dict[str, SourceQuality]) -> list[Factor]:
    """A factor for each source that was not fresh or cached, with the reason."""
    out: list[Factor] = []
    for name in SOURCES:
        q = quality[name]
        if q.status is SourceStatus.FRESH or q.status is SourceStatus.CACHED:
            continue
        detail = q.status.value + (f": {q.reason}" if q.reason else "")
        if q.status is SourceStatus.STALE and q.age_s is not None:
            detail += f" (age {q.age_s / 3600.0:.1f} h)"
        if name == "weather" and q.status is SourceStatus.MISSING:
            detail += "; no weather modifiers, no cold front, no wind for stands"
        out.append(Factor(f"{name}_data", detail, 0.0))
    return out


def modifier_factors(mods: Sequence[Modifier]) -> list[Factor]:
    """One factor per modifier; a modifier at the level's bound has effect 0."""
    return [
        Factor(
            m.name,
            f"{m.value} ({m.before.value} → {m.after.value})",
            round_places(ACTIVITY_POINTS * (LEVEL_VALUES[m.after] - LEVEL_VALUES[m.before]), 2),
        )
        for m in mods
    ]


def weather_factors(wx: WeatherAt) -> list[Factor]:
    """Informational weather factors (effect 0): trend, detected front, wind, temperature."""
    out: list[Factor] = []
    if wx.trend_class is not None and wx.trend_6h_hpa is not None:
        out.append(
            Factor(
                "pressure_trend",
                f"{wx.trend_class} ({wx.trend_6h_hpa:+.1f} hPa / 6 h, {wx.pressure_hpa:.1f} hPa)",
                0.0,
            )
        )
    if wx.front.detected:
        out.append(
            Factor(
                "cold_front_detected",
                f"strength {wx.front.strength:.2f}: " + ", ".join(wx.front.reasons),
                0.0,
            )
        )
    if wx.wind_speed_ms is not None and wx.wind_from_deg is not None:
        out.append(
            Factor(
                "wind", f"from {whole_text(wx.wind_from_deg)}° at {wx.wind_speed_ms:.1f} m/s", 0.0
            )
        )
    if wx.temperature_c is not None:
        out.append(Factor("temperature", f"{wx.temperature_c:.1f} °C", 0.0))
    return out


def terrain_part(travel: Sequence[Zone]) -> tuple[float, Factor | None]:
    """Points (and their factor) for the best travel zone; nothing without terrain."""
    if not travel:
        return 0.0, None
    best = travel[0].score
    points = TERRAIN_MAX_POINTS * max(
        0.0, min(1.0, (best - TERRAIN_FLOOR) / (10.0 - TERRAIN_FLOOR))
    )
    return points, Factor("terrain", f"best travel zone {best:.1f}/10", round_places(points, 2))
