"""The token cache on disk: what it writes, with which permissions, and what it does with a bad file.

(Refreshing and revoking through a real pool are in tests/test_cli_token.py.)
"""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from authflow.devices import Device
from authflow.tokencache import (
    CacheKey,
    TokenCache,
    default_cache_dir,
    device_key,
    internal_username,
    jwt_claims,
    write_private_file,
)
from authflow.tokens import Tokens


def fake_jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


def tokens(*, issued_at: float | None = None, expires_in: int = 3600, device: bool = False) -> Tokens:
    result: dict[str, object] = {
        "AccessToken": fake_jwt({"username": "6f1c-sub", "token_use": "access"}),
        "IdToken": fake_jwt({"cognito:username": "6f1c-sub", "token_use": "id"}),
        "RefreshToken": "refresh-token-opaque",
        "ExpiresIn": expires_in,
        "TokenType": "Bearer",
    }
    if device:
        result["NewDeviceMetadata"] = {"DeviceKey": "us-east-1_dev", "DeviceGroupKey": "grp"}
    return Tokens.from_authentication_result(result, issued_at=issued_at)


KEY = CacheKey("us-east-1_Pool", "client123", "alice@example.com", "http://127.0.0.1:9229")


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def cache(tmp_path: Path, warnings: list[str]) -> TokenCache:
    return TokenCache(tmp_path / "cache", warn=warnings.append)


def test_round_trip(cache: TokenCache) -> None:
    stored = tokens(issued_at=1000.0, device=True)
    cache.store(KEY, stored)
    loaded = cache.load(KEY)
    assert loaded is not None
    assert loaded.authentication_result() == stored.authentication_result()
    assert loaded.issued_at == 1000.0
    assert loaded.expired()  # issued long ago


def test_file_is_0600_in_a_0700_directory_and_nothing_else_is_left(cache: TokenCache) -> None:
    path = cache.store(KEY, tokens())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert "alice" not in path.name  # no user name in a file name


def test_file_is_0600_even_with_a_permissive_umask(cache: TokenCache) -> None:
    old = os.umask(0)
    try:
        path = cache.store(KEY, tokens())
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_entries_are_per_pool_client_user_and_endpoint(cache: TokenCache) -> None:
    cache.store(KEY, tokens())
    others = [
        CacheKey("us-east-1_Other", KEY.client_id, KEY.username, KEY.endpoint_url),
        CacheKey(KEY.pool_id, "client456", KEY.username, KEY.endpoint_url),
        CacheKey(KEY.pool_id, KEY.client_id, "bob", KEY.endpoint_url),
        CacheKey(KEY.pool_id, KEY.client_id, KEY.username, None),
    ]
    for other in others:
        assert cache.load(other) is None


def test_missing_entry_is_none_without_warning(cache: TokenCache, warnings: list[str]) -> None:
    assert cache.load(KEY) is None
    assert warnings == []


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00",
        b"[]",
        b'{"version": 99}',
        b'{"version": 1, "key": {}, "storage": "file"}',
    ],
)
def test_corrupt_file_is_ignored_with_a_warning(cache: TokenCache, warnings: list[str], content: bytes) -> None:
    path = cache.path_for(KEY)
    path.parent.mkdir(mode=0o700, parents=True)
    write_private_file(path, content)
    assert cache.load(KEY) is None
    assert len(warnings) == 1
    assert "ignoring" in warnings[0] and str(path) in warnings[0]
    cache.store(KEY, tokens())  # and it is replaced by the next sign-in
    assert cache.load(KEY) is not None


def test_entry_without_access_token_is_ignored(cache: TokenCache, warnings: list[str]) -> None:
    path = cache.store(KEY, tokens())
    entry = json.loads(path.read_text())
    del entry["result"]["AccessToken"]
    write_private_file(path, json.dumps(entry).encode())
    assert cache.load(KEY) is None
    assert "AccessToken" in warnings[0]
    assert "refresh-token-opaque" not in warnings[0]


def test_file_readable_by_others_is_ignored(cache: TokenCache, warnings: list[str]) -> None:
    path = cache.store(KEY, tokens())
    path.chmod(0o644)
    assert cache.load(KEY) is None
    assert "readable by others" in warnings[0]


def test_forget(cache: TokenCache) -> None:
    cache.store(KEY, tokens())
    assert cache.forget(KEY) is True
    assert cache.load(KEY) is None
    assert cache.forget(KEY) is False


