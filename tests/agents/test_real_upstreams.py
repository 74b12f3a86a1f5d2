"""The worker against upstreams that answer exactly like Open-Meteo, every real behaviour at
once: no ``location_id`` on the first item, ``snow_depth`` undefined (all null), null gaps,
the date-window 400, a per-minute quota answered with 429s without ``Retry-After``, ``nan``
at the poles, km/h unless asked for m/s. Requests inside the forecast range keep their real
weather; requests beyond it say why it is missing; nothing crashes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from deerstream.models.codec import decode_prediction
from deerstream.simulators.knobs import SimConfig
from deerstream.simulators.server import start_simulators
from tests.agents.harness import (
    WorkerProcess,
    collect,
    create_topics,
    produce,
    request_ids,
    request_json,
    topic_env,
    upstream_env,
)

pytestmark = pytest.mark.integration


async def test_real_shaped_answers_keep_real_weather(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, redis_client: object
) -> None:
    # redis_client: a flushed database, so every answer really comes from the upstreams.
    sims = await start_simulators(
        {
            "weather": SimConfig.real_open_meteo(seed=7),
            # The terrain grids' 49 points a call would spend a 600/minute quota in seconds;
            # every other real behaviour stays on.
            "elevation": SimConfig.real_open_meteo(seed=7, quota_per_minute=0),
            "scouting": SimConfig(seed=7),
        },
        ports={"weather": 0, "elevation": 0, "scouting": 0},
    )
    env = {
        **topic_env(unique_name),
        **upstream_env(sims),
        # The shared budget as the quota: the worker spends no call the API would refuse.
        "WEATHER_BUDGET": "600/min",
    }
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    inside = [(f"in-{i}".encode(), request_json(i, tag="in")) for i in range(600)]
    beyond = []
    for i in range(30):
        d = orjson.loads(request_json(i, tag="out"))
        d["target_time"] = "2027-03-01T06:30:00-05:00"  # past today + 15 days
        beyond.append((d["request_id"].encode(), orjson.dumps(d)))
    try:
        await worker.wait_ready()
        await produce(kafka_bootstrap, settings.request_topic, inside + beyond)
        want = {k.decode() for k, _ in inside + beyond}
        got = await collect(kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=240)
        assert want <= set(request_ids(got))
        assert worker.proc is not None and worker.proc.poll() is None
    finally:
        assert worker.terminate() == 0
        counts = sims.counts()
        await sims.stop()
    weather: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for record in got:
        p = decode_prediction(record.value)
        q = p.data_quality["weather"]
        if p.request_id.startswith("in-"):
            weather[q.status.value] += 1
        else:
            reasons[q.reason or ""] += 1
            assert q.status.value == "missing"
    assert counts["weather"]["total_requests"] > 0
    real = weather["fresh"] + weather["cached"]
    print(f"\ninside the range: {dict(weather)}; beyond it: {dict(reasons)}; sims: {counts}")
    assert real / sum(weather.values()) >= 0.99
    assert all("beyond the forecast horizon" in r for r in reasons)
    assert counts["weather"]["faults"].get("date_window", 0) == 0  # never asked outside


async def test_a_429_storm_never_crashes_and_never_outspends_the_budget(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, redis_client: object
) -> None:
    sims = await start_simulators(
        {
            "weather": SimConfig.real_open_meteo(seed=7, rate_limit_rate=0.5),
            "elevation": SimConfig(seed=7),
            "scouting": SimConfig(seed=7),
        },
        ports={"weather": 0, "elevation": 0, "scouting": 0},
    )
    env = {**topic_env(unique_name), **upstream_env(sims), "WEATHER_BUDGET": "20/min"}
    settings = await create_topics(env)
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    items = []
    for i in range(300):  # 60 weather cells: far more locations than the budget allows
        d = orjson.loads(request_json(i, tag="s"))
        d["lat"] = round(30.0 + (i % 60) * 0.5, 4)
        items.append((d["request_id"].encode(), orjson.dumps(d)))
    try:
        await worker.wait_ready()
        await produce(kafka_bootstrap, settings.request_topic, items)
        want = {k.decode() for k, _ in items}
        got = await collect(kafka_bootstrap, settings.prediction_topic, keys=want, timeout_s=240)
        assert want <= set(request_ids(got))
        assert worker.proc is not None and worker.proc.poll() is None
        ready = worker.tail(2000)
    finally:
        assert worker.terminate() == 0
        counts = sims.counts()
        await sims.stop()
    calls = counts["weather"]["total_requests"]
    statuses = Counter(decode_prediction(r.value).data_quality["weather"].status.value for r in got)
    faults = counts["weather"]["faults"]
    print(f"\n429 storm: weather {dict(statuses)}; weather calls {calls}; faults {faults}")
    # Each call carries at least one location, so calls are bounded by the budget's 20,
    # and a quota 429 opens the breaker until the minute turns: no blind retries.
    assert 0 < calls <= 20
    assert statuses["missing"] > 0 and "Traceback" not in ready
