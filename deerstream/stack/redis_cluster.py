"""A real Redis Cluster on loopback: 3 masters and 3 replicas, for ``stack up --redis-cluster``.

Six ``redis-server --cluster-enabled yes`` processes on the port of ``REDIS_URL`` and the
five after it, joined by ``redis-cli --cluster create --cluster-replicas 1``. Each node
has its own folder (nodes.conf, log) and pid file in the state folder; ``stop`` stops only
the nodes it started. The worker finds the whole cluster from the first node's address.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from deerstream.errors import StackError
from deerstream.stack.process import PidFile, is_alive, kill9, port_held, spawn, tail
from deerstream.stack.redis import resp_command
from deerstream.stack.types import ComponentStatus

NODES = 6  # 3 masters + 1 replica each
REPLICAS = 1


class RedisClusterNodes:
    name = "redis-cluster"

    def __init__(self, state_dir: Path, redis_url: str, *, nodes: int = NODES) -> None:
        url = urlparse(redis_url)
        self.host = url.hostname or "127.0.0.1"
        if self.host not in ("127.0.0.1", "localhost"):
            raise StackError(f"a local Redis Cluster runs on loopback, not {self.host}")
        self.host = "127.0.0.1"
        first = url.port or 6379
        self.ports = [first + i for i in range(nodes)]
        self.root = state_dir / "redis-cluster"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.ports[0]}-{self.ports[-1]}"

    def _pidfile(self, port: int) -> PidFile:
        # The title redis-server sets once up, and the argv it has for an instant before.
        return PidFile(self.root / f"{port}.pid", markers=(f"{self.host}:{port}", f"--port {port}"))

    def owned(self) -> bool:
        """True when any node's pid file names a live node of ours."""
        return any(self._pidfile(p).read() is not None for p in self.ports)

    def start(self) -> bool:
        """Start the nodes that are not running and form the cluster if it is not formed;
        True when anything was started."""
        if self.cluster_ok():
            return False
        server = _tool("redis-server")
        cli = _tool("redis-cli")
        started = False
        spawned: dict[int, int] = {}
        for port in self.ports:
            grace_s = self._pidfile(port).stale_grace_s()
            if self._pidfile(port).read() is not None:
                continue
            if port_held(self.host, port, grace_s=grace_s):
                raise StackError(
                    f"port {port} is in use by a process that is not one of our cluster "
                    "nodes; stop it or point REDIS_URL at another first port"
                )
            spawned[port] = self._spawn(server, port)
            started = True
        for port in self.ports:
            self._wait(
                port, lambda p: _ask(self.host, p, "PING") == "+PONG", "answer PING", spawned
            )
        for port, pid in spawned.items():
            self._pidfile(port).write(pid)  # again: a read during exec may have dropped it
        if not self.cluster_ok():
            self._create(cli)
            started = True
        return started

    def _spawn(self, server: str, port: int) -> int:
        folder = self.root / str(port)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in ("nodes.conf", "dump.rdb"):
            (folder / stale).unlink(missing_ok=True)  # a fresh node: the cluster is re-formed
        argv = [
            server,
            "--bind",
            self.host,
            "--port",
            str(port),
            "--dir",
            str(folder),
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "2000",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--maxmemory",
            "128mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ]
        pid = spawn(argv, log_path=folder / "redis.log")
        self._pidfile(port).write(pid)
        return pid

    def _create(self, cli: str) -> None:
        nodes = [f"{self.host}:{p}" for p in self.ports]
        proc = subprocess.run(
            [
                cli,
                "--cluster",
                "create",
                *nodes,
                "--cluster-replicas",
                str(REPLICAS),
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            raise StackError(f"redis-cli --cluster create failed:\n{proc.stdout[-1500:]}")
        self._wait(self.ports[0], lambda _p: self.cluster_ok(), "report cluster_state:ok")
        # A replica that has not synced yet is refused a failover: wait until each has.
        self._wait(self.ports[0], lambda _p: self.replicas_synced(), "see every replica synced")

    def _wait(
        self,
        port: int,
        ready: Callable[[int], bool],
        what: str,
        spawned: dict[int, int] | None = None,
    ) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if ready(port):
                return
            pid = (spawned or {}).get(port)
            if pid is not None and not is_alive(pid):
                break
            time.sleep(0.1)
        log = self.root / str(port) / "redis.log"
        raise StackError(f"redis node {port} did not {what}; last log lines:\n{tail(log)}")

    def cluster_ok(self) -> bool:
        """Every node answers and says ``cluster_state:ok`` with all slots assigned."""
        for port in self.ports:
            info = _ask(self.host, port, "CLUSTER", "INFO")
            if "cluster_state:ok" not in info or "cluster_slots_assigned:16384" not in info:
                return False
        return True

    def replication(self, port: int) -> dict[str, str]:
        """The node's ``INFO replication`` fields ({} when it does not answer)."""
        info = _ask(self.host, port, "INFO", "replication")
        return dict(line.split(":", 1) for line in info.splitlines() if ":" in line)

    def replicas_synced(self) -> bool:
        """As many replicas as the layout gives (``REPLICAS`` per master), each with its
        link to its master up."""
        roles = [self.replication(port) for port in self.ports]
        replicas = [info for info in roles if info.get("role") == "slave"]
        expected = len(self.ports) // (1 + REPLICAS) * REPLICAS
        return len(replicas) == expected and all(
            info.get("master_link_status") == "up" for info in replicas
        )

    def replication_offsets(self, port: int) -> tuple[int, int]:
        """The master on ``port``: (its replication offset, the lowest offset its replicas
        have acknowledged); (0, -1) when it is not a master with replicas. Replicas
        acknowledge about once a second."""
        fields = self.replication(port)
        acked = [
            int(value.split("offset=")[1].split(",")[0])
            for key, value in fields.items()
            if key.startswith("slave") and "offset=" in value
        ]
        if fields.get("role") != "master" or not acked:
            return 0, -1
        return int(fields.get("master_repl_offset", "0")), min(acked)

    def node_pid(self, port: int) -> int | None:
        return self._pidfile(port).read()

    def masters(self) -> list[int]:
        """Ports of the nodes that are masters now."""
        out = []
        for port in self.ports:
            if self.replication(port).get("role") == "master":
                out.append(port)
        return out

    def stop(self) -> bool:
        stopped = False
        for port in self.ports:
            stopped = self._pidfile(port).stop_owned(timeout_s=10) or stopped
        return stopped

    def kill_node(self, port: int) -> None:
        """SIGKILL one node (failover tests); its pid file goes with it."""
        pid = self._pidfile(port).read()
        if pid is None:
            raise StackError(f"no node of ours runs on port {port}")
        kill9(pid)
        self._pidfile(port).remove()

    def status(self) -> ComponentStatus:
        pids = [self._pidfile(p).read() for p in self.ports]
        running = sum(pid is not None for pid in pids)
        healthy = self.cluster_ok()
        detail = f"{running}/{len(self.ports)} nodes ours; masters {self.masters()}"
        return ComponentStatus(self.name, self.address, pids[0], healthy, detail)


def _tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else "")
    if not found:
        raise StackError(f"{name} is not installed (Debian/Ubuntu: apt-get install redis-server)")
    return found


def _ask(host: str, port: int, *parts: str) -> str:
    """One RESP command over a plain socket; the reply as text ('' when unreachable)."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as s:
            s.sendall(resp_command(*parts))
            s.settimeout(1.0)
            data = b""
            while True:
                chunk = s.recv(65536)
                data += chunk
                if not chunk or _complete(data):
                    break
            return data.decode(errors="replace").strip()
    except OSError:
        return ""


def _complete(data: bytes) -> bool:
    """A simple-string/error reply ends at its CRLF; a bulk string at its announced length."""
    if data[:1] in (b"+", b"-", b":"):
        return data.endswith(b"\r\n")
    if data[:1] == b"$":
        head, _, body = data.partition(b"\r\n")
        return len(body) >= int(head[1:] or 0) + 2
    return False
