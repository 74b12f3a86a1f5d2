"""The hour-by-hour forecast over the request's horizon, and hunt windows: its peaks.

Every hour from the target time on (never before it) to the horizon gets a 0–10 score: the
movement curve (``deerstream.engine.curve``) × the weather's effect on the activity level × how well
the hour's wind suits the best stand × triggers (a cold front, stable thermals at dawn or
dusk). A window is a contiguous run of hours of one local solar day whose score is within
``PEAK_MARGIN`` of that day's peak and at least ``GOOD_HOUR_SCORE``; runs shorter than
``MIN_WINDOW_S`` are dropped. Windows are ranked by what they are worth — the score above
the threshold summed over their hours (hour-weighted) — not by an average that would let a
two-minute sliver win; the best three are kept. A window's worth falls by
``LEAD_DISCOUNT_PER_DAY`` for each day it lies after the scan's start: the forecast for
tomorrow holds better than the one for the day after, and the next sit is the one a hunter
plans, so a later window has to be clearly better to push a sooner one out (two near-equal
dawns on consecutive days keep the first).
Dawn and dusk come out as separate windows because the hours between them score lower,
unless those hours truly score as high.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Final

from deerstream.engine.activity import (
    _MIDDAY_S,
    _TWILIGHT_S,
    DEEP_NIGHT_HOURS,
    LEVEL_VALUES,
    MIDDAY_LEVELS,
    DayPeriod,
    weather_level,
)
from deerstream.engine.curve import (
    DAY_BASELINE,
    DAY_BASELINE_DEFAULT,
    DEEP_NIGHT_BASELINE,
    NIGHT_BASELINE,
    PEAK_HALF_WIDTH_S,
)
from deerstream.engine.curve import DEEP_NIGHT_HOURS as CURVE_DEEP_NIGHT_HOURS
from deerstream.engine.season import RUT_PHASES
from deerstream.engine.solar import LEGAL_LIGHT_MARGIN, SolarDay, compute_solar_day
from deerstream.engine.stands import STRONG_WIND_MS
from deerstream.engine.weather import HourlyWeather
from deerstream.models.geo import radians, round_places
from deerstream.models.records import ActivityLevel, HuntWindow, RutPhase, Stand, StandRating

#: Default horizon of the scan (the request's ``horizon_h``, 1..72, overrides it).
SCAN_HOURS: Final = 24
BEST_WINDOWS: Final = 3
#: An hour is worth hunting at or above this score (0–10)...
GOOD_HOUR_SCORE: Final = 5.0
#: ...and when it is within this of its solar day's peak.
PEAK_MARGIN: Final = 1.5
#: A window shorter than this (a clipped run at the edge of legal light) is dropped.
MIN_WINDOW_S: Final = 30 * 60.0
#: A window's worth falls by this fraction per day of lead, pro rata, from the scan's first
#: hour (the requested time) to the window's start (at most 30 % over the 72 h horizon), so
#: near-equal windows rank sooner first. The hourly sampling alone moves near-identical
#: days' worth by up to about 9 % (sunrise drifts across the hour slots): of the 76 rut
#: requests with a 48 h horizon in test_hunt_windows_field, 31 lost tomorrow's dawn or dusk
#: with no discount, 1 with 5–8 %, none from 9 %.
LEAD_DISCOUNT_PER_DAY: Final = 0.10
#: Wind alignment when it cannot be judged (no stand, or no wind for that hour).
UNKNOWN_ALIGNMENT: Final = 0.75
#: Trigger multipliers.
FRONT_TRIGGER_STRENGTH: Final = 0.3
FRONT_MULTIPLIER: Final = 1.15
THERMAL_MULTIPLIER: Final = 1.1
_LEGAL_S: Final = LEGAL_LIGHT_MARGIN.total_seconds()
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


class HourScore:
    """The score of one scanned hour, POSIX seconds; ``day`` is the ordinal of its local
    solar day (windows never span two). A legal-light hour is clipped to legal light; the
    rest (``legal`` False) are whole hours, kept for the hourly forecast only. ``rise_ts``
    and ``set_ts`` are the day's sunrise and sunset (None in polar day or night), for the
    thermals at each stand. ``aligned`` is the stand the alignment factor came from.

    A plain class (equal when every field is; not hashable): compiled, it is built and read
    without the interpreter, where a NamedTuple's ``__new__`` is Python code; the scan
    builds one per hour of every prediction."""

    def __init__(
        self,
        start_ts: float,
        end_ts: float,
        score: float,
        triggers: tuple[str, ...],
        day: int = 0,
        legal: bool = True,
        level: ActivityLevel = ActivityLevel.MODERATE,
        wind_from: float | None = None,
        wind_ms: float | None = None,
        rise_ts: float | None = None,
        set_ts: float | None = None,
        aligned: int = -1,  # index of the stand whose wind suits the hour best; -1 when none
    ) -> None:
        self.start_ts = start_ts
        self.end_ts = end_ts
        self.score = score
        self.triggers = triggers
        self.day = day
        self.legal = legal
        self.level = level
        self.wind_from = wind_from
        self.wind_ms = wind_ms
        self.rise_ts = rise_ts
        self.set_ts = set_ts
        self.aligned = aligned

    def fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _HOUR_FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HourScore):
            return NotImplemented
        return self.fields() == other.fields()

    def __repr__(self) -> str:
        pairs = ", ".join(f"{k}={v!r}" for k, v in zip(_HOUR_FIELDS, self.fields(), strict=True))
        return f"HourScore({pairs})"


#: ``HourScore``'s fields in constructor order (equality and repr; tests only).
_HOUR_FIELDS: Final = (
    "start_ts",
    "end_ts",
    "score",
    "triggers",
    "day",
    "legal",
    "level",
    "wind_from",
    "wind_ms",
    "rise_ts",
    "set_ts",
    "aligned",
)


class _Day:
    """What the scan reads from a solar day: sunrise, sunset, noon (POSIX s), polar, and
    legal light in whole seconds (both 0 in polar day or night: the scan sets them)."""

    def __init__(
        self,
        rise: float | None,
        set_: float | None,
        noon: float,
        polar: str | None,
        legal_start: float,
        legal_end: float,
    ) -> None:
        self.rise = rise
        self.set_ = set_
        self.noon = noon
        self.polar = polar
        self.legal_start = legal_start
        self.legal_end = legal_end


def _day_facts(day: SolarDay) -> _Day:
    if day.sunrise_ts is not None and day.sunset_ts is not None:
        # Whole seconds, inside legal light: what a hunter reads is 11:52:20, not
        # 11:52:19.897970 (the sun's times themselves stay exact in ``sun``).
        return _Day(
            day.sunrise_ts,
            day.sunset_ts,
            day.noon_ts,
            day.polar,
            float(math.ceil(day.sunrise_ts - _LEGAL_S)),
            float(math.floor(day.sunset_ts + _LEGAL_S)),
        )
    return _Day(day.sunrise_ts, day.sunset_ts, day.noon_ts, day.polar, 0.0, 0.0)


def wind_alignment(wind_from: float | None, stands: Sequence[Stand]) -> float:
    """How well the hour's wind suits the best stand: 1 same wind, 0 opposite."""
    if wind_from is None or not stands:
        return UNKNOWN_ALIGNMENT
    return max((1.0 + math.cos(radians(wind_from - s.wind_from_deg))) / 2.0 for s in stands)


