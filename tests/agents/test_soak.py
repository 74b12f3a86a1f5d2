"""Soak: the worker's memory stays flat over 20,000 requests (``make soak``; not in the
default suite). Prints the RSS figures it measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.agents.harness import (
    WorkerProcess,
    collect,
    create_topics,
    produce,
    request_json,
    topic_env,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_rss_flat_across_20000_requests(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    env = topic_env(unique_name)
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    samples: list[tuple[int, float]] = []
    try:
        await worker.wait_ready()
        done = 0
        for round_ in range(8):
            items = [
                (f"r-{i}".encode(), request_json(i, spots=400))
                for i in range(round_ * 2500, (round_ + 1) * 2500)
            ]
            await produce(kafka_bootstrap, settings.request_topic, items)
            done += len(items)
            await collect(kafka_bootstrap, settings.prediction_topic, until=done, timeout_s=600)
            samples.append((done, worker.rss_mb()))
    finally:
        worker.terminate()
    print("\nworker RSS (requests, MiB):", ", ".join(f"({n}, {r:.1f})" for n, r in samples))
    warm = samples[1][1]  # after 5,000: caches and pools are warm
    peak = max(r for _, r in samples[1:])
    assert peak <= warm * 1.10, f"RSS grew from {warm:.1f} MiB to {peak:.1f} MiB"
