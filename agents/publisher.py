"""Publishing outputs through the Faust app's producer."""

from __future__ import annotations

from collections.abc import Awaitable

import faust

from deerstream.agents.records import InputMessage, OutputMessage


class FaustPublisher:
    """Sends through ``app.producer``; in exactly-once mode each output joins the
    transaction of its source partition, which Faust commits together with that
    partition's offsets (so a crash aborts both)."""

    def __init__(self, app: faust.App, *, exactly_once: bool) -> None:
        self.app = app
        self.exactly_once = exactly_once

    async def send(self, message: OutputMessage, source: InputMessage) -> Awaitable[object]:
        transactional_id = None
        if self.exactly_once:
            # The same id format Faust's TransactionManager uses when it commits offsets.
            group = self.app.assignor.group_for_topic(source.topic)
            transactional_id = f"{self.app.conf.id}-{group}-{source.partition}"
        return await self.app.producer.send(
            message.topic,
            message.key,
            message.value,
            None,
            None,
            list(message.headers),
            transactional_id=transactional_id,
        )
