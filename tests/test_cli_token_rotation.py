"""``authflow token`` with refresh-token rotation, the REFRESH_TOKEN_AUTH fallback, and five runs at once
that make one refresh call between them (the cache entry's lock works across processes)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from authflow.errors import RefreshTokenReuseError
from authflow.localpool import LocalUserPool
from authflow.tokencache import TokenCache
from authflow.tokens import Tokens
from authflow.transport import UserPool
from tests.helpers.cli import REPO
from tests.helpers.token_cli import PASSWORD, Setup

GRACE = 5


def age_cache_entry(setup: Setup) -> Tokens:
    """Make the cached access token an hour old (expired), as if time had passed; returns the entry."""
    cache = TokenCache(setup.tmp_path / "authflow-cache")
    key = _key(setup)
    tokens = cache.load(key)
    assert tokens is not None
    cache.store(key, replace(tokens, issued_at=tokens.issued_at - 3600))
    return tokens


def cached(setup: Setup) -> Tokens:
    tokens = TokenCache(setup.tmp_path / "authflow-cache").load(_key(setup))
    assert tokens is not None
    return tokens


def _key(setup: Setup) -> object:
    from authflow.tokencache import CacheKey

    return CacheKey(setup.pool_id, setup.client.id, "alice", setup.pool.endpoint_url)


def refresh_calls(pool: LocalUserPool) -> list[str]:
    return [r.params["RefreshToken"] for r in pool.requests("GetTokensFromRefreshToken")]


def test_rotated_refresh_tokens_are_kept_across_refreshes_past_the_grace_period(
    local_pool: LocalUserPool, tmp_path: Path
) -> None:
    setup = Setup(local_pool, tmp_path, secret=True, refresh_token_rotation=True, retry_grace_period_seconds=GRACE)
    first = setup.login()["RefreshToken"]
    age_cache_entry(setup)
    done = setup.run("token")
    assert done.returncode == 0, done.stderr
    second = cached(setup).refresh_token
    assert second not in (None, first)
    assert cached(setup).access_token == done.stdout.strip()
    local_pool.clock.advance(GRACE + 1)  # the first refresh token is now refused for good
    age_cache_entry(setup)
    done = setup.run("token")
    assert done.returncode == 0, done.stderr
    third = cached(setup).refresh_token
    assert third not in (None, first, second)
    assert refresh_calls(local_pool) == [first, second]  # each refresh with the token the previous one left
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken", "GetTokensFromRefreshToken"]
    assert [r.params.get("ClientSecret") is not None for r in local_pool.requests("GetTokensFromRefreshToken")] == [
        True, True]
    pool = setup.user_pool()
    for retired in (first, second):
        local_pool.clock.advance(GRACE + 1)
        with pytest.raises(RefreshTokenReuseError):
            pool.refresh(retired)
    assert local_pool.access_token_claims(done.stdout.strip())["username"] == "alice"


def test_fallback_to_refresh_token_auth_where_the_server_lacks_the_operation(
    local_pool: LocalUserPool, tmp_path: Path
) -> None:
    del local_pool.service.operations["GetTokensFromRefreshToken"]
    setup = Setup(local_pool, tmp_path)
    result = setup.login()
    pool = UserPool(setup.pool_id, setup.client.id, endpoint_url=local_pool.endpoint_url)
    for _ in range(2):
        tokens = pool.refresh(result["RefreshToken"])
        assert tokens.refresh_token == result["RefreshToken"]
        assert local_pool.access_token_claims(tokens.access_token)["username"] == "alice"
    # Asked once; refused as unknown; from then on REFRESH_TOKEN_AUTH directly.
    assert [(r.operation, r.error_code) for r in local_pool.requests("GetTokensFromRefreshToken")] == [
        ("GetTokensFromRefreshToken", "UnsupportedOperationException")]
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN_AUTH"]


def test_five_concurrent_token_runs_refresh_once(local_pool: LocalUserPool, tmp_path: Path) -> None:
    setup = Setup(local_pool, tmp_path, refresh_token_rotation=True, retry_grace_period_seconds=0)
    setup.login()
    age_cache_entry(setup)
    runs = [
        subprocess.Popen([sys.executable, "-m", "authflow", "token", "--non-interactive"], env=setup.env,
                         cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(5)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 5, [err for _, err in outputs]
    printed = {out.strip() for out, _ in outputs}
    assert printed == {cached(setup).access_token}  # every run prints the one refreshed token
    assert len(local_pool.requests("GetTokensFromRefreshToken")) == 1
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken"]
    assert all(err == "" for _, err in outputs)
    # With a grace period of 0 a second refresh with the old token would have been refused: the rotated
    # token was in the cache before any other run read it.
    assert PASSWORD not in "".join(err for _, err in outputs)
