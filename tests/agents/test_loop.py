"""``EVENT_LOOP``: the worker's loop choice, made before any loop exists."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from deerstream.agents.loop import install_event_loop
from deerstream.errors import ConfigError
from deerstream.settings import Settings


def _loop_class_in_child(choice: str) -> str:
    """The loop class a fresh process gets after ``install_event_loop(choice)`` (a child
    process, so this test's own loop policy stays untouched)."""
    code = (
        "import asyncio; from deerstream.agents.loop import install_event_loop; "
        f"used = install_event_loop({choice!r}); loop = asyncio.new_event_loop(); "
        "print(used, type(loop).__module__); loop.close()"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_auto_and_uvloop_run_on_uvloop_and_asyncio_on_the_standard_loop() -> None:
    assert _loop_class_in_child("auto") == "uvloop uvloop"
    assert _loop_class_in_child("uvloop") == "uvloop uvloop"
    assert _loop_class_in_child("asyncio") == "asyncio asyncio.unix_events"


def test_a_bad_choice_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="EVENT_LOOP"):
        Settings.from_env({"EVENT_LOOP": "trio"})
    with pytest.raises(ConfigError, match="EVENT_LOOP='trio' is not one of"):
        install_event_loop("trio")
    assert isinstance(asyncio.get_event_loop_policy(), asyncio.DefaultEventLoopPolicy)
