"""Baseline 1, the platform ceiling: decode + validate and publish, no enrichment.

Same Faust app, the same micro-batches (``take_events``), the same held offsets and the same
"await every broker ack before the next batch" as the real worker; only the work between
decode and publish is gone. Its throughput is what Kafka, Faust and the codec allow here.

    python -m deerstream.bench.variants.passthrough --stats-file PATH
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from pathlib import Path

import orjson

from deerstream.agents.app import add_prediction_agent, create_app
from deerstream.agents.loop import install_event_loop
from deerstream.agents.publisher import FaustPublisher
from deerstream.agents.records import InputMessage, OutputMessage
from deerstream.bench.variants.common import StatsFile, run_faust
from deerstream.errors import ContractError
from deerstream.models.codec import decode_request
from deerstream.models.ids import prediction_id_for
from deerstream.settings import Settings

MODEL_VERSION = "passthrough"


def passthrough_output(value: bytes, topic: str) -> OutputMessage:
    """A minimal prediction-shaped output for a valid request (raises ContractError)."""
    req = decode_request(value)
    body = {
        "schema_version": req.schema_version,
        "prediction_id": prediction_id_for(req, MODEL_VERSION),
        "request_id": req.request_id,
        "lat": req.lat,
        "lon": req.lon,
        "target_time": req.target_time.isoformat(),
        "model_version": MODEL_VERSION,
    }
    return OutputMessage(
        topic=topic, key=req.request_id.encode(), value=orjson.dumps(body), headers=()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deerstream.bench.variants.passthrough")
    parser.add_argument("--stats-file", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    install_event_loop(settings.agent.event_loop)  # as the worker does: the same loop
    app = create_app(settings.kafka, settings.agent)
    publisher = FaustPublisher(app, exactly_once=False)
    counters: Counter[str] = Counter()

    async def handle(batch: list[InputMessage]) -> object:
        futures = []
        for msg in batch:
            try:
                out = passthrough_output(msg.value or b"", settings.prediction_topic)
            except ContractError:
                counters["invalid"] += 1
                continue
            futures.append(await publisher.send(out, source=msg))
        await asyncio.gather(*futures)
        counters["events"] += len(batch)
        return None

    add_prediction_agent(app, settings.agent, settings.kafka.topics, handle)
    return run_faust(app, settings, StatsFile(args.stats_file, counters))


if __name__ == "__main__":
    raise SystemExit(main())
