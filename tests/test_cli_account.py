"""``authflow sign-up``, ``confirm-sign-up [--resend]``, ``reset-password``, and ``authflow login`` meeting an
account that is not ready: recovered in the wizard (a pseudo-terminal), refused without a change in a
script. Codes come from AUTHFLOW_CODE_COMMAND, which reads the local pool's outbox over HTTP."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pexpect
import pyotp

from authflow.localpool import LocalUserPool
from authflow.transport import UserPool
from tests.helpers.cli import REPO, assert_no_secret, assert_one_line_error, credential_free_env, run_cli
from tests.helpers.lifecycle import NEW_PASSWORD, PASSWORD, mfa_user

#: Prints the newest code the pool sent to $AUTHFLOW_USERNAME, after checking $AUTHFLOW_CHALLENGE.
CODE_SCRIPT = """
import json, os, sys, urllib.parse, urllib.request
assert os.environ["AUTHFLOW_CHALLENGE"] in ("CONFIRM_SIGN_UP", "RESET_PASSWORD"), os.environ["AUTHFLOW_CHALLENGE"]
query = urllib.parse.urlencode({"username": os.environ["AUTHFLOW_USERNAME"],
                                "purpose": os.environ["AUTHFLOW_CHALLENGE"]})
messages = json.load(urllib.request.urlopen(sys.argv[1] + "/_local/outbox?" + query))
print(messages[-1]["code"])
"""


def env_for(local: LocalUserPool, tmp_path: Path, username: str, client_id: str | None = None,
            **answers: str) -> dict[str, str]:
    script = tmp_path / "code.py"
    script.write_text(CODE_SCRIPT)
    return credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": local.pool_id,
        "AUTHFLOW_CLIENT_ID": client_id or local.client_id,
        "AUTHFLOW_ENDPOINT_URL": local.endpoint_url,
        "AUTHFLOW_USERNAME": username,
        "AUTHFLOW_CODE_COMMAND": f"{shlex.quote(sys.executable)} {script} {local.endpoint_url}",
        **answers,
    })


def tokens_of(done: Any) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_sign_up_confirms_with_the_code_command_and_signs_in(local_pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(local_pool, tmp_path, "nina", AUTHFLOW_PASSWORD=PASSWORD,
                  AUTHFLOW_ATTRIBUTES=json.dumps({"email": "nina@example.com", "name": "Nina"}))
    done = run_cli(["sign-up", "--non-interactive"], env)
    result = tokens_of(done)
    assert local_pool.access_token_claims(result["AccessToken"])["username"] == "nina"
    assert local_pool.user("nina").attributes["name"] == "Nina"
    assert [r.operation for r in local_pool.requests()] == ["SignUp", "ConfirmSignUp", "InitiateAuth"]
    assert [r.operation for r in local_pool.requests() if PASSWORD in json.dumps(r.params)] == ["SignUp"]
    assert_no_secret([done.stdout, done.stderr], [PASSWORD])
    again = run_cli(["sign-up", "--non-interactive"], env)  # the user exists now
    assert again.returncode == 1
    assert_one_line_error(again, contains="UsernameExistsException")


def test_confirm_sign_up_with_resend_on_a_client_without_user_auth(local_pool: LocalUserPool, tmp_path: Path) -> None:
    client = local_pool.add_client(explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    pool = UserPool(local_pool.pool_id, client.id, endpoint_url=local_pool.endpoint_url)
    pool.client.sign_up(ClientId=client.id, Username="nina", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "nina@example.com"}])
    first = local_pool.last_code("nina")
    local_pool.clear_requests()
    done = run_cli(["confirm-sign-up", "--resend", "--non-interactive", "--output", "access-token"],
                   env_for(local_pool, tmp_path, "nina", client.id, AUTHFLOW_PASSWORD=PASSWORD))
    assert done.returncode == 0, done.stderr
    assert local_pool.access_token_claims(done.stdout.strip())["username"] == "nina"
    confirm = local_pool.requests("ConfirmSignUp")[0].params["ConfirmationCode"]
    assert confirm == local_pool.last_code("nina") != first
    assert len(local_pool.outbox("nina", purpose="CONFIRM_SIGN_UP")) == 2
    assert [(r.operation, r.params.get("AuthFlow")) for r in local_pool.requests()] == [
        ("ResendConfirmationCode", None), ("ConfirmSignUp", None), ("InitiateAuth", "USER_AUTH"),
        ("InitiateAuth", "USER_SRP_AUTH"), ("RespondToAuthChallenge", None)]


def test_reset_password_then_mfa(local_pool: LocalUserPool, tmp_path: Path) -> None:
    secret = mfa_user(local_pool)
    env = env_for(local_pool, tmp_path, "rita", AUTHFLOW_NEW_PASSWORD=NEW_PASSWORD, AUTHFLOW_TOTP_SECRET=secret)
    done = run_cli(["reset-password", "--non-interactive"], env)
    result = tokens_of(done)
    assert local_pool.access_token_claims(result["AccessToken"])["username"] == "rita"
    assert [r.operation for r in local_pool.requests()] == [
        "ForgotPassword", "ConfirmForgotPassword", "InitiateAuth", "RespondToAuthChallenge",
        "RespondToAuthChallenge"]
    assert_no_secret([done.stdout, done.stderr], [NEW_PASSWORD, PASSWORD, secret])


def test_non_interactive_login_never_changes_an_account(local_pool: LocalUserPool, tmp_path: Path) -> None:
    mfa_user(local_pool, status="RESET_REQUIRED")
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    pool.client.sign_up(ClientId=local_pool.client_id, Username="uma", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "uma@example.com"}])
    for username, code in (("rita", "PasswordResetRequiredException"), ("uma", "UserNotConfirmedException")):
        local_pool.clear_requests()
        env = env_for(local_pool, tmp_path, username, AUTHFLOW_PASSWORD=PASSWORD, AUTHFLOW_NEW_PASSWORD=NEW_PASSWORD)
        done = run_cli(["login", "--non-interactive"], env)
        assert done.returncode == 1
        assert_one_line_error(done, contains=code)
        assert {r.operation for r in local_pool.requests()} <= {"InitiateAuth", "RespondToAuthChallenge"}
    assert local_pool.user("rita").status == "RESET_REQUIRED"
    assert local_pool.user("uma").status == "UNCONFIRMED"


def test_reset_required_user_recovered_in_the_wizard(local_pool: LocalUserPool, tmp_path: Path) -> None:
    secret = mfa_user(local_pool, status="RESET_REQUIRED")
    env = env_for(local_pool, tmp_path, "rita", PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    del env["AUTHFLOW_CODE_COMMAND"]  # the person types everything
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "login", "--output", "json"], env=env, cwd=str(REPO),
                          encoding="utf-8",
                          dimensions=(50, 120), timeout=20)
    try:
        child.expect_exact("Password for rita:")
        child.send(PASSWORD + "\r")
        child.expect_exact("PasswordResetRequiredException")
        child.expect_exact("Send a code to reset the password now?")
        child.send("y\r")
        child.expect_exact("A code was sent by email to r***@e***.")
        child.expect_exact("Code:")
        child.send(local_pool.last_code("rita", purpose="RESET_PASSWORD") + "\r")
        child.expect_exact("New password:")
        child.send(NEW_PASSWORD + "\r")
        child.expect_exact("Repeat the new password:")
        child.send(NEW_PASSWORD + "\r")
        child.expect_exact("Open your authenticator app for the current code.")
        child.expect_exact("Code:")
        child.send(pyotp.TOTP(secret).now() + "\r")
        child.expect_exact("Signed in as rita.")
        child.expect(pexpect.EOF)
        rest = str(child.before)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    token = json.loads(rest[rest.index('{"AccessToken"'):].splitlines()[0])["AccessToken"]
    assert local_pool.access_token_claims(token)["username"] == "rita"
    assert local_pool.user("rita").status == "CONFIRMED"


def test_interactive_sign_up_asks_the_password_twice_and_offers_a_new_code(
    local_pool: LocalUserPool, tmp_path: Path
) -> None:
    env = env_for(local_pool, tmp_path, "nina", PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm",
                  AUTHFLOW_ATTRIBUTES=json.dumps({"email": "nina@example.com"}))
    del env["AUTHFLOW_CODE_COMMAND"]  # the person types the code
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "sign-up"], env=env, cwd=str(REPO), encoding="utf-8",
                          dimensions=(50, 120), timeout=20)
    try:
        child.expect_exact("Signing up nina.")
        child.expect_exact("Password:")
        child.send(PASSWORD + "\r")
        child.expect_exact("Repeat the password:")
        child.send(PASSWORD + "\r")
        child.expect_exact("A code was sent by email to n***@e***.")
        child.expect_exact("(Type r for a new code.)")
        child.expect_exact("Code:")
        child.send("r\r")
        child.expect_exact("A code was sent by email to n***@e***.")
        child.expect_exact("Code:")
        child.send(local_pool.last_code("nina", purpose="CONFIRM_SIGN_UP") + "\r")
        child.expect_exact("Signed in as nina.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert len(local_pool.outbox("nina", purpose="CONFIRM_SIGN_UP")) == 2
    assert [r.operation for r in local_pool.requests()] == [
        "SignUp", "ResendConfirmationCode", "ConfirmSignUp", "InitiateAuth"]


def test_login_of_an_unconfirmed_user_says_no_code_was_sent_until_one_is(
    local_pool: LocalUserPool, tmp_path: Path
) -> None:
    """Nothing is sent when Cognito refuses the sign-in (UserNotConfirmedException), and where the sign-up's
    code went is not known here: the wizard says so and offers a new code, and only then names where it went
    (the medium and masked destination from ResendConfirmationCode)."""
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    pool.client.sign_up(ClientId=local_pool.client_id, Username="uma", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "uma@example.com"}])
    env = env_for(local_pool, tmp_path, "uma", PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    del env["AUTHFLOW_CODE_COMMAND"]  # the person types everything
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "login", "--output", "json"], env=env, cwd=str(REPO),
                          encoding="utf-8",
                          dimensions=(50, 120), timeout=20)
    try:
        child.expect_exact("Password for uma:")
        child.send(PASSWORD + "\r")
        child.expect_exact("This account is not confirmed yet.")
        child.expect_exact("No code was sent just now: enter the code you were sent earlier, or ask for a new code.")
        child.expect_exact("(Type r for a new code.)")
        child.expect_exact("Code:")
        before_resend = str(child.before)
        child.send("r\r")
        child.expect_exact("A code was sent by email to u***@e***.")
        child.expect_exact("Code:")
        child.send(local_pool.last_code("uma", purpose="CONFIRM_SIGN_UP") + "\r")
        child.expect_exact("Signed in as uma.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "A code was sent" not in before_resend and "text message" not in before_resend
    assert local_pool.user("uma").status == "CONFIRMED"


def test_confirm_sign_up_without_resend_says_no_code_was_sent(local_pool: LocalUserPool, tmp_path: Path) -> None:
    """`authflow confirm-sign-up` (no --resend) sends nothing before the code is asked: the prompt says so instead
    of naming a medium (the sign-up's code went by email; this run cannot know it)."""
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    pool.client.sign_up(ClientId=local_pool.client_id, Username="uma", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "uma@example.com"}])
    env = env_for(local_pool, tmp_path, "uma", PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", AUTHFLOW_PASSWORD=PASSWORD)
    del env["AUTHFLOW_CODE_COMMAND"]  # the person types the code
    local_pool.clear_requests()
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "confirm-sign-up"], env=env, cwd=str(REPO),
                          encoding="utf-8", dimensions=(50, 120), timeout=20)
    try:
        child.expect_exact("No code was sent just now: enter the code you were sent earlier, or ask for a new code.")
        child.expect_exact("Code:")
        asked = str(child.before)
        child.send(local_pool.last_code("uma", purpose="CONFIRM_SIGN_UP") + "\r")
        child.expect_exact("Signed in as uma.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "A code was sent" not in asked and "text message" not in asked
    operations = [r.operation for r in local_pool.requests()]
    assert operations[:1] == ["ConfirmSignUp"] and "ResendConfirmationCode" not in operations  # nothing sent first
