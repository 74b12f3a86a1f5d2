"""Small spherical-earth helpers: distances, bearings, local planes and destination points.

A sphere of the mean earth radius is accurate to ~0.5 % over the few hundred metres the
engine works with, which is far below the resolution of a 90 m elevation grid.

Every longitude difference in the engine goes through ``wrap_deg``, so a
layout astride the antimeridian (lon 179.9995 / −179.9995) is the same few hundred metres
as the same layout at lon 10, not most of the way round the earth. Every longitude the
engine produces goes through ``wrap_lon``.
"""

from __future__ import annotations

import math
from typing import Final

#: Mean earth radius (IUGG), metres.
EARTH_RADIUS_M: Final = 6_371_008.8
#: Metres per degree of latitude (and of longitude at the equator).
M_PER_DEG: Final = math.radians(1.0) * EARTH_RADIUS_M
#: What ``math.radians`` and ``math.degrees`` multiply by (CPython's own constants).
DEG_TO_RAD: Final = math.pi / 180.0
RAD_TO_DEG: Final = 180.0 / math.pi


def radians(d: float) -> float:
    """``math.radians(d)``, bit for bit (the same one multiplication). Compiled, a call
    between native functions: ``math.radians`` from compiled code is a Python call that
    boxes its argument and its result."""
    return d * DEG_TO_RAD


def degrees(r: float) -> float:
    """``degrees(r)``, bit for bit (see ``radians``)."""
    return r * RAD_TO_DEG


def wrap_deg(d: float) -> float:
    """An angle difference (e.g. ``lon2 - lon1``) folded into [−180, 180).

    Differences already in range are returned unchanged (bit for bit), so the wrap adds no
    rounding away from the antimeridian.
    """
    if -180.0 <= d < 180.0:
        return d
    return (d + 180.0) % 360.0 - 180.0


def clamp_lat(lat: float) -> float:
    """A latitude held within −90..90 (a grid at the pole repeats its edge row)."""
    return min(90.0, max(-90.0, lat))


def wrap_lon(lon: float) -> float:
    """A longitude folded into −180..180 (180 itself is kept)."""
    if -180.0 <= lon <= 180.0:
        return lon
    return wrap_deg(lon)


def local_xy(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]:
    """Metres east/north of (lat0, lon0) on a local cos(lat0)-scaled plane (x east, y north).

    Exact to well under a metre across the few hundred metres the engine works over; the
    longitude difference is wrapped, so it holds across the antimeridian.
    """
    return (
        wrap_deg(lon - lon0) * M_PER_DEG * math.cos(radians(lat0)),
        (lat - lat0) * M_PER_DEG,
    )


