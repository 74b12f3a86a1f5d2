"""Redis for the local stack: reuse the one at ``REDIS_URL`` when it answers, otherwise
start ``redis-server`` on loopback (installing the Debian package when missing and root).

Credentials in the URL secure the server it starts: ``redis://:pw@host`` sets the default
user's password (``requirepass``); ``redis://alice:pw@host`` creates the ACL user ``alice``
with every permission and disables the default user, so only ``alice`` can log in.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from deerstream.errors import StackError
from deerstream.stack.process import PidFile, is_alive, port_held, spawn, stop, tail
from deerstream.stack.types import ComponentStatus, component_status

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class RedisServer:
    name = "redis"

    def __init__(self, state_dir: Path, redis_url: str) -> None:
        url = urlparse(redis_url)
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 6379
        # Percent-decoded, as redis-py's from_url does, so both sides agree on the secret.
        self.password = unquote(url.password) if url.password else None
        user = unquote(url.username) if url.username else None
        self.username = user if user not in (None, "default") else None
        self.root = state_dir / "redis"
        self.log_path = self.root / "redis.log"
        self.pidfile = PidFile(
            self.root / "redis.pid", markers=(f"127.0.0.1:{self.port}", f"--port {self.port}")
        )
        # redis-server rewrites its process title to "redis-server 127.0.0.1:PORT" once up.

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> bool:
        """Start redis-server unless one answers at the URL; True when newly started."""
        grace_s = self.pidfile.stale_grace_s()
        if self.pidfile.read() is not None and self.ping():
            return False
        if self.ping():
            return False  # someone else's Redis answers at REDIS_URL: use it
        if self.host not in LOOPBACK:
            raise StackError(
                f"Redis at {self.address} does not answer, and it is not local to start"
            )
        if port_held(self.host, self.port, grace_s=grace_s):
            raise StackError(
                f"port {self.port} on {self.host} is in use by a process that does not "
                "answer as Redis; stop it or set REDIS_URL to another port"
            )
        server = self._ensure_installed()
        self.root.mkdir(parents=True, exist_ok=True)
        argv = [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.root),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--maxmemory",
            "512mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ]
        if self.username and self.password:
            # ">pw" adds a password, "~*" "&*" "+@all": every key, channel and command.
            argv += ["--user", self.username, "on", f">{self.password}", "~*", "&*", "+@all"]
            argv += ["--user", "default", "off"]
        elif self.password:
            argv += ["--requirepass", self.password]
        pid = spawn(argv, log_path=self.log_path)
        self.pidfile.write(pid)
        # Watch the spawned pid itself, not the pid file: for an instant after exec (and while
        # redis-server rewrites its process title) the command line reads empty, and a marker
        # check then would call the file stale and remove it, leaving a server nobody stops.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.ping():
                self.pidfile.write(pid)
                return True
            if not is_alive(pid):
                break
            time.sleep(0.1)
        stop(pid, timeout_s=10)
        self.pidfile.remove()
        raise StackError(f"redis-server did not start; last log lines:\n{tail(self.log_path)}")

    def stop(self) -> bool:
        return self.pidfile.stop_owned(timeout_s=10)

    def status(self) -> ComponentStatus:
        pid = self.pidfile.read()
        healthy = self.ping()
        return component_status(self.name, self.address, pid, healthy)

    def ping(self) -> bool:
        """A RESP PING over a plain socket (AUTH first when the URL has a password)."""
        try:
            with socket.create_connection((self.host, self.port), timeout=1.0) as s:
                if self.password:
                    user = (self.username,) if self.username else ()
                    s.sendall(resp_command("AUTH", *user, self.password))
                    if not s.recv(64).startswith(b"+OK"):
                        return False
                s.sendall(resp_command("PING"))
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def _ensure_installed(self) -> str:
        found = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
        )
        if found:
            return found
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise StackError(
                "redis-server is not installed: install it "
                "(Debian/Ubuntu: apt-get install redis-server)"
            )
        print("stack: installing redis-server with apt-get...", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "redis-server"],
        ):
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            if proc.returncode != 0:
                raise StackError(f"{' '.join(cmd)} failed:\n{proc.stderr[-1500:]}")
        found = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(found).exists():
            raise StackError("redis-server is still missing after apt-get install redis-server")
        return found


def resp_command(*parts: str) -> bytes:
    """One command in the Redis wire protocol (RESP), for the plain-socket probes."""
    out = [f"*{len(parts)}\r\n".encode()]
    for p in parts:
        b = p.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)
