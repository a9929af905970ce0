"""Tokens kept between runs, one entry per endpoint / pool / app client / user.

Entries live in the user's cache directory (``platformdirs.user_cache_dir("authflow")``, or
``AUTHFLOW_CACHE_DIR``) under ``tokens/``: a directory of mode 0700 holding one JSON file of mode 0600
per entry, written to a temporary file in the same directory and moved into place, so a reader never
sees half a file and the tokens are never readable by another user, not even for a moment.

A remembered device (:class:`~authflow.devices.Device`, whose device password is a secret) is kept the
same way beside the tokens of the same key, in ``<key>.device.json``: it outlives the tokens (signing out
forgets the tokens, not the device).

With ``use_keyring=True`` (and the ``keyring`` package installed) the tokens and devices go to the system
keyring and the file keeps only where to find them. A file that can't be read or makes no sense is ignored
with a warning: the cache may be lost, never the sign-in.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import math
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from authflow.errors import AuthflowError, MalformedResponseError
from authflow.tokens import Tokens

if TYPE_CHECKING:  # authflow.devices brings SRP (and gmpy2): `authflow token` starts without them
    from authflow.devices import Device

CACHE_DIR_ENV = "AUTHFLOW_CACHE_DIR"
KEYRING_SERVICE = "authflow"
FORMAT_VERSION = 1
#: The largest entry file read (an entry is a few KB); anything bigger is ignored unread.
MAX_ENTRY_BYTES = 256 * 1024
#: A ``.tmp-*`` file older than this (seconds) was left by a write that never finished: removed.
STALE_TMP_AGE = 60.0
#: The longest DeviceKey, DeviceGroupKey or device password read back (Cognito's are under 100 characters).
MAX_DEVICE_FIELD = 1024

Warn = Callable[[str], None]
T = TypeVar("T")


def default_cache_dir() -> Path:
    """``$AUTHFLOW_CACHE_DIR``, else the platform's user cache directory for authflow."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("authflow"))


def _warn_stderr(message: str) -> None:
    print(f"authflow: warning: {message}", file=sys.stderr)


@dataclass(frozen=True)
class CacheKey:
    """Which tokens: the same user of another pool, client or endpoint is another entry."""

    pool_id: str
    client_id: str
    username: str
    endpoint_url: str | None = None

    def digest(self) -> str:
        """A file-name-safe name for the entry (the user name is not put in a file name)."""
        material = json.dumps([self.endpoint_url or "", self.pool_id, self.client_id, self.username])
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]

    def describe(self) -> dict[str, str | None]:
        return {
            "pool_id": self.pool_id,
            "client_id": self.client_id,
            "username": self.username,
            "endpoint_url": self.endpoint_url,
        }


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, decoded WITHOUT verifying its signature (only to read our own claims)."""
    try:
        payload = token.split(".")[1]
        padded = payload + "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (IndexError, ValueError, UnicodeError, binascii.Error) as exc:
        raise MalformedResponseError("the token is not a JWT") from exc
    if not isinstance(claims, dict):
        raise MalformedResponseError("the token's payload is not a JSON object")
    return claims


def internal_username(tokens: Tokens) -> str | None:
    """The Cognito-assigned user name (for SECRET_HASH on refresh): ``username`` / ``cognito:username``."""
    candidates: list[tuple[str | None, str]] = [
        (tokens.access_token, "username"),
        (tokens.id_token, "cognito:username"),
    ]
    for token, claim in candidates:
        if not token:
            continue
        try:
            value = jwt_claims(token).get(claim)
        except MalformedResponseError:
            continue
        if isinstance(value, str) and value:
            return value
    return None


def device_key(tokens: Tokens) -> str | None:
    """The device key from the sign-in's NewDeviceMetadata, if the pool remembers devices."""
    metadata = tokens.new_device_metadata or {}
    value = metadata.get("DeviceKey")
    return value if isinstance(value, str) and value else None


class CacheFileError(AuthflowError):
    code = "TokenCacheError"


def failure_reason(exc: OSError | CacheFileError) -> str:
    """Why the cache could not be read or written, for a warning (never a secret: no file contents)."""
    return exc.message if isinstance(exc, CacheFileError) else exc.strerror or type(exc).__name__


