"""The Confluent Schema Registry wire format on input: magic byte 0, a 4-byte big-endian
schema id, then the payload (here: the JSON text of a request).

Java and Python producers that use a schema registry's JSON Schema serializer frame every
message this way. Plain JSON never starts with byte 0x00 (JSON text starts with
whitespace or a value), so a frame is recognised unambiguously and removed before
decoding; the schema id is kept for metrics and for the dead letter when the JSON behind
the frame is rejected. The original bytes, frame included, are what a dead letter keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

MAGIC = 0
FRAME_BYTES = 5


@dataclass(frozen=True, slots=True)
class Unframed:
    payload: bytes
    schema_id: int | None  # None: the value was plain JSON (no frame)


def unframe(value: bytes) -> Unframed:
    """The payload behind a Confluent frame, or ``value`` itself when it has none."""
    if len(value) >= FRAME_BYTES and value[0] == MAGIC:
        return Unframed(bytes(value[FRAME_BYTES:]), int.from_bytes(value[1:5], "big"))
    return Unframed(value, None)


def frame(payload: bytes, schema_id: int) -> bytes:
    """``payload`` in the Confluent wire format (for producers and tests)."""
    return bytes([MAGIC]) + schema_id.to_bytes(4, "big") + payload
