"""Transport-neutral shapes the prediction pipeline consumes and produces.

The pipeline never sees a Faust ``Event`` or an aiokafka record: the agent converts each
input message into an ``InputMessage`` and hands the pipeline a ``Publisher``. That keeps
the batch logic testable without a broker and lets the benchmark's baselines reuse it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Protocol

Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class InputMessage:
    """One consumed Kafka message, as the pipeline needs it."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    headers: Headers = ()

    def header(self, name: str) -> bytes | None:
        for k, v in self.headers:
            if k == name:
                return v
        return None


@dataclass(frozen=True, slots=True)
class OutputMessage:
    topic: str
    key: bytes | None
    value: bytes
    headers: Headers


class Publisher(Protocol):
    """Sends output messages; the returned awaitable resolves once the broker acknowledged.

    ``source`` is the input the output answers: in exactly-once mode the output joins the
    transaction of the source's partition, so it commits atomically with that offset.
    """

    async def send(self, message: OutputMessage, source: InputMessage) -> Awaitable[object]: ...


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What one batch produced; every input ends up in exactly one of the two lists."""

    predicted: int
    dead_lettered: int
    from_cache: int
    dead_letter_reasons: tuple[str, ...] = ()
