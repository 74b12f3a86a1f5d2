"""``deerstream stack up | down | status``: the local Kafka + Redis (+ simulators)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from deerstream.errors import ConfigError
from deerstream.settings import Settings
from deerstream.stack import ComponentStatus, Stack
from deerstream.stack.registry import SchemaRegistryProcess


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stack", help="start, stop or inspect the local Kafka, Redis and simulators")
    p.add_argument("action", choices=["up", "down", "status"])
    p.add_argument(
        "--record",
        metavar="FILE",
        help="up: write the names of the components this call started to FILE",
    )
    p.add_argument(
        "--only-recorded",
        metavar="FILE",
        help="down: stop only the components listed in FILE (written by up --record)",
    )
    p.add_argument(
        "--redis-cluster",
        action="store_true",
        help="up: a 3-master, 3-replica Redis Cluster on REDIS_URL's port and the 5 after it",
    )
    p.add_argument(
        "--brokers",
        type=int,
        metavar="N",
        help="up/status/down: N KRaft brokers on KAFKA_BOOTSTRAP_SERVERS's port and the "
        "pairs after it (RF min(N,3), min.insync.replicas 2 for 3)",
    )
    p.add_argument(
        "--schema-registry",
        action="store_true",
        help="up: a schema registry (Apicurio, Confluent-compatible API) on SCHEMA_REGISTRY_URL's "
        "port (default 127.0.0.1:8081), fetched from Maven Central on first use",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    # The health probes try to connect before the broker listens; those retries are expected.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    if args.brokers is not None and args.brokers < 1:
        raise ConfigError("--brokers must be >= 1")
    stack = Stack(
        settings,
        redis_cluster=args.redis_cluster,
        brokers=args.brokers,
        schema_registry=args.schema_registry,
    )
    if args.action == "up":
        started = stack.up()
        if args.record:
            Path(args.record).parent.mkdir(parents=True, exist_ok=True)
            Path(args.record).write_text("".join(f"{n}\n" for n in started))
        _print_status(stack)
        registry = next((c for c in stack.components if c.name == "schema-registry"), None)
        if isinstance(registry, SchemaRegistryProcess) and not settings.schema_registry_url:
            print(f"export SCHEMA_REGISTRY_URL={registry.api_url}")
        return 0 if all(s.healthy for s in stack.status()) else 1
    if args.action == "down":
        only = None
        if args.only_recorded:
            path = Path(args.only_recorded)
            only = path.read_text().split() if path.exists() else []
        stopped = stack.down(only)
        print(
            "stopped: " + (", ".join(stopped) if stopped else "nothing (none of ours was running)")
        )
        return 0
    statuses = _print_status(stack)
    return 0 if all(s.healthy for s in statuses) else 1


def _print_status(stack: Stack) -> list[ComponentStatus]:
    statuses = stack.status()
    print(f"{'component':<15} {'address':<24} {'pid':>7}  {'healthy':<8} detail")
    for s in statuses:
        pid = str(s.pid) if s.pid else "-"
        print(
            f"{s.name:<15} {s.address:<24} {pid:>7}  {'yes' if s.healthy else 'NO':<8} {s.detail}"
        )
    return statuses
