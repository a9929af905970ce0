"""The token cache against odd entries, loose or symlinked folders, killed writes and bad tokens:
each is ignored or repaired with a warning (a cache miss), never a crash, never a file open to others."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from authflow.devices import Device
from authflow.errors import MalformedResponseError
from authflow.tokencache import MAX_DEVICE_FIELD, CacheFileError, CacheKey, TokenCache
from authflow.tokens import Tokens

KEY = CacheKey("us-east-1_Pool", "client123", "alice", "http://127.0.0.1:9229")
GOOD = {"AccessToken": "a.b.c", "IdToken": "i.d.t", "RefreshToken": "r", "ExpiresIn": 3600, "TokenType": "Bearer"}


@pytest.fixture
def warnings() -> list[str]:
    return []


@pytest.fixture
def cache(tmp_path: Path, warnings: list[str]) -> TokenCache:
    return TokenCache(tmp_path / "cache", warn=warnings.append)


def write_entry(cache: TokenCache, text: str) -> Path:
    cache.store(KEY, Tokens.from_authentication_result(GOOD))
    path = cache.path_for(KEY)
    path.write_text(text)
    return path


def entry(result: object, issued_at: object = 1000.0) -> str:
    return json.dumps({"version": 1, "key": KEY.describe(), "storage": "file", "issued_at": issued_at,
                       "result": result})


ODD_ENTRIES = {
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "nested result": entry(json.loads("[" * 500 + "]" * 500)),
    "ExpiresIn 10**400": entry(dict(GOOD, ExpiresIn=10**400)),
    "ExpiresIn 1e400": entry(dict(GOOD)).replace('"ExpiresIn": 3600', '"ExpiresIn": 1e400'),
    "ExpiresIn as text": entry(dict(GOOD, ExpiresIn="3600")),
    "token not a string": entry(dict(GOOD, AccessToken=12345)),
    "IdToken a list": entry(dict(GOOD, IdToken=["x"])),
    "issued_at 10**400": entry(GOOD, 10**400),
    "issued_at Infinity": entry(GOOD, float("inf")),
    "issued_at true": entry(GOOD, True),
    "result a list": entry([GOOD]),
    "key a string": entry(GOOD).replace('"key": {', '"key": "x", "k": {'),
    "a number": "1e999999",
    "huge": '{"version": 1, "pad": "' + "x" * 300_000 + '"}',
}


@pytest.mark.parametrize("text", ODD_ENTRIES.values(), ids=ODD_ENTRIES.keys())
def test_an_odd_entry_is_a_miss_with_a_warning(cache: TokenCache, warnings: list[str], text: str) -> None:
    write_entry(cache, text)
    assert cache.load(KEY) is None
    assert len(warnings) == 1 and "ignoring" in warnings[0]


DEVICE = {"DeviceKey": "us-east-1_0f1e2d3c", "DeviceGroupKey": "-grp", "DevicePassword": "SECRETdevicePW"}


def device_entry(device: object, **changes: object) -> str:
    return json.dumps(dict({"version": 1, "key": KEY.describe(), "storage": "file", "device": device}, **changes))


ODD_DEVICES = {
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "device a list": device_entry([DEVICE]),
    "no device": device_entry(None),
    "password missing": device_entry({k: v for k, v in DEVICE.items() if k != "DevicePassword"}),
    "password a number": device_entry(dict(DEVICE, DevicePassword=12345)),
    "password empty": device_entry(dict(DEVICE, DevicePassword="")),
    "password with a newline": device_entry(dict(DEVICE, DevicePassword="SECRETdevicePW\n")),
    "key too long": device_entry(dict(DEVICE, DeviceKey="k" * (MAX_DEVICE_FIELD + 1))),
    "group key nested": device_entry(dict(DEVICE, DeviceGroupKey=json.loads("[" * 500 + "]" * 500))),
    "another user's": device_entry(DEVICE, key=dict(KEY.describe(), username="bob")),
    "unknown storage": device_entry(DEVICE, storage="cloud"),
    "version 2": device_entry(DEVICE, version=2),
    "a number": "1e999999",
    "huge": '{"version": 1, "pad": "' + "x" * 300_000 + '"}',
}


@pytest.mark.parametrize("text", ODD_DEVICES.values(), ids=ODD_DEVICES.keys())
def test_an_odd_device_entry_is_none_with_a_warning(cache: TokenCache, warnings: list[str], text: str) -> None:
    path = cache.save_device(KEY, Device.from_dict(DEVICE))
    path.write_text(text)
    assert cache.device(KEY) is None
    assert len(warnings) == 1 and "ignoring" in warnings[0] and "SECRETdevicePW" not in warnings[0]
    cache.save_device(KEY, Device.from_dict(DEVICE))  # and the next confirmed device replaces it
    assert cache.device(KEY) == Device.from_dict(DEVICE)


def test_a_device_entry_open_to_others_or_symlinked_is_refused(cache: TokenCache, warnings: list[str],
                                                               tmp_path: Path) -> None:
    path = cache.save_device(KEY, Device.from_dict(DEVICE))
    path.chmod(0o644)
    assert cache.device(KEY) is None and "readable by others" in warnings[-1]
    elsewhere = TokenCache(tmp_path / "other").save_device(KEY, Device.from_dict(DEVICE))
    path.unlink()
    path.symlink_to(elsewhere)
    assert cache.device(KEY) is None and "ignoring the token cache file" in warnings[-1]


def test_a_device_that_could_not_be_read_back_is_not_kept(cache: TokenCache) -> None:
    with pytest.raises(CacheFileError, match="DevicePassword"):
        cache.save_device(KEY, Device("us-east-1_0f1e2d3c", "-grp", "line\nbreak"))
    assert not cache.device_path_for(KEY).exists()


def test_authflow_token_signs_in_again_over_an_absurd_entry(local_pool: object, tmp_path: Path) -> None:
    from tests.helpers.token_cli import PASSWORD, Setup

    setup = Setup(local_pool, tmp_path)  # type: ignore[arg-type]
    setup.login()
    (path,) = setup.cache_files()
    good = json.loads(path.read_text())
    good["result"]["ExpiresIn"] = 10**400
    path.write_text(json.dumps(good))
    first = setup.run("token", "--non-interactive", AUTHFLOW_PASSWORD=PASSWORD)
    assert first.returncode == 0, first.stderr
    assert "ignoring the corrupt token cache file" in first.stderr and "Traceback" not in first.stderr
    again = setup.run("token", "--non-interactive")  # the entry was replaced: served from the cache
    assert again.returncode == 0 and again.stderr == "", again.stderr
    assert setup.flows() == ["USER_SRP_AUTH", "USER_SRP_AUTH"]


def test_a_bad_authentication_result_is_not_cached(cache: TokenCache) -> None:
    good = Tokens.from_authentication_result(GOOD)
    for bad in (replace(good, expires_in=10**400), replace(good, access_token=123),  # type: ignore[arg-type]
                replace(good, issued_at=float("nan")), replace(good, id_token=b"bytes")):  # type: ignore[arg-type]
        with pytest.raises(MalformedResponseError):
            cache.store(KEY, bad)
        assert not cache.path_for(KEY).exists()


def test_a_loose_folder_is_set_to_0700(cache: TokenCache, warnings: list[str]) -> None:
    cache.tokens_dir.mkdir(parents=True)
    os.chmod(cache.tokens_dir, 0o777)
    cache.store(KEY, Tokens.from_authentication_result(GOOD))
    assert stat.S_IMODE(cache.tokens_dir.stat().st_mode) == 0o700
    assert any("set to 700" in w for w in warnings)
    os.chmod(cache.tokens_dir, 0o755)
    assert cache.load(KEY) is not None
    assert stat.S_IMODE(cache.tokens_dir.stat().st_mode) == 0o700


def test_a_symlinked_folder_is_refused(cache: TokenCache, warnings: list[str], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    cache.directory.mkdir()
    cache.tokens_dir.symlink_to(elsewhere)
    with pytest.raises(CacheFileError, match="symlink"):
        cache.store(KEY, Tokens.from_authentication_result(GOOD))
    assert list(elsewhere.iterdir()) == []
    assert cache.load(KEY) is None and "symlink" in warnings[-1]
    with pytest.raises(CacheFileError, match="symlink"):
        cache.save_device(KEY, Device.from_dict(DEVICE))
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_entry_is_refused(cache: TokenCache, warnings: list[str], tmp_path: Path) -> None:
    other = TokenCache(tmp_path / "other")
    target = other.store(KEY, Tokens.from_authentication_result(GOOD))
    cache.store(KEY, Tokens.from_authentication_result(GOOD))
    cache.path_for(KEY).unlink()
    cache.path_for(KEY).symlink_to(target)
    assert cache.load(KEY) is None
    assert "ignoring the token cache file" in warnings[-1]


KILLED_WRITE = textwrap.dedent("""
    import os, signal, sys
    from authflow.tokencache import CacheKey, TokenCache
    from authflow.tokens import Tokens
    os.umask(0)  # the most permissive umask: the leftover must still be private
    os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # killed between write and rename
    TokenCache(sys.argv[1]).store(CacheKey("us-east-1_Pool", "client123", "alice", "http://127.0.0.1:9229"),
                                  Tokens.from_authentication_result({"AccessToken": "a.b.c", "ExpiresIn": 60}))
""")


def test_a_killed_write_leaves_nothing_readable_and_is_cleaned(cache: TokenCache) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(cache.directory)], capture_output=True)
    assert done.returncode == -9, done.stderr
    (leftover,) = cache.tokens_dir.iterdir()
    assert leftover.name.startswith(".tmp-")
    assert stat.S_IMODE(leftover.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.tokens_dir.stat().st_mode) == 0o700
    assert cache.load(KEY) is None
    assert leftover.exists()  # young: it may be another process's write in flight
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    assert cache.load(KEY) is None
    assert not leftover.exists()
