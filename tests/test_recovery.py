""""I lost my authenticator", end to end: the pool's admin deletes the software token
(AdminDeleteSoftwareToken), the next sign-in gets MFA_SETUP (the pool requires MFA) and sets up a new
authenticator, in the step API, in the terminal wizard (a pseudo-terminal) and in the Qt dialog (offscreen,
tests/qt/test_account_dialog.py); then codes of the new secret sign in and codes of the old one do not."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pexpect
import pyotp
import pytest

from authflow import AuthFlow, ScriptedHandler, TotpCodes, UserPool, sign_in
from authflow.localpool import LocalUserPool
from authflow.prompts import PromptKind
from tests.helpers.account import old_code_is_refused, reset_authenticator
from tests.helpers.cli import REPO, credential_free_env

PASSWORD = "Lost-Phone-Passw0rd!"


@pytest.fixture
def lost(local_pool: LocalUserPool) -> tuple[UserPool, str]:
    """ruth, in a pool that requires MFA, whose authenticator (the returned secret) is lost and reset."""
    local_pool.pool().mfa_configuration = "ON"
    old = pyotp.random_base32()
    local_pool.add_user("ruth", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=old)
    reset_authenticator(local_pool, "ruth")
    return UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url), old


def test_step_api(lost: tuple[UserPool, str], local_pool: LocalUserPool) -> None:
    pool, old = lost
    flow = AuthFlow(pool, "ruth")
    step = flow.start(password=PASSWORD)
    if step.prompt is not None and step.prompt.kind is PromptKind.MFA_SETUP_CHOICE:
        step = flow.respond({"choice": "SOFTWARE_TOKEN_MFA"})
    prompt = step.prompt
    assert prompt is not None and prompt.kind is PromptKind.TOTP_SETUP and prompt.secret_code
    new = prompt.secret_code
    assert new != old
    assert flow.respond(pyotp.TOTP(new).now()).done
    assert local_pool.user("ruth").totp_secret == new
    local_pool.clock.advance(30)  # the next window: a code of the new secret not used yet
    codes = TotpCodes(clock=local_pool.clock.now, sleep=local_pool.clock.advance)
    assert sign_in(pool, "ruth", ScriptedHandler(password=PASSWORD, totp_secret=new, totp_codes=codes)).access_token
    old_code_is_refused(pool, "ruth", PASSWORD, old)


def test_wizard(lost: tuple[UserPool, str], local_pool: LocalUserPool, tmp_path: Path) -> None:
    pool, old = lost
    env = credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": local_pool.pool_id, "AUTHFLOW_CLIENT_ID": local_pool.client_id,
        "AUTHFLOW_ENDPOINT_URL": local_pool.endpoint_url, "AUTHFLOW_USERNAME": "ruth",
        "AUTHFLOW_PASSWORD": PASSWORD, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"})
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "login"], env=env, cwd=str(REPO), encoding="utf-8",
                          dimensions=(60, 120), timeout=30)
    try:
        child.expect_exact("ruth must set up multi-factor authentication.")
        child.expect_exact("Which one do you want to set up?")
        child.send("\r")  # the first: the authenticator app
        child.expect(r"otpauth://totp/[^?]+:ruth\?secret=([A-Z2-7]+)")
        new = child.match.group(1)
        assert new != old
        child.expect_exact("Code:")
        child.send(pyotp.TOTP(new).now() + "\r")
        child.expect_exact("✓ Signed in as ruth.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert local_pool.user("ruth").totp_secret == new
    assert re.fullmatch(r"[A-Z2-7]{16,}", new)
    old_code_is_refused(pool, "ruth", PASSWORD, old)