@dataclass(frozen=True)
class _Kind:
    """A kind of entry: ``name`` in messages; ``suffix`` after the key's digest in its file and keyring names."""

    name: str
    suffix: str


_TOKENS = _Kind("tokens", "")
_DEVICE = _Kind("device", ".device")


def checked_tokens(result: Mapping[str, Any], issued_at: Any) -> Tokens:
    """``result`` as Tokens, checked as a server's answer is (Tokens.from_authentication_result), with an
    ``issued_at`` that is a real time (finite, after 1970, before 3000): else MalformedResponseError."""
    if isinstance(issued_at, bool) or not isinstance(issued_at, (int, float)):
        raise MalformedResponseError("issued_at is not a number")
    try:
        when = float(issued_at)
    except OverflowError as exc:
        raise MalformedResponseError("issued_at is out of range") from exc
    if not math.isfinite(when) or not 0 <= when < 32_503_680_000:
        raise MalformedResponseError("issued_at is out of range")
    return Tokens.from_authentication_result(result, issued_at=when)


def _tokens_from(payload: Mapping[str, Any]) -> Tokens:
    result = payload.get("result")
    issued_at = payload.get("issued_at")
    if not isinstance(result, Mapping) or not isinstance(issued_at, (int, float)):
        raise CacheFileError("no AuthenticationResult")
    return checked_tokens(result, issued_at)


def _device_from(payload: Mapping[str, Any]) -> Device:
    """The entry's device: DeviceKey, DeviceGroupKey and DevicePassword, each a printable string of 1 to
    MAX_DEVICE_FIELD characters; else CacheFileError (whose message holds none of them)."""
    data = payload.get("device")
    if not isinstance(data, Mapping):
        raise CacheFileError("no device")
    for name in ("DeviceKey", "DeviceGroupKey", "DevicePassword"):
        value = data.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= MAX_DEVICE_FIELD or not value.isprintable():
            raise CacheFileError(f"the device's {name} is not a short printable string")
    from authflow.devices import Device

    return Device.from_dict(data)


