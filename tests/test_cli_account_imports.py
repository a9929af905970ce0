"""``authflow account`` with a valid cached token, from a script: it reads the account through the transport
(botocore, the one way authflow talks to Cognito) and loads nothing of the terminal's (prompt_toolkit), nor the
sign-in's challenge modules and transition table.
Its start-up against ``authflow token``'s is measured by benchmarks/bench_startup.py (docs/performance.md):
botocore's import and client cost more than the issue's 1.5x budget on their own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.localpool import LocalUserPool
from authflow.tokencache import CacheKey, TokenCache
from tests.helpers.cli import REPO, credential_free_env

PASSWORD = "Speedy-Passw0rd!"
#: Runs the command in-process and says which heavy modules it imported.
PROBE = """
import json, sys
from authflow.cli import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "botocore": "botocore" in sys.modules, "prompt_toolkit":
                  "prompt_toolkit" in sys.modules, "challenge modules": sorted(
                      m for m in sys.modules if m.startswith(("authflow.states", "transitions")))}), file=sys.stderr)
"""


def test_a_scripted_account_read_goes_through_botocore_without_prompt_toolkit_or_challenges(
    local_pool: LocalUserPool, tmp_path: Path
) -> None:
    local_pool.add_user("speedy", PASSWORD, attributes={"email": "speedy@example.com"})
    pool = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    env = credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": local_pool.pool_id, "AUTHFLOW_CLIENT_ID": local_pool.client_id,
        "AUTHFLOW_ENDPOINT_URL": local_pool.endpoint_url, "AUTHFLOW_USERNAME": "speedy"})
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "bytecode")
    TokenCache(Path(env["AUTHFLOW_CACHE_DIR"])).store(
        CacheKey(local_pool.pool_id, local_pool.client_id, "speedy", local_pool.endpoint_url),
        sign_in(pool, "speedy", ScriptedHandler(password=PASSWORD)))

    probe = subprocess.run([sys.executable, "-c", PROBE, "account", "--non-interactive"], env=env, cwd=REPO,
                           capture_output=True, text=True, timeout=60, check=False)
    report = json.loads(probe.stderr.strip().splitlines()[-1])
    # A read asks nothing and signs no one in: neither the terminal nor the sign-in's states and table are loaded.
    assert report == {"status": 0, "botocore": True, "prompt_toolkit": False, "challenge modules": []}, probe.stderr
    assert json.loads(probe.stdout)["Attributes"]["email"] == "speedy@example.com"
