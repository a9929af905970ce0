"""``authflow account ...`` at a terminal when the pool goes away at a question: the wizard says it cannot reach
the endpoint and asks the same question again (the new authenticator's secret is kept: nothing is associated
anew); once the pool is back (same port, same state), the answer goes through. Ctrl-C still ends it."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.localpool import LocalUserPool
from tests.helpers.account import AccountTerminal
from tests.helpers.restart import (
    ACCOUNT_CLIENT_ID,
    ACCOUNT_PASSWORD,
    ACCOUNT_POOL_ID,
    ACCOUNT_SEED,
    CODE_SCRIPT,
    DroppingProxy,
    free_port,
    start_pool,
)

NEW_PASSWORD = "Brand-New-Passw0rd!"


@pytest.fixture
def local() -> Iterator[LocalUserPool]:
    pool = start_pool(ACCOUNT_SEED, free_port())
    yield pool
    pool.close()


@pytest.fixture
def ada(local: LocalUserPool, tmp_path: Path) -> Iterator[AccountTerminal]:
    pool = UserPool(ACCOUNT_POOL_ID, ACCOUNT_CLIENT_ID, endpoint_url=local.endpoint_url)
    tokens = sign_in(pool, "ada", ScriptedHandler(password=ACCOUNT_PASSWORD))
    terminal = AccountTerminal(local, tmp_path, "ada", tokens, pool_id=ACCOUNT_POOL_ID, client_id=ACCOUNT_CLIENT_ID)
    yield terminal
    terminal.close()


def test_the_authenticator_code_is_asked_again_until_the_pool_is_back(ada: AccountTerminal,
                                                                       local: LocalUserPool) -> None:
    child = ada.run("mfa", "totp")
    child.expect_exact("Code:")
    secret = local.user("ada").pending_totp_secret
    assert secret
    endpoint = local.endpoint_url
    local.stop()  # the Python API keeps the users and the associated secret; start() serves them again
    child.send(pyotp.TOTP(secret).now() + "\r")
    child.expect_exact(f"Cannot reach {endpoint}: try again.")
    child.expect_exact("Code:")
    local.start()
    local.clear_requests()
    child.send(pyotp.TOTP(secret).now() + "\r")
    status, shown, seen = ada.finish(child)
    assert status == 0, seen
    assert shown is not None and shown["MFA"]["Enabled"] == ["SOFTWARE_TOKEN_MFA"]
    assert local.user("ada").totp_secret == secret
    assert "AssociateSoftwareToken" not in [r.operation for r in local.requests()]  # the same secret
    assert "Traceback" not in seen and "not verified" not in seen
    assert seen.count(f"Secret: {secret}") == 1 and "The QR code and the secret above are still" in seen


def test_the_new_password_is_asked_again_until_the_pool_is_back(ada: AccountTerminal, local: LocalUserPool) -> None:
    child = ada.run("password")
    child.expect_exact("Current password for ada:")
    child.send(ACCOUNT_PASSWORD + "\r")
    child.expect_exact("New password:")
    local.stop()
    child.send(NEW_PASSWORD + "\r")
    child.expect_exact("Repeat the new password:")
    child.send(NEW_PASSWORD + "\r")
    child.expect_exact("try again.")
    child.expect_exact("New password:")  # the current password is not asked again
    local.start()
    child.send(NEW_PASSWORD + "\r")
    child.expect_exact("Repeat the new password:")
    child.send(NEW_PASSWORD + "\r")
    status, shown, seen = ada.finish(child)
    assert status == 0 and shown is not None, seen
    user = local.user("ada")
    assert user.password is not None and user.password.check(NEW_PASSWORD)
    assert ACCOUNT_PASSWORD not in seen and NEW_PASSWORD not in seen


def test_ctrl_c_at_the_question_asked_again_ends_the_change(ada: AccountTerminal, local: LocalUserPool) -> None:
    child = ada.run("mfa", "totp")
    child.expect_exact("Code:")
    secret = local.user("ada").pending_totp_secret
    assert secret
    local.stop()
    child.send(pyotp.TOTP(secret).now() + "\r")
    child.expect_exact("try again.")
    child.expect_exact("Code:")
    child.sendintr()
    status, shown, seen = ada.finish(child)
    assert status == 130 and shown is None and "Traceback" not in seen


def test_a_password_whose_reply_was_lost_is_said_to_have_been_used(local: LocalUserPool, tmp_path: Path) -> None:
    """The pool changed the password; its answer was lost, and the client's own retry is refused (the current
    password is no longer it): the wizard says the answer may have been used and asks the current password again;
    the new one, given as the current, goes through."""
    proxy = DroppingProxy(local.endpoint_url)
    pool = UserPool(ACCOUNT_POOL_ID, ACCOUNT_CLIENT_ID, endpoint_url=proxy.endpoint_url)
    tokens = sign_in(pool, "ada", ScriptedHandler(password=ACCOUNT_PASSWORD))
    terminal = AccountTerminal(local, tmp_path, "ada", tokens, pool_id=ACCOUNT_POOL_ID, client_id=ACCOUNT_CLIENT_ID,
                               endpoint_url=proxy.endpoint_url)
    try:
        child = terminal.run("password")
        child.expect_exact("Current password for ada:")
        child.send(ACCOUNT_PASSWORD + "\r")
        child.expect_exact("New password:")
        proxy.drop_next("ChangePassword")
        child.send(NEW_PASSWORD + "\r")
        child.expect_exact("Repeat the new password:")
        child.send(NEW_PASSWORD + "\r")
        child.expect_exact("may have reached Cognito")
        child.expect_exact("current password is then the new one.")
        child.expect_exact("Current password for ada:")
        child.send(NEW_PASSWORD + "\r")
        status, shown, seen = terminal.finish(child)
    finally:
        terminal.close()
        proxy.close()
    assert status == 0 and shown is not None, seen
    assert proxy.dropped == ["ChangePassword"]
    assert [r.status for r in local.requests("ChangePassword")] == [200, 400, 200]
    assert ACCOUNT_PASSWORD not in seen and NEW_PASSWORD not in seen


def test_a_code_from_the_environment_waits_for_enter(local: LocalUserPool, tmp_path: Path) -> None:
    """A code from AUTHFLOW_CODE_COMMAND is not sent again at once, over and over, while the pool cannot be
    reached: the person presses Enter; the address is then verified with it."""
    script = tmp_path / "code.py"
    script.write_text(CODE_SCRIPT)
    proxy = DroppingProxy(local.endpoint_url)
    pool = UserPool(ACCOUNT_POOL_ID, ACCOUNT_CLIENT_ID, endpoint_url=proxy.endpoint_url)
    tokens = sign_in(pool, "ada", ScriptedHandler(password=ACCOUNT_PASSWORD))
    terminal = AccountTerminal(local, tmp_path, "ada", tokens, pool_id=ACCOUNT_POOL_ID, client_id=ACCOUNT_CLIENT_ID,
                               endpoint_url=proxy.endpoint_url)
    terminal.env["AUTHFLOW_CODE_COMMAND"] = f"{shlex.quote(sys.executable)} {script} {local.endpoint_url}"
    proxy.refuse_next("VerifyUserAttribute", 3)  # every one of botocore's tries never reaches the pool
    try:
        child = terminal.run("attributes", "set", "email=ada@example.org")
        child.expect_exact("try again.")
        child.expect_exact("Press Enter to try again (Ctrl-C to stop):")
        assert proxy.refused == ["VerifyUserAttribute"] * 3
        child.send("\r")
        status, shown, seen = terminal.finish(child)
    finally:
        terminal.close()
        proxy.close()
    assert status == 0 and shown is not None, seen
    assert shown["Attributes"]["email"] == "ada@example.org" and shown["Attributes"]["email_verified"] == "true"
    assert [r.status for r in local.requests("VerifyUserAttribute")] == [200]  # the code went once, after Enter
    assert [r.operation for r in local.requests()].count("UpdateUserAttributes") == 1
