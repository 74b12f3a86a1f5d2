"""The local stack: the real Apache Kafka broker, Redis and (for local upstream URLs) the
upstream simulators, managed as background processes with pid files in the state folder."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

from deerstream.settings import Settings
from deerstream.stack.kafka import KafkaBroker
from deerstream.stack.kafka_cluster import KafkaCluster
from deerstream.stack.redis import RedisServer
from deerstream.stack.redis_cluster import RedisClusterNodes
from deerstream.stack.registry import SchemaRegistryProcess
from deerstream.stack.types import ComponentStatus
from deerstream.streams.admin import ensure_topics

__all__ = ["Component", "ComponentStatus", "Stack"]


class Component(Protocol):
    name: str

    def start(self) -> bool: ...
    def stop(self) -> bool: ...
    def status(self) -> ComponentStatus: ...


class Stack:
    """Starts and stops the components in dependency order."""

    def __init__(
        self,
        settings: Settings,
        *,
        redis_cluster: bool = False,
        brokers: int | None = None,
        schema_registry: bool = False,
    ) -> None:
        state = Path(settings.state_dir).resolve()
        addresses = settings.kafka.connection.bootstrap  # parsed and checked once
        host, port = addresses[0].host, addresses[0].port
        self.settings = settings
        cluster = RedisClusterNodes(state, settings.redis_url)
        # A cluster this stack started is managed (status, down) without the flag too.
        self.components: list[Component] = [
            cluster if redis_cluster or cluster.owned() else RedisServer(state, settings.redis_url)
        ]
        if host in ("127.0.0.1", "localhost"):
            # --brokers N, or as many as KAFKA_BOOTSTRAP_SERVERS lists (a cluster it started).
            count = brokers or len(addresses)
            running = None if brokers else KafkaCluster.owned(state, "127.0.0.1", port)
            if running is not None:
                self.components.append(running)
            elif count > 1:
                self.components.append(KafkaCluster(state, "127.0.0.1", port, brokers=count))
            else:
                self.components.append(KafkaBroker(state, "127.0.0.1", port))
        self.components.extend(_simulators(settings, state))
        registry = SchemaRegistryProcess(state, settings.schema_registry_url)
        # Like the clusters: one this stack started is managed without the flag too.
        if schema_registry or registry.pidfile.read() is not None:
            self.components.append(registry)

    def up(self, only: list[str] | None = None) -> list[str]:
        """Start what is not running; returns the names newly started. On failure, stops
        whatever this call started before re-raising, so nothing is left half-started."""
        started: list[str] = []
        try:
            for c in self.components:
                if only is not None and c.name not in only:
                    continue
                if c.start():
                    started.append(c.name)
            if any(c.name == "kafka" for c in self.components):
                # Producers and subscribers can then be used before the first worker runs.
                asyncio.run(ensure_topics(self.settings.kafka))
        except BaseException:
            self.down(started)
            raise
        return started

    def down(self, only: list[str] | None = None) -> list[str]:
        stopped: list[str] = []
        for c in reversed(self.components):
            if only is not None and c.name not in only:
                continue
            if c.stop():
                stopped.append(c.name)
        return stopped

    def status(self) -> list[ComponentStatus]:
        return [c.status() for c in self.components]


def _simulators(settings: Settings, state: Path) -> list[Component]:
    if not settings.uses_local_upstreams:
        return []
    from deerstream.stack.simulators import SimulatorProcess

    return [SimulatorProcess(state, settings)]
