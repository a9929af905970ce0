"""Benchmark (b): client CPU per full sign-in, USER_SRP_AUTH + SOFTWARE_TOKEN_MFA: authflow with gmpy2 and
with plain ``pow``, pycognito, and amazon-cognito-identity-js in Node, side by side.

Against one local pool (a separate process, so ``time.process_time()`` counts the client only):
InitiateAuth, PASSWORD_VERIFIER, SOFTWARE_TOKEN_MFA, tokens. pycognito runs ``AWSSRP.authenticate_user()``
and its exception path (``SoftwareTokenMFAChallengeException``), the TOTP answer sent with the same boto3
client. amazon-cognito-identity-js runs in one long-lived Node process (``identity_js_signin.mjs``, its
``process.cpuUsage()`` per sign-in; needs ``npm ci --prefix tests/interop``). Every sign-in is a distinct TOTP
user (Cognito refuses a code used twice). Each run interleaves ``--rounds`` rounds (one sign-in per client
per round, in a new random order each round); the figure is the median over ``--runs`` runs of each run's
median. Every process has warmed up first (imports, connections, authflow's fixed-base tables).

    python benchmarks/bench_totp_signin.py [--runs 3] [--rounds 40] [--no-node]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
from _pool import BenchUser, PoolProcess, boto3_client, machine, pool_process

from authflow import ScriptedHandler, UserPool, sign_in, srp

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parent / "tests" / "interop" / "node_modules"
PYCOGNITO = "pycognito (pow)"
TARGETS = {"authflow (gmpy2)": 0.15, "authflow (pow)": 0.65}


def authflow_signin(pool: UserPool, backend: str) -> Callable[[BenchUser], float]:
    def once(user: BenchUser) -> float:
        srp.use_backend(backend)
        start = time.process_time()
        tokens = sign_in(pool, user.username, ScriptedHandler(password=user.password, totp_secret=user.totp_secret))
        used = time.process_time() - start
        assert tokens.access_token
        return used

    return once


def pycognito_signin(local: PoolProcess, client: Any) -> Callable[[BenchUser], float]:
    from pycognito.aws_srp import AWSSRP
    from pycognito.exceptions import SoftwareTokenMFAChallengeException

    def once(user: BenchUser) -> float:
        start = time.process_time()
        aws = AWSSRP(username=user.username, password=user.password, pool_id=local.pool_id,
                     client_id=local.client_id, client=client)
        try:
            aws.authenticate_user()
        except SoftwareTokenMFAChallengeException as exc:
            challenge = exc.get_tokens()
        else:
            raise AssertionError("pycognito signed in without SOFTWARE_TOKEN_MFA")
        assert user.totp_secret is not None
        result = client.respond_to_auth_challenge(
            ClientId=local.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": challenge["ChallengeParameters"].get("USER_ID_FOR_SRP", user.username),
                                "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(user.totp_secret).now()},
        )
        used = time.process_time() - start
        assert result["AuthenticationResult"]["AccessToken"]
        return used

    return once


class NodeClient:
    """amazon-cognito-identity-js in one Node process: one sign-in per stdin line, its CPU on stdout."""

    def __init__(self, local: PoolProcess) -> None:
        env = {**os.environ, "ENDPOINT_URL": local.endpoint_url, "POOL_ID": local.pool_id,
               "CLIENT_ID": local.client_id}
        self.proc = subprocess.Popen(["node", str(HERE / "identity_js_signin.mjs")], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def __call__(self, user: BenchUser) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"username": user.username, "password": user.password,
                                          "totp_secret": user.totp_secret}) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if not reply["ok"]:
            raise AssertionError(f"amazon-cognito-identity-js failed: {reply.get('error')}")
        return float(reply["cpu_ms"]) / 1000

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def one_run(local: PoolProcess, users: Iterator[BenchUser], clients: dict[str, Callable[[BenchUser], float]],
            rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in clients}
    names = list(clients)
    for _ in range(rounds):
        random.shuffle(names)
        for name in names:
            samples[name].append(clients[name](next(users)))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=40, help="interleaved rounds per run")
    parser.add_argument("--no-node", action="store_true", help="leave amazon-cognito-identity-js out")
    args = parser.parse_args()
    use_node = not args.no_node
    if use_node and (shutil.which("node") is None or not (NODE_MODULES / "amazon-cognito-identity-js").is_dir()):
        raise SystemExit("amazon-cognito-identity-js needs node and `npm ci --prefix tests/interop` (or --no-node)")

    names = [PYCOGNITO, "authflow (pow)"] + (["authflow (gmpy2)"] if srp.gmpy2_available() else [])
    names += ["amazon-cognito-identity-js (Node)"] if use_node else []
    warm = 3
    with pool_process(totp=(args.runs * args.rounds + warm) * len(names)) as local:
        users = iter(local.totp_users)
        client = boto3_client(local)
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
        clients: dict[str, Callable[[BenchUser], float]] = {
            PYCOGNITO: pycognito_signin(local, client),
            "authflow (pow)": authflow_signin(pool, "python"),
            "authflow (gmpy2)": authflow_signin(pool, "gmpy2"),
        }
        node = NodeClient(local) if use_node else None
        if node is not None:
            clients["amazon-cognito-identity-js (Node)"] = node
        clients = {name: clients[name] for name in names}
        built = {}
        for backend in ("python", "gmpy2") if srp.gmpy2_available() else ("python",):
            srp.use_backend(backend)
            start = time.perf_counter()
            srp.fixed_base_table()
            built[backend] = time.perf_counter() - start
        for name in names:  # warm-up: imports, connections, JIT
            for _ in range(warm):
                clients[name](next(users))
        runs = []
        for _ in range(args.runs):
            load = os.getloadavg()[0]
            runs.append((one_run(local, users, clients, args.rounds), load))
        if node is not None:
            node.close()

    print(f"# (b) client CPU per sign-in, USER_SRP_AUTH + SOFTWARE_TOKEN_MFA: {args.runs} runs of {args.rounds} "
          "interleaved rounds, a distinct TOTP user per sign-in, pool in a separate process")
    print(machine())
    print("# fixed-base tables built once per process: " +
          ", ".join(f"{b} {s * 1000:.0f} ms" for b, s in built.items()))
    print("# per-run medians (ms): " + "; ".join(
        f"run {i + 1} (load {load:.2f}): " + ", ".join(f"{name} {m[name] * 1000:.1f}" for name in names)
        for i, (m, load) in enumerate(runs)))
    print(f"{'client':36} {'median ms':>10} {'vs pycognito':>13} {'target':>8}")
    for name in names:
        median = statistics.median(m[name] for m, _ in runs)
        ratios = [m[name] / m[PYCOGNITO] for m, _ in runs]
        target = TARGETS.get(name)
        met = target is not None and statistics.median(ratios) <= target
        verdict = "" if target is None else f"<= {target:.2f} {'met' if met else 'NOT met'}"
        print(f"{name:36} {median * 1000:10.2f} {statistics.median(ratios):13.3f} {verdict:>8}"
              f"   (per run: {', '.join(f'{r:.3f}' for r in ratios)})")


if __name__ == "__main__":
    main()
