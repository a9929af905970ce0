"""Cognito's TokenSession MaxPerUser (default 20, 1-100): a user holds at most that many live token sessions
(sign-ins with a refresh token); a new sign-in first ends the least recently used one, whose refresh token
is then refused. It also keeps the pool's memory bounded per user over any number of sign-ins."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import error, idp, password_auth

PASSWORD = "Passw0rd!"


def sign_in(client: BaseClient, pool: LocalUserPool) -> dict[str, Any]:
    return dict(password_auth(client, pool.client_id, "alice", PASSWORD)["AuthenticationResult"])


def refresh(client: BaseClient, pool: LocalUserPool, token: str) -> dict[str, Any]:
    return dict(client.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                     AuthParameters={"REFRESH_TOKEN": token}))


def test_the_21st_sign_in_ends_the_least_recently_used_of_20_token_sessions(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    client = idp(local_pool)
    refresh_tokens = [sign_in(client, local_pool)["RefreshToken"] for _ in range(20)]
    refresh(client, local_pool, refresh_tokens[0])  # the oldest is now the most recently used
    newest = sign_in(client, local_pool)
    sessions = client.list_user_sessions(AccessToken=newest["AccessToken"])["Sessions"]
    assert len(sessions) == 20 and sum(s["IsCurrentSession"] for s in sessions) == 1
    with pytest.raises(ClientError) as excinfo:
        refresh(client, local_pool, refresh_tokens[1])
    assert error(excinfo) == ("NotAuthorizedException", "Invalid Refresh Token")
    for token in (refresh_tokens[0], refresh_tokens[2], newest["RefreshToken"]):
        assert refresh(client, local_pool, token)["AuthenticationResult"]["AccessToken"]
    for _ in range(200):
        sign_in(client, local_pool)
    assert local_pool.service.tokens.record_counts()[0] == 20  # not one record more per sign-in


ONE_SESSION = {"pools": [{"token_sessions_per_user": 1, "clients": [
    {"name": "app", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}]}]}


@pytest.mark.parametrize("local_pool", [ONE_SESSION], indirect=True)
def test_with_one_token_session_per_user_a_sign_in_ends_the_previous_one(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    client = idp(local_pool)
    first, second = sign_in(client, local_pool), sign_in(client, local_pool)
    with pytest.raises(ClientError) as excinfo:
        refresh(client, local_pool, first["RefreshToken"])
    assert error(excinfo) == ("NotAuthorizedException", "Invalid Refresh Token")
    assert client.get_user(AccessToken=first["AccessToken"])["Username"] == "alice"  # runs out as issued
    assert refresh(client, local_pool, second["RefreshToken"])["AuthenticationResult"]["AccessToken"]


@pytest.mark.parametrize("limit", [0, 101])
def test_token_sessions_per_user_is_from_1_to_100(limit: int) -> None:
    with pytest.raises(ValueError, match="token_sessions_per_user"):
        LocalUserPool({"pools": [{"token_sessions_per_user": limit}]})
