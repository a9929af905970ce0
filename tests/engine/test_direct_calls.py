"""The sign-in's calls go the short way (transport._DirectCall) once botocore has sent one of each, with
the same answers, the same typed errors and the same retries as the client's method; a client of the
application's own is always called through its methods."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from authflow import IncorrectCredentialsError, ScriptedHandler, UserPool, sign_in
from authflow.errors import TooManyRequestsError
from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD, TOTP_SECRET, claims


def through_botocore(pool: UserPool) -> list[str]:
    """The operations the client's methods send from now on (botocore's before-call event). It watches the
    private client: taking ``pool.client`` would turn the short way off (see the test below)."""
    seen: list[str] = []
    pool._client.meta.events.register("before-call.cognito-identity-provider",
                                      lambda model, **_: seen.append(model.name))
    return seen


def test_whoever_takes_the_client_gets_every_call_through_its_hooks(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))  # the short way learnt
    hooked: list[str] = []
    pool.client.meta.events.register("before-call.cognito-identity-provider",
                                      lambda model, **_: hooked.append(model.name))
    sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))
    assert hooked == ["InitiateAuth", "RespondToAuthChallenge"]  # an app's (or --verbose's) hooks see each call


def test_after_the_first_call_of_each_the_sign_in_goes_the_short_way(local_pool: LocalUserPool) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("tina", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=TOTP_SECRET)
    local_pool.add_user("alice", PASSWORD)
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    seen = through_botocore(pool)
    sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))  # InitiateAuth, RespondToAuthChallenge learnt
    assert seen == ["InitiateAuth", "RespondToAuthChallenge"]
    tokens = sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))
    assert seen == ["InitiateAuth", "RespondToAuthChallenge"]  # nothing more through the methods
    assert claims(tokens.access_token)["username"] == "alice"
    assert [r.operation for r in local_pool.requests()][-2:] == ["InitiateAuth", "RespondToAuthChallenge"]
    sent = local_pool.requests("InitiateAuth")[-1].params
    assert sent["AuthFlow"] == "USER_SRP_AUTH" and sent["ClientId"] == local_pool.client_id
    with pytest.raises(IncorrectCredentialsError):
        sign_in(pool, "alice", ScriptedHandler(password="Wr0ng-Passw0rd!"))
    pool.get_user(tokens.access_token)  # other operations: through the client's method
    assert seen[-1] == "GetUser"


def test_retries_as_botocore_does(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))
    local_pool.clear_requests()
    local_pool.faults.fail(2, "InitiateAuth")  # two 500s, then the answer: 3 attempts in all
    sign_in(pool, "alice", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH")
    assert [r.operation for r in local_pool.requests()] == ["InitiateAuth"] * 3
    local_pool.clear_requests()
    local_pool.faults.throttle(3, "InitiateAuth")
    with pytest.raises(TooManyRequestsError):
        sign_in(pool, "alice", ScriptedHandler(password=PASSWORD), auth_flow="USER_PASSWORD_AUTH")
    assert len(local_pool.requests("InitiateAuth")) == 3


def test_a_client_of_your_own_is_always_called_through_its_methods(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    client: Any = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=local_pool.endpoint_url,
                               config=Config(signature_version=UNSIGNED))
    pool = UserPool(local_pool.pool_id, local_pool.client_id, client=client)
    seen = through_botocore(pool)
    for _ in range(2):
        sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))
    assert seen == ["InitiateAuth", "RespondToAuthChallenge"] * 2
