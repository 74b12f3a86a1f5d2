"""Free loopback ports for servers a test starts itself."""

from __future__ import annotations

import socket


def free_port(*, pair: bool = False) -> int:
    """A free loopback port; with ``pair``, ``port + 1`` is free too (Kafka's controller)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not pair:
            return port
        with socket.socket() as s2:
            try:
                s2.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
