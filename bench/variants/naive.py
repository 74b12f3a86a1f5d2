"""Baselines 2 and 3: the seed's "before" and "after" designs.

Per event: a plain per-key Redis ``GET`` for each source, on a miss a single-point upstream
call and a ``SET``, then ``predict()`` and a publish whose ack is awaited — no batching, no
coalescing, no ``MGET``. ``--mode sequential`` awaits terrain, then weather, then scouting,
one event at a time; ``--mode concurrent`` runs the agent with Faust ``concurrency=50`` and
``gather``s the three sources per event.

    python -m deerstream.bench.variants.naive --mode sequential|concurrent --stats-file PATH
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import faust
import orjson
import redis.asyncio as aioredis
from mode import Service

from deerstream.agents.app import create_app, request_topics
from deerstream.agents.loop import install_event_loop
from deerstream.bench.variants.common import StatsFile, run_faust
from deerstream.engine import MODEL_VERSION, predict
from deerstream.enrich.adapters.elevation import decode_grid, encode_grid, fetch_elevations
from deerstream.enrich.adapters.scouting import (
    decode_observations,
    encode_observations,
    fetch_observations,
)
from deerstream.enrich.adapters.weather import decode_series, encode_series, fetch_forecasts
from deerstream.enrich.http import HttpLimits, UpstreamHttp
from deerstream.enrich.keys import (
    SCOUTING_MAX_AGE,
    scouting_cell,
    terrain_cell,
    weather_cell,
)
from deerstream.enrich.nodata import NoData
from deerstream.enrich.resilience import CircuitBreaker, RetryPolicy
from deerstream.errors import DeerstreamError, UpstreamBadResponse
from deerstream.models.codec import decode_request, encode_prediction
from deerstream.models.geo import distance_m
from deerstream.models.records import (
    Enrichment,
    PredictionRequest,
    ScoutingObservation,
    SourceQuality,
    SourceStatus,
    TerrainGrid,
    WeatherSeries,
)
from deerstream.settings import Settings

PREFIX = "naive:"
TTL_S = {"terrain": 86_400, "weather": 1_800, "scouting": 120}
CONCURRENCY = {"sequential": 1, "concurrent": 50}
#: Every event in flight may hold one Redis connection per source. redis-py 8 caps an
#: asyncio pool at 100 by default and raises ``MaxConnectionsError`` past it, which crashed
#: the concurrent baseline (50 events × 3 sources) and left its figure at 0/s.
REDIS_CONNECTIONS = 3 * max(CONCURRENCY.values())
T = TypeVar("T")


def redis_client(url: str) -> aioredis.Redis:
    """The baselines' plain client, with room for every lookup that can be in flight."""
    return aioredis.Redis.from_url(url, socket_timeout=1.0, max_connections=REDIS_CONNECTIONS)


class NaiveResources(Service):
    """A Redis client and one HTTP session per upstream, opened at start, closed at stop."""

    def __init__(self, settings: Settings, counters: Counter[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.counters = counters
        self.redis: aioredis.Redis | None = None
        self.http: dict[str, UpstreamHttp] = {}

    async def on_start(self) -> None:
        s = self.settings
        self.redis = redis_client(s.redis_url)
        urls = {"terrain": s.elevation_url, "weather": s.weather_url, "scouting": s.scouting_url}
        for name, url in urls.items():
            self.http[name] = UpstreamHttp(
                name,
                url,
                limits=HttpLimits(max_connections=100),
                policy=RetryPolicy(attempts=s.upstream_retries + 1),
                breaker=CircuitBreaker(name, s.breaker_failure_threshold, s.breaker_reset_s),
                rng=random.Random(0),
            )
            await self.http[name].start()

    async def on_stop(self) -> None:
        for http in self.http.values():
            await http.stop()
        if self.redis is not None:
            await self.redis.aclose()

    async def cached(
        self,
        source: str,
        key: str,
        fetch: Callable[[], Awaitable[T]],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> tuple[T, SourceStatus]:
        """GET the key; on a miss call the upstream and SET it (one round trip each)."""
        assert self.redis is not None
        self.counters["redis_roundtrips"] += 1
        raw = await self.redis.get(PREFIX + key)
        if raw is not None:
            self.counters[f"{source}_hit"] += 1
            return decode(orjson.loads(raw)), SourceStatus.CACHED
        self.counters[f"{source}_miss"] += 1
        self.counters[f"{source}_upstream_calls"] += 1
        value = await fetch()
        self.counters["redis_roundtrips"] += 1
        await self.redis.set(PREFIX + key, orjson.dumps(encode(value)), ex=TTL_S[source])
        return value, SourceStatus.FRESH

    async def terrain(self, req: PredictionRequest, deadline: float) -> tuple[Any, SourceStatus]:
        cell = terrain_cell(req.lat, req.lon)

        async def fetch() -> TerrainGrid:
            elevations = await fetch_elevations(self.http["terrain"], cell.points(), deadline)
            return cell.grid(elevations)

        return await self.cached("terrain", cell.key, fetch, encode_grid, decode_grid)

    async def weather(self, req: PredictionRequest, deadline: float) -> tuple[Any, SourceStatus]:
        cell = weather_cell(req.lat, req.lon, req.target_time)

        async def fetch() -> WeatherSeries:
            series = await fetch_forecasts(
                self.http["weather"],
                [(cell.lat, cell.lon)],
                cell.start_date,
                cell.end_date,
                deadline,
            )
            found = series[0]
            if isinstance(found, NoData):
                raise UpstreamBadResponse("weather", found.reason)
            return found

        return await self.cached("weather", cell.key, fetch, encode_series, decode_series)

    async def scouting(self, req: PredictionRequest, deadline: float) -> tuple[Any, SourceStatus]:
        cell = scouting_cell(req.lat, req.lon, req.radius_m, req.target_time)
        query = (cell.key, cell.center_lat, cell.center_lon, cell.query_radius_m, cell.since)

        async def fetch() -> tuple[ScoutingObservation, ...]:
            found = await fetch_observations(self.http["scouting"], [query], deadline)
            return found[cell.key]

        return await self.cached(
            "scouting", cell.key, fetch, encode_observations, decode_observations
        )


def nearby(
    req: PredictionRequest, obs: tuple[ScoutingObservation, ...]
) -> tuple[ScoutingObservation, ...]:
    """The cell's observations within the request's radius and max age."""
    since = req.target_time - SCOUTING_MAX_AGE
    return tuple(
        o
        for o in obs
        if o.observed_at >= since and distance_m(req.lat, req.lon, o.lat, o.lon) <= req.radius_m
    )


def _quality(status: SourceStatus) -> SourceQuality:
    return SourceQuality(status, 0.0)


async def enrich(res: NaiveResources, req: PredictionRequest, mode: str) -> Enrichment:
    """The three sources for one request, one after the other or gathered."""
    deadline = time.monotonic() + res.settings.upstream_deadline_s
    if mode == "sequential":
        terrain = await res.terrain(req, deadline)
        weather = await res.weather(req, deadline)
        scouting = await res.scouting(req, deadline)
    else:
        terrain, weather, scouting = await asyncio.gather(
            res.terrain(req, deadline), res.weather(req, deadline), res.scouting(req, deadline)
        )
    return Enrichment(
        terrain=terrain[0],
        weather=weather[0],
        scouting=nearby(req, scouting[0]),
        terrain_quality=_quality(terrain[1]),
        weather_quality=_quality(weather[1]),
        scouting_quality=_quality(scouting[1]),
    )


def add_naive_agent(app: faust.App, settings: Settings, res: NaiveResources, mode: str) -> Any:
    """Register the per-event agent (``concurrency`` 1 or 50 by ``mode``)."""
    counters = res.counters

    async def naive(stream: faust.StreamT[bytes]) -> None:
        async for value in stream:
            try:
                req = decode_request(value)
                enrichment = await enrich(res, req, mode)
                prediction = predict(
                    req,
                    enrichment,
                    datetime.now(UTC),
                    model_version=MODEL_VERSION,
                    scouting_shared=settings.scouting_shared,
                )
            except DeerstreamError as exc:
                counters[f"failed_{type(exc).__name__}"] += 1
                continue
            fut = await app.producer.send(
                settings.prediction_topic,
                req.request_id.encode(),
                encode_prediction(prediction),
                None,
                None,
                None,
            )
            await fut
            counters["events"] += 1

    return app.agent(
        request_topics(app, settings.kafka.topics),
        name="naive-" + mode,
        concurrency=CONCURRENCY[mode],
    )(naive)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deerstream.bench.variants.naive")
    parser.add_argument("--mode", choices=sorted(CONCURRENCY), required=True)
    parser.add_argument("--stats-file", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    install_event_loop(settings.agent.event_loop)  # as the worker does: the same loop
    app = create_app(settings.kafka, settings.agent)
    counters: Counter[str] = Counter()
    res = NaiveResources(settings, counters)
    add_naive_agent(app, settings, res, args.mode)
    return run_faust(app, settings, res, StatsFile(args.stats_file, counters))


if __name__ == "__main__":
    raise SystemExit(main())
