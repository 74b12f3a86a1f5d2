"""A faster ``__init__`` for frozen, slotted dataclasses (pure; no I/O).

``dataclass(frozen=True)`` writes an ``__init__`` that stores every field with
``object.__setattr__(self, name, value)``: a generic attribute lookup by name through the
class for each field, about 100 ns a field here. A slotted class already holds, for each
field, the slot's descriptor, whose ``__set__`` stores the value directly; calling it is
about half the cost. The engine builds some thirty records per prediction (zones, stands,
ratings, windows, factors, the prediction itself), so this is a few per cent of
``predict()``.

``slot_init(cls)`` replaces the written ``__init__`` with one of the same signature
(names, order, defaults, default factories) that stores through the descriptors. The
class stays what ``dataclass`` made it: frozen (assignment still raises
``FrozenInstanceError``), compared, hashed and printed as before. A class this cannot
mirror exactly (a ``__post_init__``, ``InitVar``, ``init=False`` or keyword-only fields,
no slots) keeps its own ``__init__``. The written one is kept as ``__dataclass_init__``,
so the tests can compare the two.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable, Mapping
from typing import Any


class _Factory:
    """Stands for "no argument given" where a field has a default factory; shown as
    ``dataclass`` shows it in a signature."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_NO_VALUE: Any = _Factory()
#: What a field's slot is: a member descriptor (``slots=True``), or a getset descriptor
#: (a class that mypyc compiled to a native class keeps its attributes in C struct fields).
_SLOT_DESCRIPTORS = (types.MemberDescriptorType, types.GetSetDescriptorType)


def slot_init(cls: type) -> bool:
    """Give ``cls`` the descriptor-storing ``__init__``; False (and no change) when it
    cannot be mirrored exactly."""
    if not isinstance(cls, type) or not dataclasses.is_dataclass(cls):
        return False
    if "__dataclass_init__" in cls.__dict__:
        return True  # done already
    if hasattr(cls, "__post_init__"):
        return False
    init = _build(cls)
    if init is None:
        return False
    type.__setattr__(cls, "__dataclass_init__", cls.__dict__["__init__"])
    type.__setattr__(cls, "__init__", init)
    return True


def slot_init_all(namespace: Mapping[str, object], module: str) -> tuple[type, ...]:
    """``slot_init`` every dataclass defined in ``module`` (a module's ``vars()``); the
    classes changed."""
    changed = []
    for value in list(namespace.values()):
        if isinstance(value, type) and value.__module__ == module and slot_init(value):
            changed.append(value)
    return tuple(changed)


def _build(cls: type) -> Callable[..., None] | None:
    params: list[str] = []
    body: list[str] = []
    env: dict[str, object] = {"_NO_VALUE": _NO_VALUE}
    for i, f in enumerate(dataclasses.fields(cls)):
        descriptor = cls.__dict__.get(f.name)
        if not f.init or f.kw_only or not isinstance(descriptor, _SLOT_DESCRIPTORS):
            return None
        setter = f"_set_{i}"
        env[setter] = descriptor.__set__
        value = f.name
        if f.default is not dataclasses.MISSING:
            env[f"_default_{i}"] = f.default
            params.append(f"{f.name}=_default_{i}")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_factory_{i}"] = f.default_factory
            params.append(f"{f.name}=_NO_VALUE")
            value = f"_factory_{i}() if {f.name} is _NO_VALUE else {f.name}"
        else:
            params.append(f.name)
        body.append(f"        {setter}(self, {value})")
    source = (
        f"def _make({', '.join(env)}):\n"
        f"    def __init__(self, {', '.join(params)}):\n"
        + ("\n".join(body) or "        pass")
        + "\n    return __init__\n"
    )
    scope: dict[str, Any] = {}
    exec(compile(source, f"<slot_init {cls.__qualname__}>", "exec"), {}, scope)
    init: Callable[..., None] = scope["_make"](**env)
    written = cls.__dict__["__init__"]
    if not same_parameters(init, written):
        return None  # an InitVar, or anything else the fields do not show
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = dict(written.__annotations__)
    return init


def same_parameters(a: Callable[..., object], b: Callable[..., object]) -> bool:
    """The two take the same arguments: names, kinds and plain defaults (a default
    factory's placeholder differs by design and is compared only as "has a default")."""
    pa = list(inspect.signature(a).parameters.values())
    pb = list(inspect.signature(b).parameters.values())
    if len(pa) != len(pb):
        return False
    for x, y in zip(pa, pb, strict=True):
        if x.name != y.name or x.kind != y.kind:
            return False
        if (x.default is inspect.Parameter.empty) != (y.default is inspect.Parameter.empty):
            return False
        if x.default is not _NO_VALUE and x.default is not y.default:
            return False
    return True
