"""The one lifecycle shape of the project's I/O components.

Every component that holds a resource (a connection pool, a server socket, a Kafka client,
timers) is an ``AsyncStartStop``: ``await start()`` opens it, ``await stop()`` releases it
and is safe to call twice, and ``async with component:`` does both. The enricher, its HTTP
clients and batchers, the ops server, the request producer and the prediction subscriber
all follow it. The one exception is the worker's resource bundle
(``deerstream.agents.worker.WorkerResources``), a ``mode.Service`` because Faust's worker
starts and stops its services itself; its ``on_start``/``on_stop`` call the components'
``start``/``stop``. The local stack's servers are processes, with the same two verbs,
synchronous.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class AsyncStartStop:
    """``async with component:`` calls ``start()`` on entry and ``stop()`` on exit."""

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
