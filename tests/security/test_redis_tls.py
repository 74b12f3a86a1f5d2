"""``rediss://`` against a real redis-server speaking TLS (certificates made for the test):
the worker's client trusts the CA named in the URL, and an untrusted server is a clear
configuration error."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from redis import exceptions as redis_errors

from deerstream.agents.preflight import check_redis
from deerstream.errors import ConfigError
from deerstream.settings import Settings
from tests.ports import free_port
from tests.security.certs import Certs, make_certs

pytestmark = pytest.mark.integration

PASSWORD = "Tls-S3cret-m2v8"


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[tuple[int, Certs]]:
    """redis-server with only a TLS port and a password; stopped after the test."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed")
    certs = make_certs(tmp_path / "tls")
    port = free_port()
    argv = [
        server, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
        "--tls-cert-file", str(certs.cert), "--tls-key-file", str(certs.key),
        "--tls-ca-cert-file", str(certs.ca), "--tls-auth-clients", "no",
        "--requirepass", PASSWORD, "--save", "", "--appendonly", "no", "--dir", str(tmp_path),
    ]  # fmt: skip
    with open(tmp_path / "redis.log", "wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, proc)
        yield port, certs
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    import socket

    for _ in range(100):
        assert proc.poll() is None, "redis-server (TLS) exited at start"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("redis-server (TLS) did not listen")


async def test_rediss_url_with_ca_file_round_trips(tls_redis: tuple[int, Certs]) -> None:
    port, certs = tls_redis
    url = f"rediss://:{PASSWORD}@127.0.0.1:{port}/0?ssl_ca_certs={certs.ca}"
    settings = Settings(redis_url=url)
    await check_redis(settings.redis)
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        await client.set("deerstream:tls", b"yes")
        assert await client.get("deerstream:tls") == b"yes"
    finally:
        await client.aclose()
    # The port speaks only TLS: the same URL without TLS gets nowhere.
    plain = aioredis.Redis.from_url(
        f"redis://:{PASSWORD}@127.0.0.1:{port}/0", socket_timeout=2, retry_on_error=[]
    )
    try:
        with pytest.raises(redis_errors.ConnectionError):
            await plain.ping()
    finally:
        await plain.aclose()


async def test_untrusted_redis_certificate_is_a_config_error(
    tls_redis: tuple[int, Certs], tmp_path: Path
) -> None:
    port, _ = tls_redis
    other = make_certs(tmp_path / "other-ca")  # a CA that did not sign the server's cert
    url = f"rediss://:{PASSWORD}@127.0.0.1:{port}/0?ssl_ca_certs={other.ca}"
    with pytest.raises(
        ConfigError, match=r"Redis TLS handshake with 127\.0\.0\.1:\d+ failed"
    ) as caught:
        await check_redis(Settings(redis_url=url).redis, timeout_s=2)
    assert PASSWORD not in str(caught.value)


async def test_wrong_password_over_tls_is_an_auth_error(tls_redis: tuple[int, Certs]) -> None:
    port, certs = tls_redis
    url = f"rediss://:nope@127.0.0.1:{port}/0?ssl_ca_certs={certs.ca}"
    with pytest.raises(ConfigError, match="Redis authentication failed"):
        await check_redis(Settings(redis_url=url).redis)
