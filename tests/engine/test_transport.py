"""UserPool.send: what a states/ module asks for, completed by the transport (ClientId, ClientMetadata,
SECRET_HASH / SecretHash, DEVICE_KEY) where the operation takes it, sent through boto3 to the local pool."""

from __future__ import annotations

import pytest
from authflow.states.base import Request

from authflow import UserPool
from authflow.errors import NotAuthorizedError
from authflow.localpool import LocalUserPool
from authflow.secret_hash import secret_hash
from tests.engine.helpers import PASSWORD, user_pool


@pytest.fixture
def secret_client(local_pool: LocalUserPool) -> tuple[UserPool, str]:
    client = local_pool.add_client(secret=True, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH"])
    return user_pool(local_pool, client_id=client.id), client.secret or ""


def test_secret_hash_goes_where_each_operation_takes_it(local_pool: LocalUserPool,
                                                        secret_client: tuple[UserPool, str]) -> None:
    pool, secret = secret_client
    pool.send(Request("SignUp", {"Username": "nina", "Password": PASSWORD,
                                 "UserAttributes": [{"Name": "email", "Value": "nina@example.com"}]}))
    code = local_pool.last_code("nina", purpose="CONFIRM_SIGN_UP")
    pool.send(Request("ConfirmSignUp", {"Username": "nina", "ConfirmationCode": code}))
    reply = pool.send(Request("InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH",
                                               "AuthParameters": {"USERNAME": "nina", "PASSWORD": PASSWORD}}),
                      client_metadata={"app": "test"})
    assert "AuthenticationResult" in reply
    signup, confirm, initiate = (r.params for r in local_pool.requests())
    expected = secret_hash("nina", pool.client_id, secret)
    assert signup["ClientId"] == pool.client_id and signup["SecretHash"] == expected  # top-level, over Username
    assert confirm["SecretHash"] == expected
    assert initiate["AuthParameters"]["SECRET_HASH"] == expected  # inside AuthParameters, over USERNAME
    assert initiate["ClientMetadata"] == {"app": "test"}


def test_nothing_is_added_where_the_operation_does_not_take_it(local_pool: LocalUserPool) -> None:
    pool = user_pool(local_pool)
    # AssociateSoftwareToken takes neither ClientId nor ClientMetadata: boto3 would refuse them before
    # sending; the pool refuses the made-up Session instead.
    with pytest.raises(NotAuthorizedError):
        pool.send(Request("AssociateSoftwareToken", {"Session": "s" * 40}), client_metadata={"app": "test"},
                  device_key="us-east-1_device")
    assert set(local_pool.requests()[0].params) == {"Session"}


def test_device_key_is_added_to_auth_parameters_and_answers(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    pool = user_pool(local_pool)
    pool.send(Request("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": "alice",
                                                                                       "SRP_A": "2"}}),
              device_key="us-east-1_unknown-device")
    assert local_pool.requests()[0].params["AuthParameters"]["DEVICE_KEY"] == "us-east-1_unknown-device"
