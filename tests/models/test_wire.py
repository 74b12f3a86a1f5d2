"""The shared wire readers and writers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from deerstream.errors import ContractError
from deerstream.models.wire import format_datetime, read_datetime, read_number, show


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-08T06:15:00Z", datetime(2026, 11, 8, 6, 15, tzinfo=UTC)),
        ("2026-11-08t06:15:00z", datetime(2026, 11, 8, 6, 15, tzinfo=UTC)),
        ("2026-11-08T06:15:00-00:00", datetime(2026, 11, 8, 6, 15, tzinfo=UTC)),
        ("2026-11-08T00:15:00-06:00", datetime(2026, 11, 8, 6, 15, tzinfo=UTC)),
        ("2026-11-08T06:15:00.123456789+00:00", datetime(2026, 11, 8, 6, 15, 0, 123456, UTC)),
        ("2024-02-29T23:59:59+23:59", datetime(2024, 2, 29, 0, 0, 59, tzinfo=UTC)),
    ],
)
def test_read_datetime(text: str, expected: datetime) -> None:
    parsed = read_datetime(text, "$.t")
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 8, 6, 15, tzinfo=UTC), "2026-11-08T06:15:00Z"),
        (datetime(2026, 11, 8, 6, 15, 0, 5, tzinfo=UTC), "2026-11-08T06:15:00.000005Z"),
        (
            datetime(2026, 11, 8, 1, 15, tzinfo=timezone(timedelta(hours=-5))),
            "2026-11-08T06:15:00Z",
        ),
        (datetime(999, 1, 1, tzinfo=UTC), "0999-01-01T00:00:00Z"),
    ],
)
def test_format_datetime(value: datetime, expected: str) -> None:
    assert format_datetime(value) == expected
    assert read_datetime(expected, "$") == value


@pytest.mark.parametrize(
    ("value", "lo", "hi", "code"),
    [
        (True, None, None, "wrong_type"),
        ("1", None, None, "wrong_type"),
        (None, None, None, "wrong_type"),
        (float("-inf"), None, None, "not_finite"),
        (10**400, None, None, "out_of_range"),
        (-1, 0.0, None, "out_of_range"),
        (11, 0.0, 10.0, "out_of_range"),
    ],
)
def test_read_number_rejects(value: object, lo: float | None, hi: float | None, code: str) -> None:
    with pytest.raises(ContractError) as info:
        read_number(value, "$.x", lo, hi)
    assert (info.value.code, info.value.path) == (code, "$.x")


def test_read_number_accepts_bounds_and_ints() -> None:
    assert read_number(0, "$", 0.0, 10.0) == 0.0
    assert isinstance(read_number(10, "$", 0.0, 10.0), float)


def test_show_truncates_long_values() -> None:
    assert len(show("x" * 1000)) == 40
    assert show("ab") == "'ab'"
