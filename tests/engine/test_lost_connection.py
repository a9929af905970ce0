"""A sign-in whose connection to Cognito drops at a question: the flow stays at that question (the step API
raises the EndpointError and keeps the Session), and once the pool is back on the same address with the same
state, the same answer goes through. An answer that reached Cognito before the connection broke is used:
Cognito's refusal of it sent again says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from authflow import AuthFlow, UserPool
from authflow.errors import ConnectionLostError, EndpointError, InvalidSessionError
from authflow.labels import LOST_CONNECTION, explain_refusal
from authflow.localpool import LocalUserPool
from tests.helpers.restart import DroppingProxy, free_port, start_pool

PASSWORD = "Lost-Passw0rd!"
SEED = {"pools": [{
    "id": "us-east-1_LostConn1", "name": "lost", "mfa": "OPTIONAL",
    "clients": [{"id": "lostclient0000000000000001", "name": "app", "explicit_auth_flows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    "users": [
        {"username": "tina", "password": PASSWORD, "mfa": ["SOFTWARE_TOKEN_MFA"],
         "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
        {"username": "sam", "password": PASSWORD, "mfa": ["SMS_MFA"],
         "attributes": {"phone_number": "+15555550100", "phone_number_verified": "true"}},
    ],
}]}


@pytest.fixture
def durable(tmp_path: Path) -> Iterator[tuple[LocalUserPool, int, Path]]:
    port, data = free_port(), tmp_path / "pool.db"
    pool = start_pool(SEED, port, data=data)
    yield pool, port, data
    pool.close()


def user_pool(endpoint_url: str, **options: int) -> UserPool:
    return UserPool("us-east-1_LostConn1", "lostclient0000000000000001", endpoint_url=endpoint_url, **options)


@pytest.mark.parametrize("username", ["tina", "sam"])
def test_the_same_answer_goes_through_once_the_pool_is_back(durable: tuple[LocalUserPool, int, Path],
                                                             username: str) -> None:
    pool, port, data = durable
    flow = AuthFlow(user_pool(pool.endpoint_url), username, "USER_PASSWORD_AUTH")
    step = flow.start(password=PASSWORD)
    assert step.prompt is not None
    question = step.state
    code = pool.totp_code(username) if username == "tina" else pool.last_code(username)
    pool.close()  # the pool goes away (its state stays in the SQLite file)

    with pytest.raises(EndpointError) as raised:
        flow.respond(code)
    assert not flow.ended and flow.state == question and flow.session is not None
    assert flow.prompt is not None and flow.prompt.error is raised.value  # what a GUI shows on the same page
    assert flow.attempts == 1  # nothing was refused
    with pytest.raises(EndpointError):  # still down: still waiting at the same question
        flow.respond(code)
    assert flow.state == question

    back = start_pool(SEED, port, data=data)  # the same address, the same state: the Session is still good
    try:
        step = flow.respond(code)
        assert step.done and step.tokens is not None
        assert back.access_token_claims(step.tokens.access_token)["username"] == username
        assert [r.operation for r in back.requests()] == ["RespondToAuthChallenge"]
    finally:
        back.close()


def test_a_script_run_still_ends_when_the_pool_cannot_be_reached(durable: tuple[LocalUserPool, int, Path]) -> None:
    pool, _, _ = durable
    flow = AuthFlow(user_pool(pool.endpoint_url), "tina", "USER_PASSWORD_AUTH")
    code = pool.totp_code("tina")

    def answer(prompt: object) -> str:
        if flow.state == "SOFTWARE_TOKEN_MFA":
            pool.stop()
            return code
        return PASSWORD

    with pytest.raises(EndpointError):
        flow.run(answer)
    assert flow.failed and isinstance(flow.failure, EndpointError) and flow.session is None


def test_an_answer_whose_reply_was_lost_is_said_to_have_been_used(durable: tuple[LocalUserPool, int, Path]) -> None:
    local = durable[0]
    proxy = DroppingProxy(local.endpoint_url)
    try:
        # one attempt per call: botocore itself does not send the answer again
        flow = AuthFlow(user_pool(proxy.endpoint_url, max_attempts=1), "tina", "USER_PASSWORD_AUTH")
        assert flow.start(password=PASSWORD).state == "SOFTWARE_TOKEN_MFA"
        code = local.totp_code("tina")
        proxy.drop_next("RespondToAuthChallenge")
        with pytest.raises(ConnectionLostError):
            flow.respond(code)  # Cognito took it and signed tina in; the answer never came back
        assert proxy.dropped == ["RespondToAuthChallenge"]
        assert flow.state == "SOFTWARE_TOKEN_MFA" and not flow.ended
        with pytest.raises(InvalidSessionError) as raised:
            flow.respond(code)  # the same answer again: the Session was used by the first
        error = raised.value
        assert error.after_lost_connection
        assert flow.failed and flow.failure is error
        said = str(explain_refusal(error))
        assert said.startswith(LOST_CONNECTION) and "Sign in again." in said
    finally:
        proxy.close()


@pytest.mark.parametrize("warm", [False, True], ids=["botocore", "direct"])
def test_an_answer_sent_again_by_the_retries_after_a_lost_reply_is_said_to_have_been_used(
        durable: tuple[LocalUserPool, int, Path], warm: bool) -> None:
    """With the usual retries, the client itself sends the answer again once the connection broke: Cognito's
    refusal of that second sending (the Session already used) says the first may have been taken. Both ways a
    call goes: botocore's (the first of its kind) and the short way (transport.py's _DirectCall) after it."""
    local = durable[0]
    proxy = DroppingProxy(local.endpoint_url)
    try:
        pool = user_pool(proxy.endpoint_url)  # 3 attempts a call
        if warm:  # one whole sign-in first: the next calls of both operations go the short way
            warm_up = AuthFlow(pool, "sam", "USER_PASSWORD_AUTH")
            warm_up.start(password=PASSWORD)
            assert warm_up.respond(local.last_code("sam")).done
        flow = AuthFlow(pool, "tina", "USER_PASSWORD_AUTH")
        flow.start(password=PASSWORD)
        proxy.drop_next("RespondToAuthChallenge")
        with pytest.raises(InvalidSessionError) as raised:
            flow.respond(local.totp_code("tina"))
        assert proxy.dropped == ["RespondToAuthChallenge"]
        assert raised.value.after_lost_connection and flow.failed
        assert str(explain_refusal(raised.value)).startswith(LOST_CONNECTION)
    finally:
        proxy.close()


def test_a_wrong_code_after_the_pool_came_back_is_only_a_wrong_code(durable: tuple[LocalUserPool, int, Path]) -> None:
    pool, port, data = durable
    flow = AuthFlow(user_pool(pool.endpoint_url), "tina", "USER_PASSWORD_AUTH")
    flow.start(password=PASSWORD)
    right = pool.totp_code("tina")
    wrong = "000000" if right != "000000" else "111111"
    pool.close()
    with pytest.raises(EndpointError):
        flow.respond(wrong)
    back = start_pool(SEED, port, data=data)
    try:
        step = flow.respond(wrong)  # nothing had reached Cognito: this is its first refusal of the code
        assert step.state == "SOFTWARE_TOKEN_MFA" and step.error is not None
        assert step.error.code == "CodeMismatchException" and not step.error.after_lost_connection
        assert not str(explain_refusal(step.error)).startswith(LOST_CONNECTION)
        assert flow.respond(back.totp_code("tina")).done
    finally:
        back.close()


def test_tries_while_the_network_is_away_do_not_use_up_the_deadline(durable: tuple[LocalUserPool, int, Path]) -> None:
    """The sign-in's deadline bounds a slow Cognito; the time a person's tries spent failing to reach it is not
    counted (else a few tries on a slow failing network would end a sign-in whose Session is still good)."""
    local = durable[0]
    proxy = DroppingProxy(local.endpoint_url)
    try:
        pool = user_pool(proxy.endpoint_url, max_attempts=1)
        flow = AuthFlow(pool, "sam", "USER_PASSWORD_AUTH", deadline=2.5)
        flow.start(password=PASSWORD)
        code = local.last_code("sam")
        proxy.refuse_next("RespondToAuthChallenge", 3, after=1.0)  # each try fails after a second
        for _ in range(3):
            with pytest.raises(ConnectionLostError):
                flow.respond(code)
            assert not flow.ended
        assert proxy.refused == ["RespondToAuthChallenge"] * 3
        assert flow.respond(code).done  # 3 s of failed tries, a 2.5 s deadline: still within it
    finally:
        proxy.close()
