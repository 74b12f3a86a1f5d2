"""``deerstream simulate`` as a real process: serves on the configured ports, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from tests.ports import free_port

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get_json(url: str) -> object:
    with _OPENER.open(url, timeout=5) as resp:
        return json.loads(resp.read())


def test_simulate_serves_until_sigterm() -> None:
    ports = {name: free_port() for name in ("WEATHER_URL", "ELEVATION_URL", "SCOUTING_URL")}
    env = dict(os.environ)
    env.update({name: f"http://127.0.0.1:{port}" for name, port in ports.items()})
    proc = subprocess.Popen(
        [sys.executable, "-m", "deerstream.cli", "simulate", "--seed", "9", "--error-rate", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        elevation = f"http://127.0.0.1:{ports['ELEVATION_URL']}"
        for _ in range(200):
            try:
                body = _get_json(f"{elevation}/v1/elevation?latitude=45&longitude=-90")
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError("simulator did not come up")
        assert isinstance(body, dict) and len(body["elevation"]) == 1
        stats = _get_json(f"{elevation}/_sim/stats")
        assert isinstance(stats, dict) and stats["config"]["seed"] == 9
        scouting = f"http://127.0.0.1:{ports['SCOUTING_URL']}"
        assert _get_json(f"{scouting}/_sim/stats") is not None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()
