"""Weather adapter: the Open-Meteo forecast API, spoken exactly, read as it really answers.

Requests ask for SI-friendly units (``wind_speed_unit=ms``, ``temperature_unit=celsius``,
``precipitation_unit=mm``, ``timezone=GMT``) and a ``start_date``/``end_date`` window, with
many locations as comma lists. The parser still converts by ``hourly_units``, so an
upstream answering in other units is converted here, at the edge, and never leaks past it.

Genuine answers are not always tidy (docs/enrichment.md lists each behaviour and where it
was seen): many locations come back as an array whose first item has no ``location_id``;
a variable the weather model lacks has unit ``"undefined"`` and only nulls; series have
null gaps. Each location is read on its own: a variable that is undefined or all null is
that variable missing for that location; a location whose body is unusable (no hours, not
the hours asked for, nothing but nulls) is ``NoData`` with the reason, and its neighbours
in the same call are kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from deerstream.enrich.http import UpstreamHttp
from deerstream.enrich.nodata import NoData
from deerstream.errors import UpstreamBadResponse
from deerstream.models.records import WeatherSeries

SOURCE = "weather"
HOURLY = (
    "temperature_2m",
    "pressure_msl",
    "wind_speed_10m",
    "wind_direction_10m",
    "wind_gusts_10m",
    "precipitation",
    "snow_depth",
)

_CONVERT: dict[str, dict[str, Callable[[float], float]]] = {
    "temperature_2m": {"°C": lambda v: v, "°F": lambda v: (v - 32.0) * 5.0 / 9.0},
    "pressure_msl": {"hPa": lambda v: v},
    "wind_speed_10m": {
        "m/s": lambda v: v,
        "km/h": lambda v: v / 3.6,
        "mp/h": lambda v: v * 0.44704,
        "mph": lambda v: v * 0.44704,
        "kn": lambda v: v * 0.514444,
    },
    "wind_direction_10m": {"°": lambda v: v},
    "precipitation": {"mm": lambda v: v, "inch": lambda v: v * 25.4},
    "snow_depth": {"m": lambda v: v, "ft": lambda v: v * 0.3048, "cm": lambda v: v / 100.0},
}
_CONVERT["wind_gusts_10m"] = _CONVERT["wind_speed_10m"]


def build_forecast_params(
    points: Sequence[tuple[float, float]], start: date, end: date
) -> dict[str, str]:
    """Query parameters for one call covering ``points`` over [start, end] (UTC days)."""
    return {
        "latitude": ",".join(f"{a:.4f}" for a, _ in points),
        "longitude": ",".join(f"{o:.4f}" for _, o in points),
        "hourly": ",".join(HOURLY),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "timezone": "GMT",
        "wind_speed_unit": "ms",
        "temperature_unit": "celsius",
        "precipitation_unit": "mm",
    }


def forecast_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base if base.endswith("/v1/forecast") else f"{base}/v1/forecast"


def _bad(message: str) -> UpstreamBadResponse:
    return UpstreamBadResponse(SOURCE, message)


def _series(
    hourly: dict[str, Any], units: dict[str, Any], var: str, n: int
) -> tuple[float | None, ...]:
    """One variable in SI units; all None when the upstream lacks it (absent, unit
    ``"undefined"``, or nothing but nulls): missing, never invented."""
    values = hourly.get(var)
    unit = units.get(var)
    if values is None or unit == "undefined":
        return (None,) * n
    if not isinstance(values, list) or len(values) != n:
        raise _bad(f"hourly.{var} does not match hourly.time")
    if all(v is None for v in values):
        return (None,) * n
    convert = _CONVERT[var].get(str(unit))
    if convert is None:
        raise _bad(f"unsupported unit {unit!r} for {var}")
    out: list[float | None] = []
    for v in values:
        if v is None:
            out.append(None)
        elif isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            out.append(round(convert(float(v)), 4))
        else:
            raise _bad(f"hourly.{var} holds a non-number: {v!r}")
    return tuple(out)


def parse_location(item: Any, window: tuple[date, date] | None = None) -> WeatherSeries:
    """One location object of an Open-Meteo forecast answer → ``WeatherSeries`` (SI, UTC).

    ``window`` (first and last UTC day asked for): the hours returned must cover it.
    Raises ``UpstreamBadResponse`` when the location is unusable."""
    if not isinstance(item, dict):
        raise _bad("location is not an object")
    hourly, units = item.get("hourly"), item.get("hourly_units")
    if not isinstance(hourly, dict) or not isinstance(units, dict):
        raise _bad("hourly or hourly_units missing")
    raw_times = hourly.get("time")
    if not isinstance(raw_times, list) or not raw_times:
        raise _bad("hourly.time missing")
    try:
        # Times are local to the answer's utc_offset_seconds (0 for the timezone=GMT asked).
        offset = timedelta(seconds=int(item.get("utc_offset_seconds", 0)))
        times = tuple(
            datetime.fromisoformat(str(t)).replace(tzinfo=UTC) - offset for t in raw_times
        )
        lat, lon = float(item["latitude"]), float(item["longitude"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(f"bad location fields: {exc}") from None
    if window is not None:
        first = datetime.combine(window[0], datetime.min.time(), UTC)
        last = datetime.combine(window[1], datetime.min.time(), UTC).replace(hour=23)
        if times[0] > first or times[-1] < last:
            raise _bad(
                f"hours {times[0]:%Y-%m-%dT%H:%M}..{times[-1]:%Y-%m-%dT%H:%M} UTC do not cover "
                "the window asked for "
                f"({window[0]}..{window[1]})"
            )
    n = len(times)
    series = WeatherSeries(
        lat=lat,
        lon=lon,
        times=times,
        temperature_c=_series(hourly, units, "temperature_2m", n),
        pressure_msl_hpa=_series(hourly, units, "pressure_msl", n),
        wind_speed_ms=_series(hourly, units, "wind_speed_10m", n),
        wind_direction_deg=_series(hourly, units, "wind_direction_10m", n),
        wind_gusts_ms=_series(hourly, units, "wind_gusts_10m", n),
        precipitation_mm=_series(hourly, units, "precipitation", n),
        snow_depth_m=_series(hourly, units, "snow_depth", n),
    )
    if series.temperature_c.count(None) == n and series.pressure_msl_hpa.count(None) == n:
        raise _bad("neither temperature nor sea-level pressure has a value")
    return series


def parse_forecast(
    data: Any, count: int, window: tuple[date, date] | None = None
) -> list[WeatherSeries | NoData]:
    """A forecast answer for ``count`` locations (an object for one, an array for many),
    in request order; each location that cannot be used is ``NoData`` with the reason."""
    items = [data] if count == 1 and isinstance(data, dict) else data
    if not isinstance(items, list) or len(items) != count:
        raise _bad(f"expected {count} locations")
    ordered: list[Any] = [None] * count
    for position, item in enumerate(items):
        # The first item carries no location_id; the others say which request point
        # they answer (the server keeps request order, but the id is what it promises).
        where = item.get("location_id", position) if isinstance(item, dict) else position
        if not isinstance(where, int) or not 0 <= where < count or ordered[where] is not None:
            raise _bad(f"location_id {where!r} does not name one of the {count} locations")
        ordered[where] = item
    out: list[WeatherSeries | NoData] = []
    for item in ordered:
        try:
            out.append(parse_location(item, window))
        except UpstreamBadResponse as exc:
            out.append(NoData(str(exc)))
    return out


async def fetch_forecasts(
    http: UpstreamHttp,
    points: Sequence[tuple[float, float]],
    start: date,
    end: date,
    deadline: float,
    *,
    api_key: str = "",
) -> list[WeatherSeries | NoData]:
    """Hourly series for ``points`` over [start, end] in one upstream call."""
    params = build_forecast_params(points, start, end)
    if api_key:
        params["apikey"] = api_key  # the commercial endpoint (customer-api.open-meteo.com)
    data = await http.request_json(
        "GET", forecast_url(http.base_url), params=params, deadline=deadline, cost=len(points)
    )
    return parse_forecast(data, len(points), (start, end))


def encode_series(s: WeatherSeries) -> dict[str, Any]:
    """JSON-ready form of a series for the cache."""
    return {
        "lat": s.lat,
        "lon": s.lon,
        "time": [t.strftime("%Y-%m-%dT%H:%M") for t in s.times],
        "t": s.temperature_c,
        "p": s.pressure_msl_hpa,
        "ws": s.wind_speed_ms,
        "wd": s.wind_direction_deg,
        "wg": s.wind_gusts_ms,
        "pr": s.precipitation_mm,
        "sd": s.snow_depth_m,
    }


def decode_series(d: dict[str, Any]) -> WeatherSeries:
    """Inverse of ``encode_series``."""
    return WeatherSeries(
        lat=d["lat"],
        lon=d["lon"],
        times=tuple(datetime.fromisoformat(t).replace(tzinfo=UTC) for t in d["time"]),
        temperature_c=tuple(d["t"]),
        pressure_msl_hpa=tuple(d["p"]),
        wind_speed_ms=tuple(d["ws"]),
        wind_direction_deg=tuple(d["wd"]),
        wind_gusts_ms=tuple(d["wg"]),
        precipitation_mm=tuple(d["pr"]),
        snow_depth_m=tuple(d["sd"]),
    )
