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
