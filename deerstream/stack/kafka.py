"""The real Apache Kafka broker, single node in KRaft mode on loopback.

Jars come from Maven Central through the pinned ``pom.xml`` beside this module; storage is
formatted on first start inside the state folder; the broker's log goes to a file there.

With a ``SaslConfig`` the broker also opens SASL_PLAINTEXT and/or SASL_SSL listeners
(``deerstream.stack.kafka_sasl``); the PLAINTEXT listener stays for health probes and
inter-broker traffic.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
import uuid
from base64 import urlsafe_b64encode
from importlib import resources
from pathlib import Path

from deerstream.errors import StackError
from deerstream.stack.kafka_sasl import SaslConfig
from deerstream.stack.process import PidFile, is_alive, port_held, spawn, tail
from deerstream.stack.process import stop as stop_process
from deerstream.stack.types import ComponentStatus, component_status

MAIN_CLASS = "kafka.Kafka"
_LOG4J2 = """\
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="kafka" level="INFO"/>
    <Logger name="org.apache.kafka" level="INFO"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Root level="WARN"><AppenderRef ref="stdout"/></Root>
  </Loggers>
</Configuration>
"""


class KafkaBroker:
    """Manages the local broker listening on ``host:port`` (controller on ``port + 1``).

    ``sasl`` adds SASL listeners. Its users are applied when storage is first formatted:
    the SCRAM users of an existing state folder stay as they were.
    """

    name = "kafka"

    def __init__(
        self,
        state_dir: Path,
        host: str,
        port: int,
        *,
        heap_mb: int = 768,
        sasl: SaslConfig | None = None,
        node_id: int = 1,
        voters: str | None = None,
        cluster_id: str | None = None,
        replication: int = 1,
        root: Path | None = None,
    ) -> None:
        self.root = root or state_dir / "kafka"
        self.host = host
        self.port = port
        self.controller_port = port + 1
        # One node of a quorum: its id, every voter (id@host:port) and the shared cluster id.
        self.node_id = node_id
        self.voters = voters or f"{node_id}@{host}:{port + 1}"
        self.cluster_id = cluster_id
        self.replication = replication
        self.sasl = sasl
        self.heap_mb = heap_mb
        self.lib_dir = self.root / "lib"
        self.data_dir = self.root / "data"
        self.config_path = self.root / "server.properties"
        self.keystore_path = self.root / "sasl-ssl-keystore.pem"
        self.log_path = self.root / "kafka.log"
        self.pidfile = PidFile(self.root / "kafka.pid", markers=(str(self.config_path),))

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def sasl_address(self) -> str | None:
        """``host:port`` of the SASL_PLAINTEXT listener, if any."""
        port = self.sasl.port if self.sasl else None
        return None if port is None else f"{self.host}:{port}"

    @property
    def sasl_ssl_address(self) -> str | None:
        """``host:port`` of the SASL_SSL listener, if any."""
        port = self.sasl.ssl_port if self.sasl else None
        return None if port is None else f"{self.host}:{port}"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> bool:
        """Start the broker unless ours is already running; True when newly started."""
        pid = self.spawn()
        if pid is None:
            self.wait_ready(timeout_s=60)
            return False
        self.wait_spawned(pid)
        return True

    def spawn(self) -> int | None:
        """Launch the broker process without waiting for it (a quorum's nodes must all be
        launched before any answers); None when ours already runs."""
        grace_s = self.pidfile.stale_grace_s()
        if self.pidfile.read() is not None:
            return None
        for port in [self.port, self.controller_port, *(self.sasl.ports() if self.sasl else [])]:
            if port_held(self.host, port, grace_s=grace_s):
                raise StackError(
                    f"port {port} on {self.host} is already in use by another process; "
                    "stop it or set KAFKA_BOOTSTRAP_SERVERS to another port"
                )
        java = _require(
            "java",
            "Java 17+ is required: install a JDK (e.g. apt-get install openjdk-17-jdk-headless)",
        )
        self.resolve_jars()
        self.root.mkdir(parents=True, exist_ok=True)
        self._write_config()
        self._format_storage(java)
        pid = spawn(
            [
                java,
                f"-Xms{self.heap_mb // 2}m",
                f"-Xmx{self.heap_mb}m",
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={self.root / 'log4j2.xml'}",
                "-cp",
                f"{self.lib_dir}/*",
                MAIN_CLASS,
                str(self.config_path),
            ],
            log_path=self.log_path,
        )
        self.pidfile.write(pid)
        return pid

    def wait_spawned(self, pid: int) -> None:
        """Wait for a just-spawned broker; stop it and raise if it never answers."""
        try:
            self.wait_ready(timeout_s=90, pid=pid)
        except StackError:
            stop_process(pid, timeout_s=30)
            self.pidfile.remove()
            raise
        self.pidfile.write(pid)

    def stop(self) -> bool:
        return self.pidfile.stop_owned(timeout_s=30)

    def status(self) -> ComponentStatus:
        pid = self.pidfile.read()
        healthy = _answers_metadata(self.address, timeout_s=5)
        return component_status(self.name, self.address, pid, healthy)

    def wait_ready(self, *, timeout_s: float, pid: int | None = None) -> None:
        """Wait until the broker answers; ``pid`` is the process just spawned, if any.

        A just-spawned pid is watched directly: for an instant after ``exec`` its command
        line reads empty, and a pid-file check then would take it for a stale file."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            alive = is_alive(pid) if pid is not None else self.pidfile.read() is not None
            if not alive:
                raise StackError(
                    f"Kafka exited during start-up; last log lines:\n{tail(self.log_path)}"
                )
            if _answers_metadata(self.address, timeout_s=5):
                return
            time.sleep(0.5)
        raise StackError(
            f"Kafka did not answer a metadata request within {timeout_s:.0f} s; "
            f"see {self.log_path}:\n{tail(self.log_path)}"
        )

    # ------------------------------------------------------------------ setup steps

    def resolve_jars(self) -> None:
        """Copy the broker and its runtime dependencies from Maven into ``lib/`` (once)."""
        pom = resources.files("deerstream.stack").joinpath("pom.xml")
        stamp = self.lib_dir / ".resolved"
        pom_text = pom.read_text()
        if stamp.exists() and stamp.read_text() == pom_text:
            return
        mvn = _require(
            "mvn", "Apache Maven is required to fetch the Kafka jars: apt-get install maven"
        )
        _require(
            "java",
            "Java 17+ is required: install a JDK (e.g. apt-get install openjdk-17-jdk-headless)",
        )
        if self.lib_dir.exists():
            shutil.rmtree(self.lib_dir)
        self.lib_dir.mkdir(parents=True)
        pom_copy = self.root / "pom.xml"
        pom_copy.write_text(pom_text)
        print(
            "stack: resolving Apache Kafka jars from Maven Central (first run only)...",
            file=sys.stderr,
        )
        proc = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom_copy),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={self.lib_dir}",
                "-DincludeScope=runtime",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise StackError(
                f"mvn could not resolve the Kafka jars:\n{(proc.stdout + proc.stderr)[-2000:]}"
            )
        stamp.write_text(pom_text)

    def _write_config(self) -> None:
        sasl = self.sasl
        listeners = [
            f"PLAINTEXT://{self.host}:{self.port}",
            *(sasl.listeners(self.host) if sasl else []),
        ]
        protocols = ["PLAINTEXT:PLAINTEXT", *(sasl.protocol_map() if sasl else [])]
        props = {
            "process.roles": "broker,controller",
            "node.id": str(self.node_id),
            "controller.quorum.voters": self.voters,
            "listeners": ",".join([*listeners, f"CONTROLLER://{self.host}:{self.controller_port}"]),
            "advertised.listeners": ",".join(listeners),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": ",".join([*protocols, "CONTROLLER:PLAINTEXT"]),
            "log.dirs": str(self.data_dir),
            "num.partitions": "8",
            "offsets.topic.replication.factor": str(self.replication),
            "offsets.topic.num.partitions": "8",
            "transaction.state.log.replication.factor": str(self.replication),
            "transaction.state.log.min.isr": str(min_isr(self.replication)),
            "default.replication.factor": str(self.replication),
            "min.insync.replicas": str(min_isr(self.replication)),
            "transaction.state.log.num.partitions": "8",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
            "log.retention.hours": "168",
            "log.segment.bytes": str(64 * 1024 * 1024),
        }
        if sasl is not None:
            props.update(sasl.props(self.keystore_path))
            sasl.write_keystore(self.keystore_path)
        self.config_path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        # PLAIN passwords sit in the JAAS lines of this file: readable by the owner only.
        self.config_path.chmod(0o600)
        (self.root / "log4j2.xml").write_text(_LOG4J2)

    def _format_storage(self, java: str) -> None:
        if (self.data_dir / "meta.properties").exists():
            return
        cluster_id = self.cluster_id or new_cluster_id()
        proc = subprocess.run(
            [
                java,
                f"-Dlog4j2.configurationFile={self.root / 'log4j2.xml'}",
                "-cp",
                f"{self.lib_dir}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(self.config_path),
                *(self.sasl.scram_args() if self.sasl else []),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            output = (proc.stdout + proc.stderr)[-2000:]
            if self.sasl is not None:
                output = self.sasl.redact(output)
            raise StackError(f"formatting Kafka storage failed:\n{output}")


def min_isr(replication: int) -> int:
    """Replicas that must acknowledge a write: a majority (2 of 3), 1 for one broker."""
    return 1 if replication < 3 else replication // 2 + 1


def new_cluster_id() -> str:
    """A random KRaft cluster id (a UUID in URL-safe base64, as Kafka writes them).

    One that starts with "-" would be read as an option by the storage tool's argument
    parser (1 draw in 64), so those are drawn again.
    """
    while True:
        cluster_id = urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _require(tool: str, message: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise StackError(message)
    return path


def _answers_metadata(bootstrap: str, *, timeout_s: float) -> bool:
    """True when the broker answers a metadata request (via aiokafka's admin client)."""

    async def probe() -> bool:
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000)
        )
        try:
            await asyncio.wait_for(admin.start(), timeout_s)
            cluster = await asyncio.wait_for(admin.describe_cluster(), timeout_s)
            return bool(cluster.get("brokers"))
        except Exception:
            return False
        finally:
            try:
                await admin.close()
            except Exception:
                pass

    return asyncio.run(probe())
