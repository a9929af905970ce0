"""AWS credentials for a signed-in user (authflow.credentials) against the local identity pool, over HTTP:
the enhanced and basic flows, the identity id kept per user and identity pool, and a boto3 session whose
credentials refresh themselves through token refresh and, once the refresh token is gone, a new sign-in."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.credentials import (
    AWSCredentials,
    IdentityPoolAccess,
    SignedInUser,
    boto3_session,
    cached,
    credentials_for,
    keep,
)
from authflow.errors import NotAuthorizedError, ResourceNotFoundError, UsageError
from authflow.localpool import LocalUserPool
from authflow.tokencache import CacheKey, TokenCache
from tests.engine.helpers import PASSWORD

POOL_ID = "us-east-1_Creds1"
IDENTITY_POOL_ID = "us-east-1:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
AUTH_ROLE = "arn:aws:iam::123456789012:role/SignedIn"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/Admin"


def seed(token_seconds: int = 3600, credentials_seconds: int = 3600) -> dict[str, Any]:
    return {
        "pools": [{
            "id": POOL_ID, "access_token_validity_seconds": token_seconds, "id_token_validity_seconds": token_seconds,
            "clients": [{"id": "credsclient1", "explicit_auth_flows": [
                "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
            "users": [{"username": "alice", "password": PASSWORD}, {"username": "bob", "password": PASSWORD}],
        }],
        "identity_pools": [{"id": IDENTITY_POOL_ID, "user_pools": [POOL_ID], "roles": {"authenticated": AUTH_ROLE},
                            "custom_roles": [ADMIN_ROLE], "allow_classic_flow": True,
                            "credentials_validity_seconds": credentials_seconds}],
    }


@pytest.fixture
def local() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed()) as pool:
        yield pool


def pool_of(local: LocalUserPool) -> UserPool:
    return UserPool(POOL_ID, "credsclient1", endpoint_url=local.endpoint_url)


def count(local: LocalUserPool, operation: str) -> int:
    return len(local.requests(operation))


def test_enhanced_flow_keeps_the_identity_id_per_user(local: LocalUserPool, tmp_path: Path) -> None:
    pool = pool_of(local)
    cache = TokenCache(tmp_path)
    access = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url, cache=cache)
    key = CacheKey(POOL_ID, "credsclient1", "alice", local.endpoint_url)
    tokens = sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))
    first = access.credentials(tokens.id_token or "", key)
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", first.access_key_id)
    assert local.issued_credentials(first.access_key_id)["RoleArn"] == AUTH_ROLE
    assert first.identity_id == local.issued_credentials(first.access_key_id)["IdentityId"]
    assert not first.expired(leeway=3500)
    kept = [p for p in cache.tokens_dir.iterdir() if ".identity-" in p.name]
    assert len(kept) == 1 and stat.S_IMODE(os.stat(kept[0]).st_mode) == 0o600
    second = access.credentials(tokens.id_token or "", key)
    assert second.identity_id == first.identity_id and second.access_key_id != first.access_key_id
    assert count(local, "GetId") == 1  # the kept identity id was used
    # Another user has an identity of her own; CustomRoleArn chooses the role.
    bob = sign_in(pool, "bob", ScriptedHandler(password=PASSWORD))
    chosen = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url, cache=cache,
                                role_arn=ADMIN_ROLE).credentials(bob.id_token or "",
                                                                 CacheKey(POOL_ID, "credsclient1", "bob",
                                                                          local.endpoint_url))
    assert chosen.identity_id != first.identity_id
    assert local.issued_credentials(chosen.access_key_id)["RoleArn"] == ADMIN_ROLE
    # The secret never shows in a repr.
    assert first.secret_access_key not in repr(first) and first.session_token not in repr(first)


def test_an_identity_the_pool_forgot_is_asked_for_again(local: LocalUserPool, tmp_path: Path) -> None:
    cache = TokenCache(tmp_path)
    access = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url, cache=cache)
    key = CacheKey(POOL_ID, "credsclient1", "alice", local.endpoint_url)
    token = sign_in(pool_of(local), "alice", ScriptedHandler(password=PASSWORD)).id_token or ""
    old = access.credentials(token, key).identity_id
    with local.service.lock:
        local.identity_pool().identities.clear()
        local.identity_pool().logins.clear()
    new = access.credentials(token, key).identity_id
    assert new != old and access.kept_identity_id(key) == new
    assert [r.error_code for r in local.requests("GetCredentialsForIdentity")] == \
        [None, "ResourceNotFoundException", None]


def test_basic_flow_through_sts(local: LocalUserPool) -> None:
    token = sign_in(pool_of(local), "alice", ScriptedHandler(password=PASSWORD)).id_token or ""
    access = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url, basic=True,
                                role_arn=AUTH_ROLE, duration_seconds=900)
    credentials = access.credentials(token)
    assert local.issued_credentials(credentials.access_key_id)["RoleArn"] == AUTH_ROLE
    assert [count(local, op) for op in ("GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity",
                                        "GetCredentialsForIdentity")] == [1, 1, 1, 0]
    assert 890 < credentials.expiration - local.clock.now() <= 900
    with pytest.raises(UsageError):
        IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, basic=True)  # the basic flow needs the role to assume


def test_cognito_errors_come_back_typed(local: LocalUserPool) -> None:
    token = sign_in(pool_of(local), "alice", ScriptedHandler(password=PASSWORD)).id_token or ""
    missing = IdentityPoolAccess("us-east-1:00000000-0000-4000-8000-000000000000", POOL_ID,
                                 endpoint_url=local.endpoint_url)
    with pytest.raises(ResourceNotFoundError):
        missing.credentials(token)
    with pytest.raises(NotAuthorizedError) as refused:
        IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url).credentials(token[:-4] + "AAAA")
    assert refused.value.operation == "GetId"
    assert token[-40:] not in str(refused.value)
    with pytest.raises(UsageError):
        IdentityPoolAccess("not-an-identity-pool", POOL_ID)


def test_kept_credentials_until_five_minutes_before_expiry(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path)
    access = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, cache=cache)
    key = CacheKey(POOL_ID, "c", "alice")
    import time

    good = AWSCredentials("ASIAEXAMPLEEXAMPLE12", "s" * 40, "token", time.time() + 301, IDENTITY_POOL_ID)
    keep(cache, key, access, good)
    assert cached(cache, key, access) == good
    keep(cache, key, access, AWSCredentials("ASIAEXAMPLEEXAMPLE12", "s" * 40, "token", time.time() + 299))
    assert cached(cache, key, access) is None
    # Another role is another entry.
    other = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, cache=cache, role_arn=ADMIN_ROLE)
    assert other.credentials_suffix != access.credentials_suffix
    files = [p for p in cache.tokens_dir.iterdir() if ".credentials-" in p.name and p.suffix == ".json"]
    assert len(files) == 1 and stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600


def test_a_boto3_session_refreshes_tokens_then_signs_in_again() -> None:
    """Short-lived tokens and credentials: botocore asks for new credentials at each use (they are within
    its 10-minute mandatory refresh window); the tokens are refreshed with the refresh token, and once it is
    revoked, the handler signs the user in again. The script never sees expired keys."""
    with LocalUserPool(seed(token_seconds=60, credentials_seconds=120)) as local:
        pool = pool_of(local)
        user = SignedInUser(pool, "alice", handler=ScriptedHandler(password=PASSWORD), leeway=90,
                            auth_flow="USER_PASSWORD_AUTH")
        access = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url)
        session = boto3_session(user, access)
        assert session.region_name == "us-east-1"
        credentials = session.get_credentials()
        assert credentials.method == "authflow-cognito-identity"
        first = credentials.get_frozen_credentials()
        assert local.issued_credentials(first.access_key)["SecretAccessKey"] == first.secret_key
        assert count(local, "InitiateAuth") == 1
        second = credentials.get_frozen_credentials()
        assert second.access_key != first.access_key  # refreshed: they were about to expire
        assert count(local, "GetTokensFromRefreshToken") >= 1 and count(local, "InitiateAuth") == 1
        local.service.tokens.revoke_user(POOL_ID, "alice")  # the refresh token is gone
        third = credentials.get_frozen_credentials()
        assert third.access_key not in (first.access_key, second.access_key)
        assert count(local, "InitiateAuth") == 2  # signed in again through the handler
        assert local.requests("GetTokensFromRefreshToken")[-1].error_code == "NotAuthorizedException"
        assert local.issued_credentials(third.access_key)["IdentityId"] == \
            local.issued_credentials(first.access_key)["IdentityId"]


def test_without_a_handler_a_refused_refresh_is_the_error(local: LocalUserPool) -> None:
    pool = pool_of(local)
    tokens = sign_in(pool, "alice", ScriptedHandler(password=PASSWORD))
    user = SignedInUser(pool, "alice", tokens=tokens, leeway=4000)  # always due for a refresh
    access = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url)
    assert credentials_for(user, access).identity_id
    local.service.tokens.revoke_user(POOL_ID, "alice")
    with pytest.raises(NotAuthorizedError):
        credentials_for(user, access)


def test_guests_and_botocore_debug_logs_keep_every_secret_out(local: LocalUserPool,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """With botocore's DEBUG logs on (request and response bodies), the id token, the secret key and the
    session token show nowhere: the transport's redaction covers the identity pool's and STS's calls."""
    import logging

    with local.service.lock:
        local.identity_pool().allow_unauthenticated = True
        local.identity_pool().roles["unauthenticated"] = "arn:aws:iam::123456789012:role/Guest"
    token = sign_in(pool_of(local), "alice", ScriptedHandler(password=PASSWORD)).id_token or ""
    caplog.set_level(logging.DEBUG)
    enhanced = IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url)
    found = [enhanced.credentials(token), enhanced.guest_credentials(),
             IdentityPoolAccess(IDENTITY_POOL_ID, POOL_ID, endpoint_url=local.endpoint_url, basic=True,
                                role_arn=AUTH_ROLE).credentials(token)]
    assert local.issued_credentials(found[1].access_key_id)["RoleArn"] == "arn:aws:iam::123456789012:role/Guest"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "GetCredentialsForIdentity" in logged and "AssumeRoleWithWebIdentity" in logged  # the calls show
    for secret in [token, *(c.secret_access_key for c in found), *(c.session_token for c in found)]:
        assert secret not in logged
