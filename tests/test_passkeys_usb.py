"""The USB security-key path (authflow.passkeys.SecurityKey through python-fido2's CTAP2 client) against a
fake CTAP2 device object: no hardware here. The fake speaks CTAP2 over the CtapDevice interface (getInfo,
makeCredential, getAssertion, clientPIN with PIN/UV protocol 1), so fido2's own client code runs as it would
with a key: touch prompts, the PIN asked through the callback, and a wrong PIN, a timeout or no key found
surfacing as authflow's typed errors. The credentials it makes are registered with, and sign in to, the
local pool through boto3."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fido2.ctap import CtapError

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.errors import NoPasskeyForPoolError, NoSecurityKeyError, PasskeyTimeoutError, PinInvalidError
from authflow.localpool import LocalUserPool
from authflow.passkeys import SecurityKey, first_usb_key, list_passkeys, register_passkey
from tests.helpers.cli import REPO
from tests.helpers.fido import FakeKey
from tests.helpers.wizard import run_typed_wizard

PASSWORD = "Alice-Passw0rd!"
ERR = CtapError.ERR


@pytest.fixture
def carol(local_pool: LocalUserPool) -> tuple[UserPool, str]:
    local_pool.add_user("carol", PASSWORD)
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    return pool, sign_in(pool, "carol", ScriptedHandler(password=PASSWORD)).access_token


def test_register_and_sign_in_with_a_security_key_and_its_pin(local_pool: LocalUserPool,
                                                              carol: tuple[UserPool, str]) -> None:
    pool, access_token = carol
    local_pool.pool().web_authn.user_verification = "required"
    device, shown, asked = FakeKey(), [], []
    key = SecurityKey(device=device, on_touch=lambda: shown.append("touch"),
                      pin=lambda: asked.append("pin") or "123456")
    credential_id = register_passkey(pool, access_token, key)
    assert [c["CredentialId"] for c in list_passkeys(pool, access_token)] == [credential_id]
    tokens = sign_in(pool, "carol", ScriptedHandler(passkey=key), "USER_AUTH", preferred_challenge="WEB_AUTHN")
    assert tokens.access_token
    assert device.touches == 2 and shown == ["touch", "touch"] and asked == ["pin", "pin"]
    assert PASSWORD not in str([r.params for r in local_pool.requests("RespondToAuthChallenge")][-1:])


def test_a_wrong_pin_a_timeout_and_a_key_without_passkey(local_pool: LocalUserPool,
                                                         carol: tuple[UserPool, str]) -> None:
    pool, access_token = carol
    device = FakeKey()
    register_passkey(pool, access_token, SecurityKey(device=device, pin=lambda: "123456"))
    flow_options: dict[str, Any] = {"auth_flow": "USER_AUTH", "preferred_challenge": "WEB_AUTHN"}
    with pytest.raises(PinInvalidError):
        sign_in(pool, "carol", ScriptedHandler(passkey=SecurityKey(device=device, pin=lambda: "000000")),
                **flow_options)
    device.touched = False
    with pytest.raises(PasskeyTimeoutError):
        sign_in(pool, "carol", ScriptedHandler(passkey=SecurityKey(device=device, pin=lambda: "123456")),
                **flow_options)
    with pytest.raises(NoPasskeyForPoolError):
        sign_in(pool, "carol", ScriptedHandler(passkey=SecurityKey(device=FakeKey(), pin=lambda: "123456")),
                **flow_options)


def test_no_security_key_plugged_in(monkeypatch: pytest.MonkeyPatch) -> None:
    from fido2.hid import CtapHidDevice

    monkeypatch.setattr(CtapHidDevice, "list_devices", classmethod(lambda cls: iter(())))
    with pytest.raises(NoSecurityKeyError, match="udev") as raised:
        first_usb_key()
    # It names the page that has the udev rule (it said "see the README", which has none).
    page = re.search(r"docs/[\w-]+\.md", str(raised.value))
    assert page is not None and "/etc/udev/rules.d/" in (REPO / page.group()).read_text(encoding="utf-8")


def test_wizard_touch_line_failure_line_and_another_way(local_pool: LocalUserPool, carol: tuple[UserPool, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """At the terminal: "touch your security key", a clear line when it was not touched in time, and USER_AUTH
    offering the user's other first factors (here SRP with the password)."""

    from authflow.answers import EnvAnswers

    pool, access_token = carol
    device = FakeKey(pin=None)
    register_passkey(pool, access_token, SecurityKey(device=device))
    device.touched = False
    monkeypatch.setattr("authflow.passkeys.security_keys.first_usb_key", lambda: device)
    tokens, text = run_typed_wizard(pool, "carol", ((0.5, "y\r"), (1.0, "2\r")),  # another way? yes; 2 = PASSWORD_SRP
                                    env=EnvAnswers(password=PASSWORD), auth_flow="USER_AUTH",
                                    preferred_challenge="WEB_AUTHN")
    assert tokens.access_token
    assert "Touch your security key now." in text
    assert "✗ The security key was not touched in time." in text
    assert "Sign in another way?" in text


def test_passkey_add_with_non_interactive_never_asks_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    """`authflow passkey add --non-interactive` at a terminal: the security key's PIN is not asked (the contract's
    --non-interactive never prompts); without it, at a terminal, it is."""
    import argparse
    import getpass
    import io

    from authflow.cli import passkey

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked: list[str] = []
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "1234")
    assert passkey._pin_asker(argparse.Namespace(non_interactive=True))() is None
    assert asked == []
    assert passkey._pin_asker(argparse.Namespace(non_interactive=False))() == "1234"
    assert asked == ["PIN of the security key: "]
