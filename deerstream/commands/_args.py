"""Parsing of command-line values into the client library's types.

Flag names appear only here and in the commands: the library raises neutral errors.
"""

from __future__ import annotations

import math

from deerstream.errors import ConfigError
from deerstream.streams.subscriber import BBox


def parse_rate(text: str) -> float:
    """Parse ``--rate``: ``50``, ``50/s``, ``3000/m`` or ``3000/min`` → events per second."""
    raw = text.strip().lower()
    number, _, unit = raw.partition("/")
    per = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}.get(unit)
    try:
        value = float(number)
    except ValueError:
        value = float("nan")
    if per is None or not value > 0 or value == float("inf"):
        raise ConfigError(f"--rate {text!r} is not a positive rate like 50/s")
    return value / per


def parse_speed(text: str) -> float:
    """Parse ``--speed``: ``2``, ``2x`` or ``0.5`` → a positive multiple of the original pace."""
    raw = text.strip().lower().removesuffix("x")
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"--speed {text!r} is not a positive multiple like 2x")
    return value


def parse_bbox(text: str) -> BBox:
    """Parse ``minlat,minlon,maxlat,maxlon``; ``ConfigError`` when malformed."""
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ConfigError(f"--bbox {text!r} is not minlat,minlon,maxlat,maxlon")
    min_lat, min_lon, max_lat, max_lon = values
    if not (-90 <= min_lat <= max_lat <= 90):
        raise ConfigError(f"--bbox {text!r}: latitudes must satisfy -90 <= minlat <= maxlat <= 90")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise ConfigError(f"--bbox {text!r}: longitudes must be within -180..180")
    return BBox(min_lat, min_lon, max_lat, max_lon)


def parse_stand(text: str) -> dict[str, object]:
    """Parse ``--stand ID:LAT,LON`` or ``ID:LAT,LON:NAME`` into a request's stand object.

    Only the shape of the flag is checked here; the id, the coordinates' ranges, the name
    and the distance from the point are the codec's rules (``deerstream.models.codec``). An id may
    itself contain ``:`` (never ``,``): the latitude is what follows the last ``:`` before
    the first ``,``, and everything after the ``:`` that ends the longitude is the name.
    """
    head, comma, tail = text.partition(",")
    stand_id, colon, lat_text = head.rpartition(":")
    lon_text, has_name, name = tail.partition(":")
    try:
        if not (comma and colon):
            raise ValueError(text)
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise ConfigError(f"--stand {text!r} is not ID:LAT,LON or ID:LAT,LON:NAME") from None
    stand: dict[str, object] = {"id": stand_id, "lat": lat, "lon": lon}
    if has_name:
        stand["name"] = name
    return stand
