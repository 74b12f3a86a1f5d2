"""Topic administration on the real broker: the topic config reaches new topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from deerstream.settings import Settings
from deerstream.streams.kafka import client_kwargs
from deerstream.streams.producer import RequestProducer
from tests.streams.conftest import make_request
from tests.streams.kafka_read import read_all


async def _retention_ms(settings: Settings, topic: str) -> str:
    admin = AIOKafkaAdminClient(**client_kwargs(settings.kafka.connection))
    await admin.start()
    try:
        (response,) = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic)]
        )
    finally:
        await admin.close()
    (resource,) = response.resources
    entries = {entry[0]: entry[1] for entry in resource[4]}
    return str(entries["retention.ms"])


async def test_new_topics_get_the_topic_config(stream_settings: Settings) -> None:
    """The fixture creates its topics with ``retention.ms=-1``: requests stamped weeks ago
    (older than the broker's 7-day retention) stay readable."""
    assert await _retention_ms(stream_settings, stream_settings.request_topic) == "-1"
    old = datetime.now(UTC) - timedelta(days=30)
    async with RequestProducer(stream_settings.kafka) as producer:
        await producer.send_many((make_request(n), old) for n in range(5))
    assert len(await read_all(stream_settings, stream_settings.request_topic)) == 5
