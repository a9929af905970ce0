"""One user's failure, of any kind, is that user's result: the rest of a batch goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from authflow import ScriptedHandler, UserPool
from authflow.localpool import LocalUserPool
from authflow.many import sign_in_many
from authflow.prompts import Prompt


def broken_handler(prompt: Prompt) -> str:
    raise KeyError("the handler has a bug")


def test_a_handler_that_raises_keyerror_fails_only_its_user() -> None:
    with LocalUserPool("demo") as local:
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
        results = sign_in_many(pool, [
            ("alice", ScriptedHandler(password="Alice-Passw0rd!")),
            ("alice", broken_handler),
            ("tina", ScriptedHandler(password="Tina-Passw0rd!", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")),
        ], max_workers=3)
    assert [r.username for r in results] == ["alice", "alice", "tina"]
    assert results[0].ok and results[2].ok
    assert not results[1].ok and results[1].error is not None
    assert results[1].error.code == "UnexpectedError" and "KeyError" in results[1].error.message


def test_login_users_prints_every_result_when_one_user_fails_oddly(tmp_path: Path) -> None:
    with LocalUserPool("demo") as local:
        users = tmp_path / "users.json"
        users.write_text(json.dumps([
            {"username": "alice", "password": "Alice-Passw0rd!"},
            {"username": "sam", "password": "Sam-Passw0rd!", "code_command": "exit 3"},
            {"username": "emma", "password": "Emma-Passw0rd!",
             "code_command": f"{sys.executable} -c \"print('nope')\""},
            {"username": "tina", "password": "Tina-Passw0rd!", "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
        ]))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTHFLOW_"))}
        env["AUTHFLOW_CACHE_DIR"] = str(tmp_path / "cache")
        proc = subprocess.run(
            [sys.executable, "-m", "authflow", "login", "--non-interactive", "--pool-id", local.pool_id,
             "--client-id", local.client_id, "--endpoint-url", local.endpoint_url, "--users", str(users)],
            env=env, capture_output=True, text=True, timeout=120,
        )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["username"] for line in lines] == ["alice", "sam", "emma", "tina"]
    assert "AuthenticationResult" in lines[0] and "AuthenticationResult" in lines[3]
    assert "error" in lines[1] and "error" in lines[2]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
