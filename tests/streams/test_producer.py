"""RequestProducer on the real broker: delivery confirmed, keyed by request_id, bytes = codec."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deerstream.models.codec import decode_request, encode_request
from deerstream.settings import Settings
from deerstream.streams.producer import RequestProducer
from deerstream.streams.times import to_ms
from tests.streams.conftest import make_request
from tests.streams.kafka_read import read_all


async def test_send_and_send_many_deliver_every_request(stream_settings: Settings) -> None:
    topic = stream_settings.request_topic
    first = make_request(0, hunter_id="h1")
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    many = [(make_request(n), when + timedelta(seconds=n)) for n in range(1, 301)]
    delivered: list[int] = []
    async with RequestProducer(stream_settings.kafka) as producer:
        delivery = await producer.send(first)
        count = await producer.send_many(many, on_delivered=delivered.append)
    assert delivery.topic == topic and delivery.offset == 0
    assert count == 300 and sum(delivered) == 300

    records = await read_all(stream_settings, topic)
    assert len(records) == 301
    by_key = {r.key: r for r in records}
    assert by_key[b"r-00000"].value == encode_request(first)
    for request, at in many:
        record = by_key[request.request_id.encode()]
        assert decode_request(record.value) == request
        assert record.timestamp == to_ms(at)
    # keyed by request_id → spread over several of the 8 partitions
    assert len({r.partition for r in records}) > 4
