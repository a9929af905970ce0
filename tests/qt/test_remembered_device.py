""""Remember this device" across app restarts: the widget keeps the confirmed device in its token cache, and
a new widget on the same cache signs the same person in without asking for MFA (DEVICE_SRP_AUTH)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pyotp
import pytest

from authflow.localpool import LocalUserPool
from authflow.qt import CodePage, DialogResult, PasswordPage, UsernameScreen
from authflow.tokencache import CacheKey, TokenCache
from authflow.transport import UserPool

from .conftest import Driver, WatchedPool, signed_in, watched

DEVICE_POOL = "us-east-1_DeviceDesk1"
PASSWORD = "Dora-Passw0rd!"


@pytest.fixture
def pool(demo: LocalUserPool) -> WatchedPool:
    """A pool that remembers devices when the user says so, and dora, who signs in with an authenticator app."""
    demo.add_pool(id=DEVICE_POOL, mfa="OPTIONAL", mfa_types=["SOFTWARE_TOKEN_MFA"], device_tracking="opt_in",
                  clients=[{"name": "desktop", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH",
                                                                      "ALLOW_REFRESH_TOKEN_AUTH"]}])
    demo.add_user("dora", PASSWORD, pool_id=DEVICE_POOL, mfa=["SOFTWARE_TOKEN_MFA"],
                  preferred_mfa="SOFTWARE_TOKEN_MFA", totp_secret=pyotp.random_base32(32))
    return watched(demo, DEVICE_POOL, demo.app_client(pool_id=DEVICE_POOL).id)


def key(pool: WatchedPool) -> CacheKey:
    return CacheKey(pool.pool_id, pool.client_id, "dora", pool.endpoint_url)


def sign_in(d: Driver, demo: LocalUserPool, *, remember: bool, code_step: int | None) -> tuple[DialogResult, list[str]]:
    """Dora signs in: username (ticking "Remember this device" if ``remember``), password, and the
    authenticator's code when ``code_step`` is not None (else no code screen may appear). Returns the result
    and the screens shown, in order."""
    shown: list[str] = []
    d.widget.pages.currentChanged.connect(lambda i: shown.append(type(d.widget.pages.widget(i)).__name__))
    d.wait_for(UsernameScreen)
    d.type("username", "dora")
    if d.widget.remember.isChecked() is not remember:
        d.click("remember_device")
    assert d.widget.remember.isChecked() is remember
    d.submit()
    d.wait_for(PasswordPage)
    d.type("password", PASSWORD)
    d.submit()
    if code_step is not None:
        d.wait_for(CodePage)
        d.type("code", demo.totp_code("dora", pool_id=DEVICE_POOL, steps=code_step))
        d.submit()
    return signed_in(d, demo, "dora"), shown


def forget_on_the_pool(pool: WatchedPool, result: DialogResult) -> None:
    """ForgetDevice, as another app (or the account's device list) does: not through the widget's pool."""
    assert result.device is not None
    other_app = UserPool(pool.pool_id, pool.client_id, endpoint_url=pool.endpoint_url)
    other_app.forget_device(result.tokens.access_token, result.device.device_key)


def challenges(demo: LocalUserPool) -> list[str]:
    return [r.params["ChallengeName"] for r in demo.requests("RespondToAuthChallenge")]


@pytest.mark.parametrize("use_keyring", [False, True], ids=["file", "keyring"])
def test_a_remembered_device_skips_mfa_in_a_new_widget(
    demo: LocalUserPool, pool: WatchedPool, open_dialog: Any, tmp_path: Path, fake_keyring: dict[str, str],
    use_keyring: bool,
) -> None:
    options = {"flow_options": {"remember_device": False}}
    d = open_dialog(pool, token_cache=TokenCache(tmp_path, use_keyring=use_keyring), **options)
    first, _ = sign_in(d, demo, remember=True, code_step=0)
    assert first.device is not None and first.device_error is None
    device = first.device

    # What is on disk: the device beside the tokens, as private as they are.
    cache = TokenCache(tmp_path)  # a new run of the app
    assert cache.device(key(pool)) == device
    device_file, token_file = cache.device_path_for(key(pool)), cache.path_for(key(pool))
    assert sorted(p.name for p in cache.tokens_dir.iterdir()) == sorted([device_file.name, token_file.name])
    assert stat.S_IMODE(device_file.stat().st_mode) == stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.tokens_dir.stat().st_mode) == 0o700
    on_disk = device_file.read_text()
    if use_keyring:  # neither file holds a secret: the keyring does
        assert first.tokens.refresh_token not in token_file.read_text()
        assert device.device_password not in on_disk and json.loads(on_disk)["storage"] == "keyring"
        assert len(fake_keyring) == 2
    else:  # both files hold their secrets, mode 0600 in a 0700 folder
        assert first.tokens.refresh_token in token_file.read_text()
        assert json.loads(on_disk)["device"]["DevicePassword"] == device.device_password
    assert "dora" not in device_file.name

    # The app starts again: a new widget on the same cache, and no code is asked.
    demo.clear_requests()
    d = open_dialog(pool, token_cache=TokenCache(tmp_path, use_keyring=use_keyring), **options)
    second, shown = sign_in(d, demo, remember=False, code_step=None)
    assert "CodePage" not in shown and shown[-1] == "PasswordPage"
    assert challenges(demo) == ["PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
    assert demo.requests("InitiateAuth")[0].params["AuthParameters"]["DEVICE_KEY"] == device.device_key
    assert all(device.device_password not in json.dumps(r.params) for r in demo.requests())  # proven, never sent
    assert second.device == device and cache.device(key(pool)) == device


@pytest.mark.parametrize("remember_again", [False, True], ids=["box-left-clear", "box-ticked-again"])
def test_a_device_the_pool_forgot_is_dropped_and_mfa_asked_again(
    demo: LocalUserPool, pool: WatchedPool, open_dialog: Any, tmp_path: Path, remember_again: bool
) -> None:
    options = {"flow_options": {"remember_device": False}, "token_cache": TokenCache(tmp_path)}
    first, _ = sign_in(open_dialog(pool, **options), demo, remember=True, code_step=0)
    forget_on_the_pool(pool, first)
    demo.clear_requests()

    second, shown = sign_in(open_dialog(pool, **options), demo, remember=remember_again, code_step=1)
    assert "CodePage" in shown and challenges(demo) == ["PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"]
    refused, retried = demo.requests("InitiateAuth")[:2]
    assert refused.error_code == "ResourceNotFoundException" and retried.error_code is None
    cache = TokenCache(tmp_path)
    assert cache.load(key(pool)) is not None  # the tokens of this sign-in are kept
    if remember_again:  # a new device, confirmed in place of the forgotten one
        assert second.device is not None and first.device is not None
        assert second.device.device_key != first.device.device_key and cache.device(key(pool)) == second.device
    else:
        assert second.device is None
        assert cache.device(key(pool)) is None and not cache.device_path_for(key(pool)).exists()
