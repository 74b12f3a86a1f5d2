"""Time arguments: RFC 3339 with an offset only; epoch-millisecond conversion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deerstream.errors import ConfigError
from deerstream.streams.times import from_ms, parse_time, to_ms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T06:30:00Z", datetime(2026, 11, 28, 6, 30, tzinfo=UTC)),
        ("2026-11-28T06:30:00-06:00", datetime(2026, 11, 28, 12, 30, tzinfo=UTC)),
        ("2026-11-28T06:30:00.250+01:00", datetime(2026, 11, 28, 5, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_parse_time_normalises_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize("text", ["2026-11-28T06:30:00", "2026-11-28", "yesterday", ""])
def test_parse_time_rejects_naive_and_garbage(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_time(text, name="--from")


def test_to_ms_rejects_naive() -> None:
    with pytest.raises(ValueError):
        to_ms(datetime(2026, 1, 1))


def test_to_ms_is_exact_at_millisecond_edges() -> None:
    edge = datetime(2026, 11, 28, 0, 0, 0, 999999, tzinfo=UTC)
    assert to_ms(edge) == to_ms(datetime(2026, 11, 28, tzinfo=UTC)) + 999


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_ms_round_trip(ms: int) -> None:
    assert to_ms(from_ms(ms)) == ms


def test_to_ms_ignores_the_zone() -> None:
    here = datetime(2026, 11, 28, 6, 0, tzinfo=timezone(timedelta(hours=-6)))
    assert to_ms(here) == to_ms(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
