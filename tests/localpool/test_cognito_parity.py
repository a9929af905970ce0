"""Where the local pool once differed from Cognito (issue 11): the define trigger asked about SRP_A, the
per-user lockout after five wrong MFA codes, no Session or refresh token starting with "-", two signing
keys made at start."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from botocore.exceptions import ClientError

from authflow import srp
from authflow.localpool import LocalUserPool
from authflow.localpool.model import opaque_token
from authflow.localpool.sessions import SessionStore, SignIn

from .helpers import b64url, error, idp, password_auth, respond, verifier_responses, verify

PASSWORD = "Passw0rd!"
LOCKED = ("NotAuthorizedException",
          "Too many invalid credentials attempts. User temporarily locked. Please try again after few seconds.")


# --- CUSTOM_AUTH with SRP: the define trigger decides about the SRP_A step ------------------------------


def custom_auth_with_srp(pool: LocalUserPool, define: Any) -> dict[str, Any]:
    pool.add_user("alice", PASSWORD)
    pool.set_custom_auth(define, lambda event: None, lambda event: None)
    return idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={
        "USERNAME": "alice", "CHALLENGE_NAME": "SRP_A", "SRP_A": srp.ClientEphemeral().srp_a})


def test_define_trigger_is_asked_about_the_srp_a_step(local_pool: LocalUserPool) -> None:
    sessions: list[list[str]] = []

    def define(event: dict[str, Any]) -> dict[str, Any]:
        sessions.append([s["challengeName"] for s in event["request"]["session"]])
        return {"challengeName": "PASSWORD_VERIFIER", "issueTokens": False, "failAuthentication": False}

    started = custom_auth_with_srp(local_pool, define)
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    assert sessions == [["SRP_A"]]


def test_define_trigger_failing_at_srp_a_issues_no_tokens(local_pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        custom_auth_with_srp(local_pool, lambda event: {"issueTokens": False, "failAuthentication": True})
    assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")
    assert local_pool.requests("InitiateAuth")[-1].error_code == "NotAuthorizedException"


# --- per-user lockout after five wrong MFA codes ------------------------------------------------------


@pytest.fixture
def totp_user(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("alice", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA")
    local_pool.clock.freeze()
    return local_pool


def totp_challenge(pool: LocalUserPool) -> dict[str, Any]:
    challenge = password_auth(idp(pool), pool.client_id, "alice", PASSWORD)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    return challenge


def answer_totp(pool: LocalUserPool, challenge: dict[str, Any], code: str) -> dict[str, Any]:
    return respond(idp(pool), pool.client_id, challenge, {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})


def wrong_code(pool: LocalUserPool) -> str:
    right = pool.totp_code("alice")
    return next(c for c in ("000000", "111111", "222222") if c not in
                {right, pool.totp_code("alice", steps=-1), pool.totp_code("alice", steps=1)})


def test_five_wrong_mfa_codes_over_several_sessions_lock_the_user(totp_user: LocalUserPool) -> None:
    pool, wrong = totp_user, wrong_code(totp_user)
    for _ in range(2):                                   # two Sessions: 2 + 3 wrong codes
        challenge = totp_challenge(pool)
        for _ in range(2):
            with pytest.raises(ClientError) as excinfo:
                answer_totp(pool, challenge, wrong)
            assert error(excinfo)[0] == "CodeMismatchException"
    challenge = totp_challenge(pool)
    with pytest.raises(ClientError) as excinfo:
        answer_totp(pool, challenge, wrong)                # the fifth wrong code
    assert error(excinfo)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as excinfo:
        answer_totp(pool, totp_challenge(pool), pool.totp_code("alice"))
    assert error(excinfo) == LOCKED                      # even the right code, in a new Session
    pool.clock.advance(2)                                # the first lockout lasts 1 s
    assert "AuthenticationResult" in answer_totp(pool, totp_challenge(pool), pool.totp_code("alice"))


def test_the_lockout_doubles_with_each_further_wrong_code(totp_user: LocalUserPool) -> None:
    pool, wrong = totp_user, wrong_code(totp_user)
    for wait in (0, 0, 0, 0, 0, 1.5, 2.5):                # each after the lockout of the one before
        pool.clock.advance(wait)
        with pytest.raises(ClientError) as excinfo:
            answer_totp(pool, totp_challenge(pool), wrong)
        assert error(excinfo)[0] == "CodeMismatchException"
    pool.clock.advance(3)                                # 7 wrong codes: locked for 2**2 = 4 s
    with pytest.raises(ClientError) as excinfo:
        answer_totp(pool, totp_challenge(pool), pool.totp_code("alice"))
    assert error(excinfo) == LOCKED
    pool.clock.advance(31)                               # a new TOTP step too: the code above was refused
    assert "AuthenticationResult" in answer_totp(pool, totp_challenge(pool), pool.totp_code("alice"))


def test_wrong_email_codes_count_too(local_pool: LocalUserPool) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("bob", PASSWORD, attributes={"email": "bob@example.com", "email_verified": "true"},
                        mfa=["EMAIL_OTP"])
    local_pool.clock.freeze()
    client = idp(local_pool)
    for _ in range(5):
        challenge = password_auth(client, local_pool.client_id, "bob", PASSWORD)
        with pytest.raises(ClientError):
            respond(client, local_pool.client_id, challenge, {"USERNAME": "bob", "EMAIL_OTP_CODE": "000000"})
    challenge = password_auth(client, local_pool.client_id, "bob", PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        respond(client, local_pool.client_id, challenge,
                {"USERNAME": "bob", "EMAIL_OTP_CODE": local_pool.last_code("bob")})
    assert error(excinfo) == LOCKED


# --- no Session or refresh token that a command line would read as an option --------------------------


def test_no_session_or_opaque_token_starts_with_a_dash_over_10000_draws() -> None:
    store = SessionStore()
    sign_in = SignIn(pool_id="us-east-1_x", client_id="c", username="alice", typed_username="alice",
                     auth_flow="USER_SRP_AUTH")
    sessions = [store.issue("PASSWORD_VERIFIER", sign_in, 0.0, 180).id for _ in range(10_000)]
    tokens = [opaque_token(96) for _ in range(10_000)]
    assert not [t for t in sessions + tokens if t.startswith("-")]
    assert len(set(sessions)) == 10_000


def test_sessions_and_refresh_tokens_over_http_avoid_a_leading_dash(
    local_pool: LocalUserPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every second random draw starts with "-" here: what the client receives never does."""
    real = secrets.token_urlsafe
    draws = iter(range(1_000_000))

    def half_dashes(nbytes: int | None = None) -> str:
        token = real(nbytes)
        return "-" + token[1:] if next(draws) % 2 == 0 else token

    monkeypatch.setattr(secrets, "token_urlsafe", half_dashes)
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("alice", PASSWORD, attributes={"email": "a@example.com", "email_verified": "true"},
                        mfa=["EMAIL_OTP"])
    client = idp(local_pool)
    for _ in range(4):
        challenge = password_auth(client, local_pool.client_id, "alice", PASSWORD)
        tokens = respond(client, local_pool.client_id, challenge,
                         {"USERNAME": "alice", "EMAIL_OTP_CODE": local_pool.last_code("alice")})
        assert not challenge["Session"].startswith("-")
        assert not tokens["AuthenticationResult"]["RefreshToken"].startswith("-")


