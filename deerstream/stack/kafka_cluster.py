"""A replicated Apache Kafka cluster on loopback: N KRaft nodes (broker and controller each).

``stack up --brokers 3`` runs three nodes from the same pinned jars, one quorum, on the port
of ``KAFKA_BOOTSTRAP_SERVERS`` and the pairs after it (node 1: 9092 and controller 9093,
node 2: 9094/9095, node 3: 9096/9097). Replicated topics get replication factor 3 and
``min.insync.replicas`` 2 (the broker defaults and the internal topics too), so one node
can die, the partition leader included, without losing or refusing an acknowledged write.
"""

from __future__ import annotations

from pathlib import Path

from deerstream.errors import StackError
from deerstream.stack.kafka import KafkaBroker, new_cluster_id
from deerstream.stack.process import kill9
from deerstream.stack.types import ComponentStatus


class KafkaCluster:
    name = "kafka"

    def __init__(self, state_dir: Path, host: str, port: int, *, brokers: int = 3) -> None:
        if brokers < 1:
            raise StackError("a cluster needs at least one broker")
        self.root = state_dir / f"kafka-cluster-{brokers}"
        id_file = self.root / "cluster.id"
        if not id_file.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            id_file.write_text(new_cluster_id())
        cluster_id = id_file.read_text().strip()
        ports = [port + 2 * i for i in range(brokers)]
        voters = ",".join(f"{i + 1}@{host}:{p + 1}" for i, p in enumerate(ports))
        self.nodes = [
            KafkaBroker(
                state_dir,
                host,
                p,
                heap_mb=512,
                node_id=i + 1,
                voters=voters,
                cluster_id=cluster_id,
                replication=min(brokers, 3),
                root=self.root / f"node-{i + 1}",
            )
            for i, p in enumerate(ports)
        ]

    @classmethod
    def owned(cls, state_dir: Path, host: str, port: int) -> KafkaCluster | None:
        """The cluster this state folder started on ``port``, if any node of it runs, so
        ``stack status`` and ``stack down`` find it without ``--brokers``."""
        for folder in sorted(state_dir.glob("kafka-cluster-*")):
            count = folder.name.rsplit("-", 1)[-1]
            if not count.isdigit():
                continue
            cluster = cls(state_dir, host, port, brokers=int(count))
            if any(node.pidfile.read() is not None for node in cluster.nodes):
                return cluster
        return None

    @property
    def bootstrap(self) -> str:
        return ",".join(n.address for n in self.nodes)

    @property
    def address(self) -> str:
        return self.bootstrap

    def start(self) -> bool:
        spawned = [(node, node.spawn()) for node in self.nodes]
        for node, pid in spawned:
            if pid is None:
                node.wait_ready(timeout_s=90)
            else:
                node.wait_spawned(pid)
        return any(pid is not None for _, pid in spawned)

    def stop(self) -> bool:
        stopped = [node.stop() for node in self.nodes]
        return any(stopped)

    def node_for(self, node_id: int) -> KafkaBroker:
        return self.nodes[node_id - 1]

    def kill(self, node_id: int) -> None:
        """SIGKILL one node (failover tests)."""
        node = self.node_for(node_id)
        pid = node.pidfile.read()
        if pid is None:
            raise StackError(f"kafka node {node_id} is not running")
        kill9(pid)
        node.pidfile.remove()

    def restart(self, node_id: int) -> None:
        """Start one node again (after ``kill`` or ``stop``) and wait for it."""
        node = self.node_for(node_id)
        pid = node.spawn()
        if pid is not None:
            node.wait_spawned(pid)

    def status(self) -> ComponentStatus:
        parts = [n.status() for n in self.nodes]
        up = sum(1 for p in parts if p.healthy)
        return ComponentStatus(
            self.name,
            self.bootstrap,
            parts[0].pid,
            up == len(parts),
            f"{up}/{len(parts)} brokers answer",
        )
