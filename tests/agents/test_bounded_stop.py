"""A stop that hangs inside Faust or aiokafka still ends the process (at-least-once holds:
what was not committed is delivered again)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from deerstream.agents import worker as worker_module
from deerstream.agents.worker import STOP_HUNG_EXIT, BoundedStopWorker


def test_an_armed_hard_stop_ends_a_process_that_does_not_end_by_itself() -> None:
    code = (
        "import time; from deerstream.agents.worker import arm_hard_stop; arm_hard_stop(0.3); "
        "time.sleep(30)"  # stands for a stop stuck on a dead consumer thread
    )
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=False
    )
    assert out.returncode == STOP_HUNG_EXIT
    assert time.monotonic() - started < 15
    assert "stop did not finish; exiting without it" in out.stdout + out.stderr


def test_a_process_that_ends_in_time_is_not_held_by_the_timer() -> None:
    code = "from deerstream.agents.worker import arm_hard_stop; arm_hard_stop(30.0); print('done')"
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=True
    )
    assert out.stdout.strip() == "done" and time.monotonic() - started < 15


def test_the_first_stop_signal_arms_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    armed: list[float] = []
    scheduled: list[signal.Signals] = []
    monkeypatch.setattr(worker_module, "arm_hard_stop", armed.append)
    monkeypatch.setattr(
        worker_module.faust.Worker, "_schedule_shutdown", lambda self, sig: scheduled.append(sig)
    )
    w = BoundedStopWorker.__new__(BoundedStopWorker)  # no app: only the signal path
    w.hard_stop_after_s = 30.0
    w._signal_stop_time = None
    w._schedule_shutdown(signal.SIGTERM)
    w._signal_stop_time = 1.0  # mode records the first signal's time
    w._schedule_shutdown(signal.SIGINT)
    assert armed == [30.0]
    assert scheduled == [signal.SIGTERM, signal.SIGINT]
