"""The account's own steps (sign-up and its code, password reset, reset required) and passkeys, in the dialog."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit

from authflow import ScriptedHandler, sign_in
from authflow.localpool import LocalUserPool
from authflow.passkeys import SecurityKey, register_passkey
from authflow.qt import (
    CodePage,
    PasskeyPage,
    PasswordPage,
    ResetPasswordPage,
    ResetRequiredPage,
    SignUpPage,
    UsernameScreen,
)
from tests.helpers.fido import FakeKey

from .conftest import sign_in_to_code, signed_in, watched

PASSWORD = "Nina-Passw0rd!"


def test_sign_up_then_a_new_confirmation_code_then_signed_in(local_pool: LocalUserPool, open_dialog: Any) -> None:
    d = open_dialog(watched(local_pool), allow_sign_up=True, flow_options={"sign_up_attributes": ("email",)})
    d.wait_for(UsernameScreen)
    d.type("username", "nina")
    d.click("sign_up")
    page = d.wait_for(SignUpPage)
    assert "Email address" in [label.text() for label in page.findChildren(QLabel)]
    d.type("password", PASSWORD)
    d.type("confirm", PASSWORD)
    d.type("email", "nina@example.com")
    d.snap("sign-up")
    d.submit()

    page = d.wait_for(CodePage)
    assert page.prompt.challenge_name == "CONFIRM_SIGN_UP"
    assert d.text("message") == "We sent a code by email to n***@e***. Enter it below."
    d.snap("confirm-sign-up")
    d.click("resend", page)  # ResendConfirmationCode, in the same flow
    d.qtbot.waitUntil(lambda: len(local_pool.outbox("nina", purpose="CONFIRM_SIGN_UP")) == 2, timeout=5_000)
    d.wait_for(CodePage)
    d.type("code", local_pool.last_code("nina", purpose="CONFIRM_SIGN_UP"))
    d.submit()
    signed_in(d, local_pool, "nina")


def test_sign_up_asks_for_the_attribute_the_pool_requires(demo: LocalUserPool, open_dialog: Any) -> None:
    """The demo pool requires a name the app did not ask for: Cognito's refusal names it, the page asks for
    it (the password already chosen stands), and the account is created."""
    d = open_dialog(watched(demo), allow_sign_up=True, flow_options={"sign_up_attributes": ("email",)})
    d.wait_for(UsernameScreen)
    d.type("username", "nina")
    d.click("sign_up")
    first = d.wait_for(SignUpPage)
    d.type("password", PASSWORD)
    d.type("confirm", PASSWORD)
    d.type("email", "nina@example.com")
    d.submit()
    d.qtbot.waitUntil(lambda: not d.widget.busy and d.page is not first, timeout=10_000)
    page = d.wait_for(SignUpPage)
    assert "name: The attribute is required" in page.error.text()
    assert {line.objectName() for line in page.findChildren(QLineEdit)} >= {"name", "email"}
    assert page.findChild(QLineEdit, "password") is None
    assert "needs more about nina" in " ".join(label.text() for label in page.findChildren(QLabel))
    d.type("name", "Nina Smith")
    d.submit()
    code = d.wait_for(CodePage)
    assert code.prompt.challenge_name == "CONFIRM_SIGN_UP"
    d.type("code", demo.last_code("nina", purpose="CONFIRM_SIGN_UP"))
    d.submit()
    signed_in(d, demo, "nina")
    assert demo.user("nina").attributes["name"] == "Nina Smith"


def test_forgot_password_from_the_password_screen(demo: LocalUserPool, open_dialog: Any) -> None:
    d = open_dialog(watched(demo))
    d.wait_for(UsernameScreen)
    d.type("username", "alice")
    d.submit()
    d.wait_for(PasswordPage)
    d.click("forgot_password")
    page = d.wait_for(ResetPasswordPage)
    assert page.prompt.destination == "a***@e***"
    d.type("code", demo.last_code("alice", purpose="RESET_PASSWORD"))
    d.type("new_password", "Alice-New-Passw0rd!")
    d.type("confirm", "Alice-New-Passw0rd!")
    d.snap("reset-password")
    d.submit()
    signed_in(d, demo, "alice")
    assert demo.user("alice").password.check("Alice-New-Passw0rd!")


def test_a_wrong_reset_code_keeps_the_new_password_typed(demo: LocalUserPool, open_dialog: Any) -> None:
    """Cognito refused the code, not the password: the page comes back with the new password still in both
    boxes (they were emptied, and only the wrong code stayed), so fixing the code is enough."""
    d = open_dialog(watched(demo))
    d.wait_for(UsernameScreen)
    d.type("username", "alice")
    d.submit()
    d.wait_for(PasswordPage)
    d.click("forgot_password")
    first = d.wait_for(ResetPasswordPage)
    d.type("code", "000000" if demo.last_code("alice", purpose="RESET_PASSWORD") != "000000" else "111111")
    d.type("new_password", "Alice-New-Passw0rd!")
    d.type("confirm", "Alice-New-Passw0rd!")
    d.submit()
    d.qtbot.waitUntil(lambda: not d.widget.busy and d.page is not first, timeout=10_000)
    page = d.wait_for(ResetPasswordPage)
    assert "not right" in page.error.text()
    assert d.field("new_password").text() == "Alice-New-Passw0rd!"
    assert d.field("confirm").text() == "Alice-New-Passw0rd!"
    d.type("code", demo.last_code("alice", purpose="RESET_PASSWORD"))
    d.submit()
    signed_in(d, demo, "alice")
    assert demo.user("alice").password.check("Alice-New-Passw0rd!")


def test_a_password_that_must_be_reset_is_reset_in_place(local_pool: LocalUserPool, open_dialog: Any) -> None:
    local_pool.add_user("rita", "Rita-Old-Passw0rd!", status="RESET_REQUIRED",
                        attributes={"email": "rita@example.com", "email_verified": "true"})
    d = open_dialog(watched(local_pool))
    sign_in_to_code(d, "rita", "Rita-Old-Passw0rd!")
    d.wait_for(ResetRequiredPage)
    assert d.widget.submit_button.text() == "Send me a code"
    d.snap("reset-required")
    d.submit()
    d.wait_for(ResetPasswordPage)
    d.type("code", local_pool.last_code("rita", purpose="RESET_PASSWORD"))
    d.type("new_password", "Rita-New-Passw0rd!")
    d.type("confirm", "Rita-New-Passw0rd!")
    d.submit()
    signed_in(d, local_pool, "rita")


def test_passkey_on_a_security_key_with_its_pin(local_pool: LocalUserPool, open_dialog: Any) -> None:
    local_pool.add_user("carol", PASSWORD)
    pool = watched(local_pool)
    access_token = sign_in(pool, "carol", ScriptedHandler(password=PASSWORD)).access_token
    key = FakeKey(pin="123456")
    register_passkey(pool, access_token, SecurityKey(device=key, pin=lambda: "123456"))
    local_pool.pool().web_authn.user_verification = "required"
    pool.calls.clear()  # only the dialog's calls are checked for the UI thread

    d = open_dialog(pool, authenticator=SecurityKey(device=key),
                    flow_options={"auth_flow": "USER_AUTH", "preferred_challenge": "WEB_AUTHN"})
    d.wait_for(UsernameScreen)
    d.type("username", "carol")
    d.submit()
    page = d.wait_for(PasskeyPage)
    assert page.prompt.kind.value == "PASSKEY"
    d.type("pin", "000000")
    d.submit()
    d.qtbot.waitUntil(lambda: not d.widget.busy and d.page.error.isVisible(), timeout=10_000)
    assert isinstance(d.page, PasskeyPage) and d.page.error.text() == "Wrong PIN for the security key."
    touched: list[bool] = []
    d.widget._key_waits.connect(lambda: touched.append(d.page.touch.isVisibleTo(d.page)))
    d.type("pin", "123456")
    d.snap("passkey")
    d.submit()
    signed_in(d, local_pool, "carol")
    assert touched == [True]  # "Touch your security key now." was on the screen while the key waited
    assert key.touches == 2  # registration, and this sign-in (the wrong PIN never reached a touch)


@pytest.fixture(autouse=True)
def _uses_open_dialog(open_dialog: Any) -> None:
    """Every test here goes through the dialog (and its check that Cognito is never called on the UI thread)."""


def test_an_unconfirmed_account_is_confirmed_in_place(local_pool: LocalUserPool, open_dialog: Any) -> None:
    local_pool.add_user("uma", PASSWORD, status="UNCONFIRMED",
                        attributes={"email": "uma@example.com", "email_verified": "false"})
    d = open_dialog(watched(local_pool))
    sign_in_to_code(d, "uma", PASSWORD)
    page = d.wait_for(CodePage)
    assert page.prompt.challenge_name == "CONFIRM_SIGN_UP"
    assert page.error.text() == "This account is not confirmed yet."
    d.click("resend", page)
    d.qtbot.waitUntil(lambda: len(local_pool.outbox("uma", purpose="CONFIRM_SIGN_UP")) == 1, timeout=5_000)
    d.wait_for(CodePage)
    d.type("code", local_pool.last_code("uma", purpose="CONFIRM_SIGN_UP"))
    d.submit()
    signed_in(d, local_pool, "uma")
