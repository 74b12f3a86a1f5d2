"""Each source's cache form gives back exactly the value it was made from.

The worker keeps a value it has just fetched as the decoded form of the bytes it wrote to
Redis (``CachedSource._store``), so the next read of that cell skips decoding; that is only
right because decode(encode(v)) == v for what the adapters parse, genuine bodies included.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from deerstream.enrich.adapters.elevation import (
    decode_grid,
    encode_grid,
    parse_open_meteo_elevation,
)
from deerstream.enrich.adapters.scouting import (
    decode_observations,
    encode_observations,
    parse_query_results,
)
from deerstream.enrich.adapters.weather import decode_series, encode_series, parse_forecast
from deerstream.enrich.nodata import NoData
from deerstream.models.records import TerrainGrid, WeatherSeries

FIXTURES = Path(__file__).parent / "fixtures"


def _via_cache(value: Any, encode: Any, decode: Any) -> Any:
    """What a read of the cached bytes decodes to (the envelope's ``d``)."""
    raw = orjson.dumps({"t": 0.0, "d": encode(value), "r": None})
    return decode(orjson.loads(raw)["d"])


def test_genuine_forecasts_round_trip() -> None:
    paths = sorted((FIXTURES / "open_meteo").glob("forecast_*.json"))
    paths += [FIXTURES / "open_meteo_forecast_multi.json"]
    paths += [FIXTURES / "open_meteo_forecast_single_imperial.json"]
    checked = 0
    for path in paths:
        data = orjson.loads(path.read_bytes())
        count = len(data) if isinstance(data, list) else 1
        for s in parse_forecast(data, count):
            if isinstance(s, WeatherSeries):
                assert _via_cache(s, encode_series, decode_series) == s, path.name
                checked += 1
    assert checked >= 6, checked


@pytest.mark.parametrize(
    "name", ["elevation_multi.json", "elevation_single.json", "elevation_single_compact.json"]
)
def test_genuine_elevations_round_trip(name: str) -> None:
    data = orjson.loads((FIXTURES / "open_meteo" / name).read_bytes())
    count = len(data["elevation"])
    values = parse_open_meteo_elevation(data, count)
    grid = TerrainGrid(44.0, -72.0, 1, count, 0.001, 0.0012, tuple(values))
    back = _via_cache(grid, encode_grid, decode_grid)
    assert back == grid and all(
        (a is None and b is None) or (a == b and not math.isnan(a))
        for a, b in zip(back.elevations_m, grid.elevations_m, strict=True)
    )


def test_scouting_cells_round_trip_also_with_fractions_and_offsets() -> None:
    body = orjson.loads((FIXTURES / "scouting_query.json").read_bytes())
    extra = dict(body["results"][0]["observations"][0])
    extra.update(observation_id="o-3", observed_at="2026-11-12T06:30:15.734+01:00")
    body["results"][0]["observations"].append(extra)
    cells = parse_query_results(body, ["q0", "q1"])
    assert len(cells["q0"]) == 3 and cells["q1"] == ()
    assert cells["q0"][2].observed_at == datetime(2026, 11, 12, 5, 30, 15, tzinfo=UTC)
    for obs in cells.values():
        assert _via_cache(obs, encode_observations, decode_observations) == obs


def test_no_data_is_not_a_value() -> None:
    assert not isinstance(parse_forecast({"error": True, "reason": "x"}, 1)[0], WeatherSeries)
    assert isinstance(parse_forecast({"error": True, "reason": "x"}, 1)[0], NoData)
