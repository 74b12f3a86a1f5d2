"""Dead letters: original bytes kept, reason carried in deerstream.* headers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deerstream.errors import ContractError
from deerstream.models.codec import decode_request
from deerstream.models.deadletter import (
    REASON_CODES,
    DeadLetter,
    dead_letter_for,
    dead_letter_from_message,
    dead_letter_headers,
)
from tests.models.strategies import utc_datetimes

ORIGINAL = b'{"request_id": "r1", "lat": 91, "lon": 0, "target_time": "2026-11-08T06:15:00Z"}'
FAILED_AT = datetime(2026, 11, 8, 6, 16, 0, 250000, tzinfo=UTC)


def sample() -> DeadLetter:
    with pytest.raises(ContractError) as info:
        decode_request(ORIGINAL)
    return dead_letter_for(
        info.value,
        source_topic="prediction-requests",
        source_partition=3,
        source_offset=1234567,
        original=ORIGINAL,
        failed_at=FAILED_AT,
    )


def test_reason_codes_are_the_documented_set() -> None:
    assert REASON_CODES == (
        "invalid_json",
        "not_an_object",
        "invalid_utf8",
        "too_large",
        "missing_field",
        "wrong_type",
        "out_of_range",
        "naive_datetime",
        "not_finite",
        "unsupported_version",
        "invalid_id",
        "enrichment_unavailable",
    )


def test_dead_letter_for_a_contract_error() -> None:
    dl = sample()
    assert (dl.reason, dl.path) == ("out_of_range", "$.lat")
    assert "91" in dl.message
    assert dl.original == ORIGINAL


def test_headers() -> None:
    headers = dict(dead_letter_headers(sample()))
    assert headers == {
        "deerstream.reason": b"out_of_range",
        "deerstream.message": sample().message.encode(),
        "deerstream.path": b"$.lat",
        "deerstream.source_topic": b"prediction-requests",
        "deerstream.source_partition": b"3",
        "deerstream.source_offset": b"1234567",
        "deerstream.failed_at": b"2026-11-08T06:16:00.250000Z",
    }


def test_round_trip_ignores_foreign_headers_and_takes_the_last_repeat() -> None:
    dl = sample()
    headers = [
        ("traceparent", b"00-abc"),
        ("deerstream.reason", b"older"),
        *dead_letter_headers(dl),
        ("deerstream.unknown", b"\xff"),
    ]
    assert dead_letter_from_message(ORIGINAL, headers) == dl


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(REASON_CODES),
    st.text(),
    st.text(),
    st.text(),
    st.integers(0, 2**31 - 1),
    st.integers(-2, 2**63 - 1),
    st.binary(),
    utc_datetimes,
)
def test_every_dead_letter_round_trips(
    reason: str,
    message: str,
    path: str,
    topic: str,
    partition: int,
    offset: int,
    original: bytes,
    failed_at: datetime,
) -> None:
    dl = DeadLetter(reason, message, path, topic, partition, offset, original, failed_at)
    assert dead_letter_from_message(original, dead_letter_headers(dl)) == dl


def test_failed_at_is_written_in_utc() -> None:
    tz = timezone(timedelta(hours=2))
    dl = dataclasses.replace(sample(), failed_at=datetime(2026, 11, 8, 8, 16, tzinfo=tz))
    assert dict(dead_letter_headers(dl))["deerstream.failed_at"] == b"2026-11-08T06:16:00Z"


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("deerstream.reason", None, "missing_field"),
        ("deerstream.source_offset", b"12x", "wrong_type"),
        ("deerstream.source_partition", b"--1", "wrong_type"),
        ("deerstream.failed_at", b"2026-11-08T06:16:00", "naive_datetime"),
        ("deerstream.message", b"\xff", "invalid_utf8"),
    ],
)
def test_malformed_headers(name: str, value: bytes | None, code: str) -> None:
    headers = [(n, v) for n, v in dead_letter_headers(sample()) if n != name]
    if value is not None:
        headers.append((name, value))
    with pytest.raises(ContractError) as info:
        dead_letter_from_message(ORIGINAL, headers)
    assert (info.value.code, info.value.path) == (code, name)