DEVICE = Device("us-east-1_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "-grpKey1", "device-password-SECRET+/=")


def test_a_device_is_kept_beside_the_tokens_and_outlives_them(cache: TokenCache, warnings: list[str]) -> None:
    assert cache.device(KEY) is None and cache.forget_device(KEY) is False
    cache.store(KEY, tokens())
    path = cache.save_device(KEY, DEVICE)
    assert path == cache.device_path_for(KEY) and path.parent == cache.path_for(KEY).parent
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "alice" not in path.name
    assert cache.device(KEY) == DEVICE
    assert cache.load(KEY) is not None  # the tokens' entry is untouched, in its old format
    assert json.loads(cache.path_for(KEY).read_text())["result"]["RefreshToken"] == "refresh-token-opaque"
    assert cache.forget(KEY) and cache.device(KEY) == DEVICE  # signing out keeps the device
    for other in (CacheKey(KEY.pool_id, KEY.client_id, "bob", KEY.endpoint_url),
                  CacheKey(KEY.pool_id, "client456", KEY.username, KEY.endpoint_url)):
        assert cache.device(other) is None
    replacement = Device("us-east-1_aaaa", "-grpKey2", "another-password")
    cache.save_device(KEY, replacement)
    assert cache.device(KEY) == replacement
    assert cache.forget_device(KEY) is True and cache.device(KEY) is None and not path.exists()
    assert warnings == []


def test_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUTHFLOW_CACHE_DIR", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    assert TokenCache().directory == tmp_path / "x"
    monkeypatch.delenv("AUTHFLOW_CACHE_DIR")
    assert default_cache_dir().name == "authflow"


def test_internal_username_and_device_key() -> None:
    signed_in = tokens(device=True)
    assert internal_username(signed_in) == "6f1c-sub"
    assert device_key(signed_in) == "us-east-1_dev"
    no_access_claim = Tokens.from_authentication_result(
        {"AccessToken": "opaque", "IdToken": fake_jwt({"cognito:username": "from-id"}), "ExpiresIn": 60}
    )
    assert internal_username(no_access_claim) == "from-id"
    assert internal_username(Tokens.from_authentication_result({"AccessToken": "x.y.z"})) is None
    assert device_key(tokens()) is None


def test_jwt_claims_rejects_garbage() -> None:
    from authflow.errors import MalformedResponseError

    with pytest.raises(MalformedResponseError):
        jwt_claims("no-dots")
    with pytest.raises(MalformedResponseError):
        jwt_claims("a.!!!.c")


def test_write_private_file_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "secret.txt"
    target.write_text("old")
    target.chmod(0o644)
    write_private_file(target, b"NEWSECRET")
    assert target.read_bytes() == b"NEWSECRET"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret.txt"]


# --- keyring -----------------------------------------------------------------------------------------


class FakeKeyring(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("keyring")
        self.store: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, name: str, value: str) -> None:
        self.store[(service, name)] = value

    def get_password(self, service: str, name: str) -> str | None:
        return self.store.get((service, name))

    def delete_password(self, service: str, name: str) -> None:
        del self.store[(service, name)]


@pytest.fixture
def keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKeyring]:
    fake = FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", fake)
    yield fake


def test_keyring_holds_the_tokens_and_the_file_only_points_there(
    tmp_path: Path, keyring: FakeKeyring, warnings: list[str]
) -> None:
    cache = TokenCache(tmp_path, use_keyring=True, warn=warnings.append)
    path = cache.store(KEY, tokens(issued_at=time.time()))
    on_disk = path.read_text()
    assert "refresh-token-opaque" not in on_disk
    assert json.loads(on_disk)["storage"] == "keyring"
    assert len(keyring.store) == 1
    # Another run without --keyring still finds the tokens.
    loaded = TokenCache(tmp_path, warn=warnings.append).load(KEY)
    assert loaded is not None and loaded.refresh_token == "refresh-token-opaque"
    assert TokenCache(tmp_path, warn=warnings.append).forget(KEY)
    assert keyring.store == {}
    assert warnings == []


def test_keyring_asked_for_but_missing_falls_back_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warnings: list[str]
) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring -> ImportError
    cache = TokenCache(tmp_path, use_keyring=True, warn=warnings.append)
    assert "keyring package is not installed" in warnings[0]
    assert "pip install 'authflow[keyring]'" in warnings[0]  # how to get it (the extra), not only that it lacks
    path = cache.store(KEY, tokens())
    assert json.loads(path.read_text())["storage"] == "file"
    assert cache.load(KEY) is not None


def test_keyring_holds_the_device_password(tmp_path: Path, keyring: FakeKeyring, warnings: list[str]) -> None:
    cache = TokenCache(tmp_path, use_keyring=True, warn=warnings.append)
    path = cache.save_device(KEY, DEVICE)
    assert DEVICE.device_password not in path.read_text() and json.loads(path.read_text())["storage"] == "keyring"
    assert TokenCache(tmp_path, warn=warnings.append).device(KEY) == DEVICE  # found without --keyring too
    cache.store(KEY, tokens())
    assert len(keyring.store) == 2
    assert cache.forget_device(KEY) and len(keyring.store) == 1 and cache.load(KEY) is not None
    assert warnings == []


def test_keyring_entry_gone_is_a_warning_not_a_crash(tmp_path: Path, keyring: FakeKeyring, warnings: list[str]) -> None:
    cache = TokenCache(tmp_path, use_keyring=True, warn=warnings.append)
    cache.store(KEY, tokens())
    keyring.store.clear()
    assert cache.load(KEY) is None
    assert "keyring holds no tokens" in warnings[0]
