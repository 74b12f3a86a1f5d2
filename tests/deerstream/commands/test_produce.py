"""``deerstream produce``: one request from flags (v2 stands, horizon, rut peak), no Kafka.

The broker side (login check, topic, send) is replaced by recorders, so these tests see
exactly the request the command would send, or that it sends nothing. Sending for real is
covered by ``tests/streams/test_cli.py``.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from deerstream.cli import main
from deerstream.commands import produce as command
from deerstream.commands._args import parse_stand
from deerstream.errors import ConfigError
from deerstream.models.codec import decode_request, encode_request
from deerstream.models.records import HunterStand, PredictionRequest
from deerstream.settings import Settings

AT = "2026-12-02T06:00:00-05:00"
POINT = ["produce", "--lat", "34.9", "--lon", "-83.0", "--at", AT]


class Broker:
    """Stands in for Kafka: records the login checks and the requests handed over to send."""

    def __init__(self) -> None:
        self.logins = 0
        self.sent: list[tuple[PredictionRequest, str]] = []

    def check_login(self, settings: Settings) -> None:
        self.logins += 1

    async def produce_one(self, request: PredictionRequest, topic: str, settings: Settings) -> int:
        self.sent.append((request, topic))
        print(request.request_id)
        return 0


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Broker:
    fake = Broker()
    monkeypatch.setattr(command, "check_kafka_login", fake.check_login)
    monkeypatch.setattr(command, "_produce_one", fake.produce_one)
    return fake


def test_two_stands_and_a_horizon_make_a_v2_request(
    broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*POINT, "--horizon", "48", "--request-id", "hunt-1"]
    stands = ["--stand", "ridge-oak:34.9025,-82.9985", "--stand", "creek:34.8975,-83.0030:Creek"]
    assert main([*argv, *stands]) == 0
    assert capsys.readouterr().out.strip() == "hunt-1"
    ((request, topic),) = broker.sent
    assert topic == Settings.from_env().request_topic
    assert request.schema_version == 2 and request.horizon_h == 48
    assert request.stands == (
        HunterStand("ridge-oak", 34.9025, -82.9985),
        HunterStand("creek", 34.8975, -83.003, "Creek"),
    )
    assert request.rut_peak is None
    # What goes on the wire says version 2 and carries the stands.
    wire = orjson.loads(encode_request(request))
    assert wire["schema_version"] == 2 and wire["horizon_h"] == 48
    assert [s["id"] for s in wire["stands"]] == ["ridge-oak", "creek"]
    assert decode_request(encode_request(request)) == request


def test_rut_peak_and_plain_flag_requests_are_v2_too(broker: Broker) -> None:
    assert main([*POINT, "--rut-peak", "11-10"]) == 0
    assert main(POINT) == 0
    (with_peak, _), (plain, _) = broker.sent
    assert with_peak.rut_peak == (11, 10) and with_peak.schema_version == 2
    assert plain.schema_version == 2 and plain.stands == () and plain.horizon_h == 24
    assert orjson.loads(encode_request(plain))["schema_version"] == 2


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--stand", "a:44.5"], "--stand 'a:44.5' is not ID:LAT,LON or ID:LAT,LON:NAME"),
        (["--stand", "44.5,-83.0"], "--stand '44.5,-83.0' is not ID:LAT,LON"),
        (["--stand", "a:north,-83.0"], "--stand 'a:north,-83.0' is not ID:LAT,LON"),
        (
            ["--stand", "oak:34.901,-83.0", "--stand", "oak:34.899,-83.0"],
            "invalid request: out_of_range at $.stands[1].id: stand id 'oak' is used twice",
        ),
        (
            ["--stand", "far:34.99,-83.0"],
            "invalid request: out_of_range at $.stands[0]: stand far is 10.0 km from the point",
        ),
        (["--stand", "bad id:34.9,-83.0"], "invalid request: invalid_id at $.stands[0].id: "),
        (["--stand", "a:34.9,-83.0:"], "invalid request: out_of_range at $.stands[0].name: "),
        (["--horizon", "0"], "invalid request: out_of_range at $.horizon_h: "),
        (["--horizon", "73"], "invalid request: out_of_range at $.horizon_h: "),
        (["--rut-peak", "13-01"], "invalid request: out_of_range at $.rut_peak: "),
        (["--rut-peak", "11/10"], "invalid request: wrong_type at $.rut_peak: "),
    ],
)
def test_invalid_values_give_one_line_and_send_nothing(
    broker: Broker, capsys: pytest.CaptureFixture[str], flags: list[str], expected: str
) -> None:
    status = main([*POINT, *flags])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and err.startswith(f"deerstream: error: {expected}"), err
    assert broker.sent == [] and broker.logins == 0


def test_a_non_integer_horizon_is_bad_usage(
    broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*POINT, "--horizon", "1.5"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.count("\n") == 1 and "--horizon: invalid int value: '1.5'" in err
    assert broker.sent == []


def test_the_new_flags_cannot_be_combined_with_a_file(
    broker: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_text("")
    status = main(["produce", "--file", str(path), "--stand", "a:1,2", "--horizon", "6"])
    err = capsys.readouterr().err
    assert status == 1
    assert err == "deerstream: error: --file cannot be combined with --stand, --horizon\n"
    assert broker.logins == 0


def test_jsonl_rows_keep_their_stands(tmp_path: Path) -> None:
    row = {
        "request_id": "j-1",
        "lat": 34.9,
        "lon": -83.0,
        "target_time": AT,
        "horizon_h": 36,
        "stands": [{"id": "ridge-oak", "lat": 34.9025, "lon": -82.9985, "name": "Ridge"}],
        "rut_peak": "11-12",
    }
    path = tmp_path / "requests.jsonl"
    path.write_bytes(orjson.dumps(row) + b"\n")
    parsed = command._parse_input(str(path), "jsonl")
    assert parsed.rejections == []
    ((_, request),) = parsed.requests
    wire = orjson.loads(encode_request(request))
    assert wire["schema_version"] == 2 and wire["horizon_h"] == 36
    assert wire["stands"] == row["stands"] and wire["rut_peak"] == "11-12"


@pytest.mark.parametrize(
    ("text", "stand"),
    [
        ("ridge-oak:34.9025,-82.9985", {"id": "ridge-oak", "lat": 34.9025, "lon": -82.9985}),
        ("farm:7:1,2", {"id": "farm:7", "lat": 1.0, "lon": 2.0}),
        (
            "a:1,2:Big oak: north, by the creek",
            {"id": "a", "lat": 1.0, "lon": 2.0, "name": "Big oak: north, by the creek"},
        ),
    ],
)
def test_parse_stand_reads_the_id_coordinates_and_name(text: str, stand: dict[str, object]) -> None:
    assert parse_stand(text) == stand


@pytest.mark.parametrize("text", ["", "a", "a:1", "1,2", "a:1,", "a:,2", "a:1;2", ":x,2"])
def test_parse_stand_rejects_other_shapes(text: str) -> None:
    with pytest.raises(ConfigError, match="is not ID:LAT,LON or ID:LAT,LON:NAME"):
        parse_stand(text)
