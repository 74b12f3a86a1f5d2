"""Background server processes owned by the local stack, tracked by pid files.

A pid file holds the pid; a marker string must appear in the process's command line.
``down`` stops only a live process whose command line still carries a marker, so a
stale pid reused by an unrelated process is never signalled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deerstream.errors import StackError


@dataclass(frozen=True)
class PidFile:
    path: Path
    markers: tuple[str, ...]  # one of these appears in the owned process's command line

    def stale_grace_s(self) -> float:
        """How long to let a port free up before calling it taken: a grace only when a pid
        file is left by a process that has died (its sockets may still be closing)."""
        return STALE_RELEASE_S if self.path.exists() and self.read() is None else 0.0

    def read(self) -> int | None:
        """The pid of our live process, or None (a stale file is removed)."""
        try:
            pid = int(self.path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        cmd = command_line(pid)
        if is_alive(pid) and any(m in cmd for m in self.markers):
            return pid
        self.path.unlink(missing_ok=True)
        return None

    def write(self, pid: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{pid}\n")

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def stop_owned(self, *, timeout_s: float) -> bool:
        """Stop our process if it runs (SIGTERM, then SIGKILL); True when one was stopped."""
        pid = self.read()
        if pid is None:
            return False
        stop(pid, timeout_s=timeout_s)
        self.remove()
        return True


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) counts as dead.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def command_line(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# After ``kill -9`` of a many-threaded server (the JVM), its main thread is a zombie at once,
# while the other threads still tear down and keep the listening sockets open for a moment.
STALE_RELEASE_S = 15.0


def port_held(host: str, port: int, *, grace_s: float = 0.0) -> bool:
    """True when something listens at ``host:port`` and is still there after ``grace_s``
    (give a grace when our own process just died, so its sockets can close)."""
    deadline = time.monotonic() + grace_s
    while port_in_use(host, port):
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.1)
    return False


def spawn(argv: Sequence[str], *, log_path: Path, cwd: Path | None = None) -> int:
    """Start a detached process (own session, so Ctrl-C in the terminal does not reach it)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        try:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as exc:
            raise StackError(f"cannot start {argv[0]}: {exc}") from exc
    # Right after fork the child's /proc cmdline can still read empty; a PidFile check in that
    # window would wrongly call the new process stale. Wait until the kernel shows it.
    deadline = time.monotonic() + 5.0
    while not command_line(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    return proc.pid


def kill9(pid: int) -> None:
    """SIGKILL at once, as a crash would (failover tests); returns once it is gone."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    for _ in range(100):
        _reap(pid)
        if not is_alive(pid):
            return
        time.sleep(0.05)


def stop(pid: int, *, timeout_s: float = 30.0) -> None:
    """SIGTERM, wait, then SIGKILL; returns once the process is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_alive(pid):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    for _ in range(50):
        _reap(pid)
        if not is_alive(pid):
            return
        time.sleep(0.1)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
