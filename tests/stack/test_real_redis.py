"""The local Redis is a real redis-server: TTLs expire keys."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.integration


async def test_set_with_ttl_get_and_expiry(redis_client: Any, unique_name: str) -> None:
    key = f"{unique_name}:k"
    await redis_client.set(key, b"value", px=300)
    assert await redis_client.get(key) == b"value"
    ttl = await redis_client.pttl(key)
    assert 0 < ttl <= 300
    await asyncio.sleep(0.5)
    assert await redis_client.get(key) is None
    info = await redis_client.info("server")
    assert "redis_version" in info
