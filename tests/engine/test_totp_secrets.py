"""TOTP secrets as they are: a 16-character (80-bit) secret signs in like a 32-character one, through every
way a client is given one; a malformed secret is a typed error naming where it came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from authflow import AuthFlow, ScriptedHandler, TotpCodes, UserPool, sign_in
from authflow.answers import EnvAnswers
from authflow.cli.signin import NonInteractiveHandler
from authflow.errors import InvalidTotpSecretError, UsageError
from authflow.localpool import LocalUserPool
from authflow.many import read_users_file
from authflow.totp import code_now
from tests.engine.helpers import PASSWORD, claims

SHORT = "JBSWY3DPEHPK3PXP"  # 80 bits: pyotp >= 2.12 refuses to build a TOTP of it
NORMAL = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.parametrize("secret", [SHORT, NORMAL, "jbsw y3dp ehpk 3pxp"])
def test_scripted_handler_signs_in_with_a_secret_of_any_length(
    local_pool: LocalUserPool, pool: UserPool, totp_codes: TotpCodes, secret: str
) -> None:
    local_pool.add_user("tina", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=secret)
    tokens = sign_in(pool, "tina", ScriptedHandler(password=PASSWORD, totp_secret=secret, totp_codes=totp_codes),
                     clock=local_pool.clock.datetime)
    assert claims(tokens.access_token)["username"] == "tina"


def test_environment_answers_sign_in_with_a_short_secret(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("tom", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=SHORT)
    env = EnvAnswers.from_environ({"AUTHFLOW_PASSWORD": PASSWORD, "AUTHFLOW_TOTP_SECRET": SHORT})
    tokens = sign_in(pool, "tom", NonInteractiveHandler(env))
    assert claims(tokens.access_token)["username"] == "tom"


def test_the_step_api_signs_in_with_a_short_secret(local_pool: LocalUserPool, pool: UserPool,
                                                    totp_codes: TotpCodes) -> None:
    """AuthFlow, step by step (the caller makes the code of the 16-character secret) and run with a handler
    holding the secret."""
    local_pool.add_user("tess", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=SHORT)
    flow = AuthFlow(pool, "tess")
    step = flow.start(password=PASSWORD)
    assert step.challenge_name == "SOFTWARE_TOKEN_MFA"
    step = flow.respond(code_now(SHORT, local_pool.clock.now()))
    assert step.done, step.error
    assert claims(flow.tokens.access_token)["username"] == "tess"
    local_pool.clock.advance(30)  # the next window: the code above is spent
    tokens = AuthFlow(pool, "tess").run(ScriptedHandler(password=PASSWORD, totp_secret=SHORT, totp_codes=totp_codes))
    assert claims(tokens.access_token)["username"] == "tess"
    answered = [r.params["ChallengeResponses"].get("SOFTWARE_TOKEN_MFA_CODE")
                for r in local_pool.requests("RespondToAuthChallenge")]
    assert len({code for code in answered if code}) == 2  # each a code of its own window, both accepted


def test_malformed_secrets_name_their_source(tmp_path: Path) -> None:
    with pytest.raises(InvalidTotpSecretError, match=r"^InvalidTotpSecret: ScriptedHandler's totp_secret "):
        ScriptedHandler(password=PASSWORD, totp_secret="NOT-BASE32-1890!")
    with pytest.raises(InvalidTotpSecretError, match="AUTHFLOW_TOTP_SECRET is not a base32") as caught:
        EnvAnswers.from_environ({"AUTHFLOW_TOTP_SECRET": "not base32 at all 0189"})
    assert isinstance(caught.value, UsageError)
    users = tmp_path / "users.json"
    users.write_text(json.dumps([{"username": "a", "totp_secret": SHORT}, {"username": "b", "totp_secret": "ABC"}]))
    with pytest.raises(InvalidTotpSecretError, match="--users: entry 2: totp_secret is not a base32 TOTP secret"):
        read_users_file(users)
    users.write_text(json.dumps([{"username": "a", "totp_secret": SHORT}]))
    assert read_users_file(users)[0]["totp_secret"] == SHORT


def test_pool_refuses_a_malformed_seed_secret(local_pool: LocalUserPool) -> None:
    with pytest.raises(ValueError, match="the totp_secret of user 'x'"):
        local_pool.add_user("x", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], totp_secret="00000000")
