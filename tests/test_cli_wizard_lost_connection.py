"""``authflow login`` at a terminal when the pool goes away at the code prompt: the wizard says it cannot reach
the endpoint and asks the same question again; once the pool is back (same port, same state), the code goes
through. Ctrl-C still ends it (exit 130)."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from authflow.localpool import LocalUserPool
from tests.helpers.cli import assert_one_line_error, at_a_terminal, credential_free_env, run_cli
from tests.helpers.restart import CODE_SCRIPT, DroppingProxy, free_port, start_pool


@pytest.fixture
def demo() -> Iterator[LocalUserPool]:
    local = start_pool("demo", free_port())
    yield local
    local.close()


def spawn(demo: LocalUserPool, tmp_path: Path, username: str, endpoint_url: str | None = None,
          **answers: str) -> Any:
    row = next(u for u in demo.demo_users() if u["username"] == username)
    env = credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": row["pool_id"], "AUTHFLOW_CLIENT_ID": row["client_id"],
        "AUTHFLOW_ENDPOINT_URL": endpoint_url or demo.endpoint_url, "AUTHFLOW_USERNAME": username,
        "AUTHFLOW_PASSWORD": row["password"], "PROMPT_TOOLKIT_NO_CPR": "1", **answers,
    })
    return at_a_terminal(["login", "--output", "json"], env, timeout=30)


def test_the_code_is_asked_again_until_the_pool_is_back(demo: LocalUserPool, tmp_path: Path) -> None:
    child = spawn(demo, tmp_path, "sam")
    try:
        child.expect_exact("Code:")
        code, endpoint = demo.last_code("sam"), demo.endpoint_url
        demo.stop()  # the Python API keeps the users and the Session; start() serves them on the same port
        child.send(code + "\r")
        child.expect_exact(f"Cannot reach {endpoint}: try again.")
        child.expect_exact("Code:")
        demo.start()
        child.send(code + "\r")
        child.expect_exact("✓ Signed in as sam.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert [r.operation for r in demo.requests()][-1] == "RespondToAuthChallenge"


def test_ctrl_c_at_the_question_asked_again_ends_the_sign_in(demo: LocalUserPool, tmp_path: Path) -> None:
    child = spawn(demo, tmp_path, "sam")
    try:
        child.expect_exact("Code:")
        code = demo.last_code("sam")
        demo.stop()
        child.send(code + "\r")
        child.expect_exact("Cannot reach")
        child.expect_exact("Code:")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130


def test_an_answer_from_the_environment_waits_for_enter(demo: LocalUserPool, tmp_path: Path) -> None:
    """A code from AUTHFLOW_CODE_COMMAND is not sent again at once, over and over: the person presses Enter."""
    script = tmp_path / "code.py"
    script.write_text(CODE_SCRIPT)
    proxy = DroppingProxy(demo.endpoint_url)
    # every attempt botocore makes of the code's answer never reaches the pool
    proxy.refuse_next("RespondToAuthChallenge", 3, containing="SMS_MFA_CODE")
    child = spawn(demo, tmp_path, "sam", endpoint_url=proxy.endpoint_url,
                  AUTHFLOW_CODE_COMMAND=f"{shlex.quote(sys.executable)} {script} {demo.endpoint_url}")
    try:
        child.expect_exact("try again.")
        child.expect_exact("Press Enter to try again (Ctrl-C to stop):")
        assert proxy.refused == ["RespondToAuthChallenge"] * 3
        child.send("\r")
        child.expect_exact("✓ Signed in as sam.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
        proxy.close()
    assert child.exitstatus == 0
    answers = [r.params.get("ChallengeName") for r in demo.requests() if r.operation == "RespondToAuthChallenge"]
    assert answers == ["PASSWORD_VERIFIER", "SMS_MFA"]  # the code went once, after Enter


def test_a_script_whose_answer_may_have_been_used_says_so(demo: LocalUserPool, tmp_path: Path) -> None:
    """Non-interactive: the reply to the code's answer is lost, the client's retry finds the Session used; the
    one line says the answer may have reached Cognito (exit 1, as any refusal)."""
    script = tmp_path / "code.py"
    script.write_text(CODE_SCRIPT)
    proxy = DroppingProxy(demo.endpoint_url)
    proxy.drop_next("RespondToAuthChallenge")  # with USER_PASSWORD_AUTH, sam's first is the SMS code's answer
    row = next(u for u in demo.demo_users() if u["username"] == "sam")
    env = credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": row["pool_id"], "AUTHFLOW_CLIENT_ID": row["client_id"],
        "AUTHFLOW_ENDPOINT_URL": proxy.endpoint_url, "AUTHFLOW_USERNAME": "sam", "AUTHFLOW_PASSWORD": row["password"],
        "AUTHFLOW_CODE_COMMAND": f"{shlex.quote(sys.executable)} {script} {demo.endpoint_url}",
    })
    try:
        done = run_cli(["login", "--non-interactive", "--auth-flow", "USER_PASSWORD_AUTH"], env)
    finally:
        proxy.close()
    assert proxy.dropped == ["RespondToAuthChallenge"]
    assert done.returncode == 1, done.stderr
    assert_one_line_error(done, contains="may have reached Cognito")
    assert "NotAuthorizedException" in done.stderr and "Run the command again" in done.stderr


def test_a_step_cognito_had_partly_answered_is_started_over_when_asked(demo: LocalUserPool, tmp_path: Path) -> None:
    """SRP: InitiateAuth was answered, the connection then broke on PASSWORD_VERIFIER: the flow cannot stay at the
    password (its Session moved on), so the wizard offers a new sign-in."""
    proxy = DroppingProxy(demo.endpoint_url)
    proxy.refuse_next("RespondToAuthChallenge", 3, containing="PASSWORD_VERIFIER")
    child = spawn(demo, tmp_path, "sam", endpoint_url=proxy.endpoint_url)
    try:
        child.expect_exact("try again.")
        child.expect_exact("Start over? [Y/n]")
        child.send("y\r")
        child.expect_exact("Code:")
        child.send(demo.last_code("sam") + "\r")
        child.expect_exact("✓ Signed in as sam.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
        proxy.close()
    assert child.exitstatus == 0
    assert [r.operation for r in demo.requests()].count("InitiateAuth") == 2
