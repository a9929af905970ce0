"""USER_AUTH, choice-based sign-in: SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from authflow import srp
from authflow.localpool import LocalUserPool

from .helpers import error, idp, respond, verifier_responses

PASSWORD = "Passw0rd!"


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.pool().alias_attributes = ["email"]
    local_pool.add_user("uma", PASSWORD, attributes={
        "email": "uma@example.com", "email_verified": "true", "phone_number": "+15555550102",
    })
    return local_pool


def start(pool: LocalUserPool, username: str = "uma", **params: str) -> dict:
    return idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="USER_AUTH",
                                   AuthParameters={"USERNAME": username, **params})


def answer(pool: LocalUserPool, previous: dict, **responses: str) -> dict:
    return respond(idp(pool), pool.client_id, previous, {"USERNAME": "uma", **responses})


def refused(pool: LocalUserPool, previous: dict, **responses: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        answer(pool, previous, **responses)
    return error(excinfo)


def test_select_challenge_lists_what_the_user_can_do(pool: LocalUserPool) -> None:
    first = start(pool)
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert len(first["Session"]) >= 20


def test_available_challenges_follow_pool_and_user(pool: LocalUserPool) -> None:
    pool.pool().allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP"]
    assert start(pool)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    pool.update_user("uma", attributes={"email_verified": "false"})
    pool.pool().alias_attributes = []
    assert start(pool)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_answer_password(pool: LocalUserPool) -> None:
    done = answer(pool, start(pool), ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert "AccessToken" in done["AuthenticationResult"]


def test_wrong_password_is_not_retryable(pool: LocalUserPool) -> None:
    first = start(pool)
    assert refused(pool, first, ANSWER="PASSWORD", PASSWORD="Wrong-passw0rd") == (
        "NotAuthorizedException", "Incorrect username or password.")
    assert refused(pool, first, ANSWER="PASSWORD", PASSWORD=PASSWORD)[1] == (
        "Invalid session for the user, session can only be used once.")


def test_answer_password_srp(pool: LocalUserPool) -> None:
    ephemeral = srp.ClientEphemeral()
    verifier = answer(pool, start(pool), ANSWER="PASSWORD_SRP", SRP_A=ephemeral.srp_a)
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    assert verifier["ChallengeParameters"]["USER_ID_FOR_SRP"] == "uma"
    responses = verifier_responses(ephemeral, verifier["ChallengeParameters"], pool.pool_id, PASSWORD)
    assert "AuthenticationResult" in respond(idp(pool), pool.client_id, verifier, responses)


@pytest.mark.parametrize(("factor", "key", "medium"), [("EMAIL_OTP", "EMAIL_OTP_CODE", "EMAIL"),
                                                       ("SMS_OTP", "SMS_OTP_CODE", "SMS")])
def test_answer_one_time_code(pool: LocalUserPool, factor: str, key: str, medium: str) -> None:
    challenge = answer(pool, start(pool), ANSWER=factor)
    assert challenge["ChallengeName"] == factor
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == medium
    message = pool.outbox("uma")[-1]
    assert (message.medium, message.purpose) == (medium, factor)
    wrong = f"{(int(message.code) + 1) % 10**6:06d}"
    assert refused(pool, challenge, **{key: wrong}) == (
        "CodeMismatchException", "Invalid code or auth state for the user.")
    assert "AuthenticationResult" in answer(pool, challenge, **{key: message.code})


def test_alias_as_username_in_answers(pool: LocalUserPool) -> None:
    first = start(pool, "uma@example.com")
    challenge = respond(idp(pool), pool.client_id, first, {"USERNAME": "uma@example.com", "ANSWER": "EMAIL_OTP"})
    done = respond(idp(pool), pool.client_id, challenge,
                   {"USERNAME": "uma@example.com", "EMAIL_OTP_CODE": pool.last_code("uma")})
    assert "AuthenticationResult" in done


def test_answer_not_available(pool: LocalUserPool) -> None:
    pool.pool().allowed_first_auth_factors = ["PASSWORD"]
    first = start(pool)
    assert refused(pool, first, ANSWER="SMS_OTP")[0] == "InvalidParameterException"
    assert refused(pool, first, ANSWER="WEB_AUTHN")[0] == "InvalidParameterException"


@pytest.mark.parametrize("preferred", ["EMAIL_OTP", "SMS_OTP"])
def test_preferred_code_challenge_goes_straight_there(pool: LocalUserPool, preferred: str) -> None:
    assert start(pool, PREFERRED_CHALLENGE=preferred)["ChallengeName"] == preferred


def test_preferred_password(pool: LocalUserPool) -> None:
    assert "AuthenticationResult" in start(pool, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        start(pool, PREFERRED_CHALLENGE="PASSWORD")
    assert error(excinfo) == ("InvalidParameterException", "Missing required parameter PASSWORD")
    with pytest.raises(ClientError) as excinfo:
        start(pool, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wrong-passw0rd")
    assert error(excinfo)[1] == "Incorrect username or password."


def test_preferred_password_srp(pool: LocalUserPool) -> None:
    ephemeral = srp.ClientEphemeral()
    verifier = start(pool, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=ephemeral.srp_a)
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"


def test_unavailable_preferred_challenge_falls_back_to_selection(pool: LocalUserPool) -> None:
    pool.pool().allowed_first_auth_factors = ["PASSWORD"]
    first = start(pool, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    assert start(pool, PREFERRED_CHALLENGE="WEB_AUTHN")["ChallengeName"] == "SELECT_CHALLENGE"


def test_password_first_factor_is_followed_by_mfa(pool: LocalUserPool) -> None:
    pool.pool().mfa_configuration = "OPTIONAL"
    pool.update_user("uma", mfa=["SMS_MFA"])
    assert answer(pool, start(pool), ANSWER="PASSWORD", PASSWORD=PASSWORD)["ChallengeName"] == "SMS_MFA"


def test_code_first_factor_is_not_followed_by_mfa(pool: LocalUserPool) -> None:
    pool.pool().mfa_configuration = "OPTIONAL"
    pool.update_user("uma", mfa=["SMS_MFA"])
    challenge = start(pool, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert "AuthenticationResult" in answer(pool, challenge, EMAIL_OTP_CODE=pool.last_code("uma"))


def test_user_auth_flow_must_be_enabled(pool: LocalUserPool) -> None:
    client = pool.add_client(explicit_auth_flows=["ALLOW_USER_SRP_AUTH"])
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=client.id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "uma"})
    assert error(excinfo) == ("InvalidParameterException", "USER_AUTH flow not enabled for this client")


def test_unknown_user(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        start(pool, "nobody")
    assert error(excinfo)[0] == "UserNotFoundException"
