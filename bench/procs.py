"""The processes a benchmark run starts: the simulators and one worker per variant, plus
the sampler that reads their counters, CPU time and memory while they run.

Every child gets its own session (so a signal to the bench does not hit them twice) and is
stopped by its pid only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil
from prometheus_client.parser import text_string_to_metric_families

from deerstream.bench.stats import Sample
from deerstream.bench.variants.common import read_stats

SIM_NAMES = {"weather": "WEATHER_URL", "elevation": "ELEVATION_URL", "scouting": "SCOUTING_URL"}
SAMPLE_INTERVAL_S = 0.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Child:
    """A subprocess with its output in a log file."""

    argv: Sequence[str]
    env: Mapping[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                list(self.argv),
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout_s: float = 30.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout_s``; the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def simulator_child(log_dir: Path, latency_ms: float, jitter_ms: float, seed: int) -> Child:
    """``deerstream simulate`` on free ports: latency_ms + uniform(0, jitter_ms) per call."""
    env = {var: f"http://127.0.0.1:{free_port()}" for var in SIM_NAMES.values()}
    return Child(
        argv=[
            sys.executable,
            "-m",
            "deerstream.cli",
            "simulate",
            "--latency-ms",
            str(latency_ms),
            "--jitter-ms",
            str(jitter_ms),
            "--seed",
            str(seed),
        ],
        env=env,
        log_path=log_dir / "simulators.log",
    )


async def wait_http(url: str, timeout_s: float, child: Child) -> None:
    """Wait until ``url`` answers 200 (the child must stay alive meanwhile)."""
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if not child.alive():
                raise RuntimeError(f"{child.argv[3:5]} exited:\n{child.tail()}")
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=1)) as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} not up within {timeout_s} s:\n{child.tail()}")


def parse_worker_metrics(text: str) -> dict[str, float]:
    """The real worker's /metrics in the bench's counter names (see ``Sampler``)."""
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = s.labels
            source = labels.get("source", "")
            if s.name == "deerstream_cache_requests_total":
                name = f"{source}_{labels.get('result', '')}"
            elif s.name == "deerstream_upstream_calls_total":
                name = f"{source}_upstream_calls"
            elif s.name == "deerstream_redis_roundtrips_total":
                name = "redis_roundtrips"
            elif s.name == "deerstream_prediction_cache_roundtrips":
                name = "redis_roundtrips"
            elif s.name == "deerstream_predictions_total":
                # Per event: served from the prediction cache or computed.
                name = "prediction_hit" if labels.get("cached") == "true" else "prediction_miss"
            elif s.name == "deerstream_events_in_total":
                name = "events"
            else:
                continue
            out[name] = out.get(name, 0.0) + s.value
    return out


@dataclass
class Sampler:
    """Samples a worker every half second: CPU seconds and RSS (psutil, the worker process
    and its children), its own counters (/metrics or a stats file), simulator requests."""

    pid: int
    sim_urls: Mapping[str, str]
    sim_pid: int | None = None  # the simulators' process: their CPU is reported too
    metrics_url: str | None = None
    # More workers of the same variant (one consumer group): CPU, RSS and counters summed.
    more_pids: Sequence[int] = ()
    more_metrics_urls: Sequence[str] = ()
    stats_file: Path | None = None
    samples: list[Sample] = field(default_factory=list)
    last_metrics: str = ""  # the last /metrics body, kept for the results folder
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2))
        self._procs = [psutil.Process(p) for p in (self.pid, *self.more_pids)]
        self._own = psutil.Process()
        self._sim = psutil.Process(self.sim_pid) if self.sim_pid is not None else None
        await self.sample()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.sample()
        await self._session.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_INTERVAL_S)
            with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError, psutil.Error):
                await self.sample()

    async def sample(self) -> None:
        values: dict[str, float] = {}
        procs = [q for p in self._procs for q in (p, *p.children(recursive=True))]
        cpu = rss = 0.0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                times = p.cpu_times()
                cpu += times.user + times.system
                rss += p.memory_info().rss
        values["cpu_s"] = cpu
        values["rss_mb"] = rss / 2**20
        # The bench's own producer, collector and sampler share the cores with the worker.
        own = self._own.cpu_times()
        values["bench_cpu_s"] = own.user + own.system
        if self._sim is not None:
            with contextlib.suppress(psutil.Error):
                sim = self._sim.cpu_times()
                values["sim_cpu_s"] = sim.user + sim.system
        values["load_1m"] = os.getloadavg()[0]
        # The whole machine, to tell how busy everything else kept the cores meanwhile.
        machine = psutil.cpu_times()
        idle = machine.idle + getattr(machine, "iowait", 0.0)
        values["machine_busy_s"] = sum(machine) - idle
        values["machine_total_s"] = sum(machine)
        for name, url in self.sim_urls.items():
            async with self._session.get(f"{url}/_sim/stats") as r:
                data = await r.json()
            values[f"sim_{name}_requests"] = float(data.get("total_requests", 0))
        if self.metrics_url is not None:
            async with self._session.get(self.metrics_url) as r:
                self.last_metrics = await r.text()
            values.update(parse_worker_metrics(self.last_metrics))
            for url in self.more_metrics_urls:
                async with self._session.get(url) as r:
                    for name, value in parse_worker_metrics(await r.text()).items():
                        values[name] = values.get(name, 0.0) + value
        if self.stats_file is not None:
            values.update(read_stats(self.stats_file))
        self.samples.append(Sample(time.time(), values))
