"""A local schema registry (Apicurio Registry, Confluent-compatible API) as a stack component.

Only with ``deerstream stack up --schema-registry`` and a local ``SCHEMA_REGISTRY_URL``
(default ``http://127.0.0.1:8081``). The app is resolved once from Maven Central through the
pinned ``registry-pom.xml`` into the state folder and run with the machine's Java on
loopback, in-memory storage: what it holds is gone when it stops, as a test registry should.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

from deerstream.errors import StackError
from deerstream.stack.process import PidFile, port_held, spawn, tail
from deerstream.stack.types import ComponentStatus, component_status

DEFAULT_URL = "http://127.0.0.1:8081"
#: The Confluent-compatible API under the registry's root.
CCOMPAT_PATH = "/apis/ccompat/v7"
START_TIMEOUT_S = 90.0


class SchemaRegistryProcess:
    name = "schema-registry"

    def __init__(self, state_dir: Path, url: str) -> None:
        parsed = urlparse(url or DEFAULT_URL)
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 8081
        self.root = state_dir / "schema-registry"
        self.app_dir = self.root / "app"  # the download, shared by every port
        # One pid file and log per port: a registry on another port (a test's) is another
        # process and must not take this one's pid file.
        self.log_path = self.root / f"registry-{self.port}.log"
        self.pidfile = PidFile(
            self.root / f"registry-{self.port}.pid", markers=(f"quarkus.http.port={self.port}",)
        )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """What ``SCHEMA_REGISTRY_URL`` should say: the Confluent-compatible API."""
        return f"http://{self.host}:{self.port}{CCOMPAT_PATH}"

    def start(self) -> bool:
        grace_s = self.pidfile.stale_grace_s()
        if self.pidfile.read() is not None and self.answers():
            return False
        if self.host not in ("127.0.0.1", "localhost"):
            raise StackError(f"SCHEMA_REGISTRY_URL {self.address} is not local to start")
        if port_held(self.host, self.port, grace_s=grace_s):
            raise StackError(
                f"port {self.port} on {self.host} is already in use by another process; "
                "stop it or point SCHEMA_REGISTRY_URL elsewhere"
            )
        java = shutil.which("java")
        if java is None:
            raise StackError("Java 17+ is required for the schema registry")
        runner = self.resolve()
        argv = [
            java,
            "-Xmx256m",
            f"-Dquarkus.http.host={self.host}",
            f"-Dquarkus.http.port={self.port}",
            "-jar",
            str(runner),
        ]
        self.pidfile.write(spawn(argv, log_path=self.log_path, cwd=runner.parent))
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.answers():
                return True
            if self.pidfile.read() is None:
                break
            time.sleep(0.25)
        self.stop()
        raise StackError(
            f"the schema registry did not start; last log lines:\n{tail(self.log_path)}"
        )

    def resolve(self) -> Path:
        """The runner jar, fetched from Maven Central and unpacked once per pom."""
        pom_text = resources.files("deerstream.stack").joinpath("registry-pom.xml").read_text()
        stamp = self.app_dir / ".resolved"
        if not (stamp.exists() and stamp.read_text() == pom_text):
            mvn = shutil.which("mvn")
            if mvn is None:
                raise StackError("Apache Maven is required to fetch the schema registry")
            if self.app_dir.exists():
                shutil.rmtree(self.app_dir)
            download = self.root / "download"
            self.app_dir.mkdir(parents=True)
            pom = self.root / "pom.xml"
            pom.write_text(pom_text)
            print("stack: resolving Apicurio Registry from Maven Central...", file=sys.stderr)
            proc = subprocess.run(
                [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                 f"-DoutputDirectory={download}", "-DincludeTypes=tar.gz"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            archives = sorted(download.glob("*.tar.gz"))
            if proc.returncode != 0 or not archives:
                raise StackError(
                    "mvn could not resolve the schema registry:\n"
                    f"{(proc.stdout + proc.stderr)[-2000:]}"
                )
            with tarfile.open(archives[0]) as archive:
                archive.extractall(self.app_dir, filter="data")
            shutil.rmtree(download)
            stamp.write_text(pom_text)
        runners = sorted(self.app_dir.rglob("*-runner.jar"))
        if not runners:
            raise StackError(f"no runner jar in the schema registry at {self.app_dir}")
        return runners[0]

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/subjects", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def stop(self) -> bool:
        return self.pidfile.stop_owned(timeout_s=20)

    def status(self) -> ComponentStatus:
        return component_status(self.name, self.address, self.pidfile.read(), self.answers())
