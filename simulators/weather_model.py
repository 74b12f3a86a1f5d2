"""Deterministic synthetic weather: a diurnal cycle plus passing cold fronts.

Pure: every value is a function of (lat, lon, UTC hour, seed). Fronts are laid out on a
global 96-hour rhythm with a seeded offset and strength per slot, and travel eastward
(their passage time shifts with longitude), so nearby points see the same front a little
apart in time. Around a passage the pressure falls then rises, the temperature drops and
recovers over two days, the wind picks up and veers from south-west to north-west, and
it rains.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime

_SLOT_H = 96.0
_FRONT_SPEED_H_PER_DEG = 0.8  # hours later per degree east


@dataclass(frozen=True, slots=True)
class HourWeather:
    """One hour of weather in SI units."""

    temperature_c: float
    pressure_msl_hpa: float
    wind_speed_ms: float
    wind_direction_deg: float  # from
    wind_gusts_ms: float
    precipitation_mm: float
    snow_depth_m: float


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts (no global RNG)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@functools.lru_cache(maxsize=4096)
def _front_units(seed: int, slot: int) -> tuple[float, float]:
    """The seeded strength and passage draws of one front slot (hashed once per slot)."""
    return _unit(seed, "front", slot), _unit(seed, "at", slot)


@functools.lru_cache(maxsize=4096)
def _pressure_unit(seed: int, lat_band: int) -> float:
    return _unit(seed, "p", lat_band)


def _hours(t: datetime) -> float:
    return t.timestamp() / 3600.0


def _seasonal_mean_c(lat: float, t: datetime) -> float:
    day = t.timetuple().tm_yday
    # Coldest around day 20 in the north, warmest around day 200; flipped in the south.
    cycle = math.cos(2 * math.pi * (day - 200) / 365.25)
    sign = 1.0 if lat >= 0 else -1.0
    return 27.0 - 0.45 * abs(lat) + sign * (8.0 + 0.12 * abs(lat)) * cycle


@functools.lru_cache(maxsize=131_072)
def weather_at(lat: float, lon: float, t: datetime, seed: int = 42) -> HourWeather:
    """The weather at (lat, lon) during the UTC hour starting at ``t``.

    Memoised (it is pure): a forecast call asks for up to 50 locations × 96 hours, and the
    windows of requests at one spot overlap, so the simulator's CPU per call stays small
    next to the worker it serves. The seeded draws per front slot and per latitude band are
    memoised too; the arithmetic is unchanged, so every value is the same.
    """
    t = t.astimezone(UTC)
    h = _hours(t)
    solar_hour = (t.hour + t.minute / 60.0 + lon / 15.0) % 24.0
    diurnal = math.sin(2 * math.pi * (solar_hour - 9.0) / 24.0)  # peak ~15:00 solar

    temp = _seasonal_mean_c(lat, t) + 5.0 * diurnal
    pressure = 1016.0 + 4.0 * math.sin(2 * math.pi * (h / 240.0 + _pressure_unit(seed, int(lat))))
    wind = 2.5 + 1.0 * max(0.0, diurnal)
    direction = 200.0
    precip = 0.0

    shift = lon * _FRONT_SPEED_H_PER_DEG
    slot = math.floor((h - shift) / _SLOT_H)
    for k in (slot - 1, slot, slot + 1):
        u_front, u_at = _front_units(seed, k)
        strength = 0.4 + 0.6 * u_front
        passage = k * _SLOT_H + 24.0 + 48.0 * u_at + shift
        dt = h - passage  # hours since the front passed (negative: approaching)
        # Pressure: a trough at passage then a rise (a low followed by a high behind it).
        pressure -= 12.0 * strength * math.exp(-((dt / 14.0) ** 2))
        pressure += 6.0 * strength * math.exp(-(((dt - 30.0) / 18.0) ** 2))
        # Temperature: drops after passage, recovers over ~2 days.
        if dt > -3.0:
            drop = 1.0 / (1.0 + math.exp(-dt / 2.0))
            temp -= 9.0 * strength * drop * math.exp(-max(0.0, dt) / 48.0)
        closeness = math.exp(-((dt / 8.0) ** 2))
        wind += 5.0 * strength * closeness
        if abs(dt) < 18.0:
            # Veer from south-west ahead of the front to north-west behind it.
            direction = 200.0 + 100.0 / (1.0 + math.exp(-dt / 3.0))
        precip += 2.5 * strength * math.exp(-(((dt + 2.0) / 4.0) ** 2))

    noise = _unit(seed, "n", round(lat, 1), round(lon, 1), int(h)) - 0.5
    temp += 0.6 * noise
    wind = max(0.0, wind + 0.8 * noise)
    precip = precip if precip > 0.05 else 0.0
    snow = 0.0 if temp > 0.0 else round(min(0.5, -temp * 0.02), 2)
    return HourWeather(
        temperature_c=round(temp, 1),
        pressure_msl_hpa=round(pressure, 1),
        wind_speed_ms=round(wind, 2),
        wind_direction_deg=round(direction % 360.0),
        wind_gusts_ms=round(wind * 1.6, 2),
        precipitation_mm=round(precip, 1),
        snow_depth_m=snow,
    )
