"""One prediction as a self-contained HTML page: a plan of the area and a timeline.

``render_prediction_page(prediction)`` takes a prediction's JSON form (as published on the
prediction topic, see ``schemas/prediction.v1.json`` and ``prediction.v2.json``) and returns
a complete HTML document:

* an inline SVG plan around the prediction's lat/lon on a local equirectangular plane in
  metres (east = Δlon·cos(lat), Δlon wrapped into −180..180): bedding, feeding and travel
  zones as circles labelled with their scores, the stands (and the hunter's own, when the
  prediction carries one) with their scent cones for the target hour, a wind arrow, a north
  arrow, a scale bar and, when an elevation grid is given, terrain shading;
* an SVG timeline of the day (hourly series when the prediction has them) with the hunt
  windows shaded, daylight and legal light, and the target time;
* the factors in words, the stands, the data quality and the notes;
* for a v2 prediction: an hour-by-hour table of the legal-light hours (score, wind,
  triggers, the stand to sit; hours in a hunt window highlighted), the hunter's rated
  stands (travel-zone distance, a 16-sector rose of good winds, the bad hours and why),
  those stands on the plan, and each window's stand and reason. A v1 prediction renders
  byte for byte as before these were added.

The page loads nothing: no scripts, fonts, images or styles from anywhere, so it works
offline and under ``Content-Security-Policy: default-src 'none'`` (inline styles only).
The renderer is pure and deterministic: no I/O, no clock; same input, same bytes. Fields
that are absent or malformed are skipped, never fatal.

Elements carry ``data-kind`` (``zone``, ``stand``, ``cone``, ``window``, ``wind``,
``north``, ``scale``, ``terrain``, ``hourly``; v2: ``hours``, ``hour``, ``rated-stand``,
``rose``, ``bad-hour``) so tests and tools can find them; cones also carry ``data-bearing``
(the direction the scent travels: wind_from + 180°) and ``data-stand`` (the stand id: the
published ``id``, P1…, else ``S1``, ``S2``… in published order; ``H1``… or the given id
for the hunter's).
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from deerstream.engine.stand_ratings import SIT_RATING
from deerstream.engine.stands import ZONE_RADIUS_M, scent_half_width_deg, scent_reach_m
from deerstream.models.geo import COMPASS_16, COMPASS_SECTOR_DEG, M_PER_DEG, compass_point

__all__ = ["render_index_page", "render_prediction_page"]

#: Metres per degree of latitude on the engine's sphere.
#: The plan is a square of this many CSS pixels.
PLAN_PX = 560.0
#: The timeline's drawing size (CSS pixels before scaling to the column width).
CHART_W = 540.0
CHART_H = 210.0

_ZONE_KINDS = (
    ("bedding_zones", "bedding", "#a0522d"),
    ("feeding_zones", "feeding", "#3f8f3a"),
    ("travel_zones", "travel", "#3b6fb6"),
)
_SPEED_RE = re.compile(r"(\d+(?:\.\d+)?)\s*m/s")
_FROM_DEG_RE = re.compile(r"from\s+(\d+(?:\.\d+)?)\s*°")
_FROM_POINT_RE = re.compile(r"from\s+([NESW]{1,3})\b")
_NICE_M = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)
_TERRAIN_RAMP = ((0.0, (222, 234, 205)), (0.5, (214, 200, 156)), (1.0, (160, 128, 88)))

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 "DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif;
color:#1f2a1f;background:#f3f0e8}
header{padding:10px 20px 8px;background:#2f3e2c;color:#fff}
header h1{margin:0;font-size:19px;font-weight:600}
header .sub{margin:2px 0 6px;color:#d6dccf}
.kpis{display:flex;flex-wrap:wrap;gap:8px}
.kpi{background:#41543d;border-radius:4px;padding:3px 9px}
.kpi b{font-size:15px}
main{display:grid;grid-template-columns:584px minmax(0,1fr);gap:14px;padding:12px 20px}
.card{background:#fff;border-radius:6px;padding:8px 12px 10px;margin-bottom:12px;
box-shadow:0 1px 2px rgba(0,0,0,.15)}
h2{font-size:14px;margin:2px 0 6px;color:#2f3e2c}
svg text{font-family:inherit}
.plan text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:6px;font-size:12px;color:#333}
.sw{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:-2px;
margin-right:4px;border:2px solid}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{text-align:left;padding:2px 6px 2px 0;vertical-align:top;border-bottom:1px solid #eee}
th{color:#555;font-weight:600}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.pos{color:#2e7d32}.neg{color:#b3261e}.zero{color:#666}
.bar{display:inline-block;height:8px;border-radius:2px;vertical-align:0}
.muted{color:#666}
ul{margin:4px 0;padding-left:18px}
footer{padding:0 20px 14px;color:#666;font-size:11px}
"""
#: Added only to pages that have a v2 section, so a v1 page keeps its exact bytes.
_CSS_V2 = """
tr.win td{background:#e8f3e6}
tr.win td:first-child{box-shadow:inset 3px 0 #3f8f3a}
tr.day th{padding-top:6px;color:#2f3e2c;border-bottom:1px solid #bbb}
td.nw{white-space:nowrap}
.rated{display:flex;gap:10px;align-items:flex-start;padding:6px 0;border-bottom:1px solid #eee}
.rated:last-of-type{border-bottom:0}
.rated ul{font-size:12px}
"""


# --------------------------------------------------------------------------- public


def render_prediction_page(
    prediction: Mapping[str, Any], *, elevation_grid: Mapping[str, Any] | None = None
) -> str:
    """The prediction as a complete, self-contained HTML document (deterministic)."""
    p = prediction
    stands = _stands(p)
    wind = _target_wind(p, stands)
    plan = _plan_svg(p, stands, wind, elevation_grid)
    rid = _text(p.get("request_id")) or "unknown request"
    hours = _hours(p)
    names = _rated_names(p)
    hours_card = _hours_card(p, hours, names)
    yours_card = _your_stands_card(p, hours or [])
    css = _CSS + _CSS_V2 if hours_card is not None or yours_card is not None else _CSS
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Prediction {_e(rid)}</title>",
        f"<style>{css}</style></head><body>",
        _header(p, rid),
        "<main><div>",
        '<section class="card"><h2>Plan of the area</h2>',
        plan,
        _legend(stands, wind, elevation_grid is not None),
        "</section>" + (f"\n{hours_card}\n" if hours_card is not None else "") + "</div><div>",
        '<section class="card"><h2>Timeline (UTC)</h2>',
        _timeline_svg(p),
        _windows_list(p, names),
        "</section>",
        yours_card,
        _factors_card(p),
        _stands_card(stands, wind),
        _quality_card(p),
        "</div></main>",
        _footer(p),
        "</body></html>",
        "",
    ]
    return "\n".join(x for x in parts if x is not None)


def render_index_page(request_ids: Sequence[str]) -> str:
    """A list of links to ``/predictions/<id>`` pages, newest first as given."""
    items = "".join(
        f'<li><a href="/predictions/{_e(_path_segment(r))}">{_e(r)}</a></li>' for r in request_ids
    )
    body = f"<ul>{items}</ul>" if items else '<p class="muted">No predictions yet.</p>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Recent predictions</title><style>{_CSS}</style></head><body>"
        "<header><h1>Recent predictions</h1>"
        f'<p class="sub">{len(request_ids)} kept by this worker, newest first</p></header>'
        f'<main style="display:block"><section class="card">{body}</section></main>'
        "</body></html>\n"
    )