class TokenCache:
    """Load, store and forget token and device entries. Nothing here talks to Cognito."""

    def __init__(
        self,
        directory: Path | str | None = None,
        *,
        use_keyring: bool = False,
        warn: Warn | None = None,
    ) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.warn: Warn = warn or _warn_stderr
        self._said: set[str] = set()  # what an entry that cannot be used was ignored for: said once
        self._keyring: Any = None
        if use_keyring:
            try:
                import keyring  # type: ignore[import-not-found,unused-ignore]
            except ImportError:
                self.warn("--keyring: the keyring package is not installed (pip install 'authflow[keyring]'); "
                          "using the file cache")
            else:
                self._keyring = keyring

    def _warn_once(self, message: str) -> None:
        if message not in self._said:
            self._said.add(message)
            self.warn(message)

    @property
    def tokens_dir(self) -> Path:
        return self.directory / "tokens"

    def path_for(self, key: CacheKey) -> Path:
        """The file of ``key``'s tokens."""
        return self._path(key, _TOKENS)

    def device_path_for(self, key: CacheKey) -> Path:
        """The file of ``key``'s remembered device."""
        return self._path(key, _DEVICE)

    def _path(self, key: CacheKey, kind: _Kind) -> Path:
        return self.tokens_dir / f"{key.digest()}{kind.suffix}.json"

    def ensure_directory(self) -> Path:
        """The ``tokens/`` folder, made (0700) if absent: a symlink or another user's folder is refused
        (CacheFileError); ours with a looser mode is set to 0700; ``.tmp-*`` files of writes that never
        finished (a killed process) are removed."""
        folder = self.tokens_dir
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        info = os.lstat(folder)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise CacheFileError(f"the token cache folder {folder} is a symlink or not a folder: refused")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise CacheFileError(f"the token cache folder {folder} belongs to another user: refused")
        if stat.S_IMODE(info.st_mode) & (stat.S_IRWXG | stat.S_IRWXO):
            self.warn(f"the token cache folder {folder} was open to others (mode {stat.S_IMODE(info.st_mode):o}):"
                      " set to 700")
            os.chmod(folder, 0o700)
        self._remove_stale_temporaries(folder)
        return folder

    def _remove_stale_temporaries(self, folder: Path) -> None:
        cutoff = time.time() - STALE_TMP_AGE
        for leftover in folder.glob(".tmp-*"):
            try:
                if os.lstat(leftover).st_mtime < cutoff:
                    leftover.unlink()
            except FileNotFoundError:
                continue  # another process removed it first

    # --- reading -----------------------------------------------------------------------------

    def load(self, key: CacheKey) -> Tokens | None:
        """The cached tokens for ``key``, or None when there are none or the entry is unusable."""
        return self._load(key, _TOKENS, _tokens_from)

    def device(self, key: CacheKey) -> Device | None:
        """The remembered device for ``key``, or None when there is none or the entry is unusable."""
        return self._load(key, _DEVICE, _device_from)

    def _load(self, key: CacheKey, kind: _Kind, parse: Callable[[Mapping[str, Any]], T]) -> T | None:
        path = self._path(key, kind)
        if not self.tokens_dir.exists():
            return None
        try:
            self.ensure_directory()
            info, raw = _read_entry(path)
        except FileNotFoundError:
            return None
        except CacheFileError as exc:
            self._warn_once(f"ignoring the token cache: {exc.message}")
            return None
        except OSError as exc:
            self._warn_once(f"ignoring the token cache file {path}: {failure_reason(exc)}")
            return None
        if not stat.S_ISREG(info.st_mode):
            self._warn_once(f"ignoring {path}: it is not a regular file (a FIFO, a device or a folder); remove it")
            return None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            self._warn_once(f"ignoring the token cache file {path}: it is readable by others")
            return None
        if len(raw) > MAX_ENTRY_BYTES:
            self._warn_once(f"ignoring the corrupt token cache file {path} (larger than {MAX_ENTRY_BYTES} bytes)")
            return None
        try:
            entry = json.loads(raw.decode("utf-8"))
            return parse(self._payload(key, kind, entry))
        except RecursionError:
            self._warn_once(f"ignoring the corrupt token cache file {path} (nested too deeply)")
        except (ValueError, UnicodeError, OverflowError, TypeError, MalformedResponseError, CacheFileError) as exc:
            reason = exc.message if isinstance(exc, AuthflowError) else "not valid JSON"
            self._warn_once(f"ignoring the corrupt token cache file {path} ({reason})")
        return None

    def _payload(self, key: CacheKey, kind: _Kind, entry: Any) -> Mapping[str, Any]:
        """What the entry keeps: in the file itself, or in the keyring where the file points."""
        if not isinstance(entry, dict) or entry.get("version") != FORMAT_VERSION:
            raise CacheFileError("unknown format")
        if entry.get("key") != key.describe():
            raise CacheFileError("the entry belongs to another user, pool or client")
        storage = entry.get("storage")
        if storage == "keyring":
            return self._read_keyring(key, kind)
        if storage != "file":
            raise CacheFileError("unknown storage")
        return entry

    def _keyring_module(self) -> Any:
        """The keyring in use, else the ``keyring`` package if it is installed, else None."""
        if self._keyring is not None:
            return self._keyring
        try:
            import keyring  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return None
        return keyring

    def _read_keyring(self, key: CacheKey, kind: _Kind) -> dict[str, Any]:
        keyring = self._keyring_module()
        if keyring is None:
            raise CacheFileError(f"the {kind.name} entry points to the keyring, which is not available")
        try:
            stored = keyring.get_password(KEYRING_SERVICE, key.digest() + kind.suffix)
        except Exception as exc:  # any keyring backend failure means "not cached"
            raise CacheFileError(f"the keyring could not be read ({type(exc).__name__})") from exc
        if not stored:
            raise CacheFileError(f"the keyring holds no {kind.name} for this entry")
        entry = json.loads(stored)
        if not isinstance(entry, dict):
            raise CacheFileError("the keyring entry is not a JSON object")
        return entry

    # --- writing -----------------------------------------------------------------------------

    def store(self, key: CacheKey, tokens: Tokens) -> Path:
        """Keep ``tokens`` for ``key``; returns the file written."""
        result = tokens.authentication_result()
        checked_tokens(result, tokens.issued_at)  # nothing is cached that a later load would refuse
        return self._put(key, _TOKENS, {"issued_at": tokens.issued_at, "result": result})

    def save_device(self, key: CacheKey, device: Device) -> Path:
        """Keep the remembered ``device`` for ``key`` (replacing the one kept before); returns the file written."""
        payload = {"device": device.to_dict()}
        _device_from(payload)  # nothing is kept that a later read would refuse
        return self._put(key, _DEVICE, payload)

    def _put(self, key: CacheKey, kind: _Kind, payload: dict[str, Any]) -> Path:
        path = self._path(key, kind)
        entry: dict[str, Any] = {"version": FORMAT_VERSION, "key": key.describe(), "stored_at": time.time()}
        if self._keyring is not None:
            try:
                self._keyring.set_password(KEYRING_SERVICE, key.digest() + kind.suffix, json.dumps(payload))
            except Exception as exc:  # noqa: BLE001 - fall back to the file on any keyring failure
                self.warn(f"the keyring refused the {kind.name} ({type(exc).__name__}): using the file cache")
            else:
                entry["storage"] = "keyring"
                return self._write(path, entry)
        entry["storage"] = "file"
        entry.update(payload)
        return self._write(path, entry)

    def _write(self, path: Path, entry: Mapping[str, Any]) -> Path:
        self.ensure_directory()
        write_private_file(path, json.dumps(entry, indent=1).encode("utf-8"))
        return path

    def forget(self, key: CacheKey) -> bool:
        """Remove the tokens' entry (and its keyring secret); True when there was one. The device stays."""
        return self._remove(key, _TOKENS)

    # --- other entries beside the tokens (authflow.credentials: identity ids, AWS credentials) -------

    def load_entry(self, key: CacheKey, name: str, suffix: str, parse: Callable[[Mapping[str, Any]], T]) -> T | None:
        """Another entry of ``key`` (``<digest><suffix>.json``, read as the tokens are: 0600, no symlink, the key
        checked, the keyring when it went there): ``parse`` makes it a value or raises CacheFileError /
        MalformedResponseError (then it is ignored with a warning). ``name`` says what it is in warnings."""
        return self._load(key, _Kind(name, suffix), parse)

    def store_entry(self, key: CacheKey, name: str, suffix: str, payload: dict[str, Any]) -> Path:
        """Keep ``payload`` as another entry of ``key`` (see :meth:`load_entry`); returns the file written."""
        return self._put(key, _Kind(name, suffix), payload)

    def forget_entry(self, key: CacheKey, name: str, suffix: str) -> bool:
        return self._remove(key, _Kind(name, suffix))

    def forget_device(self, key: CacheKey) -> bool:
        """Remove the remembered device's entry (and its keyring secret); True when there was one."""
        return self._remove(key, _DEVICE)

    def _remove(self, key: CacheKey, kind: _Kind) -> bool:
        path = self._path(key, kind)
        try:
            info, raw = _read_entry(path)
            entry = json.loads(raw.decode("utf-8")) if stat.S_ISREG(info.st_mode) else None
        except FileNotFoundError:
            return False
        except (OSError, ValueError, UnicodeError, RecursionError):
            entry = None
        if isinstance(entry, dict) and entry.get("storage") == "keyring":
            self._delete_keyring(key, kind)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return True

    def _delete_keyring(self, key: CacheKey, kind: _Kind) -> None:
        keyring = self._keyring_module()
        if keyring is None:
            self.warn(f"the {kind.name} entry pointed to the keyring, which is not available now: it stays there")
            return
        try:
            keyring.delete_password(KEYRING_SERVICE, key.digest() + kind.suffix)
        except Exception as exc:  # noqa: BLE001 - PasswordDeleteError when absent, or a backend failure
            if type(exc).__name__ != "PasswordDeleteError":
                self.warn(f"the keyring entry could not be removed ({type(exc).__name__})")


def _read_entry(path: Path) -> tuple[os.stat_result, bytes]:
    """What is at ``path`` and, when it is a regular file, its first MAX_ENTRY_BYTES + 1 bytes. Never follows a
    symlink (ELOOP) and never waits: a FIFO or device planted at an entry is opened without blocking and not
    read (its bytes are empty)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        raw = handle.read(MAX_ENTRY_BYTES + 1) if stat.S_ISREG(info.st_mode) else b""
    return info, raw


def write_private_file(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, mode 0600 from the first byte (never readable by others).

    The bytes go to a temporary file created with mode 0600 in the same directory, then
    ``os.replace`` moves it over ``path``: a reader sees the old file or the whole new one.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)  # os.open(..., 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
