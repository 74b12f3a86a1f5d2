"""Which asyncio event loop the worker runs on (``EVENT_LOOP``).

uvloop (libuv) runs the same asyncio programs with less CPU per callback; Faust, aiokafka,
aiohttp and redis-py all run on it unchanged. ``auto`` uses it where it is installed (a
runtime dependency everywhere but Windows, where it does not exist) and falls back to the
standard loop otherwise. The choice must be made before any loop exists, so the worker
makes it first thing.
"""

from __future__ import annotations

import asyncio

from deerstream.errors import ConfigError
from deerstream.settings import EVENT_LOOPS


def install_event_loop(choice: str) -> str:
    """Set this process's event loop policy; returns the loop in use ("uvloop" or "asyncio")."""
    if choice not in EVENT_LOOPS:
        raise ConfigError(f"EVENT_LOOP={choice!r} is not one of " + ", ".join(EVENT_LOOPS))
    if choice == "asyncio":
        asyncio.set_event_loop_policy(None)  # the standard policy
        return "asyncio"
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise ConfigError(
                "EVENT_LOOP=uvloop, but uvloop is not installed (pip install uvloop)"
            ) from None
        asyncio.set_event_loop_policy(None)
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"
