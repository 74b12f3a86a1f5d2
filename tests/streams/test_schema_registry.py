"""Predictions framed for a schema registry: the worker registers the prediction schemas
with a real registry (Apicurio Registry from Maven Central, started by the stack's own
component) and frames every prediction with its version's id; readers see through the
frame. Registry errors at start are one line."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from deerstream.errors import ConfigError
from deerstream.models import headers as hdr
from deerstream.models.codec import decode_prediction
from deerstream.models.framing import unframe
from deerstream.settings import Settings
from deerstream.simulators.server import RunningSimulators
from deerstream.stack.registry import SchemaRegistryProcess
from deerstream.streams.registry import register_json_schema, register_prediction_schemas
from tests.agents.harness import (
    WorkerProcess,
    collect,
    create_topics,
    produce,
    request_json,
    topic_env,
    upstream_env,
)
from tests.ports import free_port


@pytest.fixture(scope="module")
def registry() -> Iterator[SchemaRegistryProcess]:
    """A real registry on a free port, in the project's state folder (the download is
    kept there between runs); stopped by its pid afterwards."""
    state = Path(Settings().state_dir).resolve()
    process = SchemaRegistryProcess(state, f"http://127.0.0.1:{free_port()}")
    process.start()
    yield process
    process.stop()


def _schema_by_id(registry: SchemaRegistryProcess, schema_id: int) -> dict[str, object]:
    with urllib.request.urlopen(f"{registry.api_url}/schemas/ids/{schema_id}", timeout=5) as r:
        body = orjson.loads(r.read())
    schema: dict[str, object] = orjson.loads(body["schema"])
    return schema


@pytest.mark.integration
async def test_both_prediction_schemas_register_once_with_stable_ids(
    registry: SchemaRegistryProcess, unique_name: str
) -> None:
    ids = await register_prediction_schemas(registry.api_url, f"{unique_name}.predictions")
    assert set(ids) == {1, 2} and ids[1] != ids[2]
    assert await register_prediction_schemas(registry.api_url, f"{unique_name}.predictions") == ids
    assert _schema_by_id(registry, ids[1])["$id"] == "urn:deerstream:schema:prediction:v1"
    assert _schema_by_id(registry, ids[2])["$id"] == "urn:deerstream:schema:prediction:v2"


@pytest.mark.integration
async def test_the_worker_frames_each_prediction_with_its_versions_schema_id(
    registry: SchemaRegistryProcess,
    kafka_bootstrap: str,
    unique_name: str,
    tmp_path: Path,
    sims: RunningSimulators,
) -> None:
    env = {
        **topic_env(unique_name),
        **upstream_env(sims),
        "SCHEMA_REGISTRY_URL": registry.api_url,
    }
    settings = await create_topics(env)
    requests = []
    for i in range(20):
        body = orjson.loads(request_json(i, tag="sr"))
        if i % 2:
            body |= {"schema_version": 2, "horizon_h": 6}
        requests.append((body["request_id"].encode(), orjson.dumps(body)))
    worker = WorkerProcess(env, tmp_path)
    worker.start()
    try:
        await worker.wait_ready()
        assert await produce(kafka_bootstrap, settings.request_topic, requests) == 20
        got = await collect(
            kafka_bootstrap, settings.prediction_topic, keys={k.decode() for k, _ in requests}
        )
    finally:
        assert worker.terminate() == 0
    ids = await register_prediction_schemas(registry.api_url, settings.prediction_topic)
    assert len(got) >= 20
    for record in got:
        framed = unframe(record.value)
        prediction = decode_prediction(record.value)  # readers see through the frame
        assert framed.schema_id == ids[prediction.schema_version]
        assert dict(record.headers)[hdr.SCHEMA_ID] == str(framed.schema_id).encode()
        assert orjson.loads(framed.payload)["request_id"] == prediction.request_id
    assert {decode_prediction(r.value).schema_version for r in got} == {1, 2}
    assert "prediction schemas registered" in worker.log_path.read_text()


async def test_an_unreachable_registry_is_one_line_without_its_password() -> None:
    url = f"http://app:s3cret@127.0.0.1:{free_port()}/apis/ccompat/v7"
    with pytest.raises(ConfigError) as err:
        await register_json_schema(url, "p-value", '{"type": "object"}', timeout_s=2)
    text = str(err.value)
    assert "not reachable" in text and "s3cret" not in text and "\n" not in text


async def test_a_refused_schema_names_the_registrys_reason() -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response(
            {"error_code": 42201, "message": "Failed to discover artifact type"}, status=422
        )

    app = web.Application()
    app.router.add_post("/subjects/{subject}/versions", refuse)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        with pytest.raises(ConfigError, match=r"HTTP 422: Failed to discover artifact type"):
            await register_json_schema(str(server.make_url("")), "p-value", "{}")
    finally:
        await server.close()


def test_registries_on_two_ports_keep_their_own_pid_files(tmp_path: Path) -> None:
    """The suite's registry (a free port) once took the pid file of the one `stack up
    --schema-registry` had started, which `stack down` then could not find."""
    mine = SchemaRegistryProcess(tmp_path, "http://127.0.0.1:8081/apis/ccompat/v7")
    tests = SchemaRegistryProcess(tmp_path, "http://127.0.0.1:18123")
    assert mine.pidfile.path != tests.pidfile.path and mine.log_path != tests.log_path
    assert mine.app_dir == tests.app_dir  # one download
    assert mine.api_url == "http://127.0.0.1:8081/apis/ccompat/v7"


def test_a_registry_url_must_be_http() -> None:
    with pytest.raises(ConfigError, match="SCHEMA_REGISTRY_URL"):
        Settings(schema_registry_url="127.0.0.1:8081")
