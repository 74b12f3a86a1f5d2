"""The ``Enricher`` facade: terrain, weather and scouting for a batch of requests.

Per source and per ``enrich_batch`` call: one Redis ``MGET`` for every distinct cache key,
misses coalesced with identical in-flight lookups and merged with concurrent ones into
batched upstream calls, results written back in one pipeline. Failures never escape: a
source that fails yields a STALE cached copy or MISSING data, with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from deerstream.enrich.adapters.elevation import decode_grid, encode_grid, fetch_elevations
from deerstream.enrich.adapters.scouting import (
    decode_observations,
    encode_observations,
    fetch_observations,
)
from deerstream.enrich.adapters.weather import decode_series, encode_series, fetch_forecasts
from deerstream.enrich.budget import UpstreamBudget, resolve_budget
from deerstream.enrich.cache import RedisCache
from deerstream.enrich.config import EnrichConfig, SourceTuning
from deerstream.enrich.http import HttpLimits, UpstreamHttp
from deerstream.enrich.keys import (
    GRID_SIZE,
    SCOUTING_MAX_AGE,
    ScoutingCell,
    TerrainCell,
    WeatherCell,
    scouting_cell,
    terrain_cell,
    weather_cell,
)
from deerstream.enrich.limits import allowed_window, split_on_rejection
from deerstream.enrich.nodata import NoData
from deerstream.enrich.resilience import CircuitBreaker, RetryPolicy
from deerstream.enrich.sources import CachedSource, Outcome
from deerstream.lifecycle import AsyncStartStop
from deerstream.models.geo import M_PER_DEG, distance_m
from deerstream.models.records import (
    Enrichment,
    PredictionRequest,
    ScoutingObservation,
    SourceQuality,
    SourceStatus,
    TerrainGrid,
    WeatherSeries,
)

if TYPE_CHECKING:
    import redis.asyncio

    from deerstream.settings import UpstreamSettings

SOURCES = ("terrain", "weather", "scouting")
_POINTS_PER_GRID = GRID_SIZE * GRID_SIZE
_ALL = "all"  # terrain and scouting keys can all share one upstream call


class Enricher(AsyncStartStop):
    """Enriches prediction requests with terrain, weather and scouting data.

    ``on_source_latency(source, seconds)`` is called once per source per batch with the
    time that source's lookup took (cache + upstream). ``config`` tunes TTLs and batching;
    ``rng`` drives retry jitter and TTL jitter (pass a seeded one in tests).
    """

    def __init__(
        self,
        upstreams: UpstreamSettings,
        redis: redis.asyncio.Redis | redis.asyncio.RedisCluster | None,
        *,
        on_source_latency: Callable[[str, float], None] | None = None,
        config: EnrichConfig | None = None,
        rng: random.Random | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self._upstreams = upstreams
        self._today = today
        self._config = config or EnrichConfig()
        self._on_latency = on_source_latency
        rng = rng or random.Random()
        policy = RetryPolicy(
            attempts=upstreams.retries + 1,
            base_s=self._config.retry_base_s,
            cap_s=self._config.retry_cap_s,
        )
        limits = HttpLimits(
            max_connections=upstreams.max_connections,
            connect_timeout_s=upstreams.connect_timeout_s,
            request_timeout_s=upstreams.request_timeout_s,
        )
        urls = {
            "terrain": upstreams.elevation_url,
            "weather": upstreams.weather_url,
            "scouting": upstreams.scouting_url,
        }
        self._http = {
            name: UpstreamHttp(
                name,
                urls[name],
                limits=limits,
                policy=policy,
                breaker=CircuitBreaker(
                    name, upstreams.breaker_failure_threshold, upstreams.breaker_reset_s
                ),
                rng=rng,
            )
            for name in SOURCES
        }

        for name, text, url in (
            ("weather", upstreams.weather_budget, upstreams.weather_url),
            ("terrain", upstreams.elevation_budget, upstreams.elevation_url),
        ):
            budget = resolve_budget(text, url, api_key=upstreams.open_meteo_api_key, name=name)
            if redis is not None and not budget.unlimited:
                self._http[name].budget = UpstreamBudget(redis, name, budget)

        def cache(name: str) -> RedisCache:
            return RedisCache(
                redis, name=name, op_timeout_s=self._config.redis_op_timeout_s, rng=rng
            )

        deadline_s = upstreams.deadline_s
        self._terrain: CachedSource[str, TerrainCell, TerrainGrid] = CachedSource(
            "terrain",
            cache=cache("terrain"),
            http=self._http["terrain"],
            tuning=self._terrain_tuning(self._config.terrain),
            fetch=self._fetch_terrain,
            group_of=lambda _cell: _ALL,
            encode=encode_grid,
            decode=decode_grid,
            deadline_s=deadline_s,
            namespace=self._config.namespace,
        )
        self._weather: CachedSource[tuple[date, date], WeatherCell, WeatherSeries] = CachedSource(
            "weather",
            cache=cache("weather"),
            http=self._http["weather"],
            tuning=self._config.weather,
            fetch=self._fetch_weather,
            group_of=lambda cell: (cell.start_date, cell.end_date),
            encode=encode_series,
            decode=decode_series,
            deadline_s=deadline_s,
            namespace=self._config.namespace,
        )
        self._scouting: CachedSource[str, ScoutingCell, tuple[ScoutingObservation, ...]] = (
            CachedSource(
                "scouting",
                cache=cache("scouting"),
                http=self._http["scouting"],
                tuning=self._config.scouting,
                fetch=self._fetch_scouting,
                group_of=lambda _cell: _ALL,
                encode=encode_observations,
                decode=decode_observations,
                deadline_s=deadline_s,
                namespace=self._config.namespace,
            )
        )

    @staticmethod
    def _terrain_tuning(t: SourceTuning) -> SourceTuning:
        # An elevation call takes at most 100 points: never more grids than fit.
        fit = max(1, 100 // _POINTS_PER_GRID)
        if t.batch_max <= fit:
            return t
        return SourceTuning(
            fresh_ttl_s=t.fresh_ttl_s,
            keep_ttl_s=t.keep_ttl_s,
            negative_ttl_s=t.negative_ttl_s,
            batch_max=fit,
            window_s=t.window_s,
        )

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open one pooled HTTP session per upstream."""
        for http in self._http.values():
            await http.start()

    async def stop(self) -> None:
        """Cancel in-flight lookups and close the sessions."""
        for source in (self._terrain, self._weather, self._scouting):
            await source.batcher.stop()
        for http in self._http.values():
            await http.stop()

    def open_circuits(self) -> dict[str, str]:
        """Upstreams whose breaker is open now, with the reason (a spent quota says so)."""
        return {
            name: http.breaker.open_reason or "repeated failures"
            for name, http in self._http.items()
            if http.breaker.open_seconds_left() > 0
        }

    def caches(self) -> list[RedisCache]:
        """The per-source caches (for readiness: is any of them bypassed?)."""
        return [self._terrain.cache, self._weather.cache, self._scouting.cache]

    @property
    def sessions_open(self) -> bool:
        """True while every upstream session is open (for readiness checks)."""
        return all(http.is_open for http in self._http.values())

    def stats(self) -> dict[str, dict[str, float]]:
        """Per-source counters (monotonic) and ``circuit_state`` (0 closed, 1 half-open, 2 open)."""
        return {
            "terrain": self._terrain.stats(),
            "weather": self._weather.stats(),
            "scouting": self._scouting.stats(),
        }

    # ------------------------------------------------------------------ upstream fetches

    async def _fetch_terrain(
        self, _group: str, cells: list[TerrainCell], deadline: float
    ) -> dict[TerrainCell, TerrainGrid | NoData]:
        async def call(part: list[TerrainCell]) -> list[TerrainGrid | NoData]:
            points = [p for cell in part for p in cell.points()]
            elevations = await fetch_elevations(
                self._http["terrain"],
                points,
                deadline,
                opentopodata=self._upstreams.elevation_api == "opentopodata",
            )
            return [
                _grid(cell, elevations[n * _POINTS_PER_GRID : (n + 1) * _POINTS_PER_GRID])
                for n, cell in enumerate(part)
            ]

        return await split_on_rejection(call, cells)

    async def _fetch_weather(
        self, group: tuple[date, date], cells: list[WeatherCell], deadline: float
    ) -> dict[WeatherCell, WeatherSeries | NoData]:
        window = allowed_window(*group, today=self._today())
        if window is None:
            horizon = NoData(
                "beyond the forecast horizon (Open-Meteo serves today - 92 d to today + 15 d)"
            )
            return dict.fromkeys(cells, horizon)
        start, end = window

        async def call(part: list[WeatherCell]) -> list[WeatherSeries | NoData]:
            return await fetch_forecasts(
                self._http["weather"],
                [(cell.lat, cell.lon) for cell in part],
                start,
                end,
                deadline,
                api_key=self._upstreams.open_meteo_api_key,
            )

        return await split_on_rejection(call, cells)

    async def _fetch_scouting(
        self, _group: str, cells: list[ScoutingCell], deadline: float
    ) -> dict[ScoutingCell, tuple[ScoutingObservation, ...]]:
        queries = [
            (cell.key, cell.center_lat, cell.center_lon, cell.query_radius_m, cell.since)
            for cell in cells
        ]
        found = await fetch_observations(self._http["scouting"], queries, deadline)
        return {cell: found[cell.key] for cell in cells}

    # ------------------------------------------------------------------ the batch

    async def _timed(self, name: str, lookup: Any) -> Any:
        started = time.perf_counter()
        try:
            return await lookup
        finally:
            if self._on_latency is not None:
                elapsed = time.perf_counter() - started
                # A broken metrics hook must not turn into missing data.
                with contextlib.suppress(Exception):
                    self._on_latency(name, elapsed)

    async def enrich_batch(self, requests: Sequence[PredictionRequest]) -> list[Enrichment]:
        """One ``Enrichment`` per request, in order. Never raises for upstream or Redis
        failures; the whole call honours ``upstreams.deadline_s``."""
        if not requests:
            return []
        deadline = time.monotonic() + self._upstreams.deadline_s
        t_keys = [terrain_cell(r.lat, r.lon) for r in requests]
        w_keys = [weather_cell(r.lat, r.lon, r.target_time) for r in requests]
        s_keys = [scouting_cell(r.lat, r.lon, r.radius_m, r.target_time) for r in requests]
        results = await asyncio.gather(
            self._timed("terrain", self._terrain.lookup(t_keys, deadline)),
            self._timed("weather", self._weather.lookup(w_keys, deadline)),
            self._timed("scouting", self._scouting.lookup(s_keys, deadline)),
            return_exceptions=True,
        )
        terrain = _or_missing(results[0], t_keys)
        weather = _or_missing(results[1], w_keys)
        scouting = _or_missing(results[2], s_keys)
        out: list[Enrichment] = []
        for req, tk, wk, sk in zip(requests, t_keys, w_keys, s_keys, strict=True):
            t, w, s = terrain[tk], weather[wk], scouting[sk]
            out.append(
                Enrichment(
                    terrain=t.value,
                    weather=w.value,
                    scouting=None if s.value is None else _observations_for(req, s.value),
                    terrain_quality=t.quality,
                    weather_quality=w.quality,
                    scouting_quality=s.quality,
                )
            )
        return out


