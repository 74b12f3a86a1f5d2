"""The prediction page in a real headless Chromium: its DOM holds the zones, stands, cones
and windows of the prediction, the cones point where the scent goes, and it paints.

Chromium is required, never skipped: without it the test fails and says how to install it
(Debian/Ubuntu: ``apt-get install -y chromium``). The browser is offline for the page: no
network features, a throw-away profile; the page itself loads nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest

from deerstream.views.page import render_prediction_page
from tests.views.dom import data_elements

pytestmark = pytest.mark.integration

FULL = Path(__file__).resolve().parents[2] / "examples" / "predictions" / "full.json"
#: Set to a path to keep the screenshot of examples/predictions/full.json.
SCREENSHOT_ENV = "DEERSTREAM_PAGE_SCREENSHOT"
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def _chromium() -> str:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "Chromium is not installed (no /usr/bin/chromium): install it with "
        "`apt-get update && apt-get install -y chromium` (Debian package `chromium`)",
        pytrace=False,
    )


def _run(args: list[str], profile: Path) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(
        [_chromium(), *_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


@pytest.fixture
def prediction() -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(FULL.read_bytes())
    return data


@pytest.fixture
def page_file(tmp_path: Path, prediction: dict[str, Any]) -> Path:
    path = tmp_path / "prediction.html"
    path.write_text(render_prediction_page(prediction), encoding="utf-8")
    return path


def test_the_browser_dom_holds_every_zone_stand_cone_and_window(
    tmp_path: Path, page_file: Path, prediction: dict[str, Any]
) -> None:
    done = _run(["--dump-dom", page_file.as_uri()], tmp_path / "profile")
    dom = done.stdout.decode()
    assert "Deer movement prediction" in dom, dom[:500]
    zones = data_elements(dom, "zone")
    n_zones = sum(len(prediction[k]) for k in ("bedding_zones", "feeding_zones", "travel_zones"))
    assert len(zones) == n_zones
    stands = data_elements(dom, "stand")
    rated = [r["stand_id"] for r in prediction["stand_ratings"]]
    assert [e["data-stand"] for e in stands] == [s["id"] for s in prediction["stands"]] + rated
    assert [e["data-stand-kind"] for e in stands[len(prediction["stands"]) :]] == ["yours"] * len(
        rated
    )
    cones = data_elements(dom, "cone")[: len(prediction["stands"])]
    for cone, stand in zip(cones, prediction["stands"], strict=True):
        assert cone["data-stand"] == stand["id"]
        assert float(cone["data-bearing"]) == pytest.approx((stand["wind_from_deg"] + 180) % 360)
    windows = data_elements(dom, "window")
    assert [w["data-start"] for w in windows] == [w["start"] for w in prediction["hunt_windows"]]
    hours = data_elements(dom, "hour")
    assert [h["data-start"] for h in hours] == [
        h["start"] for h in prediction["hourly"] if h["legal_light"]
    ]
    assert [e["data-stand"] for e in data_elements(dom, "rose")] == rated
    for kind in ("wind", "north", "scale"):
        assert len(data_elements(dom, kind)) == 1, kind


def test_the_page_paints_a_non_trivial_screenshot(tmp_path: Path, page_file: Path) -> None:
    shot = tmp_path / "prediction.png"
    _run(
        [f"--screenshot={shot}", "--window-size=1200,900", page_file.as_uri()],
        tmp_path / "profile",
    )
    assert shot.exists(), "chromium wrote no screenshot"
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000, f"screenshot is only {len(data)} bytes: nothing painted?"
    keep = os.environ.get(SCREENSHOT_ENV)
    if keep:
        shutil.copyfile(shot, keep)
