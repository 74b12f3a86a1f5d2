"""The produce / replay / subscribe / archive commands, run in-process on the real broker.

``deerstream.cli.main`` runs its own event loop, so these tests are synchronous; the
``stream_settings`` fixture points the environment at fresh topics.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from deerstream.cli import main
from deerstream.models import headers as hdr
from deerstream.models.codec import decode_request, encode_prediction, request_to_dict
from deerstream.settings import Settings
from deerstream.streams.producer import RequestProducer
from tests.streams.conftest import make_request
from tests.streams.kafka_read import read_all
from tests.streams.test_subscriber import make_prediction, publish

AT = "2026-11-14T06:30:00-06:00"


def topic_records(settings: Settings, topic: str) -> list[Any]:
    return asyncio.run(read_all(settings, topic))


def produce_events(settings: Settings, count: int, start: datetime, step: timedelta) -> None:
    async def go() -> None:
        async with RequestProducer(settings.kafka) as producer:
            await producer.send_many((make_request(n), start + n * step) for n in range(count))

    asyncio.run(go())


def jsonl(rows: list[object]) -> str:
    return "".join(orjson.dumps(r).decode() + "\n" for r in rows)


def test_produce_one_request_from_flags(
    stream_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["produce", "--lat", "44.5", "--lon", "-89.6", "--at", AT, "--hunter-id", "h1"]
    assert main([*argv, "--request-id", "flag-1", "--season", "peak_rut"]) == 0
    assert capsys.readouterr().out.strip() == "flag-1"
    (record,) = topic_records(stream_settings, stream_settings.request_topic)
    request = decode_request(record.value)
    assert (request.request_id, request.hunter_id, request.target_time.hour) == ("flag-1", "h1", 12)

    assert main(argv) == 0  # request id generated
    generated = capsys.readouterr().out.strip()
    assert generated.startswith("req-") and len(generated) > 10


def test_produce_file_with_invalid_rows_sends_nothing(
    stream_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[object] = [request_to_dict(make_request(n)) for n in range(5)]
    rows.insert(2, {"request_id": "bad", "lat": 91, "lon": 0, "target_time": AT})
    path = tmp_path / "requests.jsonl"
    path.write_text(jsonl(rows) + "{oops\n")

    assert main(["produce", "--file", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("deerstream: line 3: out_of_range at $.lat: ")
    assert err[1].startswith("deerstream: line 7: invalid_json")
    assert "2 invalid row(s); nothing sent" in err[2]
    assert topic_records(stream_settings, stream_settings.request_topic) == []

    assert main(["produce", "--file", str(path), "--skip-invalid"]) == 1  # not everything sent
    assert "sent 5, rejected 2" in capsys.readouterr().err
    sent = topic_records(stream_settings, stream_settings.request_topic)
    assert sorted(r.key for r in sent) == [f"r-{n:05d}".encode() for n in range(5)]


def test_produce_csv_sends_every_row(
    stream_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "requests.csv"
    body = "".join(f"c{n},44.{n},-89.5,{AT},,\n" for n in range(50))
    path.write_text("request_id,lat,lon,target_time,season,hunter_id\n" + body)
    assert main(["produce", "--file", str(path)]) == 0
    assert "sent 50, rejected 0" in capsys.readouterr().err
    sent = topic_records(stream_settings, stream_settings.request_topic)
    assert {r.key for r in sent} == {f"c{n}".encode() for n in range(50)}


@pytest.mark.parametrize(
    "argv",
    [
        ["produce", "--lat", "44", "--lon", "-89", "--at", AT, "--topic", "no-such-topic-q1"],
        ["produce", "--lat", "44", "--lon", "-89", "--at", "2026-11-14T06:30:00"],
        ["produce", "--lat", "44", "--lon", "-89"],
        ["produce", "--file", "/nonexistent/requests.jsonl"],
        ["produce", "--file", "{bad_header}"],
        ["replay", "--from", "2026-11-14T12:00:00Z", "--to", "2026-11-14T11:00:00Z"],
        ["replay", "--from", "2026-11-14T12:00:00", "--to", "2026-11-14T13:00:00Z"],
        [
            "replay",
            "--from",
            "2026-11-14T11:00:00Z",
            "--to",
            "2026-11-14T12:00:00Z",
            "--topic",
            "no-such-topic-q2",
        ],
        [
            "replay",
            "--from",
            "2026-11-14T11:00:00Z",
            "--to",
            "2026-11-14T12:00:00Z",
            "--target-topic",
            "no-such-topic-q3",
        ],
        ["replay", "--offsets", "3:10-5"],
        ["replay", "--offsets", "x"],
        ["replay", "--file", "/nonexistent/archive.jsonl"],
        ["replay", "--offsets", "0:0-1", "--rate", "fast"],
        ["subscribe", "--bbox", "1,2,3"],
        ["subscribe", "--since", "yesterday"],
        ["subscribe", "--topic", "no-such-topic-q4", "--timeout", "1"],
        ["archive", "--topic", "no-such-topic-q5", "--until-end", "--out", "{tmp}/a"],
    ],
)
def test_bad_arguments_give_one_line_and_send_nothing(
    stream_settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    produce_events(stream_settings, 20, datetime(2026, 11, 14, 11, 0, tzinfo=UTC), timedelta(0))
    header = tmp_path / "bad.csv"
    header.write_text("request_id,latitude,lon,target_time\nx,1,2,2026-11-14T06:30:00Z\n")
    argv = [a.replace("{bad_header}", str(header)).replace("{tmp}", str(tmp_path)) for a in argv]
    status = main(argv)
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and err.startswith("deerstream: error: "), err
    assert len(topic_records(stream_settings, stream_settings.request_topic)) == 20
    assert topic_records(stream_settings, stream_settings.replay_topic) == []


def test_bad_csv_header_error_names_the_column(
    stream_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("request_id,latitude,lon,target_time\n")
    assert main(["produce", "--file", str(path)]) == 1
    assert "unknown column(s) latitude; missing column(s) lat" in capsys.readouterr().err


def test_replay_dry_run_offsets_and_headers(
    stream_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    produce_events(stream_settings, 120, start, timedelta(minutes=1))
    t1 = (start + timedelta(minutes=30)).isoformat()
    t2 = (start + timedelta(minutes=39)).isoformat()

    assert main(["replay", "--from", t1, "--to", t2, "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "total: 10 (dry run, nothing sent)"
    assert sum(int(line.split(": ")[1]) for line in out[:-1]) == 10
    assert topic_records(stream_settings, stream_settings.replay_topic) == []

    assert main(["replay", "--from", t1, "--to", t2, "--no-cache"]) == 0
    assert "replayed 10 to" in capsys.readouterr().err
    replayed = topic_records(stream_settings, stream_settings.replay_topic)
    assert {r.key for r in replayed} == {f"r-{n:05d}".encode() for n in range(30, 40)}
    assert all((hdr.REPLAY, b"1") in r.headers for r in replayed)


def test_replay_rate_is_paced_within_20_percent(
    stream_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    produce_events(stream_settings, 501, start, timedelta(milliseconds=10))
    window = ["--from", start.isoformat(), "--to", (start + timedelta(minutes=1)).isoformat()]
    assert main(["replay", *window, "--rate", "50/s"]) == 0
    replayed = topic_records(stream_settings, stream_settings.replay_topic)
    assert len(replayed) == 501
    stamps = sorted(r.timestamp for r in replayed)
    measured = (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1000)
    print(f"measured replay rate: {measured:.2f}/s over {(stamps[-1] - stamps[0]) / 1000:.2f} s")
    assert 40.0 <= measured <= 60.0


def test_subscribe_prints_jsonl_and_stops_at_count(
    stream_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    predictions = [make_prediction(n, hunter_id="h2" if n < 4 else None) for n in range(10)]
    asyncio.run(publish(stream_settings, predictions))
    argv = ["subscribe", "--from-beginning", "--format", "jsonl", "--hunter-id", "h2"]
    assert main([*argv, "--count", "4", "--timeout", "30"]) == 0
    lines = capsys.readouterr().out.splitlines()
    wanted = {orjson.loads(encode_prediction(p))["request_id"] for p in predictions[:4]}
    assert {orjson.loads(line)["request_id"] for line in lines} == wanted

    assert main([*argv, "--count", "5", "--timeout", "2"]) == 1  # only 4 exist
    captured = capsys.readouterr()
    assert captured.err == "deerstream: error: timed out after 2 s with 4 of 5 predictions\n"

    argv = ["subscribe", "--from-beginning", "--count", "10", "--timeout", "30"]
    assert main([*argv, "--format", "table"]) == 0
    table = capsys.readouterr().out
    assert "request_id" in table and "r-00009" in table and "peak_rut" in table

    # By default, output that is not a terminal (a pipe, a file, capsys) is JSON lines.
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10 and all(orjson.loads(line)["request_id"] for line in lines)


def test_archive_then_replay_the_file(
    stream_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    produce_events(stream_settings, 40, datetime.now(UTC) - timedelta(hours=1), timedelta(0))
    out = tmp_path / "archive"
    assert main(["archive", "--out", str(out), "--until-end"]) == 0
    assert "archived 40 record(s)" in capsys.readouterr().err
    files = sorted(out.glob("*.jsonl"))
    for path in files:
        assert main(["replay", "--file", str(path)]) == 0
    replayed = topic_records(stream_settings, stream_settings.replay_topic)
    assert sorted(r.key for r in replayed) == [f"r-{n:05d}".encode() for n in range(40)]


def test_produce_from_stdin(
    stream_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[object] = [request_to_dict(make_request(n)) for n in range(3)]
    monkeypatch.setattr("sys.stdin", io.StringIO(jsonl(rows)))
    assert main(["produce", "--file", "-"]) == 0
    assert "sent 3, rejected 0" in capsys.readouterr().err
    sent = topic_records(stream_settings, stream_settings.request_topic)
    assert sorted(r.key for r in sent) == [b"r-00000", b"r-00001", b"r-00002"]


def test_replay_by_time_counts_out_of_order_timestamps(
    stream_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    produce_events(stream_settings, 30, now - timedelta(minutes=10), timedelta(seconds=5))
    old = now - timedelta(days=2)
    produce_events(stream_settings, 60, old, timedelta(seconds=5))  # keys r-0..: a backfill
    window = ["--from", old.isoformat(), "--to", (old + timedelta(seconds=295)).isoformat()]
    assert main(["replay", *window, "--dry-run"]) == 0
    assert "total: 60 (dry run" in capsys.readouterr().out
    assert main(["replay", *window, "--monotonic-timestamps", "--dry-run"]) == 0
    assert "total: 60" not in capsys.readouterr().out
    assert main(["replay", "--offsets", "0:0-1", "--monotonic-timestamps"]) == 1
    assert "--monotonic-timestamps goes with --from/--to" in capsys.readouterr().err


def test_library_errors_name_no_flag() -> None:
    """Flag parsing lives in the commands: no error the client library raises names one."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "streams"
    offenders = [
        f"{path.name}:{n}"
        for path in sorted(root.glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"Error\(f?[\"'][^\"']*--[a-z]", line)
    ]
    assert offenders == []
