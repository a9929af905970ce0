"""Every seed challenge and auth flow, signed in for real by the engine against the local user pool."""

from __future__ import annotations

import pyotp
import pytest

from authflow import (
    AuthFlow,
    CodeMismatchError,
    IncorrectCredentialsError,
    InvalidPasswordError,
    PromptKind,
    ScriptedHandler,
    TotpCodes,
    UserPool,
    sign_in,
)
from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD, TOTP_SECRET, claims, user_pool


def assert_signed_in_as(tokens: object, username: str) -> None:
    access = claims(tokens.access_token)  # type: ignore[attr-defined]
    assert access["username"] == username
    assert access["token_use"] == "access"
    assert claims(tokens.id_token)["cognito:username"] == username  # type: ignore[attr-defined]
    assert tokens.refresh_token  # type: ignore[attr-defined]
    assert tokens.expires_in > 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("auth_flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_plain_user(local_pool: LocalUserPool, pool: UserPool, auth_flow: str) -> None:
    local_pool.add_user("alice", PASSWORD)
    tokens = sign_in(pool, "alice", ScriptedHandler(password=PASSWORD), auth_flow=auth_flow)
    assert_signed_in_as(tokens, "alice")
    assert [r.operation for r in local_pool.requests()] == (
        ["InitiateAuth", "RespondToAuthChallenge"] if auth_flow == "USER_SRP_AUTH" else ["InitiateAuth"]
    )


def test_srp_step_api_with_wrong_password_then_right(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    flow = AuthFlow(pool, "alice")
    step = flow.start()
    assert step.prompt is not None and step.prompt.kind is PromptKind.PASSWORD
    assert local_pool.requests() == []  # nothing is sent before the password is known
    step = flow.respond({"password": "Wrong-Passw0rd!"})
    assert isinstance(step.error, IncorrectCredentialsError)
    assert step.error.code == "NotAuthorizedException"
    assert step.prompt is not None and step.prompt.kind is PromptKind.PASSWORD and step.prompt.attempt == 2
    step = flow.respond(PASSWORD)
    assert step.done
    assert_signed_in_as(step.tokens, "alice")
    assert flow.history == ["start", "awaiting_password", "PASSWORD_VERIFIER", "awaiting_password",
                            "PASSWORD_VERIFIER", "authenticated"]


def test_alias_sign_in_uses_user_id_for_srp(local_pool: LocalUserPool) -> None:
    local_pool.add_pool(id="us-east-1_AliasPool1", alias_attributes=["email"], mfa="OPTIONAL", mfa_types=["SMS_MFA"],
                        clients=[{"name": "secret-client", "secret": True,
                                  "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}])
    local_pool.add_user("alice", PASSWORD, pool_id="us-east-1_AliasPool1",
                        attributes={"email": "alice@example.com", "email_verified": "true"},
                        mfa=["SMS_MFA"], preferred_mfa="SMS_MFA")
    local_pool.update_user("alice", pool_id="us-east-1_AliasPool1", attributes={"phone_number": "+15555550100"})
    pool = user_pool(local_pool, pool_id="us-east-1_AliasPool1")
    assert pool.has_secret
    handler = ScriptedHandler(password=PASSWORD,
                              code=lambda p: local_pool.last_code("alice", pool_id="us-east-1_AliasPool1"))
    flow = AuthFlow(pool, "alice@example.com")
    tokens = flow.run(handler)
    assert_signed_in_as(tokens, "alice")
    assert flow.user_id == "alice"
    answers = [r.params["ChallengeResponses"] for r in local_pool.requests("RespondToAuthChallenge")]
    assert [a["USERNAME"] for a in answers] == ["alice", "alice"]  # the internal name, not the alias
    assert all("SECRET_HASH" in a for a in answers)
    # Refresh with a secret: SECRET_HASH over the internal name from the token.
    refreshed = pool.refresh(tokens.refresh_token or "", username=claims(tokens.access_token)["username"])
    assert_signed_in_as(refreshed, "alice")
    assert refreshed.refresh_token == tokens.refresh_token


def test_sms_mfa_wrong_code_then_right_in_the_same_session(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("sam", PASSWORD, attributes={"phone_number": "+15555550100"},
                        mfa=["SMS_MFA"], preferred_mfa="SMS_MFA")
    flow = AuthFlow(pool, "sam")
    step = flow.start(password=PASSWORD)
    assert step.prompt is not None and step.challenge_name == "SMS_MFA"
    assert step.prompt.destination and step.prompt.destination.endswith("0100")
    assert "+15555550100" not in step.prompt.destination  # Cognito masks it
    session = flow.session
    step = flow.respond({"code": "000000" if local_pool.last_code("sam") != "000000" else "111111"})
    assert isinstance(step.error, CodeMismatchError) and step.challenge_name == "SMS_MFA"
    assert flow.session == session and flow.attempts == 2
    step = flow.respond(local_pool.last_code("sam"))
    assert_signed_in_as(step.tokens, "sam")
    sessions = [r.params["Session"] for r in local_pool.requests("RespondToAuthChallenge")[-2:]]
    assert sessions[0] == sessions[1]  # the retry went out on the same Session


def test_software_token_mfa(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("tina", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=TOTP_SECRET)
    tokens = sign_in(pool, "tina", ScriptedHandler(password=PASSWORD, totp_secret=TOTP_SECRET))
    assert_signed_in_as(tokens, "tina")
    sent = local_pool.requests("RespondToAuthChallenge")[-1].params
    assert sent["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert pyotp.TOTP(TOTP_SECRET).verify(sent["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"], valid_window=1)


def test_email_otp_mfa(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("erin", PASSWORD, attributes={"email": "erin@example.com", "email_verified": "true"},
                        mfa=["EMAIL_OTP"], preferred_mfa="EMAIL_OTP")
    seen: list[str | None] = []

    def code(prompt: object) -> str:
        seen.append(prompt.delivery_medium)  # type: ignore[attr-defined]
        return local_pool.last_code("erin")

    tokens = sign_in(pool, "erin", ScriptedHandler(password=PASSWORD, code=code), auth_flow="USER_PASSWORD_AUTH")
    assert_signed_in_as(tokens, "erin")
    assert seen == ["EMAIL"]


@pytest.mark.parametrize("choice", ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])
def test_select_mfa_type(local_pool: LocalUserPool, pool: UserPool, choice: str, totp_codes: TotpCodes) -> None:
    local_pool.add_user("multi", PASSWORD, attributes={"phone_number": "+15555550101",
                                                       "email": "m@example.com", "email_verified": "true"},
                        mfa=["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], totp_secret=TOTP_SECRET)
    flow = AuthFlow(pool, "multi")
    step = flow.start(password=PASSWORD)
    assert step.prompt is not None and step.prompt.kind is PromptKind.MFA_CHOICE
    assert set(step.prompt.choices) == {"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    step = flow.respond({"choice": choice})
    assert step.challenge_name == choice
    handler = ScriptedHandler(totp_secret=TOTP_SECRET, code=lambda p: local_pool.last_code("multi"),
                              totp_codes=totp_codes)
    assert_signed_in_as(flow.run(handler), "multi")


def test_new_password_required_with_attributes_and_policy_retry(local_pool: LocalUserPool) -> None:
    local_pool.add_pool(id="us-east-1_NamesPool1", required_attributes=["name"],
                        clients=[{"name": "c", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH"]}])
    local_pool.add_user("newbie", "Temp-Passw0rd!", pool_id="us-east-1_NamesPool1", status="FORCE_CHANGE_PASSWORD")
    pool = user_pool(local_pool, pool_id="us-east-1_NamesPool1")
    flow = AuthFlow(pool, "newbie")
    step = flow.start(password="Temp-Passw0rd!")
    assert step.prompt is not None and step.prompt.kind is PromptKind.NEW_PASSWORD
    assert step.prompt.required_attributes == ("name",)
    step = flow.respond({"new_password": "short", "name": "New Bie"})
    assert isinstance(step.error, InvalidPasswordError)
    assert "policy" in step.error.message.lower()
    step = flow.respond({"new_password": "N3w-Passw0rd!", "name": "New Bie"})
    assert_signed_in_as(step.tokens, "newbie")
    assert local_pool.user("newbie", pool_id="us-east-1_NamesPool1").attributes["name"] == "New Bie"
    # The new password is the password now.
    again = sign_in(pool, "newbie", ScriptedHandler(password="N3w-Passw0rd!"))
    assert_signed_in_as(again, "newbie")


def test_mfa_setup_totp_then_sign_in_with_the_new_secret(local_pool: LocalUserPool, totp_codes: TotpCodes) -> None:
    local_pool.add_pool(id="us-east-1_MfaOnPool1", mfa="ON", mfa_types=["SOFTWARE_TOKEN_MFA"],
                        clients=[{"name": "c", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH"]}])
    local_pool.add_user("setup", PASSWORD, pool_id="us-east-1_MfaOnPool1")
    pool = user_pool(local_pool, pool_id="us-east-1_MfaOnPool1")
    saved: list[str] = []
    operations_when_saved: list[list[str]] = []

    def save(secret: str) -> None:
        saved.append(secret)
        operations_when_saved.append([r.operation for r in local_pool.requests()])

    tokens = sign_in(pool, "setup", ScriptedHandler(password=PASSWORD, totp_secret_out=save, totp_codes=totp_codes))
    assert_signed_in_as(tokens, "setup")
    assert len(saved) == 1 and len(saved[0]) >= 16
    # The secret was in the caller's hands before the first code was verified.
    assert "VerifySoftwareToken" not in operations_when_saved[0]
    assert operations_when_saved[0][-1] == "AssociateSoftwareToken"
    assert [r.operation for r in local_pool.requests()][-2:] == ["VerifySoftwareToken", "RespondToAuthChallenge"]
    # The new secret is now the user's MFA: the next sign-in asks SOFTWARE_TOKEN_MFA and it signs in.
    flow = AuthFlow(pool, "setup")
    step = flow.start(password=PASSWORD)
    assert step.challenge_name == "SOFTWARE_TOKEN_MFA"
    assert_signed_in_as(flow.run(ScriptedHandler(totp_secret=saved[0], totp_codes=totp_codes)), "setup")
    # The code used to set up was not sent again (the pool would refuse it as already used).
    setup_code = local_pool.requests("VerifySoftwareToken")[0].params["UserCode"]
    assert local_pool.requests("RespondToAuthChallenge")[-1].params["ChallengeResponses"][
        "SOFTWARE_TOKEN_MFA_CODE"] != setup_code


def test_mfa_setup_wrong_first_code_is_retried(local_pool: LocalUserPool) -> None:
    local_pool.add_pool(id="us-east-1_MfaOnPool2", mfa="ON", mfa_types=["SOFTWARE_TOKEN_MFA"],
                        clients=[{"name": "c", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}])
    local_pool.add_user("setup2", PASSWORD, pool_id="us-east-1_MfaOnPool2")
    flow = AuthFlow(user_pool(local_pool, pool_id="us-east-1_MfaOnPool2"), "setup2", "USER_PASSWORD_AUTH")
    step = flow.start(password=PASSWORD)
    assert step.prompt is not None and step.prompt.kind is PromptKind.MFA_SETUP_CHOICE
    step = flow.respond("SOFTWARE_TOKEN_MFA")
    assert step.prompt is not None and step.prompt.kind is PromptKind.TOTP_SETUP
    secret = step.prompt.secret_code or ""
    assert step.prompt.otpauth_uri and f"secret={secret}" in step.prompt.otpauth_uri
    good = pyotp.TOTP(secret).now()
    step = flow.respond("000000" if good != "000000" else "111111")
    assert step.error is not None and step.error.retryable and step.prompt.kind is PromptKind.TOTP_SETUP
    step = flow.respond(good)
    assert_signed_in_as(step.tokens, "setup2")


def test_mfa_setup_resumed_from_a_snapshot_keeps_the_new_secret(local_pool: LocalUserPool) -> None:
    """What a state keeps across steps (here the TOTP secret being set up) travels in the snapshot."""
    import json

    local_pool.add_pool(id="us-east-1_MfaOnPool4", mfa="ON", mfa_types=["SOFTWARE_TOKEN_MFA"],
                        clients=[{"name": "c", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}])
    local_pool.add_user("setup4", PASSWORD, pool_id="us-east-1_MfaOnPool4")
    pool = user_pool(local_pool, pool_id="us-east-1_MfaOnPool4")
    first = AuthFlow(pool, "setup4", "USER_PASSWORD_AUTH")
    first.start(password=PASSWORD)
    secret = first.respond("SOFTWARE_TOKEN_MFA").prompt.secret_code  # type: ignore[union-attr]
    saved = json.loads(json.dumps(first.snapshot()))
    assert PASSWORD not in json.dumps(saved)
    resumed = AuthFlow.resume(pool, saved)
    step = resumed.step
    assert step.prompt is not None and step.prompt.kind is PromptKind.TOTP_SETUP
    assert step.prompt.secret_code == secret
    assert_signed_in_as(resumed.respond(pyotp.TOTP(secret or "").now()).tokens, "setup4")
    assert resumed.done


def test_mfa_setup_by_email(local_pool: LocalUserPool) -> None:
    local_pool.add_pool(id="us-east-1_MfaOnPool3", mfa="ON", mfa_types=["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
                        clients=[{"name": "c", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH"]}])
    local_pool.add_user("mailer", PASSWORD, pool_id="us-east-1_MfaOnPool3")
    pool = user_pool(local_pool, pool_id="us-east-1_MfaOnPool3")
    flow = AuthFlow(pool, "mailer")
    step = flow.start(password=PASSWORD)
    assert step.prompt is not None and set(step.prompt.choices) == {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    step = flow.respond("EMAIL_OTP")
    assert step.prompt is not None and step.prompt.kind is PromptKind.EMAIL_ADDRESS
    step = flow.respond("mailer@example.com")
    assert step.challenge_name == "EMAIL_OTP"
    step = flow.respond(local_pool.last_code("mailer", pool_id="us-east-1_MfaOnPool3"))
    assert_signed_in_as(step.tokens, "mailer")


# --- USER_AUTH: choice-based sign-in ---------------------------------------------------------------


@pytest.fixture
def chooser(local_pool: LocalUserPool) -> str:
    local_pool.add_user("chooser", PASSWORD, attributes={
        "email": "chooser@example.com", "email_verified": "true", "phone_number": "+15555550102",
        "phone_number_verified": "true"})
    return "chooser"


@pytest.mark.parametrize("factor", ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"])
def test_user_auth_select_challenge(local_pool: LocalUserPool, pool: UserPool, chooser: str, factor: str) -> None:
    flow = AuthFlow(pool, chooser, "USER_AUTH")
    step = flow.start()
    assert step.prompt is not None and step.prompt.kind is PromptKind.FIRST_FACTOR
    assert set(step.prompt.choices) >= {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}
    step = flow.respond(factor)
    if factor.startswith("PASSWORD"):
        assert step.prompt is not None and step.prompt.kind is PromptKind.PASSWORD
        step = flow.respond(PASSWORD)
    else:
        assert step.challenge_name == factor
        step = flow.respond(local_pool.last_code(chooser))
    assert_signed_in_as(step.tokens, chooser)
    if factor == "PASSWORD_SRP":
        assert "PASSWORD_VERIFIER" in flow.history


@pytest.mark.parametrize("factor", ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"])
def test_user_auth_preferred_challenge(local_pool: LocalUserPool, pool: UserPool, chooser: str, factor: str) -> None:
    handler = ScriptedHandler(password=PASSWORD, code=lambda p: local_pool.last_code(chooser))
    flow = AuthFlow(pool, chooser, "USER_AUTH", preferred_challenge=factor)
    assert_signed_in_as(flow.run(handler), chooser)
    assert "SELECT_CHALLENGE" not in flow.history
    first = local_pool.requests("InitiateAuth")[0].params["AuthParameters"]
    assert first["PREFERRED_CHALLENGE"] == factor


def test_no_machine_is_built_per_sign_in(local_pool: LocalUserPool, pool: UserPool,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import transitions

    def no_new_machines(*args: object, **kwargs: object) -> None:
        raise AssertionError("a transitions.Machine was built during a sign-in")

    local_pool.add_user("alice", PASSWORD)
    monkeypatch.setattr(transitions.Machine, "__init__", no_new_machines)
    for _ in range(3):
        assert_signed_in_as(sign_in(pool, "alice", ScriptedHandler(password=PASSWORD)), "alice")
