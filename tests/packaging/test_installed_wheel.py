"""The package as users and the container install it: the wheel, runtime dependencies only,
in a fresh virtual environment, run from outside the repository.

The first version's installed command crashed at once (a dev-only import at the top of a
module the CLI always imports); no test installed it the way users do. This one builds the
wheel, installs it exactly as the Dockerfile does (``pip install deerstream`` from the
wheel, no extras), and runs every subcommand's ``--help``, ``deerstream schema request``
and a worker that answers one request on the local stack.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from deerstream.cli import COMMANDS
from deerstream.simulators.server import RunningSimulators
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

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with the wheel and its runtime dependencies; yields its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = work.glob("deerstream-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=600,
    )
    yield bin_dir


def _run(bin_dir: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(bin_dir / "deerstream"), *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_every_subcommand_starts_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    top = _run(installed, "--help", cwd=tmp_path)
    assert top.returncode == 0, top.stderr
    for module in COMMANDS:
        name = module.rsplit(".", 1)[1]
        result = _run(installed, name, "--help", cwd=tmp_path)
        assert result.returncode == 0, f"deerstream {name} --help: {result.stderr[-2000:]}"
    schema = _run(installed, "schema", "request", cwd=tmp_path)
    assert schema.returncode == 0 and orjson.loads(schema.stdout)["type"] == "object"
    # Optional features name their extra instead of crashing.
    bench = _run(installed, "bench", "--quick", cwd=tmp_path)
    assert bench.returncode == 1 and "pip install 'deerstream[bench]'" in bench.stderr


def test_the_wheel_ships_the_compiled_engine(installed: Path, tmp_path: Path) -> None:
    """The wheel is built with the model compiled by mypyc (``setup.py``); a build that fell
    back to pure Python would run about 1.5x slower without saying so."""
    build = subprocess.run(
        [str(installed / "python"), "-c", "import deerstream.engine as e; print(e.BUILD)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    assert build.stdout.strip() == "mypyc"


def test_the_wheel_installs_one_top_level_package(installed: Path) -> None:
    """Everything lives under ``deerstream``: no generic ``models`` or ``bench`` beside a
    user's own packages, and the mapped folders arrive as real files, not links."""
    (site,) = (installed.parent / "lib").glob("python3*/site-packages")
    (dist,) = site.glob("deerstream-*.dist-info")
    assert (dist / "top_level.txt").read_text().split() == ["deerstream"]
    for name in ("models", "engine", "enrich", "simulators", "streams", "agents", "views",
                 "bench", "schemas"):  # fmt: skip
        assert not (site / name).exists(), name
        sub = site / "deerstream" / name
        assert sub.is_dir() and not sub.is_symlink() and (sub / "__init__.py").is_file()
    assert sorted(p.name for p in (site / "deerstream" / "schemas").glob("*.json")) == [
        "prediction-request.v1.json",
        "prediction-request.v2.json",
        "prediction.v1.json",
        "prediction.v2.json",
    ]
    # The stack resolves Kafka and the schema registry through these pinned poms.
    assert sorted(p.name for p in (site / "deerstream" / "stack").glob("*.xml")) == [
        "pom.xml",
        "registry-pom.xml",
    ]


async def test_the_installed_worker_answers_a_request(
    installed: Path,
    kafka_bootstrap: str,
    unique_name: str,
    tmp_path: Path,
    sims: RunningSimulators,
) -> None:
    env = {**topic_env(unique_name), **upstream_env(sims), "STATE_DIR": str(tmp_path / "state")}
    settings = await create_topics(env)
    worker = WorkerProcess(
        env, tmp_path, command=[str(installed / "deerstream"), "worker"], cwd=tmp_path
    )
    worker.start()
    try:
        await worker.wait_ready()
        await produce(kafka_bootstrap, settings.request_topic, [(b"r-0", request_json(0))])
        got = await collect(kafka_bootstrap, settings.prediction_topic, keys={"r-0"})
        assert request_ids(got) == ["r-0"]
    finally:
        assert worker.terminate() == 0
