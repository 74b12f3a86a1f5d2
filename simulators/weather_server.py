"""Weather simulator: an Open-Meteo-compatible ``GET /v1/forecast``.

Supports ``latitude``/``longitude`` comma lists (several → a JSON array, one object per
location, in order), ``hourly=`` variables, ``past_days``, ``forecast_days``,
``start_date``/``end_date``, ``start_hour``/``end_hour``, ``timezone`` (GMT/UTC only),
``wind_speed_unit`` (kmh, ms, mph, kn), ``temperature_unit`` (celsius, fahrenheit) and
``precipitation_unit`` (mm, inch). Errors are HTTP 400 ``{"error": true, "reason": ..}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web

from simulators.common import (
    KNOBS_KEY,
    BadRequest,
    build_app,
    check_coordinates,
    json_response,
    parse_floats,
)
from simulators.dem import SyntheticDem
from simulators.knobs import Knobs
from simulators.weather_model import HourWeather, weather_at

MAX_LOCATIONS = 1000
MAX_HOURS = 24 * 120
_WIND = {
    "kmh": ("km/h", 3.6),
    "ms": ("m/s", 1.0),
    "mph": ("mp/h", 2.236936),
    "kn": ("kn", 1.943844),
}
_VARIABLES: dict[str, Callable[[HourWeather], float]] = {
    "temperature_2m": lambda w: w.temperature_c,
    "pressure_msl": lambda w: w.pressure_msl_hpa,
    "wind_speed_10m": lambda w: w.wind_speed_ms,
    "wind_direction_10m": lambda w: w.wind_direction_deg,
    "wind_gusts_10m": lambda w: w.wind_gusts_ms,
    "precipitation": lambda w: w.precipitation_mm,
    "snow_depth": lambda w: w.snow_depth_m,
}


def _int_param(query: Any, name: str, default: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be an integer") from None
    if not 0 <= value <= high:
        raise BadRequest(f"Parameter '{name}' must be between 0 and {high}")
    return value


def _time_range(query: Any, today: date) -> tuple[datetime, datetime]:
    """[first, last] UTC hours requested."""
    try:
        if "start_hour" in query or "end_hour" in query:
            first = datetime.fromisoformat(query["start_hour"]).replace(tzinfo=UTC)
            last = datetime.fromisoformat(query["end_hour"]).replace(tzinfo=UTC)
        elif "start_date" in query or "end_date" in query:
            first = datetime.combine(
                date.fromisoformat(query["start_date"]), datetime.min.time(), UTC
            )
            last = datetime.combine(date.fromisoformat(query["end_date"]), datetime.min.time(), UTC)
            last += timedelta(hours=23)
        else:
            past = _int_param(query, "past_days", 0, 92)
            forecast = _int_param(query, "forecast_days", 7, 16)
            start = datetime.combine(today, datetime.min.time(), UTC)
            first = start - timedelta(days=past)
            last = start + timedelta(days=forecast) - timedelta(hours=1)
    except KeyError as exc:
        raise BadRequest(f"Parameter {exc.args[0]!r} is required with its counterpart") from None
    except ValueError as exc:
        raise BadRequest(f"Invalid date or hour: {exc}") from None
    first = first.replace(minute=0, second=0, microsecond=0)
    if last < first:
        raise BadRequest("End date must be after start date")
    if (last - first) / timedelta(hours=1) >= MAX_HOURS:
        raise BadRequest("Requested time range is too long")
    return first, last


def create_weather_app(
    knobs: Knobs, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> web.Application:
    """The weather simulator application; ``now`` anchors past_days/forecast_days."""
    seed = knobs.config.seed
    dem = SyntheticDem(seed)

    async def forecast(request: web.Request) -> web.Response:
        started = time.perf_counter()
        q = request.query
        lats = parse_floats(q.get("latitude"), "latitude")
        lons = parse_floats(q.get("longitude"), "longitude")
        check_coordinates(lats, lons)
        if len(lats) > MAX_LOCATIONS:
            raise BadRequest(f"At most {MAX_LOCATIONS} locations are allowed")
        if q.get("timezone", "GMT").upper() not in ("GMT", "UTC"):
            raise BadRequest("The simulator only supports timezone=GMT")
        wind_unit = q.get("wind_speed_unit", "kmh")
        temp_unit = q.get("temperature_unit", "celsius")
        precip_unit = q.get("precipitation_unit", "mm")
        if wind_unit not in _WIND:
            raise BadRequest(f"Invalid wind_speed_unit {wind_unit!r}")
        if temp_unit not in ("celsius", "fahrenheit") or precip_unit not in ("mm", "inch"):
            raise BadRequest("Invalid temperature_unit or precipitation_unit")
        variables = [v for v in q.get("hourly", "").split(",") if v]
        for var in variables:
            if var not in _VARIABLES:
                raise BadRequest(
                    "Cannot initialize WeatherVariable from invalid String value "
                    f"{var} for key hourly"
                )
        first, last = _time_range(q, now().astimezone(UTC).date())
        hours = int((last - first) / timedelta(hours=1)) + 1
        times = [first + timedelta(hours=h) for h in range(hours)]
        wind_label, wind_factor = _WIND[wind_unit]
        units = {
            "temperature_2m": "°F" if temp_unit == "fahrenheit" else "°C",
            "pressure_msl": "hPa",
            "wind_speed_10m": wind_label,
            "wind_direction_10m": "°",
            "wind_gusts_10m": wind_label,
            "precipitation": "inch" if precip_unit == "inch" else "mm",
            "snow_depth": "ft" if precip_unit == "inch" else "m",
        }

        def convert(var: str, value: float) -> float:
            if var == "temperature_2m" and temp_unit == "fahrenheit":
                return round(value * 9 / 5 + 32, 1)
            if var in ("wind_speed_10m", "wind_gusts_10m"):
                return round(value * wind_factor, 1)
            if precip_unit == "inch" and var == "precipitation":
                return round(value / 25.4, 3)
            if precip_unit == "inch" and var == "snow_depth":
                return round(value * 3.28084, 2)
            return value

        results: list[dict[str, Any]] = []
        for index, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
            # Open-Meteo answers for its nearest grid point; mimic a ~0.01° grid.
            glat, glon = round(lat, 2), round(lon, 2)
            hourly: dict[str, list[Any]] = {"time": [t.strftime("%Y-%m-%dT%H:%M") for t in times]}
            samples = [weather_at(glat, glon, t, seed) for t in times]
            for var in variables:
                hourly[var] = [convert(var, _VARIABLES[var](w)) for w in samples]
            item: dict[str, Any] = {
                "latitude": glat,
                "longitude": glon,
                "generationtime_ms": round((time.perf_counter() - started) * 1000, 3),
                "utc_offset_seconds": 0,
                "timezone": "GMT",
                "timezone_abbreviation": "GMT",
                "elevation": dem.elevation(glat, glon),
            }
            if len(lats) > 1:
                item["location_id"] = index
            item["hourly_units"] = {"time": "iso8601", **{v: units[v] for v in variables}}
            item["hourly"] = hourly
            results.append(item)
        request.app[KNOBS_KEY].points["forecast"] += len(lats)
        return json_response(results if len(results) > 1 else results[0])

    app = build_app(knobs)
    app.router.add_get("/v1/forecast", forecast)
    return app