def local_offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m``/``north_m`` metres from (lat, lon) on the local plane of
    ``local_xy``, normalised into lat −90..90, lon −180..180."""
    d_lat = north_m / M_PER_DEG
    d_lon = east_m / (M_PER_DEG * max(1e-6, math.cos(radians(lat))))
    return normalize_point(lat + d_lat, lon + d_lon)


def equator_facing_deg(lat: float) -> float:
    """The bearing of the equator-facing aspect: south (180°) north of the equator (and on
    it), north (0°) south of it."""
    return 0.0 if lat < 0.0 else 180.0


def pole_facing_deg(lat: float) -> float:
    """The bearing of the pole-facing aspect: north (0°) in the north, south (180°) south."""
    return 180.0 if lat < 0.0 else 0.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) ground distance in metres."""
    p1 = radians(lat1)
    p2 = radians(lat2)
    dp = p2 - p1
    dl = radians(wrap_deg(lon2 - lon1))
    h = math.sin(dp / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north, in [0, 360)."""
    p1 = radians(lat1)
    p2 = radians(lat2)
    dl = radians(wrap_deg(lon2 - lon1))
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return degrees(math.atan2(y, x)) % 360.0


def destination(lat: float, lon: float, bearing: float, dist_m: float) -> tuple[float, float]:
    """The point ``dist_m`` metres from (lat, lon) along ``bearing`` degrees."""
    d = dist_m / EARTH_RADIUS_M
    b = radians(bearing)
    p1 = radians(lat)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = radians(lon) + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return degrees(p2), wrap_lon(degrees(l2))


def angle_diff_deg(a: float, b: float) -> float:
    """Smallest absolute difference between two bearings, in [0, 180]."""
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


def normalize_deg(a: float) -> float:
    """A bearing folded into [0, 360)."""
    return a % 360.0


def published_deg(a: float) -> float:
    """A bearing as predictions publish it: 0.1° steps in [0, 360) (359.96° is 0.0, since
    rounding can reach 360.0 again after the fold)."""
    return round_places(a % 360.0, 1) % 360.0


#: 10**n for the places ``round_places`` does itself (exact doubles). Not ``Final``: mypyc
#: (1.x) checks a ``Final`` tuple of floats wrongly and raises NameError on every read; the
#: engine's other float-tuple constants stay plain globals for the same reason.
# Not ``Final``: mypyc 2.4.1 compiles some reads of a Final tuple of floats into a check
# that always reports it unset (NameError at run time).
_SCALES = (1.0, 10.0, 100.0, 1000.0, 10_000.0, 100_000.0, 1_000_000.0)
#: How near a half (in units of the last place kept) the scaled value may come before
#: ``round_places`` hands over to ``round``: far more than the scaled product's own
#: rounding error (at most 0.5 ulp, under 6e-8 below 1e9).
_NEAR_HALF: Final = 1e-6


def round_places(x: float, places: int) -> float:
    """``round(x, places)`` for 0 ≤ places ≤ 6, bit for bit, without its decimal string.

    ``round`` rounds the exact binary value to ``places`` decimals (half to even) through a
    correctly rounded decimal conversion, then reads the nearest double back. Unless the
    scaled value ``x · 10**places`` lies within ``_NEAR_HALF`` of a half, the product's
    rounding error cannot change which integer ``k`` is nearest, and ``k / 10**places``
    (one correctly rounded division) is that same nearest double. Near a half, beyond 1e9
    scaled, or not finite, it is ``round`` itself. Compiled, this is a few float operations
    where ``round`` is a lookup, a call and a decimal conversion (~150 ns).
    """
    scale = _SCALES[places]
    y = x * scale
    if not -1e9 < y < 1e9:  # also NaN
        return round(x, places)
    k = math.floor(y)
    frac = y - k
    if -_NEAR_HALF < frac - 0.5 < _NEAR_HALF:
        return round(x, places)
    if frac > 0.5:
        k += 1
    if k == 0:
        return math.copysign(0.0, x)  # round keeps the sign of a zero: round(-0.001, 2) is -0.0
    return k / scale


def whole_text(x: float) -> str:
    """``f"{x:.0f}"``, character for character, without the float formatter for a positive
    ``x`` below 2**52 (the distances and bearings a reason names): the nearest integer,
    ties to even, as ``.0f`` rounds the exact binary value. ``x - floor(x)`` is exact there,
    so the tie test is too. Anything else (zero, negative, huge, not finite) is formatted.
    """
    if 0.0 < x < 4503599627370496.0:
        k = math.floor(x)
        frac = x - k
        if frac > 0.5 or (frac == 0.5 and k % 2 == 1):
            k += 1
        return str(k)
    return f"{x:.0f}"


def normalize_point(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) folded back into lat −90..90 and lon −180..180.

    Grid cells and stands near a pole or the antimeridian can step past them: a point
    "beyond" the pole lies on the opposite meridian.
    """
    if lat > 90.0:
        lat, lon = 180.0 - lat, lon + 180.0
    elif lat < -90.0:
        lat, lon = -180.0 - lat, lon + 180.0
    return lat, wrap_lon(lon)


#: The 16 compass points, clockwise from north, 22.5° each.
COMPASS_16: Final = tuple("N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split())
COMPASS_SECTOR_DEG: Final = 360.0 / len(COMPASS_16)


def compass_point(bearing: float) -> str:
    """The 16-point compass name of a bearing (sectors centred on N, NNE, ...)."""
    k = int((bearing % 360.0 + COMPASS_SECTOR_DEG / 2.0) // COMPASS_SECTOR_DEG)
    return COMPASS_16[k % len(COMPASS_16)]