def _grid(cell: TerrainCell, chunk: Sequence[float | None]) -> TerrainGrid | NoData:
    if all(e is None for e in chunk):
        return NoData("no elevation data for this grid")
    return cell.grid(chunk)


def _or_missing(result: Any, keys: Sequence[Any]) -> dict[Any, Outcome[Any]]:
    """A lookup's outcomes, or MISSING for every key if the lookup itself broke."""
    if isinstance(result, BaseException):
        if not isinstance(result, Exception):
            raise result  # cancellation and interpreter exits are not ours to swallow
        quality = SourceQuality(SourceStatus.MISSING, None, f"enrichment error: {result!r}")
        return {k: Outcome(None, quality) for k in keys}
    assert isinstance(result, dict)
    return result


def _observations_for(
    req: PredictionRequest, observations: tuple[ScoutingObservation, ...]
) -> tuple[ScoutingObservation, ...]:
    """The cell's observations that lie within this request's radius and max age.

    The latitude test first: a great-circle distance is never shorter than its north-south
    part, so a point further than the radius in latitude alone (with a metre of slack for
    rounding) is outside without computing the haversine.
    """
    since = req.target_time - SCOUTING_MAX_AGE
    lat, lon, radius = req.lat, req.lon, req.radius_m
    band = (radius + 1.0) / M_PER_DEG
    return tuple(
        o
        for o in observations
        if o.observed_at >= since
        and abs(o.lat - lat) <= band
        and distance_m(lat, lon, o.lat, o.lon) <= radius
    )
