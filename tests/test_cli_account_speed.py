"""``authflow account`` with a valid cached token starts about as fast as ``authflow token``: it reads the
account over plain JSON (authflow.wire), never importing botocore, and its start-up costs under 1.5x
``authflow token``'s: the CPU time of each process (medians of interleaved runs), which other work on a busy
machine moves far less than wall time (benchmarks/bench_startup.py reports wall times)."""

from __future__ import annotations

import json
import resource
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

    def run(command: str) -> tuple[float, float]:
        """(wall seconds, CPU seconds of the process): the CPU time is what start-up costs the command itself,
        little moved by other work on a busy machine; the wall time is what a person waits."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "authflow", command, "--non-interactive"], env=env, cwd=REPO,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    run("token"), run("account")  # warm-up: the bytecode is written
    token, account = [], []
    for _ in range(5):
        token.append(run("token"))
        account.append(run("account"))
    cpu = statistics.median(a[1] for a in account) / statistics.median(t[1] for t in token)
    wall = statistics.median(a[0] for a in account) / statistics.median(t[0] for t in token)
    print(f"authflow account: {cpu:.2f}x authflow token's CPU time, {wall:.2f}x its wall time (medians)")
    assert cpu < 1.5, f"authflow account's start-up took {cpu:.2f}x authflow token's (CPU time)"
