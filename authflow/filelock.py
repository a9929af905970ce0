"""An exclusive lock shared by every process of this user: a lock file held with ``flock`` (``msvcrt`` on
Windows). Closing the descriptor, or the process dying, releases it. The lock file stays (mode 0600); it is
a separate file because what it guards is replaced atomically (a new inode each time)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

#: How often a waiting process tries the lock again.
POLL = 0.02


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def exclusive(path: Path, *, timeout: float, on_timeout: Callable[[], Exception]) -> Iterator[None]:
    """Hold the lock of ``path`` (created with mode 0600, never through a symlink) for the block; waits at
    most ``timeout`` seconds, then raises ``on_timeout()``."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise on_timeout()
            time.sleep(POLL)
        yield
    finally:
        os.close(fd)
