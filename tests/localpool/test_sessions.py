"""Sessions: opaque, single use, bound to user, client and challenge, expiring (section 7)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import error, idp, password_auth, respond

PASSWORD = "Passw0rd!"


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    for name, phone in (("alice", "+15555550100"), ("bob", "+15555550199")):
        local_pool.add_user(name, PASSWORD, attributes={"phone_number": phone}, mfa=["SMS_MFA"])
    return local_pool


def sms_challenge(pool: LocalUserPool, username: str = "alice") -> dict:
    challenge = password_auth(idp(pool), pool.client_id, username, PASSWORD)
    assert challenge["ChallengeName"] == "SMS_MFA"
    return challenge


def refused(pool: LocalUserPool, challenge: dict, responses: dict[str, str], **kwargs: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        idp(pool).respond_to_auth_challenge(**{
            "ClientId": pool.client_id, "ChallengeName": challenge["ChallengeName"],
            "Session": challenge["Session"], "ChallengeResponses": responses, **kwargs})
    return error(excinfo)


def test_session_is_opaque_and_long(pool: LocalUserPool) -> None:
    first, second = sms_challenge(pool)["Session"], sms_challenge(pool)["Session"]
    assert first != second and len(first) >= 20 and "alice" not in first


def test_session_can_only_be_used_once(pool: LocalUserPool) -> None:
    challenge = sms_challenge(pool)
    code = pool.last_code("alice")
    assert "AuthenticationResult" in respond(idp(pool), pool.client_id, challenge,
                                             {"USERNAME": "alice", "SMS_MFA_CODE": code})
    assert refused(pool, challenge, {"USERNAME": "alice", "SMS_MFA_CODE": code}) == (
        "NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def test_unknown_session(pool: LocalUserPool) -> None:
    challenge = dict(sms_challenge(pool), Session="x" * 40)
    assert refused(pool, challenge, {"USERNAME": "alice", "SMS_MFA_CODE": "123456"}) == (
        "NotAuthorizedException", "Invalid session for the user.")


def test_missing_session(pool: LocalUserPool) -> None:
    sms_challenge(pool)
    with pytest.raises(ClientError) as excinfo:
        idp(pool).respond_to_auth_challenge(ClientId=pool.client_id, ChallengeName="SMS_MFA",
                                            ChallengeResponses={"USERNAME": "alice", "SMS_MFA_CODE": "1"})
    assert error(excinfo) == ("InvalidParameterException", "Missing required parameter Session")


def test_session_expires_after_three_minutes_by_default(pool: LocalUserPool) -> None:
    challenge = sms_challenge(pool)
    pool.clock.advance(179)
    assert "AuthenticationResult" in respond(idp(pool), pool.client_id, challenge,
                                             {"USERNAME": "alice", "SMS_MFA_CODE": pool.last_code("alice")})
    challenge = sms_challenge(pool)
    pool.clock.advance(181)
    assert refused(pool, challenge, {"USERNAME": "alice", "SMS_MFA_CODE": pool.last_code("alice")}) == (
        "NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_session_validity_in_seconds_for_tests(pool: LocalUserPool) -> None:
    client = pool.add_client(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"], auth_session_validity_seconds=2)
    challenge = password_auth(idp(pool), client.id, "alice", PASSWORD)
    pool.clock.advance(3)
    with pytest.raises(ClientError) as excinfo:
        respond(idp(pool), client.id, challenge, {"USERNAME": "alice", "SMS_MFA_CODE": pool.last_code("alice")})
    assert error(excinfo)[1] == "Invalid session for the user, session is expired."


def test_session_validity_minutes_from_the_seed() -> None:
    with LocalUserPool({"pools": [{
        "mfa": "OPTIONAL", "auth_session_validity_minutes": 10,
        "clients": [{"explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}],
        "users": [{"username": "alice", "password": PASSWORD, "attributes": {"phone_number": "+15555550100"},
                   "mfa": ["SMS_MFA"]}],
    }]}) as pool:
        assert pool.app_client().auth_session_validity == 600
        challenge = sms_challenge(pool)
        pool.clock.advance(590)
        assert "AuthenticationResult" in respond(idp(pool), pool.client_id, challenge,
                                                 {"USERNAME": "alice", "SMS_MFA_CODE": pool.last_code("alice")})


def test_challenge_name_must_match_the_session(pool: LocalUserPool) -> None:
    challenge = sms_challenge(pool)
    code = pool.last_code("alice")
    mismatched = dict(challenge, ChallengeName="SOFTWARE_TOKEN_MFA")
    assert refused(pool, mismatched, {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code})[0] == (
        "InvalidParameterException")
    # The mistake did not spend the session.
    assert "AuthenticationResult" in respond(idp(pool), pool.client_id, challenge,
                                             {"USERNAME": "alice", "SMS_MFA_CODE": code})


def test_session_of_another_client(pool: LocalUserPool) -> None:
    other = pool.add_client(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    challenge = sms_challenge(pool)
    with pytest.raises(ClientError) as excinfo:
        respond(idp(pool), other.id, challenge, {"USERNAME": "alice", "SMS_MFA_CODE": pool.last_code("alice")})
    assert error(excinfo) == ("NotAuthorizedException", "Invalid session for the user.")


def test_never_tokens_for_another_user(pool: LocalUserPool) -> None:
    alice = sms_challenge(pool, "alice")
    alice_code = pool.last_code("alice")
    assert refused(pool, alice, {"USERNAME": "bob", "SMS_MFA_CODE": alice_code}) == (
        "NotAuthorizedException", "Incorrect username or password.")


def test_missing_username(pool: LocalUserPool) -> None:
    challenge = sms_challenge(pool)
    assert refused(pool, challenge, {"SMS_MFA_CODE": pool.last_code("alice")}) == (
        "InvalidParameterException", "Missing required parameter USERNAME")


def test_disabled_between_challenges(pool: LocalUserPool) -> None:
    challenge = sms_challenge(pool)
    pool.update_user("alice", enabled=False)
    assert refused(pool, challenge, {"USERNAME": "alice", "SMS_MFA_CODE": pool.last_code("alice")}) == (
        "NotAuthorizedException", "User is disabled.")
