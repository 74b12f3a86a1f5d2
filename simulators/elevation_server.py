"""Elevation simulator: Open-Meteo ``GET /v1/elevation`` and OpenTopoData ``GET /v1/<dataset>``.

Open-Meteo: ``?latitude=a,b&longitude=x,y`` (≤ 100 points) → ``{"elevation": [..]}``;
bad input → HTTP 400 ``{"reason": "..", "error": true}``. Like the real service (whose DEM
reader returns NaN for ``lat >= 90 or lon >= 180``), a point at the north pole or on the
antimeridian is written as a bare ``nan``, which is not valid JSON:
``{"elevation":[nan,312.4]}`` (knob ``nan_at_poles``, on by default). Coordinates beyond
±90/±180 stay a 400.
OpenTopoData: ``?locations=lat,lon|lat,lon`` → ``{"results": [{"elevation", "location":
{"lat", "lng"}, "dataset"}], "status": "OK"}``; bad input → HTTP 400
``{"error": "..", "status": "INVALID_REQUEST"}``.
"""

from __future__ import annotations

import math

import orjson
from aiohttp import web

from deerstream.simulators.common import (
    KNOBS_KEY,
    BadRequest,
    build_app,
    check_coordinates,
    json_response,
    parse_floats,
)
from deerstream.simulators.dem import SyntheticDem
from deerstream.simulators.knobs import Knobs

MAX_POINTS = 100


def elevation_body(values: list[float]) -> bytes:
    """``{"elevation":[..]}`` written the way Open-Meteo writes it: NaN as bare ``nan``."""
    if not any(math.isnan(v) for v in values):
        return orjson.dumps({"elevation": values})
    parts = ("nan" if math.isnan(v) else orjson.dumps(v).decode() for v in values)
    return ('{"elevation":[' + ",".join(parts) + "]}").encode()


def create_elevation_app(knobs: Knobs) -> web.Application:
    """The elevation simulator application."""
    dem = SyntheticDem(knobs.config.seed)

    async def open_meteo(request: web.Request) -> web.Response:
        lats = parse_floats(request.query.get("latitude"), "latitude")
        lons = parse_floats(request.query.get("longitude"), "longitude")
        if len(lats) == len(lons) and len(lats) > MAX_POINTS:
            raise BadRequest(
                f"Parameter 'latitude' and 'longitude' must not exceed {MAX_POINTS} coordinates."
            )
        check_coordinates(lats, lons)
        cfg = request.app[KNOBS_KEY].config
        values = [
            math.nan if cfg.nan_at_poles and (a >= 90.0 or o >= 180.0) else dem.elevation(a, o)
            for a, o in zip(lats, lons, strict=True)
        ]
        request.app[KNOBS_KEY].points["elevation"] += len(lats)
        return web.Response(body=elevation_body(values), content_type="application/json")

    async def open_topo_data(request: web.Request) -> web.Response:
        dataset = request.match_info["dataset"]
        raw = request.query.get("locations", "")
        points: list[tuple[float, float]] = []
        try:
            for part in raw.split("|"):
                lat_s, lon_s = part.split(",")
                points.append((float(lat_s), float(lon_s)))
        except ValueError:
            return json_response(
                {"error": f"Invalid locations: {raw!r}", "status": "INVALID_REQUEST"}, status=400
            )
        if len(points) > MAX_POINTS:
            return json_response(
                {
                    "error": f"Too many locations provided ({len(points)}), the limit is 100.",
                    "status": "INVALID_REQUEST",
                },
                status=400,
            )
        request.app[KNOBS_KEY].points["elevation"] += len(points)
        results = [
            {"dataset": dataset, "elevation": dem.elevation(a, o), "location": {"lat": a, "lng": o}}
            for a, o in points
        ]
        return json_response({"results": results, "status": "OK"})

    app = build_app(knobs)
    app.router.add_get("/v1/elevation", open_meteo)
    app.router.add_get("/v1/{dataset}", open_topo_data)
    return app
