"""Structured logs: JSON lines with context fields, and no secrets in them."""

from __future__ import annotations

import io
import logging
import string
from collections.abc import Iterator

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deerstream.logs import configure_logging, log_event, redact
from deerstream.settings import Settings


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """Logging configured to a buffer; the root logger restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    buffer = io.StringIO()
    yield buffer
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in buffer.getvalue().splitlines()]


def test_json_line_has_fixed_fields_and_context(stream: io.StringIO) -> None:
    configure_logging(Settings().logging, stream)
    log_event(
        logging.getLogger("deerstream.agent"),
        logging.INFO,
        "batch done",
        request_id="r-1",
        partition=3,
        offset=1207,
        batch_id="b-9",
    )
    (line,) = _lines(stream)
    assert set(line) == {"ts", "level", "logger", "message", "request_id", "partition",
                         "offset", "batch_id"}  # fmt: skip
    assert line["level"] == "INFO"
    assert line["logger"] == "deerstream.agent"
    assert line["message"] == "batch done"
    assert (line["request_id"], line["partition"], line["offset"]) == ("r-1", 3, 1207)
    assert isinstance(line["ts"], str) and line["ts"].endswith("Z")


def test_standard_extra_fields_and_exceptions_are_included(stream: io.StringIO) -> None:
    configure_logging(Settings().logging, stream)
    log = logging.getLogger("deerstream.test")
    log.warning("slow upstream", extra={"source": "weather"})
    try:
        raise ValueError("bad thing")
    except ValueError:
        log.exception("failed")
    first, second = _lines(stream)
    assert first["source"] == "weather" and first["level"] == "WARNING"
    assert second["level"] == "ERROR"
    assert isinstance(second["exc"], str) and "ValueError: bad thing" in second["exc"]


def test_secrets_are_redacted(stream: io.StringIO) -> None:
    configure_logging(Settings().logging, stream)
    log = logging.getLogger("deerstream.test")
    log_event(
        log,
        logging.INFO,
        "connecting to rediss://app:hunter2@redis.example:6380/0",
        kafka_sasl_password="pa55word",
        api_key="k-123",
        upstream={"url": "https://bob:tok3n@api.example/v1", "token": "tok3n"},
        cache_bypass=4,
    )
    log.info("with extra", extra={"password": "pa55word"})
    text = stream.getvalue()
    for secret in ("hunter2", "pa55word", "k-123", "tok3n"):
        assert secret not in text
    first, second = _lines(stream)
    assert first["message"] == "connecting to rediss://app:***@redis.example:6380/0"
    assert first["kafka_sasl_password"] == "***"
    assert first["upstream"] == {"url": "https://bob:***@api.example/v1", "token": "***"}
    # Keys that merely contain a secret-ish word stay readable.
    assert first["cache_bypass"] == 4
    assert second["password"] == "***"


def test_text_format_and_level(stream: io.StringIO) -> None:
    configure_logging(Settings(log_format="text", log_level="WARNING").logging, stream)
    log = logging.getLogger("deerstream.test")
    log_event(log, logging.INFO, "hidden", request_id="r-0")
    log_event(log, logging.WARNING, "shown", request_id="r-1", redis="redis://u:pw@h:1/0")
    (line,) = stream.getvalue().splitlines()
    assert " WARNING " in line
    assert line.endswith("deerstream.test: shown request_id=r-1 redis=redis://u:***@h:1/0")


def test_configuring_twice_keeps_one_handler(stream: io.StringIO) -> None:
    configure_logging(Settings().logging, stream)
    configure_logging(Settings().logging, stream)
    logging.getLogger("deerstream.test").warning("once")
    assert len(_lines(stream)) == 1


def test_long_values_are_cut() -> None:
    cut = redact("x" * 5000)
    assert isinstance(cut, str) and len(cut) < 1100 and cut.endswith("(+4000 chars)")


# What may stand in a URL's password: unreserved and sub-delim characters plus
# percent-escapes (anything else must be percent-encoded in a URL).
_password = st.text(
    alphabet=string.ascii_letters + string.digits + "-._~!$&'()*+,;=%",
    min_size=1,
    max_size=30,
)


@given(password=_password, user=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True))
def test_url_credentials_never_survive(password: str, user: str) -> None:
    url = f"redis://{user}:{password}@cache.example:6379/0"
    assert redact(url) == f"redis://{user}:***@cache.example:6379/0"
    assert redact(f"error talking to {url}: refused") == (
        f"error talking to redis://{user}:***@cache.example:6379/0: refused"
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_is_json_off_a_terminal_and_coloured_text_on_one() -> None:
    off = io.StringIO()
    configure_logging(Settings(log_format="auto").logging, off)
    logging.getLogger("deerstream.test").warning("to a file")
    assert orjson.loads(off.getvalue().splitlines()[0])["message"] == "to a file"
    assert "\x1b" not in off.getvalue()  # no escape code reaches a pipe or a file

    on = _Terminal()
    configure_logging(Settings(log_format="auto").logging, on)
    log_event(logging.getLogger("deerstream.test"), logging.WARNING, "to a person", n=1)
    line = on.getvalue().splitlines()[0]
    assert "\x1b[33mWARNING" in line and "to a person" in line and not line.startswith("{")


def test_text_is_never_coloured_even_on_a_terminal() -> None:
    on = _Terminal()
    configure_logging(Settings(log_format="text").logging, on)
    logging.getLogger("deerstream.test").warning("plain")
    assert "\x1b" not in on.getvalue()


def test_the_frameworks_narration_is_off_unless_asked_for(stream: io.StringIO) -> None:
    """Faust and mode log ~40 INFO lines per start ("[^---Conductor]: Starting..."); a
    person running the worker sees the worker's own lines and the frameworks' warnings."""
    saved = {n: logging.getLogger(n).level for n in ("faust", "mode", "aiokafka")}
    try:
        configure_logging(Settings(log_format="text").logging, stream)
        logging.getLogger("faust.transport.conductor").info("[^---Conductor]: Starting...")
        logging.getLogger("aiokafka.consumer.group_coordinator").warning("Heartbeat failed")
        logging.getLogger("deerstream.worker").info("partitions assigned")
        lines = stream.getvalue().splitlines()
        assert [line.split(maxsplit=2)[2] for line in lines] == [
            "aiokafka.consumer.group_coordinator: Heartbeat failed",
            "deerstream.worker: partitions assigned",
        ]
        stream.truncate(0)
        stream.seek(0)
        configure_logging(Settings(log_format="text", log_library_level="INFO").logging, stream)
        logging.getLogger("mode.services").info("[^Worker]: Starting...")
        assert "mode.services: [^Worker]: Starting..." in stream.getvalue()
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def test_a_wrong_library_level_is_a_config_error() -> None:
    from deerstream.errors import ConfigError

    with pytest.raises(ConfigError, match="LOG_LIBRARY_LEVEL"):
        Settings(log_library_level="LOUD")
