"""Fakes for the pipeline's edges, shared by the pipeline tests: an enricher that returns
complete data (or nothing, at first), a publisher that records what it is asked to send,
and the pipeline wired with them and the real codec and model."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from deerstream.agents.pipeline import PredictionPipeline
from deerstream.agents.records import InputMessage, OutputMessage
from deerstream.engine import MODEL_VERSION, predict
from deerstream.enrich import RedisCache
from deerstream.models.records import (
    Enrichment,
    PredictionRequest,
    SourceQuality,
    SourceStatus,
    TerrainGrid,
    WeatherSeries,
)
from deerstream.settings import Settings

NOW = datetime(2026, 11, 14, 12, 0, tzinfo=UTC)
SETTINGS = Settings.from_env({}, enrichment_unavailable_deadline_s=2.0)


def _grid(lat: float, lon: float) -> TerrainGrid:
    elev = tuple(300.0 + 8.0 * r + 3.0 * c for r in range(7) for c in range(7))
    return TerrainGrid(lat, lon, 7, 7, 90 / 111320, 90 / 111320 / 0.72, elev)


def _weather(lat: float, lon: float, around: datetime) -> WeatherSeries:
    start = around.replace(minute=0, second=0, microsecond=0) - timedelta(hours=24)
    times = tuple(start + timedelta(hours=h) for h in range(72))
    n = len(times)
    return WeatherSeries(
        lat, lon, times,
        temperature_c=tuple(2.0 for _ in range(n)),
        pressure_msl_hpa=tuple(1015.0 for _ in range(n)),
        wind_speed_ms=tuple(3.0 for _ in range(n)),
        wind_direction_deg=tuple(315.0 for _ in range(n)),
        wind_gusts_ms=tuple(5.0 for _ in range(n)),
        precipitation_mm=tuple(0.0 for _ in range(n)),
        snow_depth_m=tuple(0.0 for _ in range(n)),
    )  # fmt: skip


class FakeEnricher:
    """Returns complete data, or nothing at all for the first ``fail_first`` calls."""

    def __init__(self, fail_first: int = 0) -> None:
        self.calls: list[int] = []
        self.fail_first = fail_first

    async def enrich_batch(self, requests: Sequence[PredictionRequest]) -> list[Enrichment]:
        self.calls.append(len(requests))
        if len(self.calls) <= self.fail_first:
            down = SourceQuality(SourceStatus.MISSING, None, "upstream timeout")
            return [Enrichment(None, None, None, down, down, down) for _ in requests]
        fresh = SourceQuality(SourceStatus.FRESH, 0.0)
        return [
            Enrichment(
                _grid(r.lat, r.lon), _weather(r.lat, r.lon, r.target_time), (), fresh, fresh, fresh
            )
            for r in requests
        ]


class RecordingPublisher:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[OutputMessage] = []
        self.fail = fail

    async def send(self, message: OutputMessage, source: InputMessage) -> Awaitable[object]:
        self.sent.append(message)
        fut: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        if self.fail:
            fut.set_exception(ConnectionError("broker gone"))
        else:
            fut.set_result(None)
        return fut


def msg(
    value: bytes | None, offset: int, headers: Sequence[tuple[str, bytes]] = ()
) -> InputMessage:
    return InputMessage("prediction-requests", 0, offset, 1_700_000_000_000, b"k", value, headers)


def pipeline_with(
    enricher: FakeEnricher,
    publisher: RecordingPublisher,
    cache: RedisCache | None,
    *,
    settings: Settings = SETTINGS,
    on_published: Any = None,
) -> PredictionPipeline:
    """The pipeline on these fakes, the real codec and model, a fixed clock and no sleeps."""

    async def no_sleep(_: float) -> None:
        return None

    return PredictionPipeline(
        settings.agent,
        settings.kafka.topics,
        scouting_shared=settings.scouting_shared,
        enricher=enricher,
        cache=cache,
        publisher=publisher,
        predict=predict,
        model_version=MODEL_VERSION,
        clock=lambda: NOW,
        sleep=no_sleep,
        on_published=on_published,
    )
