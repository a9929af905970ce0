"""Server text shown to a person is printable and of sane length; a CUSTOM_CHALLENGE loop is bounded."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from authflow.states.custom_challenge import MAX_ROUNDS

from authflow import AuthFlow, ScriptedHandler, UserPool, sign_in
from authflow.errors import CognitoError, ProtocolError

from .fake_cognito import Reply, Scripted

SESSION = "s" * 40
EVIL = "\x1b[2J\x1b]0;pwned\x07Code\x00 sent\r\nto \u202e+1555" + "A" * 5000


@pytest.fixture(scope="module")
def pool(fake: Scripted) -> UserPool:
    return UserPool("us-east-1_Text", "textclient", endpoint_url=fake.url, max_attempts=1)


def test_a_prompt_shows_no_escape_sequence_and_no_megabyte(fake: Scripted, pool: UserPool) -> None:
    fake.load(Reply({"ChallengeName": "SMS_MFA", "Session": SESSION,
                     "ChallengeParameters": {"CODE_DELIVERY_DESTINATION": EVIL}}))
    step = AuthFlow(pool, "ann", "USER_PASSWORD_AUTH").start("Passw0rd!")
    assert step.prompt is not None and step.prompt.destination is not None
    for text in (step.prompt.destination, step.prompt.message):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text), repr(text[:80])
        assert "\u202e" not in text and "pwned" not in text and len(text) <= 1000
    assert step.prompt.destination.startswith("Code sent to +1555")


def test_an_error_message_from_the_server_is_cleaned_and_cut(fake: Scripted, pool: UserPool) -> None:
    fake.load(Reply({"__type": "NotAuthorizedException", "message": EVIL * 200}, 400))
    with pytest.raises(CognitoError) as caught:
        sign_in(pool, "ann", ScriptedHandler(password="Passw0rd!"), "USER_PASSWORD_AUTH")
    assert "\x1b" not in caught.value.message and len(caught.value.message) <= 1000


def test_the_cli_prints_one_clean_line_for_a_hostile_error(fake: Scripted) -> None:
    fake.load(Reply({"__type": "NotAuthorizedException", "message": EVIL * 200}, 400))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTHFLOW_"))}
    env["AUTHFLOW_PASSWORD"] = "Passw0rd!"
    proc = subprocess.run(
        [sys.executable, "-m", "authflow", "login", "--non-interactive", "--no-cache", "--pool-id", "us-east-1_Text",
         "--client-id", "textclient", "--endpoint-url", fake.url, "--username", "ann",
         "--auth-flow", "USER_PASSWORD_AUTH"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert len(proc.stderr.splitlines()) == 1 and "\x1b" not in proc.stderr and len(proc.stderr) < 1200
    assert proc.stderr.startswith("authflow: ") and proc.stderr.rstrip().endswith("(NotAuthorizedException).")


def test_a_pool_that_asks_custom_challenges_for_ever_is_stopped(fake: Scripted, pool: UserPool) -> None:
    endless = Reply({"ChallengeName": "CUSTOM_CHALLENGE", "Session": SESSION,
                     "ChallengeParameters": {"question": "Again?"}})
    fake.load(*[endless] * (MAX_ROUNDS + 5))
    with pytest.raises(ProtocolError, match=f"more than {MAX_ROUNDS} custom challenges"):
        sign_in(pool, "ann", ScriptedHandler(custom_answer="yes"), "CUSTOM_AUTH")
    assert len(fake.queue) == 4  # stopped after MAX_ROUNDS answers, without sending another