# --------------------------------------------------------------------------- values


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _list(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [x for x in value if isinstance(x, Mapping)]


def _num(value: float, digits: int = 1) -> str:
    """Fixed-point with trailing zeros stripped: 225.0 → "225", 7.25 → "7.2" (1 digit)."""
    s = f"{value:.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(UTC) if t.tzinfo is not None else None


def _hhmm(t: datetime) -> str:
    return t.strftime("%H:%M")


def _path_segment(value: str) -> str:
    """Percent-encode everything but the id alphabet (A-Z a-z 0-9 . _ : -)."""
    out = []
    for c in value:
        if c.isascii() and (c.isalnum() or c in "._:-"):
            out.append(c)
        else:
            out.extend(f"%{b:02X}" for b in c.encode("utf-8"))
    return "".join(out)


# --------------------------------------------------------------------------- stands & wind


@dataclass(frozen=True, slots=True)
class _Stand:
    sid: str
    lat: float
    lon: float
    kind: str  # "primary", "alternate" or "yours"
    wind_from: float | None
    reason: str


@dataclass(frozen=True, slots=True)
class _Wind:
    from_deg: float | None
    speed_ms: float | None
    source: str


def _stands(p: Mapping[str, Any]) -> list[_Stand]:
    out: list[_Stand] = []
    for s in _list(p.get("stands")):
        lat, lon = _float(s.get("lat")), _float(s.get("lon"))
        if lat is None or lon is None:
            continue
        wind_from = _float(s.get("wind_from_deg"))
        out.append(
            _Stand(
                _text(s.get("id")) or f"S{len(out) + 1}",
                lat,
                lon,
                "primary" if s.get("primary") is not False else "alternate",
                None if wind_from is None else wind_from % 360.0,
                _text(s.get("reason")) or "",
            )
        )
    own = p.get("hunter_stands", p.get("hunter_stand"))
    mine = _list(own) if isinstance(own, list) else _list([own])
    for i, s in enumerate(mine, start=1):
        lat, lon = _float(s.get("lat")), _float(s.get("lon"))
        if lat is None or lon is None:
            continue
        wind_from = _float(s.get("wind_from_deg"))
        sid = _text(s.get("id")) or _text(s.get("name")) or f"H{i}"
        out.append(
            _Stand(
                sid,
                lat,
                lon,
                "yours",
                None if wind_from is None else wind_from % 360.0,
                _text(s.get("reason")) or "your stand",
            )
        )
    # v2: the hunter's stands as rated hour by hour (skipping any already listed above).
    seen = {s.sid for s in out if s.kind == "yours"}
    for r in _list(p.get("stand_ratings")):
        lat, lon = _float(r.get("lat")), _float(r.get("lon"))
        rid = _text(r.get("stand_id"))
        if lat is None or lon is None or rid is None or rid in seen:
            continue
        seen.add(rid)
        out.append(_Stand(rid, lat, lon, "yours", None, _text(r.get("name")) or "your stand"))
    return out


def _target_wind(p: Mapping[str, Any], stands: Sequence[_Stand]) -> _Wind:
    """The target hour's wind: a ``wind`` object if the prediction has one, else the
    ``wind`` factor ("from 45° at 7.2 m/s" or "7.2 m/s from NE"), else the primary stand's."""
    w = p.get("wind")
    if isinstance(w, Mapping):
        d = _float(w.get("from_deg", w.get("wind_from_deg")))
        s = _float(w.get("speed_ms", w.get("wind_ms")))
        if d is not None or s is not None:
            return _Wind(None if d is None else d % 360.0, s, "wind")
    from_deg: float | None = None
    speed: float | None = None
    for f in _list(p.get("factors")):
        if f.get("name") != "wind" or not isinstance(f.get("value"), str):
            continue
        text = str(f["value"])
        m = _SPEED_RE.search(text)
        speed = float(m.group(1)) if m else None
        m = _FROM_DEG_RE.search(text)
        if m:
            from_deg = float(m.group(1)) % 360.0
        else:
            m = _FROM_POINT_RE.search(text)
            if m and m.group(1) in COMPASS_16:
                from_deg = COMPASS_16.index(m.group(1)) * COMPASS_SECTOR_DEG
        break
    if from_deg is None:
        primary = next((s for s in stands if s.kind == "primary" and s.wind_from is not None), None)
        if primary is not None:
            return _Wind(primary.wind_from, speed, "primary stand")
    return _Wind(from_deg, speed, "wind factor")


@dataclass(frozen=True, slots=True)
class _Cone:
    stand: _Stand
    wind_from: float
    bearing: float
    length_m: float
    half_width: float


def _cone(stand: _Stand, wind: _Wind) -> _Cone | None:
    wind_from = stand.wind_from if stand.wind_from is not None else wind.from_deg
    if wind_from is None:
        return None
    speed = wind.speed_ms if wind.speed_ms is not None else 0.0
    return _Cone(
        stand,
        wind_from,
        (wind_from + 180.0) % 360.0,
        scent_reach_m(speed),
        scent_half_width_deg(speed),
    )


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True, slots=True)
class _Plane:
    """Local equirectangular plane (metres) centred on the prediction, and its pixels."""

    lat0: float
    lon0: float
    half_m: float

    @property
    def k(self) -> float:
        return (PLAN_PX / 2.0) / self.half_m

    def en(self, lat: float, lon: float) -> tuple[float, float]:
        d_lon = (lon - self.lon0 + 180.0) % 360.0 - 180.0
        east = d_lon * M_PER_DEG * math.cos(math.radians(self.lat0))
        return east, (lat - self.lat0) * M_PER_DEG

    def px(self, east: float, north: float) -> tuple[float, float]:
        return PLAN_PX / 2.0 + east * self.k, PLAN_PX / 2.0 - north * self.k

    def at(self, lat: float, lon: float) -> tuple[float, float]:
        return self.px(*self.en(lat, lon))


def _f(v: float) -> str:
    return _num(v, 1)


