"""``authflow login --users FILE``: many scripted sign-ins at once from the shell, one JSON line each."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyotp

from authflow.localpool import LocalUserPool
from tests.helpers.cli import assert_no_secret, credential_free_env, run_cli

PASSWORD = "Many-Passw0rd!"


def config(local_pool: LocalUserPool) -> list[str]:
    return ["--endpoint-url", local_pool.endpoint_url, "--pool-id", local_pool.pool_id,
            "--client-id", local_pool.client_id]


def test_users_file_signs_everyone_in_order_with_per_user_failures(local_pool: LocalUserPool, tmp_path: Path) -> None:
    default = local_pool.pool()
    default.mfa_configuration = "OPTIONAL"
    default.mfa_types = {"SMS_MFA", "SOFTWARE_TOKEN_MFA"}
    secrets = {f"totp{i}": pyotp.random_base32(32) for i in range(5)}
    for name, secret in secrets.items():
        local_pool.add_user(name, PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                            totp_secret=secret)
    local_pool.add_user("sms1", PASSWORD, attributes={"phone_number": "+15555550111"}, mfa=["SMS_MFA"],
                        preferred_mfa="SMS_MFA")
    outbox = f"{local_pool.endpoint_url}/_local/outbox?username="
    code_command = (
        f"{sys.executable} -c \"import json,os,urllib.request; "
        f"print(json.load(urllib.request.urlopen('{outbox}' + os.environ['AUTHFLOW_USERNAME']))[-1]['code'])\""
    )
    users = [{"username": n, "totp_secret": s} for n, s in secrets.items()]
    users.insert(2, {"username": "sms1", "code_command": code_command})
    users.insert(4, {"username": "totp0", "password": "Wrong-Passw0rd!"})
    users_file = tmp_path / "users.json"
    users_file.write_text(json.dumps(users))

    done = run_cli(["login", *config(local_pool), "--users", str(users_file), "--parallel", "4"],
                   credential_free_env(tmp_path, {"AUTHFLOW_PASSWORD": PASSWORD}))
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["username"] for line in lines] == [u["username"] for u in users]  # input order
    assert [("AuthenticationResult" in line) for line in lines] == [True, True, True, True, False, True, True]
    assert lines[4]["error"]["code"] == "NotAuthorizedException"
    assert done.returncode == 1
    assert done.stderr.strip() == "1 of 7 sign-ins failed"
    assert_no_secret([done.stderr, json.dumps([line.get("error") for line in lines])],
                     [PASSWORD, "Wrong-Passw0rd!", *secrets.values()])


def test_users_file_errors_are_usage_errors(local_pool: LocalUserPool, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"username": "x", "pasword": "typo"}]))
    done = run_cli(["login", *config(local_pool), "--users", str(bad)], credential_free_env(tmp_path))
    assert done.returncode == 2
    assert "unknown keys: pasword" in done.stderr and "typo" not in done.stderr
