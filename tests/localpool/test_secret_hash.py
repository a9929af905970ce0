"""App clients with a secret: SECRET_HASH on every call that carries a username (section 5)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import AppClient, LocalUserPool
from authflow.secret_hash import secret_hash

from .helpers import error, idp, password_auth, respond, srp_start, verifier_responses

PASSWORD = "Passw0rd!"


@pytest.fixture
def client(local_pool: LocalUserPool) -> AppClient:
    local_pool.pool().alias_attributes = ["email"]
    local_pool.add_user("alice", PASSWORD, attributes={"email": "alice@example.com", "email_verified": "true"})
    return local_pool.add_client(
        secret=True, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )


def initiate(pool: LocalUserPool, client: AppClient, username: str, hash_value: str | None) -> dict:
    params = {"USERNAME": username, "PASSWORD": PASSWORD}
    if hash_value is not None:
        params["SECRET_HASH"] = hash_value
    return idp(pool).initiate_auth(ClientId=client.id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def test_right_secret_hash(local_pool: LocalUserPool, client: AppClient) -> None:
    assert client.secret
    assert "AuthenticationResult" in password_auth(idp(local_pool), client.id, "alice", PASSWORD, client.secret)


def test_missing_secret_hash(local_pool: LocalUserPool, client: AppClient) -> None:
    with pytest.raises(ClientError) as excinfo:
        initiate(local_pool, client, "alice", None)
    assert error(excinfo) == (
        "NotAuthorizedException", f"Client {client.id} is configured with secret but SECRET_HASH was not received")


def test_wrong_secret_hash(local_pool: LocalUserPool, client: AppClient) -> None:
    with pytest.raises(ClientError) as excinfo:
        initiate(local_pool, client, "alice", secret_hash("alice", client.id, "not-the-secret"))
    assert error(excinfo) == ("NotAuthorizedException", f"Unable to verify secret hash for client {client.id}")


def test_initiate_hashes_the_name_as_typed(local_pool: LocalUserPool, client: AppClient) -> None:
    assert client.secret
    typed = "alice@example.com"
    assert "AuthenticationResult" in initiate(local_pool, client, typed, secret_hash(typed, client.id, client.secret))
    with pytest.raises(ClientError) as excinfo:
        initiate(local_pool, client, typed, secret_hash("alice", client.id, client.secret))
    assert error(excinfo)[1] == f"Unable to verify secret hash for client {client.id}"


def test_challenge_responses_hash_the_internal_username(local_pool: LocalUserPool, client: AppClient) -> None:
    assert client.secret
    typed = "alice@example.com"
    ephemeral, started = srp_start(idp(local_pool), client.id, typed, client.secret)
    responses = verifier_responses(ephemeral, started["ChallengeParameters"], local_pool.pool_id, PASSWORD)
    # Over the alias: refused, and the session survives for a corrected answer.
    with pytest.raises(ClientError) as excinfo:
        alias_hash = secret_hash(typed, client.id, client.secret)
        respond(idp(local_pool), client.id, started, {**responses, "SECRET_HASH": alias_hash})
    assert error(excinfo)[1] == f"Unable to verify secret hash for client {client.id}"
    with pytest.raises(ClientError) as excinfo:
        respond(idp(local_pool), client.id, started, responses)
    assert "SECRET_HASH was not received" in error(excinfo)[1]
    good = {**responses, "SECRET_HASH": secret_hash("alice", client.id, client.secret)}
    assert "AuthenticationResult" in respond(idp(local_pool), client.id, started, good)


def test_refresh_hashes_the_internal_username(local_pool: LocalUserPool) -> None:
    local_pool.pool().username_attributes, local_pool.pool().alias_attributes = ["email"], []
    local_pool.add_user("carol@example.com", PASSWORD)
    sub = local_pool.user("carol@example.com").username
    client = local_pool.add_client(
        secret=True, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert client.secret
    tokens = password_auth(idp(local_pool), client.id, "carol@example.com", PASSWORD, client.secret)
    refresh = tokens["AuthenticationResult"]["RefreshToken"]

    def refresh_with(name: str) -> dict:
        return idp(local_pool).initiate_auth(ClientId=client.id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
            "REFRESH_TOKEN": refresh, "SECRET_HASH": secret_hash(name, client.id, str(client.secret))})

    with pytest.raises(ClientError) as excinfo:
        refresh_with("carol@example.com")
    assert error(excinfo)[1] == f"Unable to verify secret hash for client {client.id}"
    assert "AccessToken" in refresh_with(sub)["AuthenticationResult"]


def test_client_without_secret_ignores_no_hash(local_pool: LocalUserPool, client: AppClient) -> None:
    assert local_pool.client_secret is None
    assert "AuthenticationResult" in password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
