"""The Confluent wire format on input: recognised, removed, and plain JSON untouched."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deerstream.models.framing import frame, unframe


def test_a_framed_value_gives_its_payload_and_schema_id() -> None:
    framed = b"\x00\x00\x00\x01\x2c" + b'{"request_id": "a"}'
    got = unframe(framed)
    assert got.payload == b'{"request_id": "a"}' and got.schema_id == 300


@pytest.mark.parametrize("plain", [b'{"a": 1}', b" \n{}", b"[]", b"", b"\x00\x00"])
def test_plain_json_and_short_values_are_left_alone(plain: bytes) -> None:
    assert unframe(plain).payload == plain and unframe(plain).schema_id is None


@given(st.binary(), st.integers(min_value=0, max_value=2**32 - 1))
def test_frame_and_unframe_round_trip(payload: bytes, schema_id: int) -> None:
    got = unframe(frame(payload, schema_id))
    assert (got.payload, got.schema_id) == (payload, schema_id)