class _Labels:
    """Greedy, deterministic label placement that avoids earlier labels and markers."""

    _OFFSETS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1))

    def __init__(self) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []

    def block(self, x: float, y: float, r: float) -> None:
        self.boxes.append((x - r, y - r, x + r, y + r))

    def place(self, x: float, y: float, text: str, size: float, gap: float) -> tuple[str, str]:
        """(x, y, text-anchor) attributes for ``text`` near (x, y)."""
        w = len(text) * size * 0.62 + 2.0
        h = size + 2.0
        best: tuple[float, int, tuple[float, float, float, float], str] | None = None
        for i, (dx, dy) in enumerate(self._OFFSETS):
            cx = x + dx * (gap + w / 2.0)
            cy = y + dy * (gap + h / 2.0)
            box = (cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
            cost = sum(_overlap(box, b) for b in self.boxes)
            if box[0] < 2 or box[1] < 2 or box[2] > PLAN_PX - 2 or box[3] > PLAN_PX - 2:
                cost += 1e6
            if best is None or (cost, i) < (best[0], best[1]):
                best = (cost, i, box, "")
            if cost == 0:
                break
        assert best is not None
        box = best[2]
        self.boxes.append(box)
        tx, ty = (box[0] + box[2]) / 2.0, box[3] - 3.0
        return f'x="{_f(tx)}" y="{_f(ty)}" text-anchor="middle"', text


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _zones(p: Mapping[str, Any]) -> list[tuple[str, str, int, float, float, float | None]]:
    out: list[tuple[str, str, int, float, float, float | None]] = []
    for key, kind, color in _ZONE_KINDS:
        for i, z in enumerate(_list(p.get(key))):
            lat, lon = _float(z.get("lat")), _float(z.get("lon"))
            if lat is not None and lon is not None:
                out.append((kind, color, i + 1, lat, lon, _float(z.get("score"))))
    return out


def _plan_svg(
    p: Mapping[str, Any],
    stands: Sequence[_Stand],
    wind: _Wind,
    grid: Mapping[str, Any] | None,
) -> str:
    lat0 = _float(p.get("lat"))
    lon0 = _float(p.get("lon"))
    zones = _zones(p)
    if lat0 is None or lon0 is None:
        anchors = [(z[3], z[4]) for z in zones] + [(s.lat, s.lon) for s in stands]
        if not anchors:
            return '<p class="muted">No position in this prediction: nothing to draw.</p>'
        lat0, lon0 = anchors[0]
    probe = _Plane(lat0, lon0, 1.0)
    reach = 0.0
    for z in zones:
        e, n = probe.en(z[3], z[4])
        reach = max(reach, abs(e) + ZONE_RADIUS_M, abs(n) + ZONE_RADIUS_M)
    for s in stands:
        e, n = probe.en(s.lat, s.lon)
        reach = max(reach, abs(e) + 30.0, abs(n) + 30.0)
    reach *= 1.3
    cones = [c for c in (_cone(s, wind) for s in stands) if c is not None]
    for c in cones:
        # The whole cone is shown: where the scent reaches matters as much as its direction.
        e, n = probe.en(c.stand.lat, c.stand.lon)
        for b in (c.bearing - c.half_width, c.bearing, c.bearing + c.half_width):
            ce = e + c.length_m * math.sin(math.radians(b))
            cn = n + c.length_m * math.cos(math.radians(b))
            reach = max(reach, abs(ce) * 1.06, abs(cn) * 1.06)
    plane = _Plane(lat0, lon0, max(150.0, reach))
    labels = _Labels()
    out: list[str] = [
        f'<svg class="plan" viewBox="0 0 {_f(PLAN_PX)} {_f(PLAN_PX)}" width="{_f(PLAN_PX)}"'
        f' height="{_f(PLAN_PX)}" role="img" aria-label="Plan of zones, stands and scent cones">',
        '<defs><clipPath id="plan-clip"><rect x="0" y="0" width="560" height="560"/></clipPath>',
        '<marker id="arrow-head" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7"'
        ' markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"'
        ' fill="#1f2a1f"/></marker></defs>',
        f'<rect x="0" y="0" width="{_f(PLAN_PX)}" height="{_f(PLAN_PX)}" fill="#f7f5ee"'
        ' stroke="#c9c3b3"/>',
        '<g clip-path="url(#plan-clip)">',
    ]
    if grid is not None:
        out.append(_terrain(plane, grid))
    step = _nice_length(plane.half_m * 2.0 * 0.22)
    out.append(_grid_lines(plane, step))
    for c in cones:
        out.append(_cone_path(plane, c))
    for kind, color, idx, lat, lon, score in zones:
        x, y = plane.at(lat, lon)
        r = ZONE_RADIUS_M * plane.k
        title = f"{kind} zone {idx}: score {_num(score) if score is not None else '?'}"
        out.append(
            f'<circle data-kind="zone" data-zone="{kind}" data-index="{idx}"'
            f' data-lat="{lat!r}" data-lon="{lon!r}"'
            f' data-score="{_num(score) if score is not None else ""}" cx="{_f(x)}" cy="{_f(y)}"'
            f' r="{_f(r)}" fill="{color}" fill-opacity="0.22" stroke="{color}"'
            f' stroke-width="2"><title>{_e(title)}</title></circle>'
        )
    out.append("</g>")
    # Markers first (they block labels), labels after.
    cx, cy = plane.px(0.0, 0.0)
    labels.block(cx, cy, 7)
    out.append(
        f'<g data-kind="point"><circle cx="{_f(cx)}" cy="{_f(cy)}" r="5" fill="none"'
        f' stroke="#1f2a1f" stroke-width="1.5"/><path d="M{_f(cx - 9)},{_f(cy)}h18'
        f'M{_f(cx)},{_f(cy - 9)}v18" stroke="#1f2a1f" stroke-width="1"/>'
        "<title>requested point</title></g>"
    )
    marks = []
    for s in stands:
        x, y = plane.at(s.lat, s.lon)
        labels.block(x, y, 8)
        marks.append((s, x, y))
    for s, x, y in marks:
        out.append(_stand_marker(s, x, y))
    for kind, color, _idx, lat, lon, score in zones:
        x, y = plane.at(lat, lon)
        text = f"{kind} {_num(score)}" if score is not None else kind
        attrs, text = labels.place(x, y, text, 12.0, ZONE_RADIUS_M * plane.k + 1.0)
        out.append(
            f'<text {attrs} font-size="12" font-weight="600" fill="{color}">{_e(text)}</text>'
        )
    for s, x, y in marks:
        attrs, text = labels.place(x, y, s.sid, 12.0, 9.0)
        out.append(
            f'<text {attrs} font-size="12" font-weight="700" fill="#1f2a1f">{_e(text)}</text>'
        )
    out.append(_north_arrow())
    out.append(_wind_rose(wind))
    out.append(_scale_bar(plane, step))
    out.append("</svg>")
    return "".join(out)


def _nice_length(target_m: float) -> int:
    best = _NICE_M[0]
    for n in _NICE_M:
        if n <= target_m:
            best = n
    return best


def _grid_lines(plane: _Plane, step: int) -> str:
    n = int(plane.half_m // step) + 1
    d: list[str] = []
    for i in range(-n, n + 1):
        x, y = plane.px(i * step, i * step)
        d.append(f"M{_f(x)},0V{_f(PLAN_PX)}M0,{_f(y)}H{_f(PLAN_PX)}")
    return f'<path d="{"".join(d)}" stroke="#000" stroke-opacity="0.06" stroke-width="1"/>'


def _cone_path(plane: _Plane, c: _Cone) -> str:
    x, y = plane.at(c.stand.lat, c.stand.lon)
    r = c.length_m * plane.k

    def edge(bearing: float) -> tuple[float, float]:
        b = math.radians(bearing)
        return x + r * math.sin(b), y - r * math.cos(b)

    x1, y1 = edge(c.bearing - c.half_width)
    x2, y2 = edge(c.bearing + c.half_width)
    primary = c.stand.kind == "primary"
    color = "#e07b00" if c.stand.kind != "yours" else "#7b3fa0"
    dash = "" if primary or c.stand.kind == "yours" else ' stroke-dasharray="5 4"'
    title = (
        f"scent cone of {c.stand.sid}: wind from {_num(c.wind_from)}°, scent travels toward"
        f" {_num(c.bearing)}° ({compass_point(c.bearing)}), {_num(c.length_m, 0)} m long,"
        f" ±{_num(c.half_width)}°"
    )
    return (
        f'<path data-kind="cone" data-stand="{_e(c.stand.sid)}" data-bearing="{_num(c.bearing)}"'
        f' data-wind-from="{_num(c.wind_from)}" data-length-m="{_num(c.length_m)}"'
        f' data-half-width="{_num(c.half_width)}"'
        f' d="M{_f(x)},{_f(y)}L{_f(x1)},{_f(y1)}A{_f(r)},{_f(r)} 0 0 1 {_f(x2)},{_f(y2)}Z"'
        f' fill="{color}" fill-opacity="{"0.2" if primary else "0.1"}" stroke="{color}"'
        f' stroke-opacity="0.8" stroke-width="1.5"{dash}><title>{_e(title)}</title></path>'
    )


def _stand_marker(s: _Stand, x: float, y: float) -> str:
    title = f"{s.sid} ({s.kind}): {s.reason}" if s.reason else f"{s.sid} ({s.kind})"
    common = (
        f'data-kind="stand" data-stand="{_e(s.sid)}" data-stand-kind="{s.kind}"'
        f' data-lat="{s.lat!r}" data-lon="{s.lon!r}"'
    )
    if s.kind == "yours":
        shape = (
            f'<rect x="{_f(x - 6)}" y="{_f(y - 6)}" width="12" height="12" fill="#7b3fa0"'
            ' stroke="#fff" stroke-width="1.5"/>'
        )
    else:
        fill = "#1f2a1f" if s.kind == "primary" else "#fff"
        shape = (
            f'<path d="M{_f(x)},{_f(y - 8)}L{_f(x + 7)},{_f(y + 5)}L{_f(x - 7)},{_f(y + 5)}Z"'
            f' fill="{fill}" stroke="#1f2a1f" stroke-width="2"/>'
        )
    return f"<g {common}>{shape}<title>{_e(title)}</title></g>"


def _north_arrow() -> str:
    x, y = PLAN_PX - 34.0, 20.0
    return (
        f'<g data-kind="north"><path d="M{_f(x)},{_f(y)}L{_f(x + 9)},{_f(y + 30)}'
        f'L{_f(x)},{_f(y + 23)}L{_f(x - 9)},{_f(y + 30)}Z" fill="#1f2a1f"/>'
        f'<text x="{_f(x)}" y="{_f(y + 46)}" text-anchor="middle" font-size="13"'
        ' font-weight="700">N</text></g>'
    )


def _wind_rose(wind: _Wind) -> str:
    cx, cy, r = 52.0, 52.0, 30.0
    parts = [
        f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="#fff" fill-opacity="0.85"'
        ' stroke="#8a8473"/>'
    ]
    if wind.from_deg is None:
        parts.append(
            f'<text x="{_f(cx)}" y="{_f(cy + 4)}" text-anchor="middle" font-size="11">'
            "no wind</text>"
        )
        caption = "wind unknown"
        attrs = 'data-from="" data-speed-ms=""'
    else:
        # The arrow shows where the air goes: from the upwind side to the downwind side.
        to = math.radians(wind.from_deg + 180.0)
        dx, dy = math.sin(to), -math.cos(to)
        x1, y1 = cx - dx * (r - 6), cy - dy * (r - 6)
        x2, y2 = cx + dx * (r - 4), cy + dy * (r - 4)
        parts.append(
            f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="#1f2a1f"'
            ' stroke-width="3" marker-end="url(#arrow-head)"/>'
        )
        speed = f", {_num(wind.speed_ms)} m/s" if wind.speed_ms is not None else ""
        caption = f"wind from {compass_point(wind.from_deg)} ({_num(wind.from_deg, 0)}°){speed}"
        attrs = (
            f'data-from="{_num(wind.from_deg)}"'
            f' data-speed-ms="{_num(wind.speed_ms) if wind.speed_ms is not None else ""}"'
        )
    parts.append(
        f'<text x="{_f(cx - r)}" y="{_f(cy + r + 16)}" font-size="12" font-weight="600">'
        f"{_e(caption)}</text>"
    )
    return f'<g data-kind="wind" {attrs}>{"".join(parts)}<title>{_e(caption)}</title></g>'


def _scale_bar(plane: _Plane, step: int) -> str:
    w = step * plane.k
    x, y = 16.0, PLAN_PX - 22.0
    label = f"{step} m" if step < 1000 else f"{_num(step / 1000.0)} km"
    return (
        f'<g data-kind="scale" data-metres="{step}">'
        f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w / 2)}" height="6" fill="#1f2a1f"/>'
        f'<rect x="{_f(x + w / 2)}" y="{_f(y)}" width="{_f(w / 2)}" height="6" fill="#fff"'
        ' stroke="#1f2a1f"/>'
        f'<text x="{_f(x)}" y="{_f(y - 4)}" font-size="11">0</text>'
        f'<text x="{_f(x + w)}" y="{_f(y - 4)}" font-size="11" text-anchor="middle">'
        f"{_e(label)}</text></g>"
    )


