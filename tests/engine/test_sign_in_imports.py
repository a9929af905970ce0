"""``import authflow`` and one sign-in import what they use, no more: no library at ``import authflow``, and a
USER_PASSWORD_AUTH sign-in never imports gmpy2 (the SRP arithmetic), pyotp, the passkey or Qt libraries."""

from __future__ import annotations

import json
import subprocess
import sys

from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD

CODE = """
import json, sys
before = set(sys.modules)
import authflow
bare = sorted(set(sys.modules) - before)
from authflow import ScriptedHandler, UserPool, sign_in
pool = UserPool({pool_id!r}, {client_id!r}, endpoint_url={endpoint!r})
sign_in(pool, "alice", ScriptedHandler(password={password!r}), auth_flow={flow!r})
print(json.dumps({{"bare": bare, "all": sorted(sys.modules)}}))
"""


def imported(local_pool: LocalUserPool, flow: str) -> dict[str, list[str]]:
    code = CODE.format(pool_id=local_pool.pool_id, client_id=local_pool.client_id,
                       endpoint=local_pool.endpoint_url, password=PASSWORD, flow=flow)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_import_authflow_imports_nothing_else_and_a_password_sign_in_no_arithmetic(
    local_pool: LocalUserPool,
) -> None:
    local_pool.add_user("alice", PASSWORD)
    seen = imported(local_pool, "USER_PASSWORD_AUTH")
    others = [m for m in seen["bare"] if m.split(".")[0] != "authflow"]
    assert [m for m in others if m.split(".")[0] not in sys.stdlib_module_names] == []  # no third-party one
    assert len(others) <= 5, others
    unused = {"gmpy2", "pyotp", "fido2", "webauthn", "PySide6", "segno", "keyring", "authflow.localpool",
              "authflow.wizard", "authflow.qt", "authflow.cli"}
    assert sorted(unused & set(seen["all"])) == []
    srp = imported(local_pool, "USER_SRP_AUTH")["all"]
    assert "gmpy2" in srp or "gmpy2" not in sys.modules  # the SRP sign-in imports it when it is installed
