"""``deerstream bench``: its arguments, the Redis database it owns, and (slow) a real run."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from deerstream.cli import build_parser, main
from deerstream.commands.bench import bench_redis_url, machine_info
from deerstream.errors import ConfigError


def test_bench_is_a_subcommand_with_quick_and_variants() -> None:
    args = build_parser().parse_args(["bench", "--quick", "--variants", "passthrough"])
    assert args.quick and args.variants == "passthrough"
    assert args.latency_ms == 80.0 and args.jitter_ms == 20.0 and args.redis_db == 9


def test_bench_redis_url_swaps_the_database_and_refuses_zero() -> None:
    assert bench_redis_url("redis://127.0.0.1:6379/0", 9) == "redis://127.0.0.1:6379/9"
    assert bench_redis_url("redis://:pw@h:1", 5) == "redis://:pw@h:1/5"
    with pytest.raises(ConfigError):
        bench_redis_url("redis://127.0.0.1:6379/3", 0)


def test_unknown_variants_are_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--variants", "nope"]) == 1
    assert "unknown variants" in capsys.readouterr().err


def test_machine_info_names_cores_and_memory() -> None:
    info = machine_info()
    assert info["nproc"] >= 1 and info["mem_gb"] > 0 and info["cpu_model"]


@pytest.mark.slow
@pytest.mark.integration
def test_a_tiny_passthrough_run_writes_a_report(
    tmp_path: Path, kafka_bootstrap: str, redis_url: str
) -> None:
    status = main(
        [
            "bench",
            "--quick",
            "--variants",
            "passthrough",
            "--no-micro",
            "--warmup-s",
            "1",
            "--window-s",
            "3",
            "--open-step-s",
            "1",
            "--workload-size",
            "200",
            "--out",
            str(tmp_path),
        ]
    )
    assert status == 0
    (run,) = tmp_path.iterdir()
    report = orjson.loads((run / "report.json").read_bytes())
    passthrough = report["variants"]["passthrough"]
    assert passthrough["closed_loop"]["throughput_rps"] > 0
    assert passthrough["open_loop"] and all(
        s["answered"] == s["requests"] for s in passthrough["open_loop"]
    )
    assert (run / "latency.png").stat().st_size > 0


def test_repeat_below_one_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--repeat", "0"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--repeat must be at least 1" in err[0]
