"""Reading requests from JSONL and CSV: valid rows, rejections with line numbers."""

from __future__ import annotations

import itertools

import pytest

from deerstream.errors import ConfigError
from deerstream.streams.inputs import format_for, read_csv, read_jsonl


def counter_ids() -> object:
    numbers = itertools.count(1)
    return lambda: f"gen-{next(numbers)}"


def test_jsonl_rows_become_requests_and_rejections_keep_line_numbers() -> None:
    lines = [
        '{"request_id": "a", "lat": 44.5, "lon": -89.6, "target_time": "2026-11-28T06:30:00Z"}',
        "",
        '{"request_id": "b", "lat": 95, "lon": -89.6, "target_time": "2026-11-28T06:30:00Z"}',
        "not json",
        "[1, 2]",
        '{"lat": 44.5, "lon": -89.6, "target_time": "2026-11-28T06:30:00"}',
        '{"lat": 44.5, "lon": -89.6, "target_time": "2026-11-28T06:30:00+02:00"}',
    ]
    parsed = read_jsonl(lines, new_id=lambda: "gen-1")
    assert [(n, r.request_id) for n, r in parsed.requests] == [(1, "a"), (7, "gen-1")]
    assert [(r.line, r.code, r.path) for r in parsed.rejections] == [
        (3, "out_of_range", "$.lat"),
        (4, "invalid_json", "$"),
        (5, "wrong_type", "$"),
        (6, "naive_datetime", "$.target_time"),
    ]
    assert parsed.rejections[0].describe().startswith("line 3: out_of_range at $.lat: ")


def test_csv_rows_convert_numbers_and_skip_empty_cells() -> None:
    lines = [
        "request_id,lat,lon,target_time,radius_m,season,hunter_id\n",
        "c1,44.5,-89.6,2026-11-28T06:30:00-06:00,1200,peak_rut,h7\n",
        ",44.6,-89.7,2026-11-28T07:30:00Z,,,\n",
        "c3,abc,-89.6,2026-11-28T06:30:00Z,,,\n",
        "c4,44.5,-89.6\n",
        "c5,44.5,-89.6,2026-11-28T06:30:00Z,50,,\n",
    ]
    ids = iter(["gen-1"])
    parsed = read_csv(lines, new_id=lambda: next(ids))
    got = {r.request_id: (n, r) for n, r in parsed.requests}
    assert set(got) == {"c1", "gen-1"}
    line, c1 = got["c1"]
    assert line == 2
    assert (c1.lat, c1.lon, c1.radius_m, c1.hunter_id) == (44.5, -89.6, 1200.0, "h7")
    assert c1.season is not None and c1.season.value == "peak_rut"
    assert c1.target_time.hour == 12
    assert got["gen-1"][1].radius_m == 800.0
    assert [(r.line, r.code, r.path) for r in parsed.rejections] == [
        (4, "wrong_type", "$.lat"),
        (5, "wrong_shape", "$"),
        (6, "out_of_range", "$.radius_m"),
    ]


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("request_id,lat,lon,when\n", "unknown column(s) when"),
        ("request_id,lat,target_time\n", "missing column(s) lon"),
        ("lat,lat,lon,target_time\n", "repeated column(s) lat"),
    ],
)
def test_bad_csv_header_is_one_config_error(header: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=r"bad CSV header: .*") as info:
        read_csv([header, "1,2,3,4\n"])
    assert fragment in str(info.value)


def test_empty_csv_is_an_error() -> None:
    with pytest.raises(ConfigError, match="empty"):
        read_csv([])


@pytest.mark.parametrize(
    ("path", "explicit", "fmt"),
    [
        ("a.jsonl", None, "jsonl"),
        ("a.ndjson", None, "jsonl"),
        ("A.CSV", None, "csv"),
        ("-", None, "jsonl"),
        ("data.txt", "csv", "csv"),
    ],
)
def test_format_for(path: str, explicit: str | None, fmt: str) -> None:
    assert format_for(path, explicit) == fmt


def test_format_for_unknown_extension_is_an_error() -> None:
    with pytest.raises(ConfigError, match="format"):
        format_for("data.txt", None)
