"""The hour-by-hour movement curve: crepuscular peaks over a daytime baseline by phase.

GPS-collar studies show whitetail movement stays bimodal around dawn and dusk through the
rut, with more midday movement by bucks in seeking and peak rut, never as much as at the
twilight peaks. The activity *levels* (low/moderate/high) stay what the prediction names;
the hourly score that hunt windows are cut from is this smooth curve instead:

    curve(t) = base + (1 − base) · bump(t),   bump(t) = max(0, 1 − (Δ/90 min)²)

where Δ is the time to the nearer of sunrise and sunset, and ``base`` is the daytime
baseline of the phase while the sun is up (0.3 outside the rut, 0.5 pre/post rut, 0.7 in
seeking and peak rut) or the night baseline (0.5; 0.3 from 00:00 to 04:00 local solar time
outside the rut). So the curve is 1.0 at sunrise and sunset, falls to the baseline 90 min
either side, and twilight is never below midday in any phase.
"""

from __future__ import annotations

from typing import Final

from deerstream.engine.season import RUT_PHASES
from deerstream.models.records import RutPhase

PEAK_HALF_WIDTH_S: Final = 90 * 60.0
DAY_BASELINE: Final = {
    RutPhase.PRE_RUT: 0.5,
    RutPhase.POST_RUT: 0.5,
    RutPhase.SEEKING: 0.7,
    RutPhase.PEAK_RUT: 0.7,
}
DAY_BASELINE_DEFAULT: Final = 0.3
NIGHT_BASELINE: Final = 0.5
DEEP_NIGHT_BASELINE: Final = 0.3  # 00:00–04:00 local solar time, outside the rut
DEEP_NIGHT_HOURS = (0.0, 4.0)


def baseline(phase: RutPhase, *, sun_up: bool, solar_hour: float) -> float:
    """The curve's floor at that moment: by phase in daylight, by the hour at night."""
    if sun_up:
        return DAY_BASELINE.get(phase, DAY_BASELINE_DEFAULT)
    lo, hi = DEEP_NIGHT_HOURS
    if phase not in RUT_PHASES and lo <= solar_hour < hi:
        return DEEP_NIGHT_BASELINE
    return NIGHT_BASELINE


def twilight_bump(seconds_to_nearest_twilight: float) -> float:
    """1 at sunrise/sunset, falling quadratically to 0 at ±90 min."""
    x = seconds_to_nearest_twilight / PEAK_HALF_WIDTH_S
    return max(0.0, 1.0 - x * x)


def movement_curve(
    phase: RutPhase,
    ts: float,
    *,
    sunrise_ts: float | None,
    sunset_ts: float | None,
    polar: str | None,
    solar_hour: float,
) -> float:
    """The 0..1 movement curve at POSIX time ``ts`` for the solar day given."""
    if sunrise_ts is None or sunset_ts is None:
        return baseline(phase, sun_up=polar == "day", solar_hour=solar_hour)
    sun_up = sunrise_ts <= ts <= sunset_ts
    base = baseline(phase, sun_up=sun_up, solar_hour=solar_hour)
    nearest = min(abs(ts - sunrise_ts), abs(ts - sunset_ts))
    return base + (1.0 - base) * twilight_bump(nearest)
