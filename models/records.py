"""Data records of the event contract and of enrichment.

Pure values: no I/O, no clock reads. Every record is a frozen, slotted dataclass so it
is hashable, cheap to build and safe to share between concurrent tasks; the one sequence
of them, the prediction's hour-by-hour forecast, is held as immutable columns
(``HourlyForecast``) that read as records. Units are SI
throughout (metres, degrees, °C, m/s, hPa, mm, UTC datetimes); adapters convert at the edge.

The wire form (JSON) of requests and predictions is defined by ``deerstream.models.codec`` and the
JSON Schemas under ``schemas/``; this module only holds the shapes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import overload

from deerstream.models.slot_init import slot_init_all

#: Version of the request and prediction JSON contract this code writes. Bump on
#: incompatible changes. Version 2 added the hourly forecast, the hunter's own stands and
#: the regional rut; version-1 requests are still read and answered in the version-1 shape.
SCHEMA_VERSION = 2
#: Every contract version this code reads (and answers in the same version).
SUPPORTED_SCHEMA_VERSIONS = (1, 2)


class RutPhase(enum.StrEnum):
    """Northern-hemisphere whitetail calendar phases; one vocabulary everywhere."""

    EARLY_SEASON = "early_season"
    PRE_RUT = "pre_rut"
    SEEKING = "seeking"
    PEAK_RUT = "peak_rut"
    POST_RUT = "post_rut"
    LATE_SEASON = "late_season"
    OFF_SEASON = "off_season"


class ActivityLevel(enum.StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class SourceStatus(enum.StrEnum):
    """How the data of one enrichment source was obtained for a prediction."""

    FRESH = "fresh"  # fetched from the upstream for this request
    CACHED = "cached"  # served from the cache within its TTL
    STALE = "stale"  # upstream failed; an expired cached copy was served
    MISSING = "missing"  # no data at all


class ObservationType(enum.StrEnum):
    """Scouting observation types (docs/how-prediction-works.md)."""

    SCRAPE = "scrape"
    RUB = "rub"
    BEDDING_AREA = "bedding_area"
    TRAIL_CAMERA = "trail_camera"
    TRACKS = "tracks"
    FEEDING_SIGN = "feeding_sign"
    SIGHTING = "sighting"
    SCAT = "scat"


# --------------------------------------------------------------------------- request


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """What the caller wants computed; everything is on by default."""

    zones: bool = True
    stands: bool = True
    hunt_windows: bool = True
    hourly: bool = True  # v2: the hour-by-hour forecast (and the stands' hourly ratings)


@dataclass(frozen=True, slots=True)
class HunterStand:
    """One of the hunter's own stands (v2): rated hour by hour for the wind."""

    id: str
    lat: float
    lon: float
    name: str | None = None


@dataclass(frozen=True, slots=True)
class PredictionRequest:
    """A prediction request (docs/how-prediction-works.md). Validation lives in
    ``deerstream.models.codec``.

    ``horizon_h``, ``stands`` and ``rut_peak`` are contract version 2; a version-1 request
    has the defaults. ``rut_peak`` is the local peak-breeding date as (month, day).
    """

    request_id: str
    lat: float
    lon: float
    target_time: datetime  # timezone-aware; normalised to UTC by the codec
    radius_m: float = 800.0
    season: RutPhase | None = None
    hunter_id: str | None = None
    options: RequestOptions = field(default_factory=RequestOptions)
    schema_version: int = SCHEMA_VERSION
    horizon_h: int = 24
    stands: tuple[HunterStand, ...] = ()
    rut_peak: tuple[int, int] | None = None


# --------------------------------------------------------------------------- enrichment


