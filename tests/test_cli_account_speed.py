"""``authflow account`` with a valid cached token starts about as fast as ``authflow token``: it reads the
account over plain JSON (authflow.wire), never importing botocore, and its wall time stays under 1.5x
``authflow token``'s (medians of interleaved runs, as benchmarks/bench_startup.py measures them)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
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
                  "prompt_toolkit" in sys.modules}), file=sys.stderr)
"""


def test_account_read_is_quick_and_needs_no_botocore(local_pool: LocalUserPool, tmp_path: Path) -> None:
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
    assert report == {"status": 0, "botocore": False, "prompt_toolkit": False}, probe.stderr
    assert json.loads(probe.stdout)["Attributes"]["email"] == "speedy@example.com"

    def wall(command: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "authflow", command, "--non-interactive"], env=env, cwd=REPO,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60)
        return time.perf_counter() - start

    wall("token"), wall("account")  # warm-up: the bytecode is written
    token, account = [], []
    for _ in range(5):
        token.append(wall("token"))
        account.append(wall("account"))
    ratio = statistics.median(account) / statistics.median(token)
    print(f"authflow account: {ratio:.2f}x authflow token")
    assert ratio < 1.5, f"authflow account took {ratio:.2f}x authflow token's start-up"