def _grid_field(grid: Mapping[str, Any], *names: str) -> Any:
    for n in names:
        if n in grid:
            return grid[n]
    return None


def _terrain(plane: _Plane, grid: Mapping[str, Any]) -> str:
    """Cells shaded by elevation; accepts ``TerrainGrid`` field names or the cache's short
    form (lat, lon, rows, cols, dlat, dlon, e)."""
    clat = _float(_grid_field(grid, "center_lat", "lat"))
    clon = _float(_grid_field(grid, "center_lon", "lon"))
    rows = _grid_field(grid, "rows")
    cols = _grid_field(grid, "cols")
    dlat = _float(_grid_field(grid, "spacing_lat_deg", "dlat"))
    dlon = _float(_grid_field(grid, "spacing_lon_deg", "dlon"))
    elev = _grid_field(grid, "elevations_m", "e")
    if (
        clat is None
        or clon is None
        or not isinstance(rows, int)
        or not isinstance(cols, int)
        or rows <= 0
        or cols <= 0
        or dlat is None
        or dlon is None
        or not isinstance(elev, list | tuple)
        or len(elev) != rows * cols
    ):
        return ""
    values = [_float(v) for v in elev]
    known = [v for v in values if v is not None]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    h_px = abs(dlat) * M_PER_DEG * plane.k
    w_px = abs(dlon) * M_PER_DEG * math.cos(math.radians(plane.lat0)) * plane.k
    cells: list[str] = []
    for r in range(rows):
        for c in range(cols):
            v = values[r * cols + c]
            if v is None:
                continue
            lat = clat + (rows // 2 - r) * dlat
            lon = clon + (c - cols // 2) * dlon
            x, y = plane.at(lat, lon)
            t = 0.5 if hi == lo else (v - lo) / (hi - lo)
            cells.append(
                f'<rect x="{_f(x - w_px / 2)}" y="{_f(y - h_px / 2)}" width="{_f(w_px + 0.6)}"'
                f' height="{_f(h_px + 0.6)}" fill="{_ramp(t)}" data-elevation="{_num(v)}"/>'
            )
    return (
        f'<g data-kind="terrain" data-min-m="{_num(lo)}" data-max-m="{_num(hi)}">'
        + "".join(cells)
        + "</g>"
    )


def _ramp(t: float) -> str:
    t = max(0.0, min(1.0, t))
    for (t0, c0), (t1, c1) in itertools.pairwise(_TERRAIN_RAMP):
        if t <= t1:
            u = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
            rgb = tuple(round(a + (b - a) * u) for a, b in zip(c0, c1, strict=True))
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#{:02x}{:02x}{:02x}".format(*_TERRAIN_RAMP[-1][1])


def _legend(stands: Sequence[_Stand], wind: _Wind, terrain: bool) -> str:
    items = [
        f'<span><i class="sw" style="background:{c}38;border-color:{c}"></i>{k} zone</span>'
        for _, k, c in _ZONE_KINDS
    ]
    items.append("<span>▲ proposed stand (filled: primary, hollow: alternate)</span>")
    if any(s.kind == "yours" for s in stands):
        items.append('<span style="color:#7b3fa0">■ your stand</span>')
    items.append(
        '<span><i class="sw" style="border-radius:0;background:#e07b0033;border-color:#e07b00">'
        "</i>scent cone (where the stand's scent drifts)</span>"
    )
    items.append("<span>⊕ requested point</span>")
    if terrain:
        items.append(
            f'<span><i class="sw" style="border-radius:0;background:{_ramp(0)};border-color:'
            f'{_ramp(0)}"></i>low → <i class="sw" style="border-radius:0;background:{_ramp(1)};'
            f'border-color:{_ramp(1)}"></i>high ground</span>'
        )
    if wind.speed_ms is None:
        items.append('<span class="muted">wind speed unknown: cones drawn for calm air</span>')
    return '<div class="legend">' + "".join(items) + "</div>"


# --------------------------------------------------------------------------- timeline


def _hourly(p: Mapping[str, Any]) -> list[tuple[datetime, dict[str, float]]]:
    out: list[tuple[datetime, dict[str, float]]] = []
    for h in _list(p.get("hourly")):
        t = _time(h.get("time", h.get("at", h.get("start"))))
        if t is None:
            continue
        values = {
            str(k): v
            for k, raw in h.items()
            if k not in ("time", "at", "start") and (v := _float(raw)) is not None
        }
        out.append((t, values))
    out.sort(key=lambda x: x[0])
    return out


def _timeline_svg(p: Mapping[str, Any]) -> str:
    windows = []
    for w in _list(p.get("hunt_windows")):
        start, end = _time(w.get("start")), _time(w.get("end"))
        if start is not None and end is not None and end >= start:
            windows.append((start, end, _float(w.get("score")), w.get("triggers")))
    raw_sun = p.get("sun")
    sun: Mapping[str, Any] = raw_sun if isinstance(raw_sun, Mapping) else {}
    sun_t = {k: _time(sun.get(k)) for k in ("sunrise", "sunset", "legal_start", "legal_end")}
    target = _time(p.get("target_time"))
    hourly = _hourly(p)
    times = [t for w in windows for t in w[:2]] + [t for t in sun_t.values() if t is not None]
    times += [t for t, _ in hourly]
    if target is not None:
        times.append(target)
    if not times:
        return '<p class="muted">No times in this prediction: no timeline.</p>'
    t0 = min(times).replace(minute=0, second=0, microsecond=0)
    t1 = max(times)
    if t1 > t1.replace(minute=0, second=0, microsecond=0):
        t1 = t1.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if t1 - t0 < timedelta(hours=6):
        t1 = t0 + timedelta(hours=6)
    left, right, top, bottom = 30.0, 12.0, 22.0, 34.0
    pw, ph = CHART_W - left - right, CHART_H - top - bottom
    span = (t1 - t0).total_seconds()

    def x(t: datetime) -> float:
        return left + pw * (t - t0).total_seconds() / span

    def y(score: float) -> float:
        return top + ph * (1.0 - max(0.0, min(10.0, score)) / 10.0)

    out = [
        f'<svg class="chart" viewBox="0 0 {_f(CHART_W)} {_f(CHART_H)}" width="100%"'
        ' role="img" aria-label="Timeline of the day with hunt windows">',
        f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(pw)}" height="{_f(ph)}" fill="#e4e6ee"/>',
    ]
    # Daylight (white) and legal light (pale) over a night-grey background.
    rise, sets = sun_t["sunrise"], sun_t["sunset"]
    legal_a, legal_b = sun_t["legal_start"] or rise, sun_t["legal_end"] or sets
    if legal_a is not None and legal_b is not None and legal_b > legal_a:
        out.append(_band(x, max(legal_a, t0), min(legal_b, t1), top, ph, "#f6f1dc"))
    if rise is not None and sets is not None and sets > rise:
        out.append(_band(x, max(rise, t0), min(sets, t1), top, ph, "#fffdf5"))
    # Score grid.
    for g in (0, 5, 10):
        out.append(
            f'<line x1="{_f(left)}" x2="{_f(left + pw)}" y1="{_f(y(g))}" y2="{_f(y(g))}"'
            ' stroke="#000" stroke-opacity="0.12"/>'
            f'<text x="{_f(left - 5)}" y="{_f(y(g) + 4)}" font-size="10" text-anchor="end"'
            f' fill="#555">{g}</text>'
        )
    for start, end, score, triggers in windows:
        s = score if score is not None else 10.0
        trig = [t for t in triggers if isinstance(t, str)] if isinstance(triggers, list) else []
        label = f"hunt window {_hhmm(start)}–{_hhmm(end)} UTC"
        if score is not None:
            label += f", score {_num(score)}"
        if trig:
            label += ": " + ", ".join(t.replace("_", " ") for t in trig)
        xa, xb = x(max(start, t0)), x(min(end, t1))
        out.append(
            f'<rect data-kind="window" data-start="{_e(_iso(start))}" data-end="{_e(_iso(end))}"'
            f' data-score="{_num(score) if score is not None else ""}" x="{_f(xa)}"'
            f' y="{_f(y(s))}" width="{_f(max(1.0, xb - xa))}" height="{_f(top + ph - y(s))}"'
            ' fill="#3f8f3a" fill-opacity="0.45" stroke="#2e6b2a">'
            f"<title>{_e(label)}</title></rect>"
        )
        if score is not None:
            out.append(
                f'<text x="{_f((xa + xb) / 2)}" y="{_f(y(s) + 14)}" font-size="11"'
                f' font-weight="700" text-anchor="middle" fill="#1d4d1a">{_num(score)}</text>'
            )
    out.append(_hourly_lines(hourly, x, top, ph))
    # Hour ticks.
    hours = span / 3600.0
    every = 1 if hours <= 8 else 2 if hours <= 16 else 3 if hours <= 30 else 6
    t = t0
    dated = False
    while t <= t1:
        if t.hour % every == 0:
            xt = x(t)
            xl = min(max(xt, left + 14.0), left + pw - 14.0)
            out.append(
                f'<line x1="{_f(xt)}" x2="{_f(xt)}" y1="{_f(top + ph)}" y2="{_f(top + ph + 4)}"'
                ' stroke="#555"/>'
                f'<text x="{_f(xl)}" y="{_f(top + ph + 15)}" font-size="10" text-anchor="middle"'
                f' fill="#333">{_hhmm(t)}</text>'
            )
            if not dated or t.hour == 0:
                dated = True
                out.append(
                    f'<text x="{_f(xl)}" y="{_f(top + ph + 27)}" font-size="10"'
                    f' text-anchor="middle" fill="#333">{t.day} {t.strftime("%b")}</text>'
                )
        t += timedelta(hours=1)
    # Sun and target markers along the top.
    marks: list[tuple[datetime, str, str]] = []
    if rise is not None:
        marks.append((rise, f"sunrise {_hhmm(rise)}", "#b8860b"))
    if sets is not None:
        marks.append((sets, f"sunset {_hhmm(sets)}", "#b8860b"))
    if target is not None:
        marks.append((target, f"target {_hhmm(target)}", "#b3261e"))
    placed: list[tuple[float, float, int]] = []
    for when, text, color in sorted(marks, key=lambda m: m[0]):
        if not t0 <= when <= t1:
            continue
        xm = x(when)
        tw = len(text) * 6.2
        lx = min(max(xm, left + tw / 2), left + pw - tw / 2)
        row = 0
        while row < 2 and any(
            r == row and abs(lx - px_) < (tw + pw_) / 2 + 4 for px_, pw_, r in placed
        ):
            row += 1
        placed.append((lx, tw, row))
        ly = top - 14 + row * 11.0
        dash = ' stroke-dasharray="4 3"' if color != "#b3261e" else ""
        out.append(
            f'<line x1="{_f(xm)}" x2="{_f(xm)}" y1="{_f(top)}" y2="{_f(top + ph)}"'
            f' stroke="{color}" stroke-width="1.5"{dash}/>'
            f'<text x="{_f(lx)}" y="{_f(ly)}" font-size="10" text-anchor="middle"'
            f' fill="{color}">{_e(text)}</text>'
        )
    out.append(
        f'<text x="{_f(left - 24)}" y="{_f(top + ph / 2)}" font-size="10" fill="#555"'
        f' transform="rotate(-90 {_f(left - 24)} {_f(top + ph / 2)})" text-anchor="middle">'
        "score</text>"
    )
    out.append("</svg>")
    return "".join(out)


def _band(x: Any, a: datetime, b: datetime, top: float, ph: float, fill: str) -> str:
    if b <= a:
        return ""
    xa, xb = x(a), x(b)
    return (
        f'<rect x="{_f(xa)}" y="{_f(top)}" width="{_f(xb - xa)}" height="{_f(ph)}" fill="{fill}"/>'
    )


_SERIES_COLORS = ("#b3261e", "#3b6fb6", "#7b3fa0", "#e07b00", "#00796b")


def _hourly_lines(
    hourly: list[tuple[datetime, dict[str, float]]], x: Any, top: float, ph: float
) -> str:
    """Each numeric hourly series as a line scaled to its own range (labelled min–max)."""
    if len(hourly) < 2:
        return ""
    keys: list[str] = []
    for _, values in hourly:
        for k in values:
            if k not in keys:
                keys.append(k)
    out: list[str] = []
    for i, key in enumerate(keys[: len(_SERIES_COLORS)]):
        pts = [(t, v[key]) for t, v in hourly if key in v]
        if len(pts) < 2:
            continue
        lo, hi = min(v for _, v in pts), max(v for _, v in pts)
        if key == "movement_score":  # the v2 score shares the chart's 0-10 axis
            lo, hi = 0.0, 10.0
        rng = hi - lo or 1.0
        d = " ".join(f"{_f(x(t))},{_f(top + ph - ph * (v - lo) / rng)}" for t, v in pts)
        color = _SERIES_COLORS[i]
        out.append(
            f'<polyline data-kind="hourly" data-series="{_e(key)}" points="{d}" fill="none"'
            f' stroke="{color}" stroke-width="1.5"><title>{_e(key)}: {_num(lo, 2)} – '
            f"{_num(hi, 2)}</title></polyline>"
        )
    return "".join(out)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _windows_list(p: Mapping[str, Any], names: Mapping[str, str]) -> str:
    rows = []
    spans = [
        (w, start, end)
        for w in _list(p.get("hunt_windows"))
        if (start := _time(w.get("start"))) is not None and (end := _time(w.get("end"))) is not None
    ]
    # Windows ranked by worth over a 48 h forecast repeat their hours ("21:00–22:50" twice):
    # once they fall on more than one day, each says its day.
    dated = len({start.date() for _, start, _ in spans}) > 1
    for w, start, end in spans:
        score = _float(w.get("score"))
        trig = w.get("triggers")
        triggers = [t for t in trig if isinstance(t, str)] if isinstance(trig, list) else []
        day = f"{_day(start)} " if dated else ""
        rows.append(
            f"<li><b>{day}{_hhmm(start)}–{_hhmm(end)}</b>"
            + (f" score <b>{_num(score)}</b>" if score is not None else "")
            + (
                f' <span class="muted">({_e(", ".join(t.replace("_", " ") for t in triggers))})'
                "</span>"
                if triggers
                else ""
            )
            + _window_stand(w, names)
            + "</li>"
        )
    keys = "shaded green: hunt windows (height = score); pale: legal light; white: daylight"
    if not rows:
        return f'<p class="muted">No hunt windows in this prediction. {keys}.</p>'
    return f'<ul>{"".join(rows)}</ul><div class="muted" style="font-size:11px">{keys}</div>'


def _window_stand(w: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """v2: the stand to sit in a window and why (nothing for a v1 window)."""
    out = ""
    if "best_stand_id" in w:
        best = _text(w.get("best_stand_id"))
        if best is None:
            out += ' · <span class="muted">no stand suits</span>'
        else:
            name = names.get(best)
            out += f" · sit <b>{_e(best)}</b>" + (f" ({_e(name)})" if name else "")
    reason = _text(w.get("reason"))
    if reason:
        out += f'<br><span class="muted">{_e(reason)}</span>'
    return out


# --------------------------------------------------------------------------- hour by hour


@dataclass(frozen=True, slots=True)
class _Hour:
    index: int  # position in the published ``hourly`` list: stand ratings align with it
    start: datetime
    end: datetime
    score: float | None
    level: str | None
    wind_from: float | None
    wind_ms: float | None
    legal: bool
    triggers: tuple[str, ...]
    best: str | None


def _hours(p: Mapping[str, Any]) -> list[_Hour] | None:
    """The v2 ``hourly`` entries; None when there is no such list (a v1 prediction) or
    its entries are not v2 hours (a bare series, charted on the timeline only)."""
    raw = p.get("hourly")
    if not isinstance(raw, list):
        return None
    out: list[_Hour] = []
    for i, h in enumerate(raw):
        if not isinstance(h, Mapping) or not isinstance(h.get("legal_light"), bool):
            continue
        start = _time(h.get("start"))
        if start is None:
            continue
        end = _time(h.get("end"))
        if end is None or end < start:
            end = start + timedelta(hours=1)
        wind_from = _float(h.get("wind_from_deg"))
        trig = h.get("triggers")
        out.append(
            _Hour(
                i,
                start,
                end,
                _float(h.get("movement_score")),
                _text(h.get("activity_level")),
                None if wind_from is None else wind_from % 360.0,
                _float(h.get("wind_ms")),
                h["legal_light"],
                tuple(t for t in trig if isinstance(t, str)) if isinstance(trig, list) else (),
                _text(h.get("best_stand_id")),
            )
        )
    return out if out or not raw else None


def _rated_names(p: Mapping[str, Any]) -> dict[str, str]:
    """Names of the hunter's rated stands by id (v2), for labels next to an id."""
    out: dict[str, str] = {}
    for r in _list(p.get("stand_ratings")):
        sid, name = _text(r.get("stand_id")), _text(r.get("name"))
        if sid is not None and name is not None and name != sid:
            out.setdefault(sid, name)
    return out


def _rating_rows(p: Mapping[str, Any]) -> dict[str, list[float | None]]:
    out: dict[str, list[float | None]] = {}
    for r in _list(p.get("stand_ratings")):
        sid, ratings = _text(r.get("stand_id")), r.get("ratings")
        if sid is not None and isinstance(ratings, list):
            out.setdefault(sid, [_float(v) for v in ratings])
    return out


def _window_spans(p: Mapping[str, Any]) -> list[tuple[datetime, datetime]]:
    out = []
    for w in _list(p.get("hunt_windows")):
        start, end = _time(w.get("start")), _time(w.get("end"))
        if start is not None and end is not None and end >= start:
            out.append((start, end))
    return out


def _day(t: datetime) -> str:
    return f"{t.strftime('%a')} {t.day} {t.strftime('%b')}"


def _wind_text(from_deg: float | None, speed: float | None) -> str:
    bits = []
    if from_deg is not None:
        bits.append(f"{_num(from_deg, 0)}° {compass_point(from_deg)}")
    if speed is not None:
        bits.append(f"{_num(speed)} m/s")
    return ", ".join(bits)


def _hours_card(
    p: Mapping[str, Any], hours: list[_Hour] | None, names: Mapping[str, str]
) -> str | None:
    """v2: one row per legal-light hour: score, wind, triggers, the stand to sit."""
    if hours is None:
        return None
    head = '<section class="card" data-kind="hours"><h2>Hour by hour (UTC)</h2>'
    legal = [h for h in hours if h.legal]
    if not legal:
        msg = "No legal-light hours in this forecast." if hours else "No hourly forecast."
        return f'{head}<p class="muted">{msg}</p></section>'
    windows = _window_spans(p)
    ratings = _rating_rows(p)
    rows: list[str] = []
    day = ""
    for h in legal:
        if _day(h.start) != day:
            day = _day(h.start)
            rows.append(f'<tr class="day"><th colspan="5">{day}</th></tr>')
        in_window = any(h.start < we and h.end > ws for ws, we in windows)
        if h.score is None:
            score = '<span class="muted">–</span>'
        else:
            width = round(40 * max(0.0, min(10.0, h.score)) / 10.0)
            score = (
                f'{_num(h.score)} <i class="bar" style="width:{width}px;background:#3f8f3a">'
                "</i>" + (f' <span class="muted">{_e(h.level)}</span>' if h.level else "")
            )
        wind_text = _wind_text(h.wind_from, h.wind_ms)
        wind = _e(wind_text) if wind_text else '<span class="muted">no data</span>'
        triggers = ", ".join(t.replace("_", " ") for t in h.triggers)
        if h.best is None:
            sit = '<span class="muted">none suits</span>'
        else:
            row = ratings.get(h.best, [])
            rating = row[h.index] if h.index < len(row) else None
            name = names.get(h.best)
            sit = (
                f'<b title="{_e(name)}">{_e(h.best)}</b>' if name else f"<b>{_e(h.best)}</b>"
            ) + (f' <span class="muted">{_num(rating)}/10</span>' if rating is not None else "")
        rows.append(
            f'<tr data-kind="hour" data-start="{_e(_iso(h.start))}" data-end="{_e(_iso(h.end))}"'
            f' data-score="{_num(h.score) if h.score is not None else ""}"'
            f' data-best-stand="{_e(h.best or "")}" data-window="{1 if in_window else 0}"'
            + (' class="win"' if in_window else "")
            + f'><td class="nw">{_hhmm(h.start)}–{_hhmm(h.end)}</td><td class="num">{score}</td>'
            f'<td class="nw">{wind}</td><td>{_e(triggers)}</td><td>{sit}</td></tr>'
        )
    dark = len(hours) - len(legal)
    note = "Green rows fall in a hunt window. Sit: the best stand that hour (its rating)."
    if dark:
        note += f" {dark} hour{'s' if dark != 1 else ''} outside legal light not shown."
    return (
        f"{head}<table><tr><th>hour</th><th>movement</th><th>wind from</th><th>triggers</th>"
        f"<th>sit</th></tr>{''.join(rows)}</table>"
        f'<div class="muted" style="font-size:11px">{_e(note)}</div></section>'
    )


# --------------------------------------------------------------------------- your stands


def _your_stands_card(p: Mapping[str, Any], hours: Sequence[_Hour]) -> str | None:
    """v2: each rated stand of the hunter's: travel zone, good winds, its bad hours."""
    rated = [r for r in _list(p.get("stand_ratings")) if _text(r.get("stand_id"))]
    if not rated:
        return None
    by_index = {h.index: h for h in hours}
    multi_day = len({h.start.date() for h in hours}) > 1

    def when(i: int) -> str:
        h = by_index.get(i)
        if h is None:
            return f"hour {i + 1}"
        if multi_day:
            return f"{h.start.day} {h.start.strftime('%b')} {_hhmm(h.start)}"
        return _hhmm(h.start)

    def until(i: int) -> str:
        h = by_index.get(i)
        return "" if h is None else f"–{_hhmm(h.end)}"

    blocks = []
    for r in rated:
        sid = str(r["stand_id"])
        name = _text(r.get("name"))
        raw_good = r.get("good_winds")
        good = (
            [w for w in dict.fromkeys(raw_good) if isinstance(w, str) and w in COMPASS_16]
            if isinstance(raw_good, list)
            else []
        )
        raw_r, raw_why = r.get("ratings"), r.get("reasons")
        ratings = [_float(v) for v in raw_r] if isinstance(raw_r, list) else []
        reasons = [_text(v) for v in raw_why] if isinstance(raw_why, list) else []
        reasons += [None] * (len(ratings) - len(reasons))
        # Bad hours in a row with the same rating and reason are one line ("4 Dec
        # 11:54–22:00, 11 h"): a stand whose wind sits wrong all day is one fact, not eleven.
        runs: list[tuple[int, int, float, str]] = []  # first, last hour index, rating, why
        unrated: dict[str, list[str]] = {}
        sit = 0
        judged = 0
        for i, (rating, why) in enumerate(zip(ratings, reasons, strict=False)):
            if rating is None:
                if why:
                    unrated.setdefault(why, []).append(when(i))
                continue
            judged += 1
            if rating >= SIT_RATING:
                sit += 1
            elif runs and runs[-1][1] == i - 1 and runs[-1][2:] == (rating, why or ""):
                runs[-1] = (runs[-1][0], i, rating, why or "")
            else:
                runs.append((i, i, rating, why or ""))
        bad = [
            f'<li data-kind="bad-hour" data-stand="{_e(sid)}" data-hours="{last - first + 1}">'
            f"<b>{_e(when(first))}{_e(until(last) if last > first else '')}</b>"
            f"{f' ({last - first + 1} h)' if last > first else ''}"
            f' <span class="neg">{_num(rating)}/10</span> {_e(why)}</li>'
            for first, last, rating, why in runs
        ]
        travel = _float(r.get("travel_zone_m"))
        facts = [
            f"travel zone {_num(travel, 0)} m away"
            if travel is not None
            else "distance to a travel zone unknown"
        ]
        if judged:
            facts.append(f"worth sitting (≥ {_num(SIT_RATING)}) in {sit} of {judged} rated hours")
        winds = ", ".join(good) if good else "none"
        body = [
            f"<b>{_e(name or sid)}</b>"
            + (f' <span class="muted">{_e(sid)}</span>' if name else ""),
            f"<div>{_e(' · '.join(facts))}</div>",
            f"<div>good winds (blowing from): {_e(winds)}</div>",
        ]
        if bad:
            body.append(f"<div>bad hours:</div><ul>{''.join(bad)}</ul>")
        elif judged:
            body.append('<div class="pos">no bad hours</div>')
        for why, at in unrated.items():
            body.append(f'<div class="muted">not rated {_e(", ".join(at))}: {_e(why)}</div>')
        blocks.append(
            f'<div class="rated" data-kind="rated-stand" data-stand="{_e(sid)}">'
            f"{_good_winds_rose(sid, good)}<div>{''.join(body)}</div></div>"
        )
    return (
        '<section class="card"><h2>Your stands</h2>'
        + "".join(blocks)
        + '<div class="muted" style="font-size:11px">Rose: green sectors are the winds that'
        " keep the stand's scent off every bedding and travel zone. Bad hours: rated below"
        f" {_num(SIT_RATING)}/10 (all times UTC).</div></section>"
    )


def _good_winds_rose(sid: str, good: Sequence[str]) -> str:
    """A 16-sector compass rose, good wind sectors (wind blowing from there) in green."""
    size, r = 84.0, 30.0
    c = size / 2.0

    def at(bearing: float, radius: float) -> tuple[float, float]:
        b = math.radians(bearing)
        return c + radius * math.sin(b), c - radius * math.cos(b)

    parts = [
        f'<svg data-kind="rose" data-stand="{_e(sid)}" data-good="{_e(" ".join(good))}"'
        f' viewBox="0 0 {_f(size)} {_f(size)}" width="{_f(size)}" height="{_f(size)}"'
        f' role="img" aria-label="{_e(f"good winds for {sid}: " + (", ".join(good) or "none"))}"'
        ' style="flex:none">'
    ]
    for i, point in enumerate(COMPASS_16):
        x1, y1 = at((i - 0.5) * COMPASS_SECTOR_DEG, r)
        x2, y2 = at((i + 0.5) * COMPASS_SECTOR_DEG, r)
        ok = point in good
        title = f"wind from {point}: " + ("keeps scent off the zones" if ok else "not good")
        parts.append(
            f'<path data-sector="{point}" data-good="{1 if ok else 0}"'
            f' d="M{_f(c)},{_f(c)}L{_f(x1)},{_f(y1)}A{_f(r)},{_f(r)} 0 0 1 {_f(x2)},{_f(y2)}Z"'
            f' fill="{"#3f8f3a" if ok else "#e6e1d6"}" stroke="#fff" stroke-width="1">'
            f"<title>{_e(title)}</title></path>"
        )
    for i, point in enumerate(("N", "E", "S", "W")):
        x, y = at(i * 90.0, r + 7.0)
        parts.append(
            f'<text x="{_f(x)}" y="{_f(y + 3.5)}" font-size="10" text-anchor="middle"'
            f' fill="#333">{point}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- text cards


def _header(p: Mapping[str, Any], rid: str) -> str:
    sub = [_e(rid)]
    target = _time(p.get("target_time"))
    if target is not None:
        sub.append(f"target {target.strftime('%Y-%m-%d %H:%M')} UTC")
    lat, lon = _float(p.get("lat")), _float(p.get("lon"))
    if lat is not None and lon is not None:
        sub.append(f"{lat:.5f}, {lon:.5f}")
    hunter = _text(p.get("hunter_id"))
    if hunter:
        sub.append(f"hunter {_e(hunter)}")
    kpis = []
    score = _float(p.get("movement_score"))
    if score is not None:
        level = _text(p.get("activity_level"))
        kpis.append(f"movement <b>{_num(score)}</b>/10" + (f" ({_e(level)})" if level else ""))
    conf = _float(p.get("confidence"))
    if conf is not None:
        kpis.append(f"confidence <b>{round(conf * 100)}%</b>")
    phase = _text(p.get("rut_phase"))
    if phase:
        kpis.append(f"rut phase <b>{_e(phase.replace('_', ' '))}</b>")
    if p.get("replay") is True:
        kpis.append("<b>replay</b>")
    return (
        "<header><h1>Deer movement prediction</h1>"
        f'<p class="sub">{" · ".join(sub)}</p>'
        '<div class="kpis">'
        + "".join(f'<span class="kpi">{k}</span>' for k in kpis)
        + "</div></header>"
    )


def _factors_card(p: Mapping[str, Any]) -> str:
    factors = _list(p.get("factors"))
    if not factors:
        return '<section class="card"><h2>Why</h2><p class="muted">No factors.</p></section>'
    biggest = max((abs(_float(f.get("effect")) or 0.0) for f in factors), default=0.0) or 1.0
    rows = []
    for f in factors:
        name = (_text(f.get("name")) or "?").replace("_", " ")
        value = _text(f.get("value")) or ""
        effect = _float(f.get("effect"))
        if effect is None:
            cls, shown, bar = "zero", "", ""
        else:
            cls = "pos" if effect > 0 else "neg" if effect < 0 else "zero"
            shown = f"{effect:+.1f}" if effect else "0 (info)"
            width = round(60 * abs(effect) / biggest)
            color = "#2e7d32" if effect > 0 else "#b3261e"
            bar = f'<i class="bar" style="width:{width}px;background:{color}"></i>' if width else ""
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{_e(value)}</td>"
            f'<td class="num {cls}">{_e(shown)}</td><td>{bar}</td></tr>'
        )
    return (
        '<section class="card"><h2>Why: the factors behind the score</h2><table>'
        "<tr><th>factor</th><th>value</th><th>effect</th><th></th></tr>"
        + "".join(rows)
        + "</table></section>"
    )


def _stands_card(stands: Sequence[_Stand], wind: _Wind) -> str:
    if not stands:
        return (
            '<section class="card"><h2>Stands</h2>'
            '<p class="muted">No stands in this prediction.</p></section>'
        )
    rows = []
    for s in stands:
        c = _cone(s, wind)
        cone = (
            f"toward {_num(c.bearing, 0)}° ({compass_point(c.bearing)}), {_num(c.length_m, 0)} m,"
            f" ±{_num(c.half_width, 0)}°"
            if c is not None
            else "no wind"
        )
        wf = f"{_num(c.wind_from, 0)}° ({compass_point(c.wind_from)})" if c is not None else "–"
        rows.append(
            f"<tr><td><b>{_e(s.sid)}</b></td><td>{s.kind}</td><td>{wf}</td><td>{cone}</td>"
            f"<td>{_e(s.reason)}</td></tr>"
        )
    speed_note = (
        f"Cones use the target hour's wind speed ({_num(wind.speed_ms)} m/s): length"
        " min(450, 80 + 45 × wind) m."
        if wind.speed_ms is not None
        else "Wind speed unknown: cones are drawn for calm air (80 m, ±55°)."
    )
    return (
        '<section class="card"><h2>Stands and scent cones</h2><table>'
        "<tr><th>stand</th><th>role</th><th>wind from</th><th>scent cone</th><th>why</th></tr>"
        + "".join(rows)
        + f'</table><div class="muted" style="font-size:11px">{_e(speed_note)}</div></section>'
    )


def _quality_card(p: Mapping[str, Any]) -> str:
    items = []
    dq = p.get("data_quality")
    if isinstance(dq, Mapping):
        for name, q in dq.items():
            if not isinstance(q, Mapping):
                continue
            status = _text(q.get("status")) or "?"
            age = _float(q.get("age_s"))
            reason = _text(q.get("reason"))
            extra = []
            if age is not None:
                extra.append(_age(age) + " old")
            if reason:
                extra.append(reason)
            cls = "neg" if status in ("missing", "stale") else ""
            items.append(
                f'<li><b>{_e(name)}</b>: <span class="{cls}">{_e(status)}</span>'
                + (f' <span class="muted">({_e(", ".join(extra))})</span>' if extra else "")
                + "</li>"
            )
    notes = (
        [n for n in p.get("notes", []) if isinstance(n, str)]
        if isinstance(p.get("notes"), list)
        else []
    )
    if not items and not notes:
        return ""
    body = f"<ul>{''.join(items)}</ul>" if items else ""
    if notes:
        body += "<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"
    return f'<section class="card"><h2>Data behind it</h2>{body}</section>'


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{_num(seconds)} s"
    if seconds < 5400:
        return f"{_num(seconds / 60.0, 0)} min"
    if seconds < 172800:
        return f"{_num(seconds / 3600.0)} h"
    return f"{_num(seconds / 86400.0)} d"


def _footer(p: Mapping[str, Any]) -> str:
    bits = []
    for key, label in (
        ("prediction_id", "prediction"),
        ("model_version", "model"),
        ("produced_at", "produced"),
    ):
        v = _text(p.get(key))
        if v:
            bits.append(f"{label} {_e(v)}")
    return f"<footer>{' · '.join(bits)}</footer>" if bits else ""
