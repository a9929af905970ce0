"""Start-up: wall time of `authflow --help`, a cached `authflow token`, `authflow credentials` with valid cached
credentials (the AWS CLI runs it before each of its commands), `authflow account` with a valid cached
token (it reads the account from a local pool started here, through botocore as every command does) and `authflow
local-pool` (to its first line), each as a ratio to a bare `python -c pass` measured in the same run.
What pyOpenSSL cost, side by side: `import authflow.transport` (botocore and all it needs to talk to Cognito) and
`authflow account` run a second way too, with pyOpenSSL imported first, as botocore imported it before
authflow.transport kept it out.

Each command runs as a fresh process with the interpreter running this script (`python -m authflow`),
alternating with the bare interpreter so that load on the machine hits both alike; the median of the
runs is reported, after one warm-up round. The cached token is a valid one written to a private
AUTHFLOW_CACHE_DIR first. Bytecode is written and used (PYTHONDONTWRITEBYTECODE is dropped; the .pyc files go
to a private PYTHONPYCACHEPREFIX), as for an installed package: otherwise every run would compile authflow's
sources again.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.localpool import LocalUserPool
from authflow.tokencache import CacheKey, TokenCache
from authflow.tokens import Tokens

#: The checkout measured: it is each command's PYTHONPATH and working directory (``-m`` imports from there first).
REPO = Path(__file__).resolve().parent.parent
IDENTITY_POOL_ID = "us-east-1:be4c0000-0000-4000-8000-000000000001"
#: One user pool with the user `bench`, and an identity pool that trusts it (for `authflow credentials`).
SEED = {
    "pools": [{"id": "us-east-1_BenchAcct1", "clients": [{"id": "benchacctclient", "explicit_auth_flows": [
        "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "users": [{"username": "bench", "password": "Bench-Passw0rd!"}]}],
    "identity_pools": [{"id": IDENTITY_POOL_ID, "user_pools": ["us-east-1_BenchAcct1"],
                        "roles": {"authenticated": "arn:aws:iam::123456789012:role/Bench"}}],
}
POOL = ["--pool-id", "us-east-1_BenchStart", "--client-id", "benchclient", "--username", "bench"]


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def wall_to_first_line(command: list[str], env: dict[str, str]) -> float:
    """Until the process prints its first line (the local pool is serving then); it is stopped after."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.terminate()
    process.communicate(timeout=10)
    if not line:
        raise RuntimeError(f"{command} printed nothing")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache_dir, tempfile.TemporaryDirectory() as bytecode_dir:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AUTHFLOW_", "AWS_")) and k != "PYTHONDONTWRITEBYTECODE"}
        env["AUTHFLOW_CACHE_DIR"] = cache_dir
        env["PYTHONPYCACHEPREFIX"] = bytecode_dir
        env["PYTHONPATH"] = str(REPO)
        tokens = Tokens.from_authentication_result({"AccessToken": "bench.access.token", "ExpiresIn": 3600})
        TokenCache(cache_dir).store(CacheKey("us-east-1_BenchStart", "benchclient", "bench"), tokens)

        local = LocalUserPool(SEED).start()
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
        TokenCache(cache_dir).store(CacheKey(local.pool_id, local.client_id, "bench", local.endpoint_url),
                                    sign_in(pool, "bench", ScriptedHandler(password="Bench-Passw0rd!")))
        account = ["--pool-id", local.pool_id, "--client-id", local.client_id, "--endpoint-url", local.endpoint_url,
                   "--username", "bench"]
        authflow = [sys.executable, "-m", "authflow"]
        identity = [*account, "--identity-pool-id", IDENTITY_POOL_ID]
        # The first `authflow credentials` fetches them (GetId, GetCredentialsForIdentity) and keeps them.
        subprocess.run([*authflow, "credentials", *identity], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                       check=True)
        # The same `python -m authflow`, after importing what botocore.httpsession imported (pyOpenSSL):
        with_pyopenssl = [sys.executable, "-c", "import runpy, urllib3.contrib.pyopenssl; "
                          "runpy.run_module('authflow', run_name='__main__', alter_sys=True)"]
        commands: list[tuple[str, Callable[[], float]]] = [
            ("python -c pass", lambda: wall([sys.executable, "-c", "pass"], env)),
            ("import authflow.transport", lambda: wall([sys.executable, "-c", "import authflow.transport"], env)),
            ("import authflow.transport, pyOpenSSL first",
             lambda: wall([sys.executable, "-c", "import urllib3.contrib.pyopenssl, authflow.transport"], env)),
            ("authflow --help", lambda: wall([*authflow, "--help"], env)),
            ("authflow token (cached)", lambda: wall([*authflow, "token", *POOL], env)),
            ("authflow credentials (cached)", lambda: wall([*authflow, "credentials", *identity], env)),
            ("authflow account (cached token)", lambda: wall([*authflow, "account", *account], env)),
            ("authflow account (cached), pyOpenSSL first", lambda: wall([*with_pyopenssl, "account", *account], env)),
            ("authflow local-pool (first line)", lambda: wall_to_first_line([*authflow, "local-pool"], env)),
        ]
        for _, run in commands:
            run()  # warm-up: writes the bytecode
        samples: dict[str, list[float]] = {name: [] for name, _ in commands}
        for _ in range(args.runs):
            for name, run in commands:
                samples[name].append(run())
        local.stop()

    print(f"# start-up, median of {args.runs} runs each, interleaved")
    print(f"# {platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    bare = statistics.median(samples["python -c pass"])
    print(f"{'command':44} {'median ms':>10} {'vs python -c pass':>18}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:44} {median * 1000:10.1f} {median / bare:17.2f}x")
    medians = {name: statistics.median(values) for name, values in samples.items()}
    targets = [
        ("authflow --help <= 4x python -c pass", medians["authflow --help"] / bare, 4.0),
        ("cached authflow token <= 4x python -c pass", medians["authflow token (cached)"] / bare, 4.0),
        ("cached authflow credentials <= 4x python -c pass (issue 22)",
         medians["authflow credentials (cached)"] / bare, 4.0),
        ("authflow account (cached token) <= 1.5x authflow token (issue 21)",
         medians["authflow account (cached token)"] / medians["authflow token (cached)"], 1.5),
    ]
    for label, ratio, limit in targets:
        print(f"target {label}: {ratio:.2f}x, {'met' if ratio <= limit else 'NOT met'}")
    sys.exit(0 if all(ratio <= limit for _, ratio, limit in targets) else 1)


if __name__ == "__main__":
    main()
