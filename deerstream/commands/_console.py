"""Console helpers of the streaming commands: a progress bar, quiet library logs."""

from __future__ import annotations

import asyncio
import logging
import sys
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from deerstream.settings import Settings


class ProgressBar:
    """``with ProgressBar("sending", enabled=...) as bar: bar.set_total(n); bar.advance(1)``.

    Disabled (a no-op) when stderr is not a terminal, so pipes and logs stay clean.
    """

    def __init__(self, description: str, *, enabled: bool = True) -> None:
        self._description = description
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled and sys.stderr.isatty():
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> ProgressBar:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=None)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def set_total(self, total: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)

    def advance(self, n: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)


def check_kafka_login(settings: Settings) -> None:
    """The worker's credential preflight, for the client commands: a wrong password, SASL
    mechanism or TLS setting is one clear line and a non-zero exit, not "Unable to
    bootstrap" after the client's retries."""
    from deerstream.agents.preflight import check_kafka

    # The probe's own connection errors are the answer, reported as one line by the CLI.
    kafka = logging.getLogger("aiokafka")
    level = kafka.level
    kafka.setLevel(logging.CRITICAL)
    try:
        asyncio.run(check_kafka(settings.kafka))
    finally:
        kafka.setLevel(level)


def quiet_kafka_logs() -> None:
    """Keep aiokafka's retry warnings (leader moves, reconnects) off the user's terminal.

    They are expected and handled by the client; real failures surface as our errors.
    """
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
