"""``deerstream show``: the latest prediction for a request id, written as an HTML page."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from deerstream.cli import build_parser, main
from deerstream.commands import show as command
from deerstream.settings import Settings
from deerstream.streams.admin import ensure_topics
from tests.topics import KEEP_EVERYTHING
from tests.views.dom import data_elements

FULL: dict[str, Any] = orjson.loads(
    (Path(__file__).resolve().parents[3] / "examples" / "predictions" / "full.json").read_bytes()
)
RID = FULL["request_id"]


def _value(**changes: object) -> bytes:
    return orjson.dumps({**FULL, **changes})


def _record(key: bytes, value: bytes, partition: int = 0, offset: int = 0, ts: int = 1) -> Any:
    return SimpleNamespace(key=key, value=value, partition=partition, offset=offset, timestamp=ts)


def test_is_a_registered_subcommand_with_its_options() -> None:
    args = build_parser().parse_args(["show", RID, "--out", "x.html", "--timeout", "3"])
    assert args.request_id == RID and args.out == "x.html" and args.timeout == 3.0
    assert args.topic is None and args.handler is command.run


def test_the_latest_offset_wins_and_other_keys_and_invalid_events_are_skipped() -> None:
    scan = command.LatestScan(RID)
    assert scan.offer(_record(RID.encode(), _value(movement_score=1.0), offset=3))
    assert not scan.offer(_record(b"other", _value(request_id="other"), offset=4))
    assert not scan.offer(_record(RID.encode(), b"{not json", offset=5))
    assert scan.offer(_record(RID.encode(), _value(movement_score=2.0), offset=6))
    assert not scan.offer(_record(RID.encode(), _value(request_id="mismatch"), offset=7))
    found = scan.latest()
    assert found is not None and found.offset == 6 and found.prediction["movement_score"] == 2.0
    assert scan.invalid == 1


def test_across_partitions_the_later_timestamp_wins() -> None:
    scan = command.LatestScan(RID)
    scan.offer(_record(RID.encode(), _value(movement_score=1.0), partition=0, offset=9, ts=200))
    scan.offer(_record(RID.encode(), _value(movement_score=2.0), partition=3, offset=1, ts=100))
    found = scan.latest()
    assert found is not None and found.partition == 0


def test_unknown_fields_are_kept_for_the_page() -> None:
    scan = command.LatestScan(RID)
    scan.offer(_record(RID.encode(), _value(moon={"phase": "waxing"})))
    found = scan.latest()
    assert found is not None and "moon" in found.prediction


def _args(**kw: object) -> argparse.Namespace:
    base: dict[str, object] = {"request_id": RID, "out": None, "timeout": 2.0, "topic": None}
    return argparse.Namespace(**{**base, **kw})


async def _found_once(settings: Settings, topic: str, rid: str, timeout_s: float) -> Any:
    """``find_latest`` for a topic holding full.json under ``rid``."""
    scan = command.LatestScan(rid)
    scan.offer(_record(rid.encode(), _value()))
    return scan.latest(), scan


def test_writes_the_page_and_prints_its_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(command, "find_latest", _found_once)
    monkeypatch.chdir(tmp_path)
    assert command.run(_args(), Settings()) == 0
    out = tmp_path / f"prediction-{RID}.html"
    assert capsys.readouterr().out.strip() == out.name
    # One cone per proposed stand (P1, P2) and one for the rated stand of the hunter.
    cones = {e["data-stand"] for e in data_elements(out.read_text(), "cone")}
    assert cones == {"P1", "P2", "ridge-oak"}


def test_the_page_is_shaded_with_the_terrain_cached_for_its_place(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grids: list[dict[str, Any] | None] = [
        {
            "lat": FULL["lat"],
            "lon": FULL["lon"],
            "rows": 1,
            "cols": 2,
            "dlat": 0.001,
            "dlon": 0.001,
            "e": [200.0, 260.0],
        },
        None,
    ]

    async def terrain(settings: Settings, prediction: dict[str, Any]) -> dict[str, Any] | None:
        assert prediction["request_id"] == RID
        return grids.pop(0)

    monkeypatch.setattr(command, "find_latest", _found_once)
    monkeypatch.setattr(command, "cached_terrain", terrain)
    out = tmp_path / "p.html"
    assert command.run(_args(out=str(out)), Settings()) == 0
    (shading,) = data_elements(out.read_text(), "terrain")
    assert shading["data-max-m"] == "260"
    assert capsys.readouterr().err == ""
    assert command.run(_args(out=str(out)), Settings()) == 0
    assert data_elements(out.read_text(), "terrain") == []
    assert "no cached terrain" in capsys.readouterr().err


def test_not_found_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def fake(settings: Settings, topic: str, rid: str, timeout_s: float) -> Any:
        return None, command.LatestScan(rid)

    monkeypatch.setattr(command, "find_latest", fake)
    assert command.run(_args(out=str(tmp_path / "p.html"), topic="t"), Settings()) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no prediction for request_id" in err and "'t'" in err
    assert not (tmp_path / "p.html").exists()


def test_rejects_a_non_positive_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", RID, "--timeout", "0"]) == 1
    assert "--timeout must be > 0" in capsys.readouterr().err


# --------------------------------------------------------------------------- real Kafka


@pytest.mark.integration
async def test_reads_the_latest_prediction_from_a_real_topic(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topic = f"{unique_name}.predictions"
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap})
    await ensure_topics(settings.kafka, topics=[topic], config=KEEP_EVERYTHING)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for key, value in (
            (RID, _value(movement_score=1.5)),
            ("someone-else", _value(request_id="someone-else")),
            (RID, _value(movement_score=6.5)),
        ):
            await (await producer.send(topic, value=value, key=key.encode()))
    finally:
        await producer.stop()
    found, scan = await command.find_latest(settings, topic, RID, timeout_s=20.0)
    assert found is not None and found.complete and scan.invalid == 0
    assert found.prediction["movement_score"] == 6.5

    missing, _ = await command.find_latest(settings, topic, "nobody", timeout_s=2.0)
    assert missing is None

    out = tmp_path / "page.html"
    status = await asyncio.to_thread(
        main, ["show", RID, "--topic", topic, "--out", str(out), "--timeout", "20"]
    )
    assert status == 0 and "6.5" in out.read_text()
