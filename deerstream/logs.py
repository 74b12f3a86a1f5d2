"""Logs: readable lines on a terminal, one JSON object per line otherwise; no secrets.

``LOG_FORMAT=auto`` (the default) writes coloured text when stderr is a terminal and JSON
lines when it is not (containers, CI, a file), so no escape code ever reaches a log file;
``json`` and ``text`` force one (``text`` is never coloured).

Every line carries ``ts``, ``level``, ``logger`` and ``message``, plus whatever context the
caller attached (``request_id``, ``partition``, ``offset``, ``batch_id``...) either through
:func:`log_event` or the standard ``extra=`` argument. The text form carries
the same fields.

Redaction happens in the formatter, so it covers every logger in the process (ours and the
libraries'): values under secret-looking keys are masked, and credentials inside URLs
(``redis://user:pw@host``) are masked wherever they appear, message text included.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

from deerstream.settings import LogSettings

__all__ = ["JsonFormatter", "TextFormatter", "configure_logging", "log_event", "redact"]

REDACTED = "***"

#: Longest string value written as is; longer ones are cut so that an accidental payload
#: dump stays one readable line.
MAX_VALUE_CHARS = 1000

# Matched against whole words of a key (split on _ - .) so ``cache_bypass`` stays visible
# while ``kafka_sasl_password`` and ``X-Api-Key`` are masked.
_SECRET_KEY = re.compile(
    r"(?:^|[_.-])(?:pass|passwd|password|pwd|secret|secrets|token|sasl|credentials?|"
    r"api[_-]?key|auth|authorization|private[_-]?key|cookie)(?:$|[_.-])",
    re.IGNORECASE,
)
# scheme://user:password@host → scheme://user:***@host (also scheme://:password@host)
_URL_CREDENTIALS = re.compile(r"(?P<prefix>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@")

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName"}
)
_FIELDS_ATTR = "deerstream_fields"
_HANDLER_MARK = "_deerstream_handler"


def redact(value: object, key: str = "") -> object:
    """``value`` with secrets masked: whole values under secret-looking keys, credentials
    inside URLs, recursively through mappings and sequences."""
    if key and _SECRET_KEY.search(key) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        text = _URL_CREDENTIALS.sub(rf"\g<prefix>{REDACTED}@", value)
        if len(text) > MAX_VALUE_CHARS:
            text = f"{text[:MAX_VALUE_CHARS]}…(+{len(text) - MAX_VALUE_CHARS} chars)"
        return text
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return redact(str(value))


def _fields(record: logging.LogRecord) -> dict[str, object]:
    """The record's context fields, redacted, in the order they were given."""
    out: dict[str, object] = {}
    for name, value in vars(record).items():
        if name in _RECORD_ATTRS or name == _FIELDS_ATTR or name.startswith("_"):
            continue
        out[name] = redact(value, name)
    given = getattr(record, _FIELDS_ATTR, None)
    if isinstance(given, Mapping):
        for name, value in given.items():
            out[str(name)] = redact(value, str(name))
    return out


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _exception_text(record: logging.LogRecord) -> str | None:
    if not record.exc_info or record.exc_info[0] is None:
        return None
    text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
    return _URL_CREDENTIALS.sub(rf"\g<prefix>{REDACTED}@", text)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: ts, level, logger, message, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name, value in _fields(record).items():
            # Context can't overwrite the four fixed fields that every reader relies on.
            entry.setdefault(name, value)
        exc = _exception_text(record)
        if exc is not None:
            entry["exc"] = exc
        return orjson.dumps(entry, default=str).decode()


# ANSI colours per level, used only when the stream is a terminal.
_COLOURS = {
    "DEBUG": "\x1b[2m",
    "INFO": "\x1b[36m",
    "WARNING": "\x1b[33m",
    "ERROR": "\x1b[31m",
    "CRITICAL": "\x1b[1;31m",
}
_RESET = "\x1b[0m"
_DIM = "\x1b[2m"


class TextFormatter(logging.Formatter):
    """Formats a record as ``HH:MM:SS LEVEL logger: message key=value ...`` for humans;
    with ``colour`` the level, logger and fields are coloured (terminals only)."""

    def __init__(self, *, colour: bool = False) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        level = f"{record.levelname:<7}"
        logger = f"{record.name}:"
        fields = [f"{k}={v}" for k, v in _fields(record).items()]
        if self.colour:
            level = f"{_COLOURS.get(record.levelname, '')}{level}{_RESET}"
            logger = f"{_DIM}{logger}{_RESET}"
            fields = [f"{_DIM}{f}{_RESET}" for f in fields]
        stamp = _timestamp(record)[11:19] if self.colour else _timestamp(record)
        line = " ".join([stamp, level, logger, str(redact(record.getMessage())), *fields])
        exc = _exception_text(record)
        return f"{line}\n{exc}" if exc is not None else line


#: Loggers of the libraries the worker runs on, set to ``LOG_LIBRARY_LEVEL``.
LIBRARY_LOGGERS = ("faust", "mode", "aiokafka")


def wants_json(log_format: str, stream: TextIO) -> bool:
    """``auto``: JSON unless ``stream`` is a terminal (containers and CI get JSON)."""
    if log_format != "auto":
        return log_format == "json"
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


def configure_logging(logging_: LogSettings, stream: TextIO | None = None) -> None:
    """Send every logger's records to ``stream`` (default stderr) as JSON lines, or as text
    with ``LOG_FORMAT=text``, at ``LOG_LEVEL``. Calling it again replaces the handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
    out = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(out)
    if wants_json(logging_.format, out):
        handler.setFormatter(JsonFormatter())
    else:
        colour = logging_.format == "auto"  # auto + a terminal: colours; text: plain
        handler.setFormatter(TextFormatter(colour=colour))
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(logging_.level.upper())
    # The frameworks narrate every service's start and stop ("[^---Conductor]: Starting...",
    # some forty lines per start) at INFO; the worker says what matters itself (started,
    # partitions assigned, stopped). Their warnings and errors still come through.
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging_.library_level.upper())
    # One line per HTTP request (Prometheus scrapes every few seconds) is noise, not an event.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def log_event(logger: logging.Logger, level: int, message: str, /, **fields: Any) -> None:
    """Log ``message`` with context ``fields`` (request_id=..., partition=..., ...).

    Fields may use any name, including ones ``extra=`` forbids (``message``, ``args``): they
    travel in one attribute and are spread out by the formatter.
    """
    if logger.isEnabledFor(level):
        logger.log(level, message, extra={_FIELDS_ATTR: fields}, stacklevel=2)
