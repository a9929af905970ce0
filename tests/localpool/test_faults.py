"""Fault injection (throttling, internal errors) and the request log."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import error, idp, password_auth, respond

PASSWORD = "Passw0rd!"


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.add_user("alice", PASSWORD, attributes={"phone_number": "+15555550100"})
    return local_pool


def test_throttle_next_call(pool: LocalUserPool) -> None:
    pool.faults.throttle(1)
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp(pool), pool.client_id, "alice", PASSWORD)
    assert error(excinfo) == ("TooManyRequestsException", "Rate exceeded")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "AuthenticationResult" in password_auth(idp(pool), pool.client_id, "alice", PASSWORD)


def test_throttle_one_operation_only(pool: LocalUserPool) -> None:
    pool.faults.throttle(1, operation="GetUser")
    access = password_auth(idp(pool), pool.client_id, "alice", PASSWORD)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as excinfo:
        idp(pool).get_user(AccessToken=access)
    assert error(excinfo)[0] == "TooManyRequestsException"
    assert idp(pool).get_user(AccessToken=access)["Username"] == "alice"


def test_boto3_retries_absorb_throttling(pool: LocalUserPool) -> None:
    pool.faults.throttle(2, operation="InitiateAuth")
    result = password_auth(idp(pool, attempts=3), pool.client_id, "alice", PASSWORD)
    assert "AuthenticationResult" in result
    assert [r.error_code for r in pool.requests("InitiateAuth")] == [
        "TooManyRequestsException", "TooManyRequestsException", None]


def test_fail_next_calls_with_internal_error(pool: LocalUserPool) -> None:
    pool.faults.fail(2)
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            password_auth(idp(pool), pool.client_id, "alice", PASSWORD)
        assert error(excinfo)[0] == "InternalErrorException"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "AuthenticationResult" in password_auth(idp(pool), pool.client_id, "alice", PASSWORD)


def test_a_throttled_answer_does_not_spend_the_session(pool: LocalUserPool) -> None:
    pool.pool().mfa_configuration = "OPTIONAL"
    pool.update_user("alice", mfa=["SMS_MFA"])
    challenge = password_auth(idp(pool), pool.client_id, "alice", PASSWORD)
    pool.faults.throttle(1, operation="RespondToAuthChallenge")
    answer = {"USERNAME": "alice", "SMS_MFA_CODE": pool.last_code("alice")}
    with pytest.raises(ClientError):
        respond(idp(pool), pool.client_id, challenge, answer)
    assert "AuthenticationResult" in respond(idp(pool), pool.client_id, challenge, answer)


def test_clear_faults(pool: LocalUserPool) -> None:
    pool.faults.throttle(5)
    pool.faults.malicious_srp_b("N")
    pool.faults.clear()
    assert pool.faults.srp_b is None
    assert "AuthenticationResult" in password_auth(idp(pool), pool.client_id, "alice", PASSWORD)
    with pytest.raises(ValueError):
        pool.faults.malicious_srp_b("one")


def test_request_log_has_operations_and_parameters_as_received(pool: LocalUserPool) -> None:
    password_auth(idp(pool), pool.client_id, "alice", PASSWORD)
    with pytest.raises(ClientError):
        password_auth(idp(pool), pool.client_id, "alice", "Wrong-passw0rd")
    first, second = pool.requests("InitiateAuth")
    assert first.params == {"ClientId": pool.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}
    assert (first.status, first.error_code) == (200, None)
    assert (second.status, second.error_code) == (400, "NotAuthorizedException")
    assert PASSWORD not in repr(first)
    pool.clear_requests()
    assert pool.requests() == []


def test_slow_delays_the_next_calls_of_one_operation(pool: LocalUserPool) -> None:
    # A delay a loaded machine cannot mimic: a local sign-in call never takes a second and a half, so the
    # second call's bound below only fails if the rule still held (it was 0.4 s, about a slow call's time).
    pool.faults.slow(1.5, n=1, operation="InitiateAuth")
    client = idp(pool)
    started = time.monotonic()
    password_auth(client, pool.client_id, "alice", PASSWORD)
    assert time.monotonic() - started >= 1.5
    started = time.monotonic()
    password_auth(client, pool.client_id, "alice", PASSWORD)  # the rule was used up
    assert time.monotonic() - started < 1.5
