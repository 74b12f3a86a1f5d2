"""What the baseline workers share: a counters file the bench reads, and running Faust.

Baselines run as their own processes (so the bench can measure their CPU and memory
alone). They have no web server: they publish their counters by rewriting a small JSON
file twice a second, which the bench samples like it scrapes the real worker's /metrics.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path
from typing import Any

import faust
import orjson
from mode import Service

from deerstream.logs import configure_logging
from deerstream.settings import Settings

STATS_INTERVAL_S = 0.5


class StatsFile(Service):
    """Writes ``counters`` to ``path`` every half second, atomically (write + rename)."""

    def __init__(self, path: Path, counters: Counter[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.counters = counters

    def write(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps(dict(self.counters)))
        os.replace(tmp, self.path)

    async def on_stop(self) -> None:
        self.write()

    @Service.task
    async def _write_periodically(self) -> None:
        while not self.should_stop:
            self.write()
            await asyncio.sleep(STATS_INTERVAL_S)


def read_stats(path: Path) -> dict[str, float]:
    """The counters a baseline last wrote (empty before the first write)."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def run_faust(app: faust.App, settings: Settings, *services: Service) -> int:
    """Run ``app`` (and ``services``, started before it) until SIGTERM; the exit status."""
    configure_logging(settings.logging)
    worker = faust.Worker(
        app,
        *services,
        loglevel=settings.log_level,
        override_logging=False,
        redirect_stdouts=False,
        quiet=True,
    )
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
