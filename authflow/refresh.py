"""Cached tokens made valid again: refreshed once for every process that needs them at the same time.

:func:`cached_or_refreshed` returns the cached tokens while they are valid; else it takes a lock on a file
beside the cache entry (``<entry>.lock``, an exclusive ``flock``/``fcntl`` lock, ``msvcrt`` on Windows)
that every process of this user holds while refreshing, reads the entry again (another process may have
refreshed meanwhile: then its tokens are used and no call is made), refreshes with
:meth:`~authflow.transport.UserPool.refresh`, and writes the result (a rotated refresh token
included) atomically to the cache before returning it. So ten ``authflow token`` runs at once against an
expired token make one refresh call, and a rotated refresh token is never lost between two runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from authflow.errors import AuthflowError, NotAuthorizedError, RefreshTokenReuseError
from authflow.filelock import LockFileError, exclusive
from authflow.tokencache import CacheFileError, CacheKey, TokenCache, device_key, failure_reason, internal_username

if TYPE_CHECKING:
    from authflow.tokens import Tokens
    from authflow.transport import UserPool

#: How long a process waits for another one's refresh before it gives up.
LOCK_TIMEOUT = 60.0


class CacheLockTimeout(AuthflowError):
    code = "TokenCacheLockTimeout"


@contextlib.contextmanager
def entry_lock(cache: TokenCache, key: CacheKey, *, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock of ``key``'s entry (a lock file of mode 0600 beside it), shared by every
    process; released when the block ends or the process dies. Waits at most ``timeout`` seconds."""
    path = lock_path(cache, key)
    with contextlib.ExitStack() as held:
        try:
            cache.ensure_directory()
            held.enter_context(exclusive(path, timeout=timeout, on_timeout=lambda: CacheLockTimeout(
                f"another authflow process has held {path} for {timeout:g} s")))
        except LockFileError as exc:
            raise CacheFileError(f"the token cache cannot be locked to refresh: {exc.message}") from None
        except OSError as exc:
            raise CacheFileError(f"the token cache folder {cache.tokens_dir} cannot be used "
                                 f"({failure_reason(exc)})") from None
        yield


def refused_note(exc: AuthflowError) -> str:
    """What a refused refresh token is said as."""
    return f"the refresh token is no longer accepted ({exc.code})"


def lock_path(cache: TokenCache, key: CacheKey) -> Path:
    return cache.path_for(key).with_suffix(".lock")


def cached_or_refreshed(
    cache: TokenCache, key: CacheKey, pool: UserPool, *, leeway: float,
    on_refused: Callable[[AuthflowError], None] | None = None,
) -> Tokens | None:
    """Tokens of ``key`` good for ``leeway`` seconds more: cached, or refreshed (once across processes)
    and cached. None when there is nothing to refresh with, or Cognito no longer takes the refresh token
    (NotAuthorizedException, RefreshTokenReuseException): the caller signs in again. That refusal is given to
    ``on_refused`` when there is one (the caller says it), else said as a warning of the cache."""
    cached = cache.load(key)
    if cached is not None and not cached.expired(leeway=leeway):
        return cached
    if cached is None or not cached.refresh_token:
        return None
    with entry_lock(cache, key):
        current = cache.load(key)  # another process may have refreshed while this one waited
        if current is None or not current.refresh_token:
            return None
        if not current.expired(leeway=leeway):
            return current
        try:
            tokens = pool.refresh(
                current.refresh_token,
                username=internal_username(current) or key.username,
                device_key=device_key(current),
            )
        except (NotAuthorizedError, RefreshTokenReuseError) as exc:
            if on_refused is not None:
                on_refused(exc)
            else:
                cache.warn(f"{refused_note(exc)}: signing in again")
            return None
        if tokens.new_device_metadata is None and current.new_device_metadata:
            # Refreshed tokens keep the device of the sign-in (a refresh carries no NewDeviceMetadata).
            tokens = replace(tokens, new_device_metadata=dict(current.new_device_metadata))
        try:
            cache.store(key, tokens)  # before the lock is released and before anything uses them
        except (OSError, CacheFileError) as exc:
            cache.warn(f"the refreshed tokens could not be cached ({failure_reason(exc)})")
        return tokens
