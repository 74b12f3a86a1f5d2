"""Small value types shared by the stack components."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    address: str
    pid: int | None
    healthy: bool
    detail: str = ""


def component_status(name: str, address: str, pid: int | None, healthy: bool) -> ComponentStatus:
    """A component's status; a healthy server we did not start is reported as external."""
    if pid is None and healthy:
        return ComponentStatus(name, address, None, True, "external (not started by us)")
    return ComponentStatus(name, address, pid, healthy, "" if pid else "not running")
