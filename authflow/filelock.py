"""An exclusive lock shared by every process of this user: a lock file held with ``flock`` (``msvcrt`` on
Windows). Closing the descriptor, or the process dying, releases it. The lock file stays (mode 0600); it is
a separate file because what it guards is replaced atomically (a new inode each time)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from authflow.errors import AuthflowError

#: How often a waiting process tries the lock again.
POLL = 0.02


class LockFileError(AuthflowError):
    """The lock file cannot be used: a symlink or something other than a file stands at its path, or it cannot
    be created (a read-only folder). Nothing was locked; what the lock guards was not touched."""

    code = "LockFileError"


def _open(path: Path) -> int:
    """The lock file's descriptor: created 0600 if absent, never through a symlink, never blocking (a FIFO
    planted there is opened without waiting, then refused as not a file)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockFileError(f"the lock file {path} is a symlink: refused (remove it)") from None
        if exc.errno == errno.EISDIR:
            raise LockFileError(f"the lock file {path} is not a regular file but a folder: refused (remove it)"
                                ) from None
        hint = "; is its folder read-only?" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else ""
        raise LockFileError(f"the lock file {path} cannot be created or opened ({exc.strerror or exc}){hint}"
                            ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockFileError(f"the lock file {path} is not a regular file: refused (remove it)")
    return fd


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
    most ``timeout`` seconds, then raises ``on_timeout()``. A lock file that cannot be used is a
    :class:`LockFileError`."""
    fd = _open(path)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise on_timeout()
            time.sleep(POLL)
        yield
    finally:
        os.close(fd)