@dataclass(frozen=True, slots=True)
class TerrainGrid:
    """A square elevation grid centred on (``center_lat``, ``center_lon``).

    ``elevations_m`` is row-major with ``rows * cols`` entries; row 0 is the northernmost
    row and column 0 the westernmost. Cell (r, c) lies at
    ``lat = center_lat + (rows // 2 - r) * spacing_lat_deg`` and
    ``lon = center_lon + (c - cols // 2) * spacing_lon_deg``.
    A ``None`` entry is a missing value (never filled in).
    """

    center_lat: float
    center_lon: float
    rows: int
    cols: int
    spacing_lat_deg: float
    spacing_lon_deg: float
    elevations_m: tuple[float | None, ...]

    def point(self, r: int, c: int) -> tuple[float, float]:
        """(lat, lon) of cell (r, c)."""
        return (
            self.center_lat + (self.rows // 2 - r) * self.spacing_lat_deg,
            self.center_lon + (c - self.cols // 2) * self.spacing_lon_deg,
        )


@dataclass(frozen=True, slots=True)
class WeatherSeries:
    """Hourly weather around a point; every list is aligned with ``times`` (UTC, hourly).

    Values may be ``None`` where the upstream had no value for that hour.
    """

    lat: float
    lon: float
    times: tuple[datetime, ...]
    temperature_c: tuple[float | None, ...]
    pressure_msl_hpa: tuple[float | None, ...]
    wind_speed_ms: tuple[float | None, ...]
    wind_direction_deg: tuple[float | None, ...]  # direction the wind blows FROM
    wind_gusts_ms: tuple[float | None, ...]
    precipitation_mm: tuple[float | None, ...]
    snow_depth_m: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class ScoutingObservation:
    """One piece of scouting evidence (docs/how-prediction-works.md)."""

    observation_id: str
    type: ObservationType
    lat: float
    lon: float
    observed_at: datetime  # UTC
    confidence: float  # 1..10
    hunter_id: str | None = None
    # Mature-buck indicators; None when not recorded.
    rub_trunk_diameter_cm: float | None = None
    rub_height_cm: float | None = None
    scrape_large: bool | None = None
    licking_branch: bool | None = None
    mature_buck_seen: bool | None = None  # trail camera / sighting of a mature buck


@dataclass(frozen=True, slots=True)
class SourceQuality:
    """Data quality of one source for one prediction."""

    status: SourceStatus
    age_s: float | None = None  # age of the data when used; None when missing
    reason: str | None = None  # why it is stale/missing, e.g. "upstream timeout"


@dataclass(frozen=True, slots=True)
class Enrichment:
    """Everything enrichment found for one request. ``None`` data means missing."""

    terrain: TerrainGrid | None
    weather: WeatherSeries | None
    scouting: tuple[ScoutingObservation, ...] | None
    terrain_quality: SourceQuality
    weather_quality: SourceQuality
    scouting_quality: SourceQuality


# --------------------------------------------------------------------------- prediction


@dataclass(frozen=True, slots=True)
class Zone:
    lat: float
    lon: float
    score: float  # 0..10


@dataclass(frozen=True, slots=True)
class Stand:
    lat: float
    lon: float
    bearing_deg: float  # from the deer movement point to the stand, 0 = north, clockwise
    distance_m: float
    wind_from_deg: float  # the wind this stand is placed for
    reason: str
    primary: bool = True
    id: str = ""  # "P1", "P2", ... (v2): what hourly entries and windows name


@dataclass(frozen=True, slots=True)
class HuntWindow:
    start: datetime
    end: datetime
    score: float  # 0..10
    triggers: tuple[str, ...]
    best_stand_id: str | None = None  # v2: the stand to sit (the hunter's, else proposed)
    reason: str = ""  # v2: why this is a window


@dataclass(frozen=True, slots=True)
class HourForecast:
    """One hour of the hour-by-hour forecast (v2). ``start``/``end`` are the hour, clipped
    to the target time and, for a legal-light hour, to legal light."""

    start: datetime
    end: datetime
    movement_score: float  # 0..10
    activity_level: ActivityLevel
    wind_from_deg: float | None
    wind_ms: float | None
    legal_light: bool
    triggers: tuple[str, ...]
    best_stand_id: str | None


#: ``HourlyForecast``'s columns, in ``HourForecast``'s field order.
_HOURLY_COLUMNS = (
    "start_ts",
    "end_ts",
    "movement_scores",
    "activity_levels",
    "wind_from_deg",
    "wind_ms",
    "legal_light",
    "triggers",
    "best_stand_ids",
)


class HourlyForecast(Sequence[HourForecast]):
    """The hour-by-hour forecast as columns, read as a tuple of ``HourForecast`` records.

    The engine fills one column per field (hour starts and ends in POSIX seconds) and the
    codec writes the columns to JSON as they are; an entry becomes an ``HourForecast`` only
    when it is read. A 72-hour forecast is then 9 columns, not 72 records built and thrown
    away by every prediction the worker produces. Immutable; equal to any sequence of the
    same records (a decoded prediction's tuple among them) and hashed like that tuple.
    """

    __slots__ = (*_HOURLY_COLUMNS, "_rows")
    start_ts: tuple[float, ...]
    end_ts: tuple[float, ...]
    movement_scores: tuple[float, ...]
    activity_levels: tuple[ActivityLevel, ...]
    wind_from_deg: tuple[float | None, ...]
    wind_ms: tuple[float | None, ...]
    legal_light: tuple[bool, ...]
    triggers: tuple[tuple[str, ...], ...]
    best_stand_ids: tuple[str | None, ...]
    _rows: tuple[HourForecast, ...] | None

    def __init__(
        self,
        start_ts: Sequence[float],
        end_ts: Sequence[float],
        movement_scores: Sequence[float],
        activity_levels: Sequence[ActivityLevel],
        wind_from_deg: Sequence[float | None],
        wind_ms: Sequence[float | None],
        legal_light: Sequence[bool],
        triggers: Sequence[tuple[str, ...]],
        best_stand_ids: Sequence[str | None],
    ) -> None:
        columns = (
            start_ts,
            end_ts,
            movement_scores,
            activity_levels,
            wind_from_deg,
            wind_ms,
            legal_light,
            triggers,
            best_stand_ids,
        )
        if len({len(c) for c in columns}) > 1:
            raise ValueError(f"hourly columns differ in length: {[len(c) for c in columns]}")
        for name, column in zip(_HOURLY_COLUMNS, columns, strict=True):
            object.__setattr__(self, name, tuple(column))
        object.__setattr__(self, "_rows", None)

    @classmethod
    def from_rows(cls, rows: Sequence[HourForecast]) -> HourlyForecast:
        """The columns of these records (aware datetimes)."""
        return cls(
            [h.start.timestamp() for h in rows],
            [h.end.timestamp() for h in rows],
            [h.movement_score for h in rows],
            [h.activity_level for h in rows],
            [h.wind_from_deg for h in rows],
            [h.wind_ms for h in rows],
            [h.legal_light for h in rows],
            [h.triggers for h in rows],
            [h.best_stand_id for h in rows],
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"HourlyForecast is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"HourlyForecast is immutable (cannot delete {name!r})")

    def __len__(self) -> int:
        return len(self.start_ts)

    def _row(self, i: int) -> HourForecast:
        return HourForecast(
            datetime.fromtimestamp(self.start_ts[i], UTC),
            datetime.fromtimestamp(self.end_ts[i], UTC),
            self.movement_scores[i],
            self.activity_levels[i],
            self.wind_from_deg[i],
            self.wind_ms[i],
            self.legal_light[i],
            self.triggers[i],
            self.best_stand_ids[i],
        )

    def rows(self) -> tuple[HourForecast, ...]:
        """Every entry as a record (built once, then kept)."""
        rows = self._rows
        if rows is None:
            rows = tuple([self._row(i) for i in range(len(self))])
            object.__setattr__(self, "_rows", rows)
        return rows

    @overload
    def __getitem__(self, index: int) -> HourForecast: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[HourForecast, ...]: ...
    def __getitem__(self, index: int | slice) -> HourForecast | tuple[HourForecast, ...]:
        if isinstance(index, slice):
            return self.rows()[index]
        if self._rows is not None:
            return self._rows[index]
        n = len(self)
        if not -n <= index < n:
            raise IndexError("hourly forecast index out of range")
        return self._row(index % n)

    def __iter__(self) -> Iterator[HourForecast]:
        return iter(self.rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HourlyForecast):
            return all(getattr(self, name) == getattr(other, name) for name in _HOURLY_COLUMNS)
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(other) == len(self) and self.rows() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.rows())

    def __repr__(self) -> str:
        return f"HourlyForecast({list(self.rows())!r})"


@dataclass(frozen=True, slots=True)
class StandRating:
    """How one of the hunter's stands does hour by hour (v2).

    ``ratings`` and ``reasons`` are aligned with the prediction's ``hourly`` list: a rating
    0–10 (None where it cannot be judged: no legal light, no wind, no zones) and why.
    ``good_winds`` are the 16-point compass sectors from which the wind keeps the stand's
    scent off the bedding and travel zones.
    """

    stand_id: str
    name: str | None
    lat: float
    lon: float
    travel_zone_m: float | None  # distance to the best travel zone
    good_winds: tuple[str, ...]
    ratings: tuple[float | None, ...]
    reasons: tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class Factor:
    """One reason behind the score: ``effect`` is the signed contribution (or 0 for info)."""

    name: str
    value: str
    effect: float


@dataclass(frozen=True, slots=True)
class SunTimes:
    sunrise: datetime | None  # None during polar day/night
    sunset: datetime | None
    legal_start: datetime | None
    legal_end: datetime | None


@dataclass(frozen=True, slots=True)
class Prediction:
    """A prediction event. ``prediction_id`` is deterministic (request content + model version)."""

    prediction_id: str
    request_id: str
    model_version: str
    lat: float
    lon: float
    target_time: datetime
    rut_phase: RutPhase
    movement_score: float  # 0..10
    activity_level: ActivityLevel
    confidence: float  # 0..1
    bedding_zones: tuple[Zone, ...]
    feeding_zones: tuple[Zone, ...]
    travel_zones: tuple[Zone, ...]
    stands: tuple[Stand, ...]
    hunt_windows: tuple[HuntWindow, ...]
    factors: tuple[Factor, ...]
    data_quality: dict[str, SourceQuality]  # keys: "terrain", "weather", "scouting"
    sun: SunTimes
    produced_at: datetime
    hunter_id: str | None = None
    notes: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    replay: bool = False
    schema_version: int = SCHEMA_VERSION
    hourly: Sequence[HourForecast] = ()  # v2: an HourlyForecast from the engine
    stand_ratings: tuple[StandRating, ...] = ()  # v2


#: Every record above stores its fields through its slots' descriptors, not
#: ``object.__setattr__`` (``deerstream.models.slot_init``: the same signature, half the
#: cost; the engine builds some thirty records per prediction).
SLOT_INIT_RECORDS = slot_init_all(vars(), __name__)
