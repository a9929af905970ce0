"""A local pool that can be stopped and started again on the same port (the same endpoint URL), for the tests of
what a client does when the pool goes away during a sign-in, or comes back with other signing keys."""

from __future__ import annotations

import socket
from typing import Any

from authflow.localpool import LocalUserPool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def start_pool(seed: Any, port: int, **options: Any) -> LocalUserPool:
    """A pool serving ``seed`` on 127.0.0.1:``port``."""
    return LocalUserPool(seed, port=port, **options).start()
