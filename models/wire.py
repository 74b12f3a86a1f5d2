"""Shared readers and writers of the JSON wire form.

Every reader takes an already-parsed JSON value and the JSON path it came from, and either
returns the typed Python value or raises :class:`ContractError` with a stable reason code
and that path. Pure: no I/O, no clock.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import NoReturn, TypeVar

import orjson

from deerstream.errors import ContractError

E = TypeVar("E", bound=enum.Enum)

#: Request and hunter ids: 1–64 characters of ``[A-Za-z0-9._:-]`` (docs/how-prediction-works.md).
ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# RFC 3339 ``date-time`` shape; ranges (month 13, Feb 30, second 60) are checked by
# ``datetime`` itself so they can be reported as ``out_of_range`` rather than a bad shape.
# ``[0-9]`` rather than ``\d``: Python's ``\d`` also matches non-ASCII digits.
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:([0-9]{2}))?"
)

_MAX_SHOWN = 40  # longest offending value quoted in a message; keeps DLQ headers small


def fail(code: str, message: str, path: str) -> NoReturn:
    """Raise the contract error for ``path``."""
    raise ContractError(code, message, path)


def show(value: object) -> str:
    """A short, safe rendering of an offending value for an error message."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def type_name(value: object) -> str:
    """The JSON type name of a parsed value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def require(obj: Mapping[str, object], key: str, parent: str) -> object:
    """``obj[key]``, or ``missing_field`` when the key is absent."""
    try:
        return obj[key]
    except KeyError:
        fail("missing_field", f"{key} is required", f"{parent}.{key}")


def read_object(value: object, path: str) -> Mapping[str, object]:
    """A JSON object (keys are strings in parsed JSON)."""
    if not isinstance(value, dict):
        fail("wrong_type", f"expected an object, got {type_name(value)}", path)
    return value


def read_array(value: object, path: str) -> list[object]:
    """A JSON array."""
    if not isinstance(value, list):
        fail("wrong_type", f"expected an array, got {type_name(value)}", path)
    return value


def read_number(
    value: object, path: str, lo: float | None = None, hi: float | None = None
) -> float:
    """A finite JSON number (``true``/``false`` are not numbers) within ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail("wrong_type", f"expected a number, got {type_name(value)}", path)
    try:
        number = float(value)
    except OverflowError:  # an int too large for a double (only via request_from_dict)
        fail("out_of_range", f"{show(value)} is too large", path)
    if not math.isfinite(number):
        fail("not_finite", f"expected a finite number, got {number}", path)
    if lo is not None and number < lo:
        fail("out_of_range", _range_message(value, lo, hi), path)
    if hi is not None and number > hi:
        fail("out_of_range", _range_message(value, lo, hi), path)
    return number


def _range_message(value: object, lo: float | None, hi: float | None) -> str:
    if lo is None:
        return f"{show(value)} is above the maximum {hi:g}"
    if hi is None:
        return f"{show(value)} is below the minimum {lo:g}"
    return f"{show(value)} is outside {lo:g}..{hi:g}"


def read_str(value: object, path: str) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        fail("wrong_type", f"expected a string, got {type_name(value)}", path)
    return value


def read_bool(value: object, path: str) -> bool:
    """A JSON boolean."""
    if not isinstance(value, bool):
        fail("wrong_type", f"expected a boolean, got {type_name(value)}", path)
    return value


def read_id(value: object, path: str) -> str:
    """An id: 1–64 characters of ``[A-Za-z0-9._:-]``."""
    if not isinstance(value, str):
        fail("wrong_type", f"expected a string, got {type_name(value)}", path)
    if ID_PATTERN.fullmatch(value) is None:
        fail("invalid_id", f"{show(value)} is not 1-64 characters of [A-Za-z0-9._:-]", path)
    return value


def read_enum(value: object, members: Mapping[str, E], path: str) -> E:
    """One of ``members`` (value → member); another string is ``out_of_range``."""
    if not isinstance(value, str):
        fail("wrong_type", f"expected a string, got {type_name(value)}", path)
    try:
        return members[value]
    except KeyError:
        fail("out_of_range", f"{show(value)} is not one of {', '.join(members)}", path)


def read_datetime(value: object, path: str) -> datetime:
    """An RFC 3339 date-time WITH an offset, returned in UTC.

    A time without an offset is ``naive_datetime``: guessing a zone is how the original
    system got hunts an hour off.
    """
    if not isinstance(value, str):
        fail("wrong_type", f"expected an RFC 3339 date-time string, got {type_name(value)}", path)
    match = _RFC3339.fullmatch(value)
    if match is None:
        fail("wrong_type", f"{show(value)} is not an RFC 3339 date-time", path)
    if match.group(1) is None:
        fail("naive_datetime", f"{show(value)} has no UTC offset (add Z or ±hh:mm)", path)
    offset_minutes = match.group(2)
    if offset_minutes is not None and offset_minutes > "59":
        # fromisoformat would silently read +05:60 as +06:00.
        fail("out_of_range", f"{show(value)} has an invalid UTC offset", path)
    # RFC 3339 allows lower-case t/z; fromisoformat only knows upper case. The text always
    # holds a T or t, so isupper() is false exactly when a t or z is lower case.
    text = value if value.isupper() else value.upper()
    try:
        parsed = datetime.fromisoformat(text)
        return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        fail("out_of_range", f"{show(value)} is not a valid date and time", path)


def format_datetime(value: datetime, path: str = "$") -> str:
    """RFC 3339 in UTC with a ``Z`` suffix; a naive datetime is refused, never guessed."""
    if value.tzinfo is not UTC:
        if value.utcoffset() is None:
            fail("naive_datetime", "datetime has no time zone", path)
        value = value.astimezone(UTC)
    # orjson formats RFC 3339 several times faster than isoformat(); strip its quotes.
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)[1:-1].decode()


#: RFC 3339 text of POSIX instants already written (the hourly forecasts' hour bounds recur
#: across predictions); emptied when full, so it stays bounded.
_STAMPS: dict[float, str] = {}
_STAMPS_MAX = 8192


def format_timestamp(ts: float) -> str:
    """``format_datetime`` of the UTC instant ``ts`` (POSIX seconds), remembered."""
    text = _STAMPS.get(ts)
    if text is None:
        if len(_STAMPS) >= _STAMPS_MAX:
            _STAMPS.clear()
        text = _STAMPS[ts] = format_datetime(datetime.fromtimestamp(ts, UTC))
    return text


def enum_members(cls: type[E]) -> dict[str, E]:
    """Map each member's value to the member (a fast, exact lookup table)."""
    return {str(member.value): member for member in cls}
