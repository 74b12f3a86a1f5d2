"""The records' descriptor-storing ``__init__`` (``deerstream.models.slot_init``) takes
exactly what the ``dataclass``-written one takes and builds the same records."""

from __future__ import annotations

import dataclasses
import inspect
import types
from dataclasses import FrozenInstanceError, InitVar, dataclass, field
from typing import TypeVar

import pytest

from deerstream.engine import BUILD
from deerstream.engine.maps import Maps
from deerstream.engine.season import SeasonResult
from deerstream.engine.stands import StandPlan, Thermal
from deerstream.models import records
from deerstream.models.records import Prediction, PredictionRequest, RequestOptions, Zone
from deerstream.models.slot_init import same_parameters, slot_init
from tests.models.builders import full_prediction

T = TypeVar("T")
#: A field assigned through ``setattr`` (a name the type checker does not see as frozen).
FIELD = "lat"

RECORDS = [
    v
    for v in vars(records).values()
    if isinstance(v, type) and dataclasses.is_dataclass(v) and v.__module__ == records.__name__
]


def test_every_record_has_it() -> None:
    assert set(records.SLOT_INIT_RECORDS) == set(RECORDS)
    assert len(RECORDS) >= 15


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_same_signature_as_the_written_one(cls: type) -> None:
    ours, theirs = inspect.signature(cls.__init__), inspect.signature(cls.__dataclass_init__)
    assert str(ours) == str(theirs)
    assert same_parameters(cls.__init__, cls.__dataclass_init__)


def _rebuilt(obj: T, written: bool) -> T:
    """``obj`` built again from its own field values, by our ``__init__`` or the written one."""
    cls = type(obj)
    values = {
        f.name: _rebuild_value(getattr(obj, f.name), written) for f in dataclasses.fields(obj)
    }
    if not written:
        return cls(**values)
    fresh = object.__new__(cls)
    vars(cls)["__dataclass_init__"](fresh, **values)
    return fresh


def _rebuild_value(value: object, written: bool) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _rebuilt(value, written)
    if isinstance(value, tuple):
        return tuple(_rebuild_value(v, written) for v in value)
    if isinstance(value, dict):
        return {k: _rebuild_value(v, written) for k, v in value.items()}
    return value


def test_builds_the_same_records_as_the_written_one() -> None:
    p = full_prediction()
    ours, theirs = _rebuilt(p, written=False), _rebuilt(p, written=True)
    assert ours == theirs == p
    assert repr(ours) == repr(theirs)
    assert hash(ours.bedding_zones) == hash(theirs.bedding_zones)


def test_positional_keyword_defaults_and_factories() -> None:
    z = Zone(1.0, lon=2.0, score=3.0)
    assert (z.lat, z.lon, z.score) == (1.0, 2.0, 3.0)
    r = PredictionRequest("r", 1.0, 2.0, full_prediction().target_time)
    assert r.radius_m == 800.0 and r.stands == () and r.options == RequestOptions()
    # A default factory gives each record its own value, as the written __init__ does.
    a = full_prediction()
    given = {f.name: getattr(a, f.name) for f in dataclasses.fields(a) if f.name != "timings_ms"}
    p1, p2 = Prediction(**given), Prediction(**given)
    assert p1.timings_ms == {} and p1.timings_ms is not p2.timings_ms
    explicit = {"kafka_ms": 1.5}
    p3 = dataclasses.replace(p1, timings_ms=explicit)
    assert p3.timings_ms is explicit


def test_argument_errors_are_the_usual_ones() -> None:
    two: tuple[float, ...] = (1.0, 2.0)  # (typed loosely: the calls below are meant to fail)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'score'"):
        Zone(*two)
    with pytest.raises(TypeError, match="unexpected keyword argument 'height'"):
        Zone(1.0, 2.0, 3.0, **{"height": 1.0})
    with pytest.raises(TypeError, match="multiple values for argument 'lat'"):
        Zone(1.0, 2.0, 3.0, **{"lat": 1.0})


def test_still_frozen() -> None:
    z = Zone(1.0, 2.0, 3.0)
    with pytest.raises(FrozenInstanceError):
        setattr(z, FIELD, 5.0)
    with pytest.raises(FrozenInstanceError):
        delattr(z, FIELD)


def test_classes_it_cannot_mirror_keep_their_own_init() -> None:
    @dataclass(frozen=True, slots=True)
    class WithInitVar:
        a: int
        scale: InitVar[int] = 1

    @dataclass(frozen=True, slots=True)
    class WithKwOnly:
        a: int = field(kw_only=True)

    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(frozen=True, slots=True)
    class WithPostInit:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    for cls in (WithInitVar, WithKwOnly, NoSlots, WithPostInit):
        written = cls.__init__
        assert slot_init(cls) is False
        assert cls.__init__ is written
    assert slot_init(int) is False


ENGINE_CLASSES = [Maps, StandPlan, Thermal, SeasonResult]


@pytest.mark.parametrize("cls", ENGINE_CLASSES, ids=lambda c: c.__name__)
def test_the_engines_per_prediction_classes_have_it(cls: type) -> None:
    """Compiled, these are mypyc native classes (getset descriptors, not member slots)."""
    assert "__dataclass_init__" in cls.__dict__
    assert str(inspect.signature(cls.__init__)) == str(inspect.signature(cls.__dataclass_init__))
    if BUILD == "mypyc":
        field_name = dataclasses.fields(cls)[0].name
        assert isinstance(cls.__dict__[field_name], types.GetSetDescriptorType)


def test_engine_records_built_both_ways_are_equal_and_frozen() -> None:
    m = Maps((), ((0.0, 0.0),), (1.0,), (2.0,), (3.0,), True)
    written = Maps.__new__(Maps)
    Maps.__dataclass_init__(written, (), ((0.0, 0.0),), (1.0,), (2.0,), (3.0,), True)
    assert m == written and m.order == () and repr(m) == repr(written)
    bedding = "bedding"
    with pytest.raises(FrozenInstanceError):
        setattr(m, bedding, ())


def test_a_second_call_changes_nothing() -> None:
    written, ours = Zone.__dataclass_init__, Zone.__init__
    assert slot_init(Zone) is True
    assert Zone.__dataclass_init__ is written and Zone.__init__ is ours
