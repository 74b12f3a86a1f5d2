"""Elevation adapter: Open-Meteo ``/v1/elevation`` (default) or an OpenTopoData dataset.

Which API is spoken is a setting (``ELEVATION_API``), never guessed from the URL, so a base
URL behind a proxy path (``https://proxy.example/open-meteo``) still speaks Open-Meteo.
Both accept up to 100 points per call. Open-Meteo writes a point it cannot answer (lat 90,
lon 180) as a bare ``nan``, which is not JSON: the HTTP client reads such a body with the
point ``null``, and a null elevation is a missing point, never filled in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from deerstream.enrich.http import UpstreamHttp
from deerstream.errors import UpstreamBadResponse
from deerstream.models.records import TerrainGrid

SOURCE = "terrain"
MAX_POINTS = 100


def build_elevation_request(
    base_url: str, points: Sequence[tuple[float, float]], *, opentopodata: bool = False
) -> tuple[str, dict[str, str]]:
    """(url, query parameters) for one call; ``points`` are (lat, lon), at most 100."""
    if not 0 < len(points) <= MAX_POINTS:
        raise ValueError(f"1..{MAX_POINTS} points per elevation call, got {len(points)}")
    base = base_url.rstrip("/")
    if opentopodata:
        return base, {"locations": "|".join(f"{a:.6f},{o:.6f}" for a, o in points)}
    url = base if base.endswith("/v1/elevation") else f"{base}/v1/elevation"
    return url, {
        "latitude": ",".join(f"{a:.6f}" for a, _ in points),
        "longitude": ",".join(f"{o:.6f}" for _, o in points),
    }


def _number(value: Any) -> float | None:
    if value is None:
        return None  # a missing value stays missing, never filled in
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UpstreamBadResponse(SOURCE, f"elevation is not a number: {value!r}")
    return float(value)


def parse_open_meteo_elevation(data: Any, count: int) -> list[float | None]:
    """``{"elevation": [..]}`` → elevations (m), checked against the number asked for."""
    values = data.get("elevation") if isinstance(data, dict) else None
    if not isinstance(values, list) or len(values) != count:
        raise UpstreamBadResponse(SOURCE, f"expected {count} elevations")
    return [_number(v) for v in values]


def parse_opentopodata(data: Any, count: int) -> list[float | None]:
    """``{"results": [{"elevation": ..}], "status": "OK"}`` → elevations (m)."""
    if not isinstance(data, dict) or data.get("status") != "OK":
        raise UpstreamBadResponse(SOURCE, "OpenTopoData status is not OK")
    results = data.get("results")
    if not isinstance(results, list) or len(results) != count:
        raise UpstreamBadResponse(SOURCE, f"expected {count} results")
    if not all(isinstance(r, dict) for r in results):
        raise UpstreamBadResponse(SOURCE, "results must be objects")
    return [_number(r.get("elevation")) for r in results]


async def fetch_elevations(
    http: UpstreamHttp,
    points: Sequence[tuple[float, float]],
    deadline: float,
    *,
    opentopodata: bool = False,
) -> list[float | None]:
    """Elevations of ``points`` (≤ 100) in one upstream call."""
    url, params = build_elevation_request(http.base_url, points, opentopodata=opentopodata)
    data = await http.request_json("GET", url, params=params, deadline=deadline, cost=len(points))
    if opentopodata:
        return parse_opentopodata(data, len(points))
    return parse_open_meteo_elevation(data, len(points))


def encode_grid(g: TerrainGrid) -> dict[str, Any]:
    """JSON-ready form of a grid for the cache."""
    return {
        "lat": g.center_lat,
        "lon": g.center_lon,
        "rows": g.rows,
        "cols": g.cols,
        "dlat": g.spacing_lat_deg,
        "dlon": g.spacing_lon_deg,
        "e": g.elevations_m,
    }


def decode_grid(d: dict[str, Any]) -> TerrainGrid:
    """Inverse of ``encode_grid``."""
    return TerrainGrid(
        center_lat=d["lat"],
        center_lon=d["lon"],
        rows=d["rows"],
        cols=d["cols"],
        spacing_lat_deg=d["dlat"],
        spacing_lon_deg=d["dlon"],
        elevations_m=tuple(d["e"]),
    )
