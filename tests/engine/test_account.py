"""Sign-up, its confirmation, password reset and recovery in place, through the step API and
ScriptedHandler, against the local pool over boto3."""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest

from authflow import AuthFlow, ScriptedHandler, sign_in
from authflow.errors import (
    CodeMismatchError,
    CognitoError,
    ExpiredCodeError,
    PasswordResetRequiredError,
    UserNotConfirmedError,
)
from authflow.localpool import LocalUserPool
from authflow.prompts import Prompt, PromptKind
from authflow.transport import UserPool
from tests.helpers.lifecycle import NEW_PASSWORD, PASSWORD, mfa_user

EMAIL = "nina@example.com"


def pool_for(local: LocalUserPool, client_id: str | None = None) -> UserPool:
    client = local.app_client(client_id)
    return UserPool(local.pool_id, client.id, client.secret, endpoint_url=local.endpoint_url)


def reader(local: LocalUserPool, purpose: str) -> Any:
    """A ScriptedHandler code source: the newest code the pool sent for ``purpose``."""
    return lambda prompt: local.last_code(prompt.username, purpose=purpose)


def sent(local: LocalUserPool, needle: str) -> list[str]:
    """The operations whose request carried ``needle`` anywhere."""
    return [r.operation for r in local.requests() if needle in json.dumps(r.params)]


def test_sign_up_confirms_and_signs_in_with_the_session(local_pool: LocalUserPool) -> None:
    flow = AuthFlow(pool_for(local_pool), "nina", begin="sign_up", sign_up_attributes=("email",))
    step = flow.start()
    assert step.prompt is not None and step.prompt.kind is PromptKind.SIGN_UP
    assert [f.name for f in step.prompt.fields] == ["password", "email"]
    step = flow.respond({"password": PASSWORD, "email": EMAIL})
    prompt = step.prompt
    assert prompt is not None and prompt.kind is PromptKind.CODE
    assert (prompt.challenge_name, prompt.destination, prompt.delivery_medium) == (
        "CONFIRM_SIGN_UP", "n***@e***", "EMAIL")
    step = flow.respond({"code": "000000" if local_pool.last_code("nina") != "000000" else "111111"})
    assert step.prompt is not None and isinstance(step.prompt.error, CodeMismatchError)  # the same step again
    assert step.prompt.challenge_name == "CONFIRM_SIGN_UP"
    step = flow.respond(local_pool.last_code("nina", purpose="CONFIRM_SIGN_UP"))
    assert step.done and step.tokens is not None
    assert local_pool.access_token_claims(step.tokens.access_token)["username"] == "nina"
    assert sent(local_pool, PASSWORD) == ["SignUp"]  # the password went once, in SignUp
    (initiate,) = local_pool.requests("InitiateAuth")
    assert initiate.params["AuthFlow"] == "USER_AUTH" and initiate.params["Session"]
    assert local_pool.user("nina").status == "CONFIRMED"


