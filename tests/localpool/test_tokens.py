"""Tokens: RS256 JWTs with Cognito's claims, the JWKS, refresh, GetUser, GlobalSignOut, RevokeToken."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool, PoolError

from .helpers import b64url, error, idp, password_auth, verify

PASSWORD = "Passw0rd!"


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.add_user("alice", PASSWORD, attributes={
        "email": "alice@example.com", "email_verified": "true", "name": "Alice", "phone_number": "+15555550100"})
    return local_pool


def sign_in(pool: LocalUserPool, client_id: str | None = None) -> dict[str, Any]:
    return password_auth(idp(pool), client_id or pool.client_id, "alice", PASSWORD)["AuthenticationResult"]


def test_id_token_claims(pool: LocalUserPool) -> None:
    claims = verify(pool, sign_in(pool)["IdToken"])
    user = pool.user("alice")
    assert claims["token_use"] == "id"
    assert claims["sub"] == user.sub
    assert claims["aud"] == pool.client_id
    assert claims["iss"] == f"{pool.endpoint_url}/{pool.pool_id}" == pool.issuer()
    assert claims["cognito:username"] == "alice"
    assert claims["email"] == "alice@example.com" and claims["email_verified"] is True
    assert claims["name"] == "Alice" and claims["phone_number"] == "+15555550100"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["auth_time"] == claims["iat"]
    assert claims["jti"] and claims["origin_jti"]


def test_access_token_claims(pool: LocalUserPool) -> None:
    claims = verify(pool, sign_in(pool)["AccessToken"])
    assert claims["token_use"] == "access"
    assert claims["client_id"] == pool.client_id
    assert claims["username"] == "alice"
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert claims["iss"] == pool.issuer()
    assert {"sub", "auth_time", "exp", "iat", "jti", "origin_jti"} <= set(claims)
    assert "email" not in claims


def test_a_tampered_token_does_not_verify(pool: LocalUserPool) -> None:
    header, claims, signature = sign_in(pool)["AccessToken"].split(".")
    forged_claims = json.loads(b64url(claims))
    forged_claims["username"] = "mallory"
    forged = base64.urlsafe_b64encode(json.dumps(forged_claims).encode()).rstrip(b"=").decode()
    with pytest.raises(ClientError) as excinfo:
        idp(pool).get_user(AccessToken=f"{header}.{forged}.{signature}")
    assert error(excinfo) == ("NotAuthorizedException", "Invalid Access Token")


def test_token_validity_in_seconds(pool: LocalUserPool) -> None:
    client = pool.add_client(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"],
                             access_token_validity_seconds=5, id_token_validity_seconds=7)
    result = sign_in(pool, client.id)
    assert result["ExpiresIn"] == 5
    access, id_ = verify(pool, result["AccessToken"]), verify(pool, result["IdToken"])
    assert access["exp"] - access["iat"] == 5 and id_["exp"] - id_["iat"] == 7


def test_get_user(pool: LocalUserPool) -> None:
    user = idp(pool).get_user(AccessToken=sign_in(pool)["AccessToken"])
    assert user["Username"] == "alice"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == "alice@example.com" and attributes["sub"] == pool.user("alice").sub


def test_expired_access_token(pool: LocalUserPool) -> None:
    access = sign_in(pool)["AccessToken"]
    pool.clock.advance(3601)
    with pytest.raises(ClientError) as excinfo:
        idp(pool).get_user(AccessToken=access)
    assert error(excinfo) == ("NotAuthorizedException", "Access Token has expired")


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh(pool: LocalUserPool, flow: str) -> None:
    first = sign_in(pool)
    pool.clock.advance(10)
    refreshed = idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow=flow,
                                        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    result = refreshed["AuthenticationResult"]
    assert "RefreshToken" not in result
    old, new = verify(pool, first["AccessToken"]), verify(pool, result["AccessToken"])
    assert new["iat"] >= old["iat"] + 10
    assert new["auth_time"] == old["auth_time"] and new["origin_jti"] == old["origin_jti"]
    assert verify(pool, result["IdToken"])["cognito:username"] == "alice"


def test_refresh_with_a_bad_token(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": "not-a-token"})
    assert error(excinfo) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_refresh_token_of_another_client(pool: LocalUserPool) -> None:
    other = pool.add_client(explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"])
    refresh = sign_in(pool)["RefreshToken"]
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=other.id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": refresh})
    assert error(excinfo)[1] == "Invalid Refresh Token"


def test_refresh_token_expiry(pool: LocalUserPool) -> None:
    client = pool.add_client(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                             refresh_token_validity_seconds=60)
    refresh = sign_in(pool, client.id)["RefreshToken"]
    pool.clock.advance(61)
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=client.id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": refresh})
    assert error(excinfo) == ("NotAuthorizedException", "Refresh Token has expired")


def test_refresh_flow_must_be_enabled(pool: LocalUserPool) -> None:
    client = pool.add_client(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    refresh = sign_in(pool, client.id)["RefreshToken"]
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=client.id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": refresh})
    assert error(excinfo) == ("InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")


def test_get_tokens_from_refresh_token(pool: LocalUserPool) -> None:
    client = pool.add_client(secret=True, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    refresh = password_auth(idp(pool), client.id, "alice", PASSWORD, client.secret)["AuthenticationResult"]
    with pytest.raises(ClientError) as excinfo:
        idp(pool).get_tokens_from_refresh_token(RefreshToken=refresh["RefreshToken"], ClientId=client.id,
                                                ClientSecret="wrong-secret-" * 3)
    assert error(excinfo)[0] == "NotAuthorizedException"
    result = idp(pool).get_tokens_from_refresh_token(RefreshToken=refresh["RefreshToken"], ClientId=client.id,
                                                     ClientSecret=str(client.secret))["AuthenticationResult"]
    assert verify(pool, result["AccessToken"])["username"] == "alice"


def test_global_sign_out_revokes_access_and_refresh_tokens(pool: LocalUserPool) -> None:
    first, second = sign_in(pool), sign_in(pool)
    idp(pool).global_sign_out(AccessToken=first["AccessToken"])
    for tokens in (first, second):
        with pytest.raises(ClientError) as excinfo:
            idp(pool).get_user(AccessToken=tokens["AccessToken"])
        assert error(excinfo) == ("NotAuthorizedException", "Access Token has been revoked")
        with pytest.raises(ClientError) as excinfo:
            idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                    AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
        assert error(excinfo) == ("NotAuthorizedException", "Refresh Token has been revoked")
    # A new sign-in is not affected.
    assert idp(pool).get_user(AccessToken=sign_in(pool)["AccessToken"])["Username"] == "alice"


def test_revoke_token(pool: LocalUserPool) -> None:
    first, second = sign_in(pool), sign_in(pool)
    idp(pool).revoke_token(Token=first["RefreshToken"], ClientId=pool.client_id)
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    assert error(excinfo)[1] == "Refresh Token has been revoked"
    with pytest.raises(ClientError) as excinfo:
        idp(pool).get_user(AccessToken=first["AccessToken"])
    assert error(excinfo)[1] == "Access Token has been revoked"
    # Only that sign-in's tokens.
    assert idp(pool).get_user(AccessToken=second["AccessToken"])["Username"] == "alice"


def test_revoke_token_of_client_with_secret_needs_the_secret(pool: LocalUserPool) -> None:
    client = pool.add_client(secret=True, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    refresh = password_auth(idp(pool), client.id, "alice", PASSWORD, client.secret)["AuthenticationResult"]
    with pytest.raises(ClientError) as excinfo:
        idp(pool).revoke_token(Token=refresh["RefreshToken"], ClientId=client.id)
    assert error(excinfo)[0] == "NotAuthorizedException"
    idp(pool).revoke_token(Token=refresh["RefreshToken"], ClientId=client.id, ClientSecret=str(client.secret))


def test_revoke_an_access_token_is_unsupported(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(pool).revoke_token(Token=sign_in(pool)["AccessToken"], ClientId=pool.client_id)
    assert error(excinfo)[0] == "UnsupportedTokenTypeException"


def test_disabled_user_cannot_refresh(pool: LocalUserPool) -> None:
    refresh = sign_in(pool)["RefreshToken"]
    pool.update_user("alice", enabled=False)
    with pytest.raises(ClientError) as excinfo:
        idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": refresh})
    assert error(excinfo) == ("NotAuthorizedException", "User is disabled.")


def test_change_password(pool: LocalUserPool) -> None:
    access = sign_in(pool)["AccessToken"]
    with pytest.raises(ClientError) as excinfo:
        idp(pool).change_password(AccessToken=access, PreviousPassword="Wrong-passw0rd", ProposedPassword="N3w-pass!")
    assert error(excinfo)[1] == "Incorrect username or password."
    with pytest.raises(ClientError) as excinfo:
        idp(pool).change_password(AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword="weak")
    assert error(excinfo)[0] == "InvalidPasswordException"
    idp(pool).change_password(AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword="N3w-pass!")
    assert "AuthenticationResult" in password_auth(idp(pool), pool.client_id, "alice", "N3w-pass!")


def test_access_token_claims_from_python(pool: LocalUserPool) -> None:
    result = sign_in(pool)
    assert pool.access_token_claims(result["AccessToken"])["username"] == "alice"
    with pytest.raises(PoolError) as excinfo:
        pool.access_token_claims(result["IdToken"])
    assert (excinfo.value.code, excinfo.value.message) == ("NotAuthorizedException", "Invalid Access Token")
    pool.clock.advance(3600)
    with pytest.raises(PoolError, match="Access Token has expired"):
        pool.access_token_claims(result["AccessToken"])
