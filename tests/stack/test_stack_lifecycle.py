"""`deerstream stack` failure handling: foreign ports, missing tools, crash recovery.

These start a second broker / redis-server on free ports in a temporary state folder, so
they never touch the stack the rest of the suite uses.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deerstream.errors import StackError
from deerstream.stack.kafka import KafkaBroker
from deerstream.stack.process import is_alive
from deerstream.stack.redis import RedisServer
from tests.ports import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def foreign_listener() -> Iterator[int]:
    """A port held by a process that is neither Kafka nor Redis."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(5)
    try:
        yield int(s.getsockname()[1])
    finally:
        s.close()


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deerstream.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_kafka_port_taken_by_foreign_process(
    tmp_path: Path, foreign_listener: int, redis_url: str
) -> None:
    result = _cli(
        ["stack", "up"],
        {
            "STATE_DIR": str(tmp_path),
            "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{foreign_listener}",
            "REDIS_URL": redis_url,
            "WEATHER_URL": "http://127.0.0.1:1",  # not local defaults: no simulators
        },
    )
    assert result.returncode != 0
    assert f"port {foreign_listener}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "kafka" / "kafka.pid").exists()


def test_redis_port_taken_by_foreign_process(tmp_path: Path, foreign_listener: int) -> None:
    server = RedisServer(tmp_path, f"redis://127.0.0.1:{foreign_listener}/0")
    with pytest.raises(StackError, match=f"port {foreign_listener}"):
        server.start()
    assert server.pidfile.read() is None


def test_missing_java_and_maven_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    real_which = shutil.which
    broker = KafkaBroker(tmp_path, "127.0.0.1", free_port(pair=True))
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "java" else real_which(tool))
    with pytest.raises(StackError, match="Java 17\\+ is required"):
        broker.start()
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "mvn" else real_which(tool))
    with pytest.raises(StackError, match="Maven is required"):
        broker.start()


def test_kafka_recovers_after_kill_9_and_down_leaves_nothing(tmp_path: Path) -> None:
    broker = KafkaBroker(tmp_path, "127.0.0.1", free_port(pair=True), heap_mb=512)
    try:
        assert broker.start() is True
        first = broker.pidfile.read()
        assert first is not None and broker.status().healthy
        assert broker.start() is False  # idempotent: reuses the running broker
        assert broker.pidfile.read() == first

        os.kill(first, signal.SIGKILL)
        _wait_dead(first)
        assert broker.status().healthy is False

        assert broker.start() is True  # stale pid file, unclean log dir: recovers by itself
        second = broker.pidfile.read()
        assert second is not None and second != first
        assert broker.status().healthy
    finally:
        broker.stop()
    assert broker.pidfile.read() is None
    assert not broker.pidfile.path.exists()
    assert second is not None and not is_alive(second)


def test_redis_recovers_after_kill_9(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, f"redis://127.0.0.1:{free_port()}/0")
    try:
        assert server.start() is True
        pid = server.pidfile.read()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        _wait_dead(pid)
        assert server.start() is True
        assert server.ping()
    finally:
        server.stop()
    assert not server.ping()
    assert server.pidfile.read() is None


def _wait_dead(pid: int) -> None:
    deadline = time.monotonic() + 10
    while is_alive(pid) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)
    assert not is_alive(pid)


def test_cluster_ids_never_look_like_options(monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    from deerstream.stack import kafka

    # The first UUID encodes to an id starting with "-" (0xf8 → "-" in URL-safe base64).
    draws = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(int=7)])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(draws))
    cluster_id = kafka.new_cluster_id()
    assert not cluster_id.startswith("-") and len(cluster_id) == 22
