"""The hourly forecast as columns: it reads, compares and encodes like its records."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from deerstream.errors import ContractError
from deerstream.models.codec import decode_prediction, encode_prediction
from deerstream.models.records import HourlyForecast, StandRating
from tests.models.builders import full_prediction

ROWS = full_prediction().hourly


def test_it_reads_as_its_records() -> None:
    hf = HourlyForecast.from_rows(ROWS)
    assert len(hf) == 2
    assert hf[0] == ROWS[0] and hf[-1] == ROWS[1] and hf[1] == ROWS[1]
    assert hf[0:1] == ROWS[0:1] and list(hf) == list(ROWS)
    assert hf[0].start.tzinfo is not None and hf[0].start == ROWS[0].start
    with pytest.raises(IndexError):
        hf[2]
    with pytest.raises(IndexError):
        hf[-3]


def test_it_equals_and_hashes_like_the_tuple_of_its_records() -> None:
    hf = HourlyForecast.from_rows(ROWS)
    assert hf == ROWS and ROWS == hf and hf == list(ROWS)
    assert hash(hf) == hash(tuple(ROWS))
    assert hf == HourlyForecast.from_rows(ROWS)
    assert hf != ROWS[:1] and hf != HourlyForecast.from_rows(ROWS[:1]) and hf != "ab"
    assert HourlyForecast.from_rows(()) == ()
    # Records read once are kept, and still compare equal to fresh columns.
    assert hf.rows() is hf.rows()
    assert dataclasses.replace(full_prediction(), hourly=hf) == full_prediction()


def test_it_is_immutable_and_refuses_ragged_columns() -> None:
    hf = HourlyForecast.from_rows(ROWS)
    column = "start_ts"
    with pytest.raises(AttributeError):
        setattr(hf, column, ())
    with pytest.raises(AttributeError):
        del hf.wind_ms
    with pytest.raises(ValueError, match="differ in length"):
        HourlyForecast([0.0], [3600.0], [1.0], [], [None], [None], [True], [()], [None])


def test_columns_encode_byte_for_byte_like_records() -> None:
    records = full_prediction()
    columns = dataclasses.replace(records, hourly=HourlyForecast.from_rows(records.hourly))
    data = encode_prediction(columns)
    assert data == encode_prediction(records)
    assert orjson.loads(data)["hourly"][0]["start"] == "2026-11-08T12:29:12Z"
    assert decode_prediction(data) == columns


@pytest.mark.parametrize("column", ["movement_scores", "wind_from_deg", "wind_ms"])
def test_a_non_finite_number_in_a_column_is_refused_with_its_path(column: str) -> None:
    hf = HourlyForecast.from_rows(ROWS)
    values = {name: list(getattr(hf, name)) for name in hf.__slots__ if name != "_rows"}
    values[column][1] = float("nan")
    p = dataclasses.replace(full_prediction(), hourly=HourlyForecast(**values))
    key = "movement_score" if column == "movement_scores" else column
    with pytest.raises(ContractError) as info:
        encode_prediction(p)
    assert (info.value.code, info.value.path) == ("not_finite", f"$.hourly[1].{key}")


def test_a_non_finite_stand_rating_is_refused_with_its_path() -> None:
    p = full_prediction()
    bad: StandRating = dataclasses.replace(p.stand_ratings[0], ratings=(8.5, float("inf")))
    with pytest.raises(ContractError) as info:
        encode_prediction(dataclasses.replace(p, stand_ratings=(bad,)))
    assert (info.value.code, info.value.path) == ("not_finite", "$.stand_ratings[0].ratings[1]")
