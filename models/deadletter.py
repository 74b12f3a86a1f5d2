"""Dead letters: rejected input, kept byte for byte, with the reason in Kafka headers.

The dead-letter message's value is the ORIGINAL event, untouched, so it can be inspected,
fixed and re-produced by any Kafka client. Everything about the rejection travels in
headers named ``deerstream.*`` (UTF-8 values), so a plain consumer (kcat, another language)
can read the reason without knowing any envelope. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from deerstream.errors import ContractError
from deerstream.models import headers as hdr
from deerstream.models.wire import fail, format_datetime, read_datetime

#: Every reason code a dead letter can carry. Stable: codes are added, never renamed.
REASON_CODES = (
    "invalid_json",  # not parseable as JSON text
    "not_an_object",  # JSON, but not an object at the top level
    "invalid_utf8",  # the bytes are not UTF-8
    "too_large",  # over the size limit (64 KiB by default)
    "missing_field",  # a required field is absent
    "wrong_type",  # a field has the wrong JSON type or shape
    "out_of_range",  # a value outside its allowed range or set
    "naive_datetime",  # a date-time without a UTC offset
    "not_finite",  # a number that is infinite
    "unsupported_version",  # a schema_version this consumer does not read
    "invalid_id",  # an id with characters or a length outside the id rule
    "enrichment_unavailable",  # valid, but enrichment could not finish before the deadline
)


_INT = re.compile(r"-?[0-9]{1,19}")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A rejected input event and why it was rejected.

    ``path`` is the JSON path of the offending field (``$`` for the whole event);
    ``failed_at`` is timezone-aware (UTC on the wire).
    """

    reason: str
    message: str
    path: str
    source_topic: str
    source_partition: int
    source_offset: int
    original: bytes
    failed_at: datetime


def dead_letter_for(
    error: ContractError,
    *,
    source_topic: str,
    source_partition: int,
    source_offset: int,
    original: bytes,
    failed_at: datetime,
) -> DeadLetter:
    """The dead letter for an event the codec rejected with ``error``."""
    return DeadLetter(
        reason=error.code,
        message=error.message,
        path=error.path,
        source_topic=source_topic,
        source_partition=source_partition,
        source_offset=source_offset,
        original=original,
        failed_at=failed_at,
    )


def dead_letter_headers(dl: DeadLetter) -> list[tuple[str, bytes]]:
    """Kafka headers describing the rejection; the message value is ``dl.original``."""
    return [
        (hdr.REASON, dl.reason.encode()),
        (hdr.MESSAGE, dl.message.encode()),
        (hdr.PATH, dl.path.encode()),
        (hdr.SOURCE_TOPIC, dl.source_topic.encode()),
        (hdr.SOURCE_PARTITION, str(dl.source_partition).encode()),
        (hdr.SOURCE_OFFSET, str(dl.source_offset).encode()),
        (hdr.FAILED_AT, format_datetime(dl.failed_at, hdr.FAILED_AT).encode()),
    ]


def dead_letter_from_message(value: bytes, headers: Sequence[tuple[str, bytes]]) -> DeadLetter:
    """Rebuild a dead letter from a consumed DLQ message.

    Headers other than ``deerstream.*`` are ignored; when a header repeats, the last one
    wins. Raises ContractError (``missing_field``, ``wrong_type``, ``invalid_utf8``) with the
    header name as the path when a header is absent or malformed.
    """
    found: dict[str, bytes] = {}
    for name, raw in headers:
        if name.startswith(hdr.PREFIX):
            found[name] = raw
    text: dict[str, str] = {}
    for name in hdr.DEAD_LETTER_HEADERS:
        if name not in found:
            fail("missing_field", f"header {name} is missing", name)
        try:
            text[name] = bytes(found[name]).decode("utf-8")
        except UnicodeDecodeError:
            fail("invalid_utf8", f"header {name} is not UTF-8", name)
    return DeadLetter(
        reason=text[hdr.REASON],
        message=text[hdr.MESSAGE],
        path=text[hdr.PATH],
        source_topic=text[hdr.SOURCE_TOPIC],
        source_partition=_read_int(text[hdr.SOURCE_PARTITION], hdr.SOURCE_PARTITION),
        source_offset=_read_int(text[hdr.SOURCE_OFFSET], hdr.SOURCE_OFFSET),
        original=bytes(value),
        failed_at=read_datetime(text[hdr.FAILED_AT], hdr.FAILED_AT),
    )


def _read_int(text: str, name: str) -> int:
    if _INT.fullmatch(text) is None:
        fail("wrong_type", f"header {name} is not an integer: {text[:40]!r}", name)
    return int(text)
