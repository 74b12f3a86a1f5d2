"""docker-compose.yml, Dockerfile and Prometheus config, checked without a Docker engine.

The compose file is validated against the Compose Specification's JSON Schema (vendored in
tests/ops/data, see its README), and every deerstream service's command and environment
are checked against the real CLI and Settings, so the stack can't drift from the code.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from deerstream.cli import build_parser
from deerstream.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Path(__file__).with_name("data") / "compose-spec.json"
SETTINGS_VARS = {f.name.upper() for f in dataclasses.fields(Settings)}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = _load(ROOT / "docker-compose.yml")
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _ours(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the deerstream image."""
    return {
        name: svc
        for name, svc in compose["services"].items()
        if "build" in svc or str(svc.get("image", "")).startswith("deerstream")
    }


def test_compose_file_satisfies_the_compose_specification(
    compose: dict[str, Any], validator: jsonschema.protocols.Validator
) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_does_reject_a_broken_compose_file(
    validator: jsonschema.protocols.Validator,
) -> None:
    broken = {"services": {"worker": {"image": "x", "comand": ["worker"]}}}
    assert not validator.is_valid(broken)
    assert not validator.is_valid({"services": {"worker": {"image": "x", "ports": "6066"}}})


def test_the_stack_has_kafka_redis_simulators_two_workers_and_prometheus(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert services["kafka"]["image"] == "apache/kafka:4.1.1"
    kafka_env = services["kafka"]["environment"]
    assert kafka_env["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert services["redis"]["image"].startswith("redis:")
    assert services["prometheus"]["image"].startswith("prom/prometheus:")
    commands = [svc["command"][0] for svc in _ours(compose).values()]
    assert sorted(commands) == ["simulate", "worker", "worker"]


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        image = svc["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", f"{name}: {image} is not pinned"
        if "build" not in svc:
            assert re.search(r"\d", tag), f"{name}: {image} has no version in its tag"


@pytest.mark.parametrize("service", ["simulators", "worker-1", "worker-2"])
def test_commands_are_real_deerstream_subcommands(compose: dict[str, Any], service: str) -> None:
    command = compose["services"][service]["command"]
    try:
        args = build_parser().parse_args(command)
    except SystemExit:
        pytest.fail(f"{service}: `deerstream {' '.join(command)}` is not a valid command line")
    assert args.command == command[0]
    assert callable(args.handler)


def test_environment_variables_are_settings_fields(compose: dict[str, Any]) -> None:
    for name, svc in _ours(compose).items():
        env = svc.get("environment", {})
        unknown = sorted(set(env) - SETTINGS_VARS)
        assert unknown == [], f"{name}: {unknown} are not Settings fields"
        # Every value parses the way the worker will parse it.
        Settings.from_env({k: str(v) for k, v in env.items()})


def test_workers_reach_the_services_by_name_and_expose_ops_port(compose: dict[str, Any]) -> None:
    for name in ("worker-1", "worker-2"):
        env = compose["services"][name]["environment"]
        settings = Settings.from_env({k: str(v) for k, v in env.items()})
        assert settings.kafka_bootstrap_servers == "kafka:9092"
        assert settings.redis_url == "redis://redis:6379/0"
        assert (settings.weather_url, settings.elevation_url, settings.scouting_url) == (
            "http://simulators:8701",
            "http://simulators:8702",
            "http://simulators:8703",
        )
        assert settings.web_host == "0.0.0.0"
        ports = compose["services"][name]["ports"]
        assert any(p.endswith(f":{settings.web_port}") for p in ports)


def test_published_ports_bind_loopback_only(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port} is published publicly"


def test_prometheus_scrapes_every_worker(compose: dict[str, Any]) -> None:
    config = _load(ROOT / "docker" / "prometheus.yml")
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    workers = [n for n, svc in _ours(compose).items() if svc["command"][0] == "worker"]
    expected = {
        f"{n}:{compose['services'][n]['environment'].get('WEB_PORT', Settings().web_port)}"
        for n in workers
    }
    assert targets == expected
    mounts = compose["services"]["prometheus"]["volumes"]
    assert "./docker/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts


def test_dockerfile_is_slim_pinned_and_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.MULTILINE)
    assert base is not None
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base.group(1))
    users = re.findall(r"^USER (\S+)$", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert 'ENTRYPOINT ["deerstream"]' in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored
