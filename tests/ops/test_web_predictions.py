"""The ops server's prediction pages: ``/predictions`` and ``/predictions/{request_id}``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from deerstream.agents.recent import RecentPredictions
from deerstream.metrics import Metrics
from deerstream.settings import Settings
from deerstream.web import OpsServer
from tests.views.dom import data_elements

FULL = (Path(__file__).resolve().parents[2] / "examples" / "predictions" / "full.json").read_bytes()
RID = "app-7:hunt.2026-11-08"

Serve = Callable[..., Awaitable[OpsServer]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[OpsServer] = []

    async def start(store: RecentPredictions | None, terrain: Any = None) -> OpsServer:
        server = OpsServer(
            Settings(web_port=0).web, Metrics(), {}, predictions=store, terrain=terrain
        )
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


async def _get(server: OpsServer, path: str) -> tuple[int, dict[str, str], bytes]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, dict(response.headers), await response.read()


def _store() -> RecentPredictions:
    store = RecentPredictions()
    store.add(b"older", orjson.dumps({**orjson.loads(FULL), "request_id": "older"}))
    store.add(RID.encode(), FULL)
    return store


async def test_a_recent_prediction_is_served_as_a_self_contained_page(serve: Serve) -> None:
    server = await serve(_store())
    status, headers, body = await _get(server, f"/predictions/{RID}")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    page = body.decode()
    assert RID in page
    cones = {e["data-stand"] for e in data_elements(page, "cone")}
    assert cones == {"P1", "P2", "ridge-oak"} and len(data_elements(page, "zone")) == 5


async def test_the_page_is_shaded_with_the_cached_terrain_of_its_place(serve: Serve) -> None:
    full = orjson.loads(FULL)
    asked: list[tuple[float, float]] = []

    async def terrain(prediction: Mapping[str, Any]) -> dict[str, Any]:
        lat, lon = prediction["lat"], prediction["lon"]
        asked.append((lat, lon))
        return {
            "lat": lat,
            "lon": lon,
            "rows": 3,
            "cols": 3,
            "dlat": 0.0008,
            "dlon": 0.0011,
            "e": [300.0, 310.0, 320.0, 305.0, 315.0, 325.0, 310.0, 320.0, None],
        }

    server = await serve(_store(), terrain)
    status, _, body = await _get(server, f"/predictions/{RID}")
    assert status == 200 and asked == [(full["lat"], full["lon"])]
    (shading,) = data_elements(body.decode(), "terrain")
    assert (float(shading["data-min-m"]), float(shading["data-max-m"])) == (300.0, 325.0)
    # No lookup (or nothing cached): the same page, unshaded.
    plain = await serve(_store())
    _, _, body = await _get(plain, f"/predictions/{RID}")
    assert data_elements(body.decode(), "terrain") == []


async def test_json_form_is_the_published_bytes(serve: Serve) -> None:
    server = await serve(_store())
    status, headers, body = await _get(server, f"/predictions/{RID}?format=json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert body == FULL


async def test_an_unknown_id_is_404(serve: Serve) -> None:
    server = await serve(_store())
    status, _, body = await _get(server, "/predictions/nope")
    assert status == 404 and b"nope" in body
    status, _, body = await _get(server, "/predictions/nope?format=json")
    assert status == 404 and "error" in orjson.loads(body)


async def test_the_index_lists_recent_ids_newest_first(serve: Serve) -> None:
    server = await serve(_store())
    status, _, body = await _get(server, "/predictions?format=json")
    assert status == 200 and orjson.loads(body) == {"predictions": [RID, "older"]}
    status, headers, body = await _get(server, "/predictions")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f'href="/predictions/{RID}"' in body.decode()


async def test_without_a_store_there_are_no_prediction_routes(serve: Serve) -> None:
    server = await serve(None)
    assert (await _get(server, "/predictions"))[0] == 404
    assert (await _get(server, f"/predictions/{RID}"))[0] == 404
    assert (await _get(server, "/health"))[0] == 200
