"""Run the three simulators in-process (tests, benchmarks) or from ``deerstream simulate``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from deerstream.simulators.elevation_server import create_elevation_app
from deerstream.simulators.knobs import Knobs, SimConfig
from deerstream.simulators.scouting_server import create_scouting_app
from deerstream.simulators.weather_server import create_weather_app

SOURCES = ("weather", "elevation", "scouting")


@dataclass
class RunningSimulators:
    """Handles on running simulators: their base URLs, knobs and counters."""

    urls: dict[str, str]
    knobs: dict[str, Knobs]
    _runners: list[web.AppRunner] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, Any]]:
        """Per server: requests per endpoint, points served, faults injected."""
        return {name: k.snapshot() for name, k in self.knobs.items()}

    def requests(self, name: str) -> int:
        """Total API requests (admin excluded) server ``name`` has received."""
        return sum(self.knobs[name].requests.values())

    def configure(self, name: str, **changes: Any) -> None:
        """Change the knobs of server ``name`` live (same as ``POST /_sim/config``)."""
        k = self.knobs[name]
        k.configure(k.config.updated(changes))

    def reset(self) -> None:
        """Zero every counter."""
        for k in self.knobs.values():
            k.reset()

    async def stop(self) -> None:
        """Stop every server (hanging requests are cut short)."""
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()


async def start_simulators(
    config: SimConfig | dict[str, SimConfig] | None = None,
    host: str = "127.0.0.1",
    ports: dict[str, int] | None = None,
) -> RunningSimulators:
    """Start weather, elevation and scouting servers on ``host``.

    ``config`` applies to all three, or per server name; ``ports`` maps names to ports
    (0 or missing → a free port).
    """
    ports = ports or {}
    configs = config if isinstance(config, dict) else {n: config or SimConfig() for n in SOURCES}
    knobs = {name: Knobs(configs.get(name, SimConfig())) for name in SOURCES}
    apps = {
        "weather": create_weather_app(knobs["weather"]),
        "elevation": create_elevation_app(knobs["elevation"]),
        "scouting": create_scouting_app(knobs["scouting"]),
    }
    running = RunningSimulators(urls={}, knobs=knobs)
    try:
        for name, app in apps.items():
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
            await runner.setup()
            running._runners.append(runner)
            site = web.TCPSite(runner, host, ports.get(name, 0))
            await site.start()
            port = int(runner.addresses[0][1])
            running.urls[name] = f"http://{host}:{port}"
    except BaseException:
        await running.stop()
        raise
    return running
