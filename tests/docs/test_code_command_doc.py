"""The documented code command (docs/terminal.md, "Codes from a command") reads the right code from the local
pool's outbox for every AUTHFLOW_CHALLENGE a code command is run with: the outbox's purposes and the
challenge names agree, so one command serves every case."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from authflow.localpool import LocalUserPool
from tests.docs.blocks import REPO, blocks
from tests.helpers.cli import credential_free_env

MARKER = "<!-- The code-command example:"


def documented_code_command() -> str:
    """The AUTHFLOW_CODE_COMMAND the block after the marker in docs/terminal.md exports."""
    path = REPO / "docs" / "terminal.md"
    text = path.read_text(encoding="utf-8")
    marker_line = text[: text.index(MARKER)].count("\n") + 1
    block = next(b for b in blocks(path) if b.line == marker_line + 1)
    export = next(line for line in block.text.splitlines() if line.startswith("export AUTHFLOW_CODE_COMMAND="))
    done = subprocess.run(["bash", "-c", export + '\nprintf %s "$AUTHFLOW_CODE_COMMAND"'], capture_output=True,
                          text=True, check=True, timeout=10)
    return done.stdout


#: (AUTHFLOW_CHALLENGE, the command's arguments, its answers): a case for each value.
CASES = [
    ("SMS_MFA", ["login", "--username", "sam"], {"AUTHFLOW_PASSWORD": "Sam-Passw0rd!"}),
    ("EMAIL_OTP", ["login", "--username", "emma"], {"AUTHFLOW_PASSWORD": "Emma-Passw0rd!"}),
    ("SMS_OTP", ["login", "--username", "uma", "--auth-flow", "USER_AUTH"], {"AUTHFLOW_FIRST_FACTOR": "SMS_OTP"}),
    ("EMAIL_OTP", ["login", "--username", "uma", "--auth-flow", "USER_AUTH", "--preferred-challenge", "EMAIL_OTP"],
     {}),
    ("CONFIRM_SIGN_UP", ["sign-up", "--username", "nina"],
     {"AUTHFLOW_PASSWORD": "Nina-Passw0rd!", "AUTHFLOW_ATTRIBUTES": '{"name": "Nina", "email": "nina@example.com"}'}),
    ("RESET_PASSWORD", ["reset-password", "--username", "alice"], {"AUTHFLOW_NEW_PASSWORD": "Alice-Passw0rd!2"}),
    # signed in by an alias (the contract's --username may be an email or a phone number): AUTHFLOW_USERNAME is
    # the alias, and the outbox finds the codes sent to its user
    ("SMS_MFA", ["login", "--username", "+15555550100"], {"AUTHFLOW_PASSWORD": "Sam-Passw0rd!"}),
    ("EMAIL_OTP", ["login", "--username", "emma@example.com"], {"AUTHFLOW_PASSWORD": "Emma-Passw0rd!"}),
    ("VERIFY_ATTRIBUTE", ["account", "attributes", "verify", "email", "--resend", "--username", "alice"],
     {"AUTHFLOW_PASSWORD": "Alice-Passw0rd!"}),
]
#: The commands that print tokens (the others print the account).
PRINTS_TOKENS = ("login", "sign-up", "reset-password")


def test_the_documented_command_is_found() -> None:
    command = documented_code_command()
    assert "_local/outbox" in command and "$AUTHFLOW_CHALLENGE" in command


@pytest.mark.parametrize(("challenge", "args", "answers"), CASES, ids=[f"{c[0]}-{c[1][0]}-{c[1][2]}" for c in CASES])
def test_the_documented_code_command_answers(challenge: str, args: list[str], answers: dict[str, str],
                                             tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    with LocalUserPool("demo") as pool:
        env = credential_free_env(tmp_path, {
            "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url, "AUTHFLOW_POOL_ID": pool.pool_id,
            "AUTHFLOW_CLIENT_ID": pool.client_id,
            # the documented command, and a note of the challenge it was run for
            "AUTHFLOW_CODE_COMMAND": f'echo "$AUTHFLOW_CHALLENGE" >> {seen}; ' + documented_code_command(),
            **answers,
        })
        tokens = args[0] in PRINTS_TOKENS
        output = ["--no-cache", "--output", "access-token"] if tokens else []
        done = subprocess.run([sys.executable, "-m", "authflow", *args, "--non-interactive", *output], env=env,
                              capture_output=True, text=True, timeout=120, check=False, cwd=str(tmp_path))
        assert done.returncode == 0, done.stderr
        if tokens:
            assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+\n", done.stdout)
        assert seen.read_text().split() == [challenge]
        purposes = {m.purpose for m in pool.outbox()}
        assert challenge in purposes  # the outbox says it the same way
