"""``authflow account`` after the pool restarted in memory: the cached access token is signed with keys the pool
no longer has ("Invalid Access Token"); the command renews it (the refresh token is unknown too, so it signs in
again with the login answers) instead of failing, and it does so once."""

from __future__ import annotations

import json
from pathlib import Path

from authflow.localpool import LocalUserPool
from tests.helpers.cli import credential_free_env, run_cli
from tests.helpers.restart import free_port, start_pool

PASSWORD = "Restart-Passw0rd!"
SEED = {"pools": [{
    "id": "us-east-1_Restart01", "name": "restart",
    "clients": [{"id": "restartclient000000000001", "name": "app", "explicit_auth_flows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    "users": [{"username": "sam", "password": PASSWORD, "attributes": {"email": "sam@example.com"}}],
}]}


def env_for(pool: LocalUserPool, tmp_path: Path) -> dict[str, str]:
    return credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": pool.client_id,
        "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url, "AUTHFLOW_USERNAME": "sam",
    })


def test_a_token_the_restarted_pool_does_not_know_is_renewed(tmp_path: Path) -> None:
    port = free_port()
    first = start_pool(SEED, port)
    env = env_for(first, tmp_path)
    try:
        done = run_cli(["login", "--non-interactive"], dict(env, AUTHFLOW_PASSWORD=PASSWORD))
        assert done.returncode == 0, done.stderr
        old = json.loads(done.stdout)["AccessToken"]
    finally:
        first.close()
    with start_pool(SEED, port) as again:
        done = run_cli(["account", "--username", "sam", "--non-interactive"], dict(env, AUTHFLOW_PASSWORD=PASSWORD))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["Username"] == "sam"
        operations = [r.operation for r in again.requests()]
        # the old token refused once, the refresh token unknown, one sign-in, then the account read
        assert operations.count("GetUser") >= 2 and operations[0] == "GetUser"
        assert "InitiateAuth" in operations
        assert len([op for op in operations if op in ("InitiateAuth", "GetTokensFromRefreshToken")]) <= 3
        # the new sign-in is cached: the next run sends no sign-in at all
        again.clear_requests()
        done = run_cli(["account", "--username", "sam", "--non-interactive"], env)
        assert done.returncode == 0, done.stderr
        assert "InitiateAuth" not in [r.operation for r in again.requests()]
        assert old not in done.stdout + done.stderr


def test_without_login_answers_the_invalid_token_is_the_error(tmp_path: Path) -> None:
    port = free_port()
    first = start_pool(SEED, port)
    env = env_for(first, tmp_path)
    try:
        done = run_cli(["login", "--non-interactive"], dict(env, AUTHFLOW_PASSWORD=PASSWORD))
        assert done.returncode == 0, done.stderr
    finally:
        first.close()
    with start_pool(SEED, port) as again:
        done = run_cli(["account", "--username", "sam", "--non-interactive"], env)
        assert done.returncode == 2, done.stderr  # a missing answer in --non-interactive
        assert "AUTHFLOW_PASSWORD" in done.stderr or "password" in done.stderr.lower(), done.stderr
        # no loop: one refused GetUser, one refused refresh, nothing more
        operations = [r.operation for r in again.requests()]
        assert operations.count("GetUser") == 1, operations
