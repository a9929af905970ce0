"""What stands at a token cache path is checked before it is opened (issue 23, item 25): a FIFO planted at an
entry or at its lock is never waited on, a symlinked lock and a read-only folder are one clear typed error, and
the cached tokens are never lost."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from authflow.filelock import LockFileError, exclusive
from authflow.refresh import cached_or_refreshed, lock_path
from authflow.tokencache import CacheFileError, CacheKey, TokenCache
from authflow.tokens import Tokens
from authflow.transport import UserPool

KEY = CacheKey("us-east-1_Pool", "client123", "alice", "http://127.0.0.1:9229")
EXPIRED = {"AccessToken": "a.b.c", "IdToken": "i.d.t", "RefreshToken": "r", "ExpiresIn": 60, "TokenType": "Bearer"}
T = TypeVar("T")


def within(seconds: float, work: Callable[[], T]) -> T:
    """``work()`` on a daemon thread; fails the test (instead of hanging it) when it blocks."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"blocked for more than {seconds} s")
    ok, value = outcome[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def cache(tmp_path: Path, warnings: list[str]) -> TokenCache:
    cache = TokenCache(tmp_path / "cache", warn=warnings.append)
    cache.store(KEY, Tokens.from_authentication_result(EXPIRED, issued_at=time.time() - 3600))
    return cache


def unused_pool() -> UserPool:
    """A pool nothing may be sent to (port 9 on loopback: a call would fail, not hang)."""
    return UserPool("us-east-1_Pool", "client123", endpoint_url="http://127.0.0.1:9", max_attempts=1)


def test_a_fifo_at_an_entry_is_ignored_without_waiting(cache: TokenCache, warnings: list[str]) -> None:
    path = cache.path_for(KEY)
    path.unlink()
    os.mkfifo(path, 0o600)
    assert within(5, lambda: cache.load(KEY)) is None
    assert within(5, lambda: cache.load(KEY)) is None
    assert len(warnings) == 1 and "not a regular file" in warnings[0] and str(path) in warnings[0]
    os.mkfifo(cache.device_path_for(KEY), 0o600)
    assert within(5, lambda: cache.device(KEY)) is None
    assert within(5, lambda: cache.forget(KEY)) and not path.exists()
    cache.store(KEY, Tokens.from_authentication_result(EXPIRED))  # a sign-in's tokens replace it
    assert cache.load(KEY) is not None


def test_a_fifo_or_a_symlink_at_the_lock_is_a_clear_error_and_the_tokens_stay(cache: TokenCache,
                                                                             tmp_path: Path) -> None:
    entry = cache.path_for(KEY).read_bytes()
    lock = lock_path(cache, KEY)
    os.mkfifo(lock, 0o600)
    with pytest.raises(CacheFileError, match="is not a regular file"):
        within(5, lambda: cached_or_refreshed(cache, KEY, unused_pool(), leeway=60))
    lock.unlink()
    lock.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CacheFileError) as caught:
        within(5, lambda: cached_or_refreshed(cache, KEY, unused_pool(), leeway=60))
    assert "is a symlink" in caught.value.message and str(lock) in caught.value.message
    assert caught.value.code == "TokenCacheError" and "\n" not in str(caught.value)
    assert not (tmp_path / "elsewhere").exists()
    assert cache.path_for(KEY).read_bytes() == entry  # no token lost


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` where nothing can be created: mode 0500, and for root (whom modes do not stop) immutable."""
    os.chmod(folder, 0o500)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        os.chmod(folder, 0o700)


def test_a_read_only_cache_folder_is_a_clear_error_and_the_tokens_stay(cache: TokenCache) -> None:
    entry = cache.path_for(KEY).read_bytes()
    with read_only(cache.tokens_dir):
        assert cache.load(KEY) is not None  # reading still works
        with pytest.raises(CacheFileError) as caught:
            cached_or_refreshed(cache, KEY, unused_pool(), leeway=60)
        assert "cannot be created" in caught.value.message and "read-only" in caught.value.message
    assert cache.path_for(KEY).read_bytes() == entry


def test_the_lock_itself_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    os.mkdir(tmp_path / "a-folder")
    with pytest.raises(LockFileError, match="not a regular file"), exclusive(
            tmp_path / "a-folder", timeout=1, on_timeout=lambda: AssertionError("timeout")):
        pass
    with exclusive(tmp_path / "fine.lock", timeout=1, on_timeout=lambda: AssertionError("timeout")):
        assert (os.stat(tmp_path / "fine.lock").st_mode & 0o777) == 0o600
