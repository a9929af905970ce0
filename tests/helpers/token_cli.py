"""A pool, an app client and alice for the tests of ``authflow token`` and the token cache: the environment
that points the command at them, and what the pool saw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from authflow import UserPool
from authflow.localpool import LocalUserPool
from tests.helpers.cli import credential_free_env, run_cli

PASSWORD = "Alice-Passw0rd!"


FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


class Setup:
    def __init__(self, pool: LocalUserPool, tmp_path: Path, *, email_alias: bool = False, **client: Any) -> None:
        self.pool = pool
        self.tmp_path = tmp_path
        self.pool_id = pool.add_pool(alias_attributes=["email"]).id if email_alias else pool.pool_id
        attributes = {"email": "alice@example.com", "email_verified": "true"}
        pool.add_user("alice", PASSWORD, attributes=attributes, pool_id=self.pool_id)
        self.client = pool.add_client(explicit_auth_flows=FLOWS, pool_id=self.pool_id, **client)
        self.env = credential_free_env(
            tmp_path,
            {
                "AUTHFLOW_POOL_ID": self.pool_id,
                "AUTHFLOW_CLIENT_ID": self.client.id,
                "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url,
                "AUTHFLOW_USERNAME": "alice",
            },
        )
        if self.client.secret:
            self.env["AUTHFLOW_CLIENT_SECRET"] = self.client.secret

    def run(self, *args: str, **env: str) -> Any:
        return run_cli(args, dict(self.env, **env))

    def login(self) -> dict[str, Any]:
        done = self.run("login", "--non-interactive", AUTHFLOW_PASSWORD=PASSWORD)
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def cache_files(self) -> list[Path]:
        folder = self.tmp_path / "authflow-cache" / "tokens"
        return sorted(folder.glob("*.json")) if folder.exists() else []  # not the entries' .lock files

    def flows(self) -> list[str]:
        """InitiateAuth's AuthFlow, or the operation, of each sign-in and refresh call, in order."""
        return [r.params["AuthFlow"] if r.operation == "InitiateAuth" else r.operation
                for r in self.pool.requests() if r.operation in ("InitiateAuth", "GetTokensFromRefreshToken")]

    def user_pool(self) -> UserPool:
        return UserPool(
            self.pool_id,
            self.client.id,
            client_secret=self.client.secret,
            endpoint_url=self.pool.endpoint_url,
        )