# --- two signing keys, made when the pool starts -------------------------------------------------------


def test_id_and_access_tokens_are_signed_with_two_keys(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    result = password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)["AuthenticationResult"]
    kids = {use: json.loads(b64url(result[name].split(".")[0]))["kid"]
            for use, name in (("id", "IdToken"), ("access", "AccessToken"))}
    assert kids["id"] != kids["access"]
    assert sorted(k["kid"] for k in local_pool.jwks()["keys"]) == sorted(kids.values())
    assert verify(local_pool, result["IdToken"])["token_use"] == "id"
    assert verify(local_pool, result["AccessToken"])["token_use"] == "access"


def test_a_token_signed_with_the_other_key_is_refused(local_pool: LocalUserPool) -> None:
    """An id token presented as an access token (its kid names the id key) is not an access token."""
    local_pool.add_user("alice", PASSWORD)
    result = password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)["AuthenticationResult"]
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).get_user(AccessToken=result["IdToken"])
    assert error(excinfo) == ("NotAuthorizedException", "Invalid Access Token")


def test_signing_keys_are_made_at_start_not_on_first_token() -> None:
    with LocalUserPool() as local:
        keys = local.service.tokens._keys
        for thread in keys._threads.values():            # no request was made, no token asked for
            thread.join(timeout=10)
        assert sorted(keys._keys) == ["access", "id"]


def test_srp_sign_in_still_verifies_after_the_key_change(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    ephemeral = srp.ClientEphemeral()
    started = idp(local_pool).initiate_auth(ClientId=local_pool.client_id, AuthFlow="USER_SRP_AUTH",
                                            AuthParameters={"USERNAME": "alice", "SRP_A": ephemeral.srp_a})
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], local_pool.pool_id, PASSWORD)
    result = respond(idp(local_pool), local_pool.client_id, started, responses)["AuthenticationResult"]
    assert local_pool.access_token_claims(result["AccessToken"])["username"] == "alice"