def scan_hours(
    *,
    start: datetime,
    lat: float,
    lon: float,
    phase: RutPhase,
    weather: HourlyWeather | None,
    stands: Sequence[Stand],
    known_day: SolarDay | None = None,
    hours: int = SCAN_HOURS,
    solar_days: Callable[[int, float, float], SolarDay] | None = None,
) -> list[HourScore]:
    """Score each of the next ``hours`` hours from ``start`` (``known_day`` saves a
    recompute; ``solar_days`` is an optional memo of ``compute_solar_day`` by ordinal).

    Works in POSIX seconds: this loop runs up to 72 times per prediction.
    """
    days: dict[int, _Day] = {}
    if known_day is not None:
        days[known_day.day.toordinal()] = _day_facts(known_day)
    slot0 = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    slot0_ts = slot0.timestamp()
    start_ts = start.timestamp()  # the scan never starts before the target time
    i0 = weather.hour_offset(slot0) if weather is not None else 0
    facts_at_index = weather.facts_at_index if weather is not None else None
    lon_shift_s = lon * 240.0  # mean solar time is UTC + lon/15 h
    # Same as wind_alignment, with the stands' winds converted once.
    stand_winds = [radians(s.wind_from_deg) for s in stands]
    # What depends on the phase alone: base_activity and the curve's baselines, unrolled.
    midday = MIDDAY_LEVELS.get(phase, ActivityLevel.LOW)
    shoulder = ActivityLevel.HIGH if midday is ActivityLevel.HIGH else ActivityLevel.MODERATE
    in_rut = phase in RUT_PHASES
    day_baseline = DAY_BASELINE.get(phase, DAY_BASELINE_DEFAULT)
    deep_lo, deep_hi = DEEP_NIGHT_HOURS
    curve_lo, curve_hi = CURVE_DEEP_NIGHT_HOURS
    trigger_sets: dict[tuple[bool, bool, bool, DayPeriod | None], tuple[str, ...]] = {}
    out: list[HourScore] = []
    for h in range(hours):
        slot_ts = slot0_ts + h * 3600.0
        hour_end = slot_ts + 3600.0
        hour_begin = slot_ts if slot_ts > start_ts else start_ts
        if hour_begin >= hour_end:
            continue
        mid_ts = slot_ts + 1800.0
        ordinal = _EPOCH_ORDINAL + int((mid_ts + lon_shift_s) // 86400.0)
        info = days.get(ordinal)
        if info is None:
            info = days[ordinal] = _day_facts(
                solar_days(ordinal, lat, lon)
                if solar_days is not None
                else compute_solar_day(date.fromordinal(ordinal), lat, lon)
            )
        rise, set_, noon_ts, polar = info.rise, info.set_, info.noon, info.polar
        legal_start, legal_end = info.legal_start, info.legal_end
        if rise is None or set_ is None:
            if polar == "day":
                legal_start, legal_end = slot_ts, hour_end
            else:
                legal_start = legal_end = slot_ts  # polar night: no legal light
        begin_ts = hour_begin if hour_begin > legal_start else legal_start
        end_ts = hour_end if hour_end < legal_end else legal_end
        legal = begin_ts < end_ts
        if not legal:
            begin_ts, end_ts = hour_begin, hour_end
        solar_hour = (12.0 + (mid_ts - noon_ts) / 3600.0) % 24.0
        # classify_period_ts, base_activity and movement_curve, unrolled (test_windows
        # checks the scan against them).
        if rise is None or set_ is None:
            if polar == "day":
                period, base, curve = DayPeriod.MIDDAY, midday, day_baseline
            else:
                period = DayPeriod.NIGHT
                deep = not in_rut and deep_lo <= solar_hour < deep_hi
                base = ActivityLevel.LOW if deep else ActivityLevel.MODERATE
                curve = (
                    DEEP_NIGHT_BASELINE
                    if not in_rut and curve_lo <= solar_hour < curve_hi
                    else NIGHT_BASELINE
                )
        else:
            to_rise = abs(mid_ts - rise)
            to_set = abs(mid_ts - set_)
            if to_rise <= _TWILIGHT_S:
                period, base = DayPeriod.DAWN, ActivityLevel.HIGH
            elif to_set <= _TWILIGHT_S:
                period, base = DayPeriod.DUSK, ActivityLevel.HIGH
            elif mid_ts < rise or mid_ts > set_:
                period = DayPeriod.NIGHT
                deep = not in_rut and deep_lo <= solar_hour < deep_hi
                base = ActivityLevel.LOW if deep else ActivityLevel.MODERATE
            elif mid_ts < rise + _MIDDAY_S:
                period, base = DayPeriod.MORNING, shoulder
            elif mid_ts > set_ - _MIDDAY_S:
                period, base = DayPeriod.AFTERNOON, shoulder
            else:
                period, base = DayPeriod.MIDDAY, midday
            if rise <= mid_ts <= set_:
                floor = day_baseline
            elif not in_rut and curve_lo <= solar_hour < curve_hi:
                floor = DEEP_NIGHT_BASELINE
            else:
                floor = NIGHT_BASELINE
            x = (to_rise if to_rise < to_set else to_set) / PEAK_HALF_WIDTH_S
            bump = 1.0 - x * x
            curve = floor + (1.0 - floor) * (bump if bump > 0.0 else 0.0)
        wx = facts_at_index(i0 + h) if facts_at_index is not None else None
        level = weather_level(base, period, wx)
        # The weather moves the level; on the curve it acts as the ratio of level values.
        weather_factor = LEVEL_VALUES[level] / LEVEL_VALUES[base]
        twilight = period is DayPeriod.DAWN or period is DayPeriod.DUSK
        mult = 1.0
        front = thermals = False
        wind_from = wind_ms = None
        if wx is not None:
            wind_from, wind_ms = wx.wind_from_deg, wx.wind_speed_ms
            if wx.front.detected and wx.front.strength >= FRONT_TRIGGER_STRENGTH:
                front = True
                mult *= FRONT_MULTIPLIER
            if twilight and wind_ms is not None and wind_ms <= STRONG_WIND_MS:
                thermals = True
                mult *= THERMAL_MULTIPLIER
        # The same few trigger tuples recur hour after hour: each is built once per scan.
        key = (legal, front, thermals, period if twilight else None)
        triggers = trigger_sets.get(key)
        if triggers is None:
            triggers = trigger_sets[key] = _triggers(legal, front, thermals, period, twilight)
        if wind_from is None or not stand_winds:
            align, aligned = UNKNOWN_ALIGNMENT, -1
        else:
            w = radians(wind_from)
            fits = [(1.0 + math.cos(w - s)) / 2.0 for s in stand_winds]
            align = max(fits)
            aligned = fits.index(align)  # the first stand whose wind suits the hour best
        score = min(10.0, 10.0 * min(1.0, curve * weather_factor) * align * mult)
        out.append(
            HourScore(
                begin_ts,
                end_ts,
                score,
                triggers,
                ordinal,
                legal,
                level,
                wind_from,
                wind_ms,
                rise,
                set_,
                aligned,
            )
        )
    return out


def _triggers(
    legal: bool, front: bool, thermals: bool, period: DayPeriod, twilight: bool
) -> tuple[str, ...]:
    """An hour's triggers, in their fixed order."""
    out = ["legal_light"] if legal else []
    if front:
        out.append("cold_front")
    if thermals:
        out.append("stable_thermals")
    if twilight:
        out.append(period.value)
    return tuple(out)


def merge_windows(hours: Sequence[HourScore], count: int = BEST_WINDOWS) -> tuple[HuntWindow, ...]:
    """The peaks of the scored hours as windows, the ``count`` most worth sitting."""
    origin = hours[0].start_ts if hours else 0.0
    hours = [h for h in hours if h.legal]
    peaks: dict[int, float] = {}
    for hour in hours:
        peaks[hour.day] = max(peaks.get(hour.day, 0.0), hour.score)
    runs: list[list[HourScore]] = []
    for hour in hours:
        threshold = max(GOOD_HOUR_SCORE, peaks[hour.day] - PEAK_MARGIN)
        if hour.score < threshold:
            continue
        last = runs[-1][-1] if runs else None
        if last is not None and last.end_ts == hour.start_ts and last.day == hour.day:
            runs[-1].append(hour)
        else:
            runs.append([hour])
    ranked: list[tuple[float, HuntWindow]] = []
    for run in runs:
        if run[-1].end_ts - run[0].start_ts < MIN_WINDOW_S:
            continue
        threshold = max(GOOD_HOUR_SCORE, peaks[run[0].day] - PEAK_MARGIN)
        # Score above the threshold, hour-weighted (+0.1 so an hour at the threshold counts).
        worth = sum((h.score - threshold + 0.1) * (h.end_ts - h.start_ts) / 3600.0 for h in run)
        worth *= 1.0 - LEAD_DISCOUNT_PER_DAY * (run[0].start_ts - origin) / 86400.0
        triggers = sorted({t for h in run for t in h.triggers})
        start = datetime.fromtimestamp(run[0].start_ts, UTC)
        end = datetime.fromtimestamp(run[-1].end_ts, UTC)
        score = max(h.score for h in run)
        ranked.append((worth, HuntWindow(start, end, round_places(score, 2), tuple(triggers))))
    ranked.sort(key=lambda item: (-item[0], item[1].start))
    return tuple(window for _, window in ranked[:count])


def utc_hhmm(ts: float) -> str:
    """``f"{datetime.fromtimestamp(ts, UTC):%H:%M}"`` by arithmetic: the instant rounded to
    the microsecond the same way (half to even), then its minute of the UTC day."""
    frac, whole = math.modf(ts)
    micros = round(frac * 1e6)
    if micros >= 1_000_000:
        whole += 1.0
    elif micros < 0:
        whole -= 1.0
    minute = int(whole // 60.0) % 1440
    return f"{minute // 60:02d}:{minute % 60:02d}"


def explain_windows(
    windows: Sequence[HuntWindow],
    hours: Sequence[HourScore],
    best: Sequence[str | None],
    ratings: Sequence[StandRating] = (),
) -> tuple[HuntWindow, ...]:
    """Each window with the stand to sit (the one most hours of the window name, ties to
    the earliest) and why it is a window: its kind, peak hour and the stand's reason."""
    by_id = {r.stand_id: r for r in ratings}
    out: list[HuntWindow] = []
    for w in windows:
        lo, hi = w.start.timestamp(), w.end.timestamp()
        inside = [i for i, h in enumerate(hours) if h.legal and lo <= h.start_ts < hi]
        counts: dict[str, int] = {}
        for i in inside:
            named = best[i]
            if named is not None:
                counts[named] = counts.get(named, 0) + 1
        stand_id = max(counts, key=lambda k: counts[k]) if counts else None
        peak = max(inside, key=lambda i: hours[i].score) if inside else None
        kind = (
            "dawn and dusk together"
            if {"dawn", "dusk"} <= set(w.triggers)
            else "dawn"
            if "dawn" in w.triggers
            else "dusk"
            if "dusk" in w.triggers
            else "daylight"
        )
        span_h = (hi - lo) / 3600.0
        why = f"{kind} peak, {span_h:.1f} h"
        if peak is not None:
            why += f": movement {hours[peak].score:.1f} from {utc_hhmm(hours[peak].start_ts)} UTC"
        if "cold_front" in w.triggers:
            why += "; a cold front"
        if stand_id is not None:
            why += f"; sit {stand_id}"
            rating = by_id.get(stand_id)
            if rating is not None and peak is not None and rating.ratings[peak] is not None:
                why += f" (rated {rating.ratings[peak]:.1f}: {rating.reasons[peak]})"
        elif ratings:
            why += "; none of your stands keeps its scent off the deer in this wind"
        out.append(HuntWindow(w.start, w.end, w.score, w.triggers, stand_id, why))
    return tuple(out)