def test_sign_up_on_a_client_without_user_auth_signs_in_with_the_password(local_pool: LocalUserPool) -> None:
    client = local_pool.add_client(secret=True, explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    handler = ScriptedHandler(password=PASSWORD, attributes={"email": EMAIL},
                              code=reader(local_pool, "CONFIRM_SIGN_UP"))
    tokens = AuthFlow(pool_for(local_pool, client.id), "nina", begin="sign_up").run(handler)
    assert local_pool.access_token_claims(tokens.access_token)["username"] == "nina"
    flows = [(r.params["AuthFlow"], r.error_code) for r in local_pool.requests("InitiateAuth")]
    assert flows == [("USER_AUTH", "InvalidParameterException"), ("USER_SRP_AUTH", None)]
    assert sent(local_pool, PASSWORD) == ["SignUp"]  # SRP: the password itself is never sent again


def test_resend_and_an_expired_code(local_pool: LocalUserPool) -> None:
    flow = AuthFlow(pool_for(local_pool), "nina", begin="sign_up")
    flow.start()
    flow.respond({"password": PASSWORD, "email": EMAIL})
    step = flow.respond({"resend": "yes"})
    assert step.prompt is not None and step.prompt.error is None and step.prompt.resend is not None
    assert len(local_pool.outbox("nina", purpose="CONFIRM_SIGN_UP")) == 2
    assert [r.operation for r in local_pool.requests()][-1] == "ResendConfirmationCode"
    second = local_pool.last_code("nina")
    local_pool.clock.advance(24 * 3600 + 1)
    step = flow.respond(second)  # expired: a new code is sent at once and asked for
    assert step.prompt is not None and isinstance(step.prompt.error, ExpiredCodeError)
    assert "expired" in step.prompt.message
    assert len(local_pool.outbox("nina", purpose="CONFIRM_SIGN_UP")) == 3
    step = flow.respond(local_pool.last_code("nina"))
    assert step.done


def test_signing_up_an_existing_user_fails(local_pool: LocalUserPool) -> None:
    local_pool.add_user("nina", PASSWORD)
    flow = AuthFlow(pool_for(local_pool), "nina", begin="sign_up")
    flow.start()
    with pytest.raises(CognitoError) as info:
        flow.respond({"password": PASSWORD})
    assert info.value.code == "UsernameExistsException"
    assert flow.state == "failed"


def test_weak_password_at_sign_up_is_asked_again(local_pool: LocalUserPool) -> None:
    flow = AuthFlow(pool_for(local_pool), "nina", begin="sign_up")
    flow.start()
    step = flow.respond({"password": "short"})
    assert step.prompt is not None and step.prompt.kind is PromptKind.SIGN_UP
    assert step.prompt.error is not None and step.prompt.error.code == "InvalidPasswordException"


def test_reset_password_then_sign_in_with_mfa(local_pool: LocalUserPool) -> None:
    secret = mfa_user(local_pool)
    flow = AuthFlow(pool_for(local_pool), "rita", begin="forgot_password")
    step = flow.start()
    prompt = step.prompt
    assert prompt is not None and prompt.kind is PromptKind.RESET_PASSWORD
    assert (prompt.challenge_name, prompt.destination) == ("RESET_PASSWORD", "r***@e***")
    step = flow.respond({"code": local_pool.last_code("rita", purpose="RESET_PASSWORD"), "new_password": NEW_PASSWORD})
    assert step.prompt is not None and step.prompt.challenge_name == "SOFTWARE_TOKEN_MFA"
    step = flow.respond(pyotp.TOTP(secret).now())
    assert step.done
    assert [r.operation for r in local_pool.requests()] == [
        "ForgotPassword", "ConfirmForgotPassword", "InitiateAuth", "RespondToAuthChallenge",
        "RespondToAuthChallenge"]


def test_reset_required_recovered_in_the_step_api(local_pool: LocalUserPool) -> None:
    secret = mfa_user(local_pool, status="RESET_REQUIRED")
    flow = AuthFlow(pool_for(local_pool), "rita")
    step = flow.start(password=PASSWORD)
    prompt = step.prompt
    assert prompt is not None and prompt.kind is PromptKind.RESET_REQUIRED
    assert isinstance(prompt.error, PasswordResetRequiredError)
    assert local_pool.requests("ForgotPassword") == []  # nothing sent before the person agrees
    step = flow.respond({"choice": "RESET_PASSWORD"})
    assert step.prompt is not None and step.prompt.kind is PromptKind.RESET_PASSWORD
    step = flow.respond({"code": local_pool.last_code("rita", purpose="RESET_PASSWORD"), "new_password": NEW_PASSWORD})
    step = flow.respond(pyotp.TOTP(secret).now())
    assert step.done
    assert local_pool.user("rita").status == "CONFIRMED"


def test_reset_required_recovered_by_a_scripted_handler(local_pool: LocalUserPool) -> None:
    secret = mfa_user(local_pool, status="RESET_REQUIRED")
    handler = ScriptedHandler(password=PASSWORD, new_password=NEW_PASSWORD, totp_secret=secret,
                              code=reader(local_pool, "RESET_PASSWORD"))
    tokens = sign_in(pool_for(local_pool), "rita", handler, auth_flow="USER_PASSWORD_AUTH")
    assert local_pool.access_token_claims(tokens.access_token)["username"] == "rita"


def test_unconfirmed_user_recovered_in_place(local_pool: LocalUserPool) -> None:
    pool = pool_for(local_pool)
    pool.client.sign_up(ClientId=pool.client_id, Username="uma", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "uma@example.com"}])
    local_pool.clear_requests()
    seen: list[Prompt] = []

    def code(prompt: Prompt) -> str:
        seen.append(prompt)
        return local_pool.last_code("uma", purpose="CONFIRM_SIGN_UP")

    tokens = sign_in(pool, "uma", ScriptedHandler(password=PASSWORD, code=code))
    assert local_pool.access_token_claims(tokens.access_token)["username"] == "uma"
    assert [p.challenge_name for p in seen] == ["CONFIRM_SIGN_UP"]
    assert isinstance(seen[0].error, UserNotConfirmedError)
    assert [(r.operation, r.params.get("AuthFlow")) for r in local_pool.requests()] == [
        ("InitiateAuth", "USER_SRP_AUTH"), ("ConfirmSignUp", None),  # refused at once: no proof is asked
        ("InitiateAuth", "USER_AUTH")]


def test_a_handler_that_cannot_recover_gets_the_refusal(local_pool: LocalUserPool) -> None:
    local_pool.add_user("uma", PASSWORD, status="UNCONFIRMED")
    with pytest.raises(UserNotConfirmedError):
        sign_in(pool_for(local_pool), "uma", ScriptedHandler(password=PASSWORD))
    assert local_pool.requests("ConfirmSignUp") == local_pool.requests("ResendConfirmationCode") == []
