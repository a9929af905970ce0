"""``authflow login`` with the wizard, in a pseudo-terminal (pexpect), against the local pool's demo users:
what it asks, in which order, the re-asks, starting over after an expired session, Ctrl-C / Ctrl-D."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from authflow.localpool import LocalUserPool
from tests.helpers.cli import REPO, credential_free_env

pytestmark = pytest.mark.parametrize("local_pool", ["demo"], indirect=True)

DOWN = "\x1b[B"


class Wizard:
    def __init__(self, pool: LocalUserPool, tmp_path: Path) -> None:
        self.pool = pool
        self.tmp_path = tmp_path
        self.users = {u["username"]: u for u in pool.demo_users()}
        self.child: Any = None

    def start(self, username: str | None, *args: str, pool_of: str | None = None, **answers: str) -> Any:
        row = self.users[pool_of or username or "alice"]
        env = credential_free_env(
            self.tmp_path,
            {
                "AUTHFLOW_POOL_ID": row["pool_id"],
                "AUTHFLOW_CLIENT_ID": row["client_id"],
                "AUTHFLOW_ENDPOINT_URL": self.pool.endpoint_url,
                "PROMPT_TOOLKIT_NO_CPR": "1",
                "TERM": "xterm",
                **answers,
            },
        )
        if username:
            env["AUTHFLOW_USERNAME"] = username
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "authflow", "login", *args, *([] if "--output" in args else ["--output", "json"])],
            env=env,
            cwd=str(REPO),
            encoding="utf-8",
            dimensions=(50, 120),
            timeout=20,
        )
        return self.child

    def expect(self, text: str) -> str:
        self.child.expect_exact(text)
        return str(self.child.before)

    def send(self, text: str) -> None:
        self.child.send(text + "\r")

    def finish(self) -> tuple[int, str]:
        """Wait for the end: (exit status, everything printed after the last expect)."""
        self.child.expect(pexpect.EOF)
        rest = str(self.child.before)
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -self.child.signalstatus), rest

    def result(self, rest: str) -> dict[str, Any]:
        lines = re.findall(r'^(?:\x1b\[[0-9;]*m)*(\{"AccessToken".*\})\r?$', rest, re.M)
        return dict(json.loads(lines[-1]))


@pytest.fixture
def wizard(local_pool: LocalUserPool, tmp_path: Path) -> Iterator[Wizard]:
    session = Wizard(local_pool, tmp_path)
    yield session
    if session.child is not None and session.child.isalive():
        session.child.terminate(force=True)


def test_new_password_user_from_username_to_tokens(wizard: Wizard) -> None:
    wizard.start(None, pool_of="newton")
    wizard.expect("Username:")
    wizard.send("newton")
    wizard.expect("Password for newton:")
    wizard.send("Temp-Passw0rd!")
    wizard.expect("A new password is needed for newton.")
    wizard.expect("New password:")
    wizard.send("weakpass")
    wizard.expect("Repeat the new password:")
    wizard.send("weakpass")
    wizard.expect("Full name (name):")  # the pool's required attribute, in words and by name
    wizard.send("Isaac Newton")
    shown = wizard.expect("The new password was refused.")
    wizard.expect("InvalidPasswordException")
    wizard.expect("New password:")
    wizard.send("Newton-Passw0rd!1")
    wizard.expect("Repeat the new password:")
    wizard.send("Newton-Passw0rd!2")
    wizard.expect("The two passwords are not the same.")
    wizard.expect("New password:")
    wizard.send("Newton-Passw0rd!1")
    wizard.expect("Repeat the new password:")
    wizard.send("Newton-Passw0rd!1")
    wizard.expect("Full name (name):")
    wizard.send("")  # keeps "Isaac Newton", typed before
    wizard.expect("✓ Signed in as newton.")
    status, rest = wizard.finish()
    assert status == 0
    assert wizard.result(rest)["TokenType"] == "Bearer"
    assert wizard.pool.user("newton").attributes["name"] == "Isaac Newton"
    everything = shown + rest
    for secret in ("Temp-Passw0rd!", "weakpass", "Newton-Passw0rd!1"):
        assert secret not in everything


def test_environment_answers_first_then_the_terminal(wizard: Wizard) -> None:
    wizard.start("sam", AUTHFLOW_PASSWORD="Sam-Passw0rd!")
    before = wizard.expect("A code was sent by text message to +*******0100.")
    assert "Password" not in before  # the password came from the environment
    wizard.expect("Code:")
    wizard.send("12345")  # five digits: not sent
    wizard.expect("The code is 6 to 8 digits.")  # the pattern of delivered codes, from the engine
    wizard.child.send("\x08" * 5)
    wizard.send("000000")  # wrong: the same session asks again
    wizard.expect("That code is not right.")
    wizard.expect("Code:")
    code = wizard.pool.last_code("sam")
    wizard.send(f"{code[:3]}-{code[3:]}")
    wizard.expect("✓ Signed in as sam.")
    status, rest = wizard.finish()
    assert status == 0
    assert wizard.result(rest)["AccessToken"]
    codes = [r.params["ChallengeResponses"].get("SMS_MFA_CODE") for r in wizard.pool.requests("RespondToAuthChallenge")]
    assert codes == [None, "000000", code]


def test_mfa_choice_is_a_selection(wizard: Wizard) -> None:
    wizard.start("max", AUTHFLOW_PASSWORD="Max-Passw0rd!")
    wizard.expect("Which second factor do you want to use?")
    wizard.expect("Email code")
    wizard.child.send(DOWN)
    wizard.send("")
    wizard.expect("Open your authenticator app for the current code.")
    wizard.expect("Code:")
    wizard.send(wizard.pool.totp_code("max"))
    wizard.expect("✓ Signed in as max.")
    status, _ = wizard.finish()
    assert status == 0
    select = wizard.pool.requests("RespondToAuthChallenge")[1].params["ChallengeResponses"]
    assert select["ANSWER"] == "SOFTWARE_TOKEN_MFA"


def test_first_factor_is_a_selection(wizard: Wizard) -> None:
    wizard.start("uma", "--auth-flow", "USER_AUTH")
    wizard.expect("How do you want to sign in, uma?")
    screen = wizard.expect("Text message code (SMS)")
    assert "Password" in screen and "Email code" in screen
    options = re.findall(r"(\d)\. ([^\r\n]+)", screen + "Text message code (SMS)")
    number = next(n for n, label in options if label.strip().startswith("Email code"))
    wizard.send(number)
    wizard.expect("A code was sent by email to")
    wizard.expect("Code:")
    wizard.send(wizard.pool.last_code("uma"))
    wizard.expect("✓ Signed in as uma.")
    assert wizard.finish()[0] == 0


def test_expired_session_offers_to_start_over(wizard: Wizard) -> None:
    wizard.start("tina", AUTHFLOW_PASSWORD="Tina-Passw0rd!")
    wizard.expect("Code:")
    wizard.pool.clock.advance(181)  # past the 3 minutes of a Session
    wizard.send(wizard.pool.totp_code("tina"))
    wizard.expect("The sign-in session expired")
    wizard.expect("Start over? [Y/n]")
    wizard.send("y")
    wizard.expect("Open your authenticator app for the current code.")
    wizard.expect("Code:")
    wizard.send(wizard.pool.totp_code("tina", steps=1))
    wizard.expect("✓ Signed in as tina.")
    status, _ = wizard.finish()
    assert status == 0
    assert [r.params["AuthFlow"] for r in wizard.pool.requests("InitiateAuth")] == ["USER_SRP_AUTH"] * 2


def test_expired_session_not_started_over_is_the_error(wizard: Wizard) -> None:
    wizard.start("tina", AUTHFLOW_PASSWORD="Tina-Passw0rd!")
    wizard.expect("Code:")
    wizard.pool.clock.advance(181)
    wizard.send(wizard.pool.totp_code("tina"))
    wizard.expect("Start over? [Y/n]")
    wizard.send("n")
    status, rest = wizard.finish()
    assert status == 1
    assert "invalid session for the user, session is expired (NotAuthorizedException)." in rest
    assert "Traceback" not in rest


def test_wrong_password_is_asked_again(wizard: Wizard) -> None:
    wizard.start("alice")
    wizard.expect("Password for alice:")
    wizard.send("Not-Her-Passw0rd!")
    wizard.expect("Incorrect username or password.")
    wizard.expect("Password for alice:")
    wizard.send("Alice-Passw0rd!")
    wizard.expect("✓ Signed in as alice.")
    status, rest = wizard.finish()
    assert status == 0
    assert "Not-Her-Passw0rd!" not in rest


def test_mfa_setup_shows_secret_uri_and_qr_and_writes_the_secret_file(wizard: Wizard) -> None:
    secret_file = wizard.tmp_path / "sean.totp"
    wizard.start("sean", "--totp-secret-out", str(secret_file), AUTHFLOW_PASSWORD="Sean-Passw0rd!",
                 AUTHFLOW_TOTP_ISSUER="Example App")
    wizard.expect("sean must set up multi-factor authentication.")
    wizard.expect("Which one do you want to set up?")
    wizard.send("")
    qr = wizard.expect("Secret: ")
    assert "▄" in qr and "█" in qr
    wizard.expect("URI:")
    secret = secret_file.read_text()  # written when the setup prompt arrived, before any code
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    wizard.expect(f"otpauth://totp/Example%20App:sean?secret={secret}&issuer=Example%20App")  # not the pool id
    wizard.expect("Code:")
    import pyotp

    wizard.send(pyotp.TOTP(secret).now())
    wizard.expect("✓ Signed in as sean.")
    assert wizard.finish()[0] == 0


CANCELS = [("\x03", "interrupted at a prompt (Cancelled)"), ("\x04", "the input ended at a prompt (Cancelled)")]


@pytest.mark.parametrize(("key", "says"), CANCELS)
def test_ctrl_c_and_ctrl_d_leave_cleanly(wizard: Wizard, key: str, says: str) -> None:
    wizard.start("alice")
    wizard.expect("Password for alice:")
    wizard.child.send(key)
    code, rest = wizard.finish()
    assert code == 130
    assert f"authflow: {says}." in rest
    assert "Traceback" not in rest
    assert wizard.pool.requests() == []


#: How to reach each kind of prompt: (user, flags, environment answers, [(shown, typed)...], the prompt).
PROMPTS: dict[str, tuple[str | None, list[str], dict[str, str], list[tuple[str, str]], str]] = {
    "username": (None, [], {}, [], "Username:"),
    "code": ("sam", [], {"AUTHFLOW_PASSWORD": "Sam-Passw0rd!"}, [], "Code:"),
    "mfa choice": ("max", [], {"AUTHFLOW_PASSWORD": "Max-Passw0rd!"}, [], "Which second factor"),
    "first factor": ("uma", ["--auth-flow", "USER_AUTH"], {}, [], "How do you want to sign in"),
    "new password": ("newton", [], {"AUTHFLOW_PASSWORD": "Temp-Passw0rd!"}, [], "New password:"),
    "repeat": ("newton", [], {"AUTHFLOW_PASSWORD": "Temp-Passw0rd!"}, [("New password:", "N3w-Passw0rd!")],
               "Repeat the new password:"),
    "attribute": ("newton", [], {"AUTHFLOW_PASSWORD": "Temp-Passw0rd!", "AUTHFLOW_NEW_PASSWORD": "N3w-Passw0rd!"},
                  [], "name"),
    "setup choice": ("sean", [], {"AUTHFLOW_PASSWORD": "Sean-Passw0rd!"}, [], "Which one do you want to set up?"),
    "setup code": ("sean", [], {"AUTHFLOW_PASSWORD": "Sean-Passw0rd!"}, [("Which one", "")], "Code:"),
    "email address": ("sean", [], {"AUTHFLOW_PASSWORD": "Sean-Passw0rd!"}, [("Which one", DOWN)],
                      "Email address:"),
}


@pytest.mark.parametrize(("key", "says"), CANCELS, ids=["C-c", "C-d"])
@pytest.mark.parametrize("prompt", list(PROMPTS))
def test_ctrl_c_and_ctrl_d_at_every_prompt_exit_130(wizard: Wizard, prompt: str, key: str, says: str) -> None:
    username, flags, answers, steps, shown = PROMPTS[prompt]
    wizard.start(username, *flags, pool_of=username or "alice", **answers)
    for expected, typed in steps:
        wizard.expect(expected)
        wizard.send(typed)
    wizard.expect(shown)
    wizard.child.send(key)
    code, rest = wizard.finish()
    assert code == 130
    assert f"authflow: {says}." in rest
    assert "Traceback" not in rest


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["C-c", "C-d"])
def test_ctrl_c_and_ctrl_d_at_start_over_exit_130(wizard: Wizard, key: str) -> None:
    wizard.start("tina", AUTHFLOW_PASSWORD="Tina-Passw0rd!")
    wizard.expect("Code:")
    wizard.pool.clock.advance(181)
    wizard.send(wizard.pool.totp_code("tina"))
    wizard.expect("Start over? [Y/n]")
    wizard.child.send(key)
    assert wizard.finish()[0] == 130
