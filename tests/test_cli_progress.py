"""Waiting and work in progress are visible on stderr: ``--verbose`` traces each step and Cognito call
(never a secret), a TOTP code that must wait for the next window says so, ``login --users`` shows a
progress bar on a terminal."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

import pexpect
import pytest

from authflow.handlers import TotpCodes
from authflow.localpool import LocalUserPool
from tests.helpers.cli import REPO, assert_no_secret, credential_free_env, run_cli

pytestmark = pytest.mark.parametrize("local_pool", ["demo"], indirect=True)


def settings(pool: LocalUserPool, username: str) -> dict[str, str]:
    user = next(u for u in pool.demo_users() if u["username"] == username)
    return {
        "AUTHFLOW_POOL_ID": str(user["pool_id"]), "AUTHFLOW_CLIENT_ID": str(user["client_id"]),
        "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url, "AUTHFLOW_USERNAME": username,
        "AUTHFLOW_PASSWORD": str(user["password"]), "AUTHFLOW_TOTP_SECRET": str(user.get("totp_secret") or ""),
    }


def test_verbose_traces_steps_and_calls_without_secrets(local_pool: LocalUserPool, tmp_path: Path) -> None:
    env = credential_free_env(tmp_path, settings(local_pool, "tina"))
    done = run_cli(["login", "--non-interactive", "--verbose", "--no-cache"], env)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    calls = [line for line in lines if line.startswith("authflow: call ")]
    assert [re.sub(r", \d+ ms$", "", line) for line in calls] == [
        "authflow: call InitiateAuth (USER_SRP_AUTH) -> PASSWORD_VERIFIER",
        "authflow: call RespondToAuthChallenge (PASSWORD_VERIFIER) -> SOFTWARE_TOKEN_MFA",
        "authflow: call RespondToAuthChallenge (SOFTWARE_TOKEN_MFA) -> tokens",
    ]
    assert "authflow: step start -> awaiting_password (need_password)" in lines
    assert "authflow: step SOFTWARE_TOKEN_MFA -> authenticated (authenticated)" in lines
    result = json.loads(done.stdout)
    code = local_pool.requests("RespondToAuthChallenge")[-1].params["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"]
    tokens = [result["AccessToken"], result["IdToken"], result["RefreshToken"]]
    assert_no_secret([done.stderr], [env["AUTHFLOW_PASSWORD"], env["AUTHFLOW_TOTP_SECRET"], code, *tokens])


def test_a_refused_call_is_traced_with_its_error_code(local_pool: LocalUserPool, tmp_path: Path) -> None:
    env = credential_free_env(tmp_path, {**settings(local_pool, "alice"), "AUTHFLOW_PASSWORD": "Wrong-Passw0rd!"})
    done = run_cli(["login", "--non-interactive", "-v", "--auth-flow", "USER_PASSWORD_AUTH"], env)
    assert done.returncode == 1
    assert re.search(r"^authflow: call InitiateAuth \(USER_PASSWORD_AUTH\) -> NotAuthorizedException, \d+ ms$",
                     done.stderr, re.M)
    assert "Wrong-Passw0rd!" not in done.stderr


def test_waiting_for_the_next_totp_window_is_said(local_pool: LocalUserPool, caplog: pytest.LogCaptureFixture) -> None:
    now = [1_000_000.0 * 30 + 12]  # 18 s before the next window
    codes = TotpCodes(clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with caplog.at_level(logging.INFO, logger="authflow"):
        first = codes.next_code(secret)
        assert caplog.messages == []  # the first code does not wait
        second = codes.next_code(secret)
    assert first != second
    assert caplog.messages == ["waiting 18 s for the next TOTP code (the current one was used already)"]


def test_users_shows_a_progress_bar_on_a_terminal(local_pool: LocalUserPool, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text(json.dumps([{"username": "alice"}, {"username": "alice", "password": "Wrong-Passw0rd!"},
                                 {"username": "alice"}]))
    env = credential_free_env(tmp_path, settings(local_pool, "alice"))
    child = pexpect.spawn(sys.executable, ["-m", "authflow", "login", "--users", str(users), "--parallel", "1"],
                          env=env, cwd=str(REPO), encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    screen = str(child.before)
    assert "[" + "." * 30 + "] 0/3 done, 0 failed" in screen
    assert "[" + "#" * 30 + "] 3/3 done, 1 failed" in screen
    assert "1 of 3 sign-ins failed" in screen
    assert child.exitstatus == 1
