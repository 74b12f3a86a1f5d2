"""Weather simulator: an Open-Meteo-compatible ``GET /v1/forecast``.

Supports ``latitude``/``longitude`` comma lists (several → a JSON array, one object per
location, in order), ``hourly=`` variables, ``past_days``, ``forecast_days``,
``start_date``/``end_date``, ``start_hour``/``end_hour``, ``timezone`` (GMT/UTC only),
``wind_speed_unit`` (kmh by default, like the real API; ms, mph, kn), ``temperature_unit``
(celsius, fahrenheit) and ``precipitation_unit`` (mm, inch). Errors are HTTP 400
``{"reason": .., "error": true}``.

Real behaviours, each a knob of ``SimConfig``:

- several locations: item 0 has no ``location_id`` key, the others 1, 2, .. in order
  (``omit_first_location_id``; off → every item carries its index);
- a variable in ``undefined_variables`` (one the weather model lacks): its
  ``hourly_units`` entry is ``"undefined"`` and its series is all ``null``;
- ``null_gap_hours`` trailing hours of each series are ``null`` (beyond the model's range),
  and each value is ``null`` with probability ``null_gap_rate`` (seeded, so the same
  request gets the same gaps);
- ``enforce_date_window``: ``start_date``/``end_date`` (``start_hour``/``end_hour``) must
  fall within today − 92 days .. today + 15 days, else HTTP 400 ``Parameter 'start_date' is
  out of allowed range from <d1> to <d2>`` (the real server names the hour parameters
  ``start_hourly``/``end_hourly`` in that message).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

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
from deerstream.simulators.weather_model import HourWeather, weather_at

MAX_LOCATIONS = 1000
MAX_HOURS = 24 * 120
PAST_DAYS_MAX = 92
FORECAST_DAYS_MAX = 16
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
            past = _int_param(query, "past_days", 0, PAST_DAYS_MAX)
            forecast = _int_param(query, "forecast_days", 7, FORECAST_DAYS_MAX)
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
    return first, last


def check_date_window(query: Any, first: datetime, last: datetime, today: date) -> None:
    """The real API's window: hours from today − 92 days up to (excluded) today + 16 days.

    Only explicit dates or hours are checked (past_days/forecast_days are bounded anyway).
    """
    if "start_hour" in query or "end_hour" in query:
        names = ("start_hourly", "end_hourly")
    elif "start_date" in query or "end_date" in query:
        names = ("start_date", "end_date")
    else:
        return
    lower = datetime.combine(today - timedelta(days=PAST_DAYS_MAX), datetime.min.time(), UTC)
    upper = datetime.combine(today + timedelta(days=FORECAST_DAYS_MAX), datetime.min.time(), UTC)
    for name, moment in zip(names, (first, last), strict=True):
        if not lower <= moment < upper:
            last_day = (upper - timedelta(days=1)).date()
            raise BadRequest(
                f"Parameter '{name}' is out of allowed range from {lower.date()} to {last_day}"
            )


def _with_null_gaps(
    values: list[Any], gap_hours: int, rate: float, rng: random.Random | None
) -> list[Any]:
    if rng is not None:
        values = [None if rng.random() < rate else v for v in values]
    if gap_hours:
        keep = max(0, len(values) - gap_hours)
        values = values[:keep] + [None] * (len(values) - keep)
    return values


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
        cfg = request.app[KNOBS_KEY].config
        today = now().astimezone(UTC).date()
        first, last = _time_range(q, today)
        if cfg.enforce_date_window:
            check_date_window(q, first, last, today)
        if (last - first) / timedelta(hours=1) >= MAX_HOURS:
            raise BadRequest("Requested time range is too long")
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
        stamps = [t.strftime("%Y-%m-%dT%H:%M") for t in times]
        for index, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
            # Open-Meteo answers for its nearest grid point; mimic a ~0.01° grid.
            glat, glon = round(lat, 2), round(lon, 2)
            hourly: dict[str, list[Any]] = {"time": list(stamps)}
            samples = [weather_at(glat, glon, t, seed) for t in times]
            for var in variables:
                if var in cfg.undefined_variables:
                    hourly[var] = [None] * hours
                    continue
                values: list[Any] = [convert(var, _VARIABLES[var](w)) for w in samples]
                if cfg.null_gap_hours or cfg.null_gap_rate:
                    rng = None
                    if cfg.null_gap_rate:
                        rng = random.Random(f"nulls:{cfg.seed}:{glat}:{glon}:{var}:{first}")
                    values = _with_null_gaps(values, cfg.null_gap_hours, cfg.null_gap_rate, rng)
                hourly[var] = values
            item: dict[str, Any] = {
                "latitude": glat,
                "longitude": glon,
                "generationtime_ms": round((time.perf_counter() - started) * 1000, 3),
                "utc_offset_seconds": 0,
                "timezone": "GMT",
                "timezone_abbreviation": "GMT",
                "elevation": dem.elevation(glat, glon),
            }
            if len(lats) > 1 and (index > 0 or not cfg.omit_first_location_id):
                item["location_id"] = index
            item["hourly_units"] = {
                "time": "iso8601",
                **{v: "undefined" if v in cfg.undefined_variables else units[v] for v in variables},
            }
            item["hourly"] = hourly
            results.append(item)
        request.app[KNOBS_KEY].points["forecast"] += len(lats)
        return json_response(results if len(results) > 1 else results[0])

    app = build_app(knobs)
    app.router.add_get("/v1/forecast", forecast)
    return app
