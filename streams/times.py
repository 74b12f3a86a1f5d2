"""Time arguments and Kafka timestamps. Pure: no clock reads."""

from __future__ import annotations

from datetime import UTC, datetime

from deerstream.errors import ConfigError


def parse_time(text: str, *, name: str = "time") -> datetime:
    """Parse an RFC 3339 time with an offset (``2026-11-28T06:30:00-05:00`` or ``...Z``).

    A naive time is an error, not a guess: the caller's zone is unknown.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{name} {text!r} is not an RFC 3339 time") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ConfigError(f"{name} {text!r} has no UTC offset (add Z or +hh:mm)")
    return value.astimezone(UTC)


def to_ms(value: datetime) -> int:
    """Epoch milliseconds of an aware datetime (Kafka's timestamp unit)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    # Integer arithmetic on the timedelta avoids float rounding at the millisecond edge.
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    """The UTC datetime of epoch milliseconds."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
