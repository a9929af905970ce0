"""FORCE_CHANGE_PASSWORD -> NEW_PASSWORD_REQUIRED with userAttributes / requiredAttributes."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import error, idp, password_auth, respond, srp_auth

TEMPORARY = "Temp-Passw0rd!"
NEW = "New-Passw0rd!"


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.pool().required_attributes = ["email", "name"]
    local_pool.add_user("newton", TEMPORARY, status="FORCE_CHANGE_PASSWORD",
                        attributes={"email": "newton@example.com", "email_verified": "true"})
    return local_pool


def challenge(pool: LocalUserPool) -> dict:
    answer = password_auth(idp(pool), pool.client_id, "newton", TEMPORARY)
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    return answer


def test_challenge_parameters(pool: LocalUserPool) -> None:
    params = challenge(pool)["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "newton"
    assert json.loads(params["requiredAttributes"]) == ["userAttributes.name"]
    attributes = json.loads(params["userAttributes"])
    assert attributes == {"email": "newton@example.com", "email_verified": "true"}
    assert "sub" not in attributes


def test_required_attributes_empty_when_present(pool: LocalUserPool) -> None:
    pool.update_user("newton", attributes={"name": "Isaac"})
    assert challenge(pool)["ChallengeParameters"]["requiredAttributes"] == "[]"


def test_reached_through_srp_too(pool: LocalUserPool) -> None:
    assert srp_auth(idp(pool), pool, "newton", TEMPORARY)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_wrong_temporary_password(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp(pool), pool.client_id, "newton", "Wrong-passw0rd")
    assert error(excinfo)[1] == "Incorrect username or password."


def test_new_password_and_required_attribute_sign_in(pool: LocalUserPool) -> None:
    first = challenge(pool)
    done = respond(idp(pool), pool.client_id, first,
                   {"USERNAME": "newton", "NEW_PASSWORD": NEW, "userAttributes.name": "Isaac Newton"})
    assert "AccessToken" in done["AuthenticationResult"]
    user = pool.user("newton")
    assert user.status == "CONFIRMED" and user.attributes["name"] == "Isaac Newton"
    assert "AuthenticationResult" in password_auth(idp(pool), pool.client_id, "newton", NEW)
    with pytest.raises(ClientError):
        password_auth(idp(pool), pool.client_id, "newton", TEMPORARY)


def test_weak_password_is_refused_and_the_session_kept(pool: LocalUserPool) -> None:
    first = challenge(pool)
    with pytest.raises(ClientError) as excinfo:
        respond(idp(pool), pool.client_id, first, {"USERNAME": "newton", "NEW_PASSWORD": "short",
                                                    "userAttributes.name": "Isaac"})
    assert error(excinfo) == (  # Cognito's wording here, not SignUp's (Amplify UI's e2e fixture records it)
        "InvalidPasswordException", "Password does not conform to policy: Password not long enough")
    with pytest.raises(ClientError) as excinfo:
        respond(idp(pool), pool.client_id, first, {"USERNAME": "newton", "NEW_PASSWORD": "longenough1!",
                                                    "userAttributes.name": "Isaac"})
    assert error(excinfo)[1] == "Password does not conform to policy: Password must have uppercase characters"
    done = respond(idp(pool), pool.client_id, first, {"USERNAME": "newton", "NEW_PASSWORD": NEW,
                                                       "userAttributes.name": "Isaac"})
    assert "AuthenticationResult" in done


def test_missing_required_attribute_is_refused_and_the_session_kept(pool: LocalUserPool) -> None:
    first = challenge(pool)
    with pytest.raises(ClientError) as excinfo:
        respond(idp(pool), pool.client_id, first, {"USERNAME": "newton", "NEW_PASSWORD": NEW})
    assert error(excinfo) == (
        "InvalidParameterException", "Attributes did not conform to the schema: name: The attribute is required")
    assert pool.user("newton").status == "FORCE_CHANGE_PASSWORD"
    done = respond(idp(pool), pool.client_id, first, {"USERNAME": "newton", "NEW_PASSWORD": NEW,
                                                       "userAttributes.name": "Isaac"})
    assert "AuthenticationResult" in done


def test_missing_new_password(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        respond(idp(pool), pool.client_id, challenge(pool), {"USERNAME": "newton"})
    assert error(excinfo) == ("InvalidParameterException", "Missing required parameter NEW_PASSWORD")


def test_new_password_then_mfa(pool: LocalUserPool) -> None:
    pool.pool().mfa_configuration = "ON"
    pool.pool().mfa_types = {"SOFTWARE_TOKEN_MFA"}
    done = respond(idp(pool), pool.client_id, challenge(pool),
                   {"USERNAME": "newton", "NEW_PASSWORD": NEW, "userAttributes.name": "Isaac"})
    assert done["ChallengeName"] == "MFA_SETUP"
    assert json.loads(done["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
