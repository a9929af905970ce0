"""``authflow account`` at a terminal (a pseudo-terminal, pexpect): the changes ask with the sign-in wizard's own
screens: the current password, the new one twice (asked again after the policy refuses it), the authenticator
app's QR code and secret, a verification code with "r" for a new one, the username to delete the account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.localpool import LocalUserPool
from tests.helpers.account import AccountTerminal

PASSWORD = "Terminal-Passw0rd!"
NEW_PASSWORD = "Terminal-Passw0rd-2!"


@pytest.fixture
def session(local_pool: LocalUserPool, tmp_path: Path) -> Iterator[AccountTerminal]:
    """``authflow account ARGS`` at a terminal for ada, whose sign-in is cached (no password in the env)."""
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.pool().auto_verified_attributes = ["email"]
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true"})
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    terminal = AccountTerminal(local_pool, tmp_path, "ada", sign_in(pool, "ada", ScriptedHandler(password=PASSWORD)))
    yield terminal
    terminal.close()


@pytest.fixture
def terminal(session: AccountTerminal) -> Any:
    return session.run


def test_password_at_a_terminal(terminal: Any, local_pool: LocalUserPool) -> None:
    child = terminal("password")
    child.expect_exact("Current password for ada:")
    child.send(PASSWORD + "\r")
    child.expect_exact("New password:")
    child.send("short\r")
    child.expect_exact("Repeat the new password:")
    child.send("short\r")
    child.expect_exact("The new password was refused.")  # the policy's refusal: the same question again
    child.expect_exact("New password:")
    child.send(NEW_PASSWORD + "\r")
    child.expect_exact("Repeat the new password:")
    child.send(NEW_PASSWORD + "\r")
    status, shown, _ = AccountTerminal.finish(child)
    assert status == 0 and shown is not None and shown["Username"] == "ada"
    user = local_pool.user("ada")
    assert user.password is not None and user.password.check(NEW_PASSWORD)


def test_authenticator_app_and_email_code_at_a_terminal(terminal: Any, local_pool: LocalUserPool) -> None:
    child = terminal("mfa", "totp", "--device-name", "Terminal phone")
    child.expect_exact("Add this account to your authenticator app")
    child.expect_exact("Secret: ")
    assert "▄" in str(child.before) or "█" in str(child.before)  # the QR code, drawn before the secret
    child.expect(r"otpauth://totp/[^?]+:ada\?secret=([A-Z2-7]+)")
    secret = child.match.group(1)
    child.expect_exact("Code:")
    child.send(pyotp.TOTP(secret).now() + "\r")
    status, shown, _ = AccountTerminal.finish(child)
    assert status == 0 and shown is not None and shown["MFA"]["Enabled"] == ["SOFTWARE_TOKEN_MFA"]
    assert local_pool.user("ada").totp_device_name == "Terminal phone"

    child = terminal("attributes", "set", "email=ada@new.example")
    child.expect_exact("A code was sent by email to a***@n***.")
    child.expect_exact("Code:")
    first = local_pool.last_code("ada")
    child.send("r\r")  # a new code
    child.expect_exact("A code was sent by email to a***@n***.")
    child.expect_exact("Code:")
    assert len(local_pool.requests("GetUserAttributeVerificationCode")) == 1
    child.send(local_pool.last_code("ada") + "\r")
    status, shown, _ = AccountTerminal.finish(child)
    assert status == 0 and shown is not None and shown["Attributes"]["email_verified"] == "true"
    assert first  # the first code was sent by UpdateUserAttributes


def test_delete_asks_for_the_username(terminal: Any, local_pool: LocalUserPool) -> None:
    child = terminal("delete")
    child.expect_exact("Type the username to confirm.")
    child.expect_exact("Username:")
    child.send("bob\r")
    child.expect_exact("Username:")  # not the username: asked again, nothing deleted
    assert local_pool.requests("DeleteUser") == []
    child.send("ada\r")
    status, shown, _ = AccountTerminal.finish(child)
    assert status == 0 and shown is None
    with pytest.raises(KeyError):
        local_pool.user("ada")


def test_ctrl_c_at_an_account_prompt_exits_130(terminal: Any, local_pool: LocalUserPool) -> None:
    child = terminal("mfa", "totp")
    child.expect_exact("Code:")
    child.send("\x03")
    child.expect_exact("authflow: interrupted at a prompt (Cancelled).")
    status, shown, _ = AccountTerminal.finish(child)
    assert status == 130 and shown is None
    assert local_pool.user("ada").totp_secret is None  # associated, never verified: nothing changed
