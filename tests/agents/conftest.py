"""Fixtures shared by the pipeline tests: a prediction cache on fakeredis."""

from __future__ import annotations

import fakeredis
import pytest

from deerstream.enrich import RedisCache


@pytest.fixture
def fake_redis() -> fakeredis.FakeAsyncRedis:
    return fakeredis.FakeAsyncRedis()


@pytest.fixture
def cache(fake_redis: fakeredis.FakeAsyncRedis) -> RedisCache:
    return RedisCache(fake_redis, name="prediction")
