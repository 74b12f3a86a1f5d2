"""Open the worker's Redis client: a single node, or a Redis Cluster.

A plain client pointed at a cluster node gets ``MOVED`` for every key that lives on another
node, so the cache would be bypassed on almost every lookup. ``REDIS_CLUSTER`` chooses:

* ``auto`` (default): ask the node at ``REDIS_URL`` (``INFO cluster``); a node with
  ``cluster_enabled:1`` gets redis-py's asyncio cluster client, which discovers the other
  nodes, follows slot moves and failovers, and splits multi-key reads per slot;
* ``true``: the cluster client, and a one-line error at start if the node is no cluster node;
* ``false``: the plain client.

When the node cannot be reached at start in ``auto`` mode, the plain client is used and
the cache runs bypassed; a cluster deployment should say ``REDIS_CLUSTER=true``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisError

from deerstream.errors import ConfigError
from deerstream.settings import RedisSettings

CLUSTER_MODES = ("auto", "true", "false")


@dataclass(frozen=True, slots=True)
class RedisOptions:
    """What the worker's Redis client needs; ``cluster`` is one of ``CLUSTER_MODES``."""

    url: str
    cluster: str = "auto"
    connect_timeout_s: float = 1.0
    op_timeout_s: float = 1.0

    @classmethod
    def from_settings(cls, redis: RedisSettings) -> RedisOptions:
        """The options for ``REDIS_URL`` and ``REDIS_CLUSTER`` (default timeouts)."""
        return cls(url=redis.url, cluster=redis.cluster)


async def is_cluster_node(url: str, *, timeout_s: float = 2.0) -> bool | None:
    """True/False from the node's ``INFO cluster``; None when it cannot be asked."""
    # Asked on database 0: a cluster node refuses SELECT of any other.
    client = aioredis.Redis.from_url(
        _split_db(url)[0], socket_connect_timeout=timeout_s, socket_timeout=timeout_s
    )
    try:
        info = await asyncio.wait_for(client.info("cluster"), timeout_s)
    except (RedisError, OSError, TimeoutError):
        return None
    finally:
        await client.aclose()
    return bool(int(info.get("cluster_enabled", 0)))


async def open_redis(options: RedisOptions) -> Any:
    """The client ``RedisCache`` uses: ``redis.asyncio.Redis`` or ``RedisCluster``."""
    if options.cluster not in CLUSTER_MODES:
        raise ConfigError(f"REDIS_CLUSTER must be one of {', '.join(CLUSTER_MODES)}")
    cluster = options.cluster == "true"
    if options.cluster != "false":
        found = await is_cluster_node(options.url, timeout_s=max(options.connect_timeout_s, 1))
        if options.cluster == "true" and found is False:
            raise ConfigError(
                "REDIS_CLUSTER=true, but the Redis at REDIS_URL is not a cluster node "
                "(cluster_enabled:0)"
            )
        cluster = cluster or bool(found)
    if cluster:
        return RedisCluster.from_url(
            _cluster_url(options.url),
            socket_connect_timeout=options.connect_timeout_s,
            socket_timeout=options.op_timeout_s,
            health_check_interval=10,
        )
    return aioredis.Redis.from_url(
        options.url,
        socket_connect_timeout=options.connect_timeout_s,
        socket_timeout=options.op_timeout_s,
        health_check_interval=10,
    )


def _split_db(url: str) -> tuple[str, str]:
    """``(url without its /db path, db)``: ``redis://h:1/3?x=1`` → ``(redis://h:1?x=1, 3)``."""
    head, sep, path = url.partition("://")
    rest = path.split("?", 1)
    hostpart, _, db = rest[0].partition("/")
    query = f"?{rest[1]}" if len(rest) > 1 else ""
    return f"{head}{sep}{hostpart}{query}", db


def _cluster_url(url: str) -> str:
    """A cluster has only database 0: a ``/0`` path is fine, any other is refused."""
    bare, db = _split_db(url)
    if db not in ("", "0"):
        raise ConfigError(f"a Redis Cluster has only database 0, REDIS_URL asks for /{db}")
    return bare


def is_cluster_client(client: Any) -> bool:
    return isinstance(client, RedisCluster)
