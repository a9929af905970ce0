"""CUSTOM_AUTH with Define / Create / Verify Auth Challenge triggers written in Python."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from authflow import srp
from authflow.localpool import LocalUserPool

from .helpers import error, idp, respond, verifier_responses

PASSWORD = "Passw0rd!"
EVENTS: list[dict[str, Any]] = []


def define(event: dict[str, Any]) -> dict[str, Any]:
    EVENTS.append(event)
    session = event["request"]["session"]
    if [s["challengeName"] for s in session] == ["SRP_A"]:
        return {"challengeName": "PASSWORD_VERIFIER", "issueTokens": False, "failAuthentication": False}
    custom = [s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]
    if custom and custom[-1]["challengeResult"]:
        return {"issueTokens": True, "failAuthentication": False}
    if len(custom) >= 3:
        return {"issueTokens": False, "failAuthentication": True}
    return {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False}


def create(event: dict[str, Any]) -> dict[str, Any]:
    event["response"].update({
        "publicChallengeParameters": {"question": "favourite colour?"},
        "privateChallengeParameters": {"answer": "blue"},
        "challengeMetadata": "COLOUR",
    })
    return event  # as a Lambda returns the event


def verify(event: dict[str, Any]) -> None:
    request = event["request"]
    event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    EVENTS.clear()
    local_pool.add_user("alice", PASSWORD, attributes={"email": "alice@example.com"})
    local_pool.set_custom_auth(define, create, verify)
    return local_pool


def start(pool: LocalUserPool, **params: str) -> dict:
    return idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="CUSTOM_AUTH",
                                   AuthParameters={"USERNAME": "alice", **params}, ClientMetadata={"app": "test"})


def answer(pool: LocalUserPool, previous: dict, value: str) -> dict:
    return respond(idp(pool), pool.client_id, previous, {"USERNAME": "alice", "ANSWER": value})


def test_custom_challenge_right_answer(pool: LocalUserPool) -> None:
    challenge = start(pool)
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert challenge["ChallengeParameters"] == {"question": "favourite colour?", "USERNAME": "alice"}
    assert "AccessToken" in answer(pool, challenge, "blue")["AuthenticationResult"]
    first = EVENTS[0]
    assert first["userName"] == "alice" and first["request"]["session"] == []
    assert first["request"]["userAttributes"]["email"] == "alice@example.com"
    assert first["request"]["clientMetadata"] == {"app": "test"}
    assert EVENTS[-1]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "COLOUR"}]


def test_wrong_answer_gives_a_new_challenge_and_session(pool: LocalUserPool) -> None:
    first = start(pool)
    second = answer(pool, first, "red")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE" and second["Session"] != first["Session"]
    with pytest.raises(ClientError) as excinfo:
        answer(pool, first, "blue")
    assert error(excinfo)[0] == "NotAuthorizedException"
    assert "AuthenticationResult" in answer(pool, second, "blue")


def test_fail_authentication(pool: LocalUserPool) -> None:
    challenge = start(pool)
    challenge = answer(pool, challenge, "red")
    challenge = answer(pool, challenge, "green")
    with pytest.raises(ClientError) as excinfo:
        answer(pool, challenge, "yellow")
    assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")


def test_srp_first_then_custom_challenge(pool: LocalUserPool) -> None:
    ephemeral = srp.ClientEphemeral()
    verifier = start(pool, CHALLENGE_NAME="SRP_A", SRP_A=ephemeral.srp_a)
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    responses = verifier_responses(ephemeral, verifier["ChallengeParameters"], pool.pool_id, PASSWORD)
    challenge = respond(idp(pool), pool.client_id, verifier, responses)
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert [s["challengeName"] for s in EVENTS[-1]["request"]["session"]] == ["SRP_A", "PASSWORD_VERIFIER"]
    assert "AuthenticationResult" in answer(pool, challenge, "blue")


def test_srp_first_with_a_wrong_password(pool: LocalUserPool) -> None:
    ephemeral = srp.ClientEphemeral()
    verifier = start(pool, CHALLENGE_NAME="SRP_A", SRP_A=ephemeral.srp_a)
    responses = verifier_responses(ephemeral, verifier["ChallengeParameters"], pool.pool_id, "Wrong-passw0rd")
    with pytest.raises(ClientError) as excinfo:
        respond(idp(pool), pool.client_id, verifier, responses)
    assert error(excinfo)[1] == "Incorrect username or password."


def test_without_triggers(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        start(local_pool)
    assert error(excinfo) == (
        "InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool.")


def test_custom_auth_flow_must_be_enabled(pool: LocalUserPool) -> None:
    client = pool.add_client(explicit_auth_flows=["ALLOW_USER_SRP_AUTH"])
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=client.id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert error(excinfo)[1] == "CUSTOM_AUTH flow not enabled for this client"


def test_unknown_user(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="CUSTOM_AUTH",
                                AuthParameters={"USERNAME": "nobody"})
    assert error(excinfo)[0] == "UserNotFoundException"


def test_a_trigger_that_raises_is_unexpected_lambda_exception(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)

    def broken(event: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    local_pool.set_custom_auth(broken, create, verify)
    with pytest.raises(ClientError) as excinfo:
        start(local_pool)
    assert error(excinfo) == (
        "UnexpectedLambdaException", "DefineAuthChallenge_Authentication failed with error RuntimeError.")
