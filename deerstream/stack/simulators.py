"""The upstream simulators as a stack component (only when the upstream URLs are local)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from deerstream.errors import StackError
from deerstream.settings import Settings
from deerstream.stack.process import PidFile, port_in_use, spawn, tail
from deerstream.stack.types import ComponentStatus, component_status

MARKER = "deerstream.cli simulate"


class SimulatorProcess:
    name = "simulators"

    def __init__(self, state_dir: Path, settings: Settings) -> None:
        self.root = state_dir / "simulators"
        self.log_path = self.root / "simulators.log"
        self.pidfile = PidFile(self.root / "simulators.pid", markers=(MARKER,))
        self.ports = [
            urlparse(u).port or 80
            for u in (settings.weather_url, settings.elevation_url, settings.scouting_url)
        ]

    @property
    def address(self) -> str:
        return "127.0.0.1:" + ",".join(str(p) for p in self.ports)

    def start(self) -> bool:
        if self.pidfile.read() is not None:
            return False
        for port in self.ports:
            if port_in_use("127.0.0.1", port):
                raise StackError(
                    f"port {port} on 127.0.0.1 is already in use by another process; "
                    "stop it or point WEATHER_URL/ELEVATION_URL/SCOUTING_URL elsewhere"
                )
        # The child reads the same environment, so it serves the ports computed above.
        pid = spawn([sys.executable, "-m", "deerstream.cli", "simulate"], log_path=self.log_path)
        self.pidfile.write(pid)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if all(port_in_use("127.0.0.1", p) for p in self.ports):
                return True
            if self.pidfile.read() is None:
                break
            time.sleep(0.1)
        self.stop()
        raise StackError(f"the simulators did not start; last log lines:\n{tail(self.log_path)}")

    def stop(self) -> bool:
        return self.pidfile.stop_owned(timeout_s=10)

    def status(self) -> ComponentStatus:
        pid = self.pidfile.read()
        healthy = all(port_in_use("127.0.0.1", p) for p in self.ports)
        return component_status(self.name, self.address, pid, healthy)
