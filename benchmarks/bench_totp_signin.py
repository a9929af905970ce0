"""Benchmark (b): client CPU per full sign-in, USER_SRP_AUTH + SOFTWARE_TOKEN_MFA, authflow vs pycognito.

One run, one process, one local pool (in a separate process, so ``time.process_time()`` counts the client
only): InitiateAuth, PASSWORD_VERIFIER, SOFTWARE_TOKEN_MFA, tokens. authflow is measured with gmpy2 (when
installed) and with plain ``pow``; pycognito with ``AWSSRP.authenticate_user()`` and its exception path
(``SoftwareTokenMFAChallengeException``), the TOTP answer sent with the same boto3 client. Every sign-in
is a distinct TOTP user (Cognito refuses a code used twice), rounds interleaved across the clients.

    python benchmarks/bench_totp_signin.py [--users 60]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import pyotp
from _pool import BenchUser, PoolProcess, boto3_client, machine, pool_cpu_seconds, pool_process

from authflow import ScriptedHandler, UserPool, sign_in, srp


def authflow_signin(pool: UserPool, backend: str) -> Callable[[BenchUser], None]:
    def once(user: BenchUser) -> None:
        srp.use_backend(backend)
        tokens = sign_in(pool, user.username, ScriptedHandler(password=user.password, totp_secret=user.totp_secret))
        assert tokens.access_token

    return once


def pycognito_signin(local: PoolProcess, client: Any) -> Callable[[BenchUser], None]:
    from pycognito.aws_srp import AWSSRP
    from pycognito.exceptions import SoftwareTokenMFAChallengeException

    def once(user: BenchUser) -> None:
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
        assert result["AuthenticationResult"]["AccessToken"]

    return once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60, help="sign-ins (distinct TOTP users) per client")
    args = parser.parse_args()

    clients = ["pycognito AWSSRP (pow)", "authflow (pow)"] + (["authflow (gmpy2)"] if srp.gmpy2_available() else [])
    with pool_process(totp=args.users * len(clients) + len(clients)) as local:
        users = iter(local.totp_users)
        client = boto3_client(local)
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
        runners: dict[str, Callable[[BenchUser], None]] = {
            "pycognito AWSSRP (pow)": pycognito_signin(local, client),
            "authflow (pow)": authflow_signin(pool, "python"),
            "authflow (gmpy2)": authflow_signin(pool, "gmpy2"),
        }
        for name in clients:  # warm up imports, connections and caches (one user each)
            runners[name](next(users))
        samples: dict[str, list[float]] = {name: [] for name in clients}
        wall: dict[str, float] = dict.fromkeys(clients, 0.0)
        server_before = pool_cpu_seconds(local.pid)
        for _ in range(args.users):
            for name in clients:  # interleaved: each round signs one new user in with every client
                user = next(users)
                start, start_wall = time.process_time(), time.perf_counter()
                runners[name](user)
                samples[name].append(time.process_time() - start)
                wall[name] += time.perf_counter() - start_wall
        server_after = pool_cpu_seconds(local.pid)

    print(f"# (b) client CPU per sign-in, USER_SRP_AUTH + SOFTWARE_TOKEN_MFA, {args.users} distinct users per "
          "client, pool in a separate process")
    print(machine())
    base = statistics.median(samples[clients[0]])
    print(f"{'client':28} {'median ms':>10} {'mean ms':>10} {'wall ms':>9} {'vs pycognito':>13}")
    for name in clients:
        median = statistics.median(samples[name])
        print(f"{name:28} {median * 1000:10.2f} {statistics.mean(samples[name]) * 1000:10.2f} "
              f"{wall[name] / args.users * 1000:9.2f} {median / base:13.3f}")
    if server_before is not None and server_after is not None:
        total = args.users * len(clients)
        per = (server_after - server_before) / total * 1000
        print(f"# pool process CPU: {per:.2f} ms per sign-in (not counted above)")
    best = min(statistics.median(samples[name]) for name in clients[1:])
    print(f"# target authflow <= 0.25 x pycognito: {'met' if best / base <= 0.25 else 'NOT met'} ({best / base:.3f})")


if __name__ == "__main__":
    main()
