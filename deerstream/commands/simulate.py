"""``deerstream simulate``: run the weather, elevation and scouting simulators.

Each server listens on 127.0.0.1 at the port of its configured URL (``WEATHER_URL``,
``ELEVATION_URL``, ``SCOUTING_URL``; 8701–8703 by default) until SIGINT or SIGTERM.
The knob flags apply to all three servers; change them live with ``POST /_sim/config``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from urllib.parse import urlsplit

from deerstream.errors import ConfigError
from deerstream.settings import Settings
from deerstream.simulators.knobs import SimConfig
from deerstream.simulators.server import start_simulators


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "simulate", help="run the upstream simulators (weather, elevation, scouting)"
    )
    p.add_argument("--latency-ms", type=float, default=0.0, help="base latency per request")
    p.add_argument("--jitter-ms", type=float, default=0.0, help="extra uniform 0..J ms latency")
    p.add_argument("--error-rate", type=float, default=0.0, help="share of HTTP 500 answers")
    p.add_argument("--rate-limit-rate", type=float, default=0.0, help="share of HTTP 429 answers")
    p.add_argument("--retry-after", type=float, default=1.0, help="Retry-After (s) sent with 429")
    p.add_argument("--hang-rate", type=float, default=0.0, help="share of requests that hang")
    p.add_argument("--hang-s", type=float, default=60.0, help="how long a hang lasts")
    p.add_argument("--malformed-rate", type=float, default=0.0, help="share of malformed bodies")
    p.add_argument("--seed", type=int, default=42, help="seed of data and faults")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default loopback; 0.0.0.0 in a container)",
    )
    p.set_defaults(handler=run)


def _port(url: str, name: str) -> int:
    # Only the port matters: the servers bind --host (loopback unless told otherwise).
    parts = urlsplit(url)
    if parts.port is None:
        raise ConfigError(f"{name} must name a port to simulate it, got {url!r}")
    return parts.port


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The knobs given on the command line."""
    return SimConfig(
        latency_base_ms=args.latency_ms,
        latency_jitter_ms=args.jitter_ms,
        error_rate=args.error_rate,
        rate_limit_rate=args.rate_limit_rate,
        retry_after_s=args.retry_after,
        hang_rate=args.hang_rate,
        hang_s=args.hang_s,
        malformed_rate=args.malformed_rate,
        seed=args.seed,
    )


async def _serve(config: SimConfig, ports: dict[str, int], host: str) -> None:
    sims = await start_simulators(config, host=host, ports=ports)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    for name, url in sims.urls.items():
        sys.stderr.write(f"simulate: {name} on {url}\n")
    try:
        await stop.wait()
    finally:
        await sims.stop()


def run(args: argparse.Namespace, settings: Settings) -> int:
    ports = {
        "weather": _port(settings.weather_url, "WEATHER_URL"),
        "elevation": _port(settings.elevation_url, "ELEVATION_URL"),
        "scouting": _port(settings.scouting_url, "SCOUTING_URL"),
    }
    asyncio.run(_serve(config_from_args(args), ports, args.host))
    return 0
