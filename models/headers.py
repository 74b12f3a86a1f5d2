"""Every Kafka header name of the wire contract, in one place (docs/event-contract.md).

Producers, the worker, replay, the dead-letter writer and the AsyncAPI document all read
the names from here, so a header cannot be spelled two ways. Pure constants: no I/O.
"""

from __future__ import annotations

#: Every header of ours starts with this prefix.
PREFIX = "deerstream."

# ---------------------------------------------------------------- on every prediction
CONTENT_TYPE = "content-type"
SCHEMA_VERSION = "deerstream.schema_version"  # the contract version of the payload
MODEL_VERSION = "deerstream.model_version"  # the model that computed it

# ---------------------------------------------------------------- replay
REPLAY = "deerstream.replay"  # "1" on a replayed request and on its prediction
REPLAY_NO_CACHE = "deerstream.replay.no_cache"  # "1": recompute, bypass the prediction cache
REPLAY_ORIGIN = "deerstream.replay.origin"  # where the replayed request came from
REPLAY_TIMESTAMP = "deerstream.replay.timestamp"  # the original record's timestamp (ms)
REPLAY_HEADERS = frozenset({REPLAY, REPLAY_NO_CACHE, REPLAY_ORIGIN, REPLAY_TIMESTAMP})

# ---------------------------------------------------------------- dead letters
REASON = "deerstream.reason"  # a stable reason code (deerstream.models.deadletter.REASON_CODES)
MESSAGE = "deerstream.message"
PATH = "deerstream.path"  # JSON path of the offending field ($: the whole event)
SOURCE_TOPIC = "deerstream.source_topic"
SOURCE_PARTITION = "deerstream.source_partition"
SOURCE_OFFSET = "deerstream.source_offset"
FAILED_AT = "deerstream.failed_at"
SCHEMA_ID = "deerstream.schema_id"  # the input's schema-registry id, when it was framed
DEAD_LETTER_HEADERS = (
    REASON,
    MESSAGE,
    PATH,
    SOURCE_TOPIC,
    SOURCE_PARTITION,
    SOURCE_OFFSET,
    FAILED_AT,
)
