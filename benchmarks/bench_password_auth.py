"""Benchmark (c): client CPU per USER_PASSWORD_AUTH sign-in, authflow vs the same InitiateAuth by hand.

One process, one local pool (in a separate process, so ``time.process_time()`` counts the client only).
By hand is ``client.initiate_auth(...)`` on a boto3 client. authflow signs in two ways: with its own client
(``UserPool(pool_id, client_id, endpoint_url=...)``, how it is used; its sign-in calls go the short way
through botocore's pieces, see transport._DirectCall) and with that same boto3 client passed in (every
call through the client's method: the engine's overhead alone). All warm up first; each round runs the
three in a new random order; the figure is the median over ``--runs`` runs of each run's median.

    python benchmarks/bench_password_auth.py [--runs 3] [--rounds 300]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from _pool import BenchUser, PoolProcess, boto3_client, machine, pool_process

from authflow import ScriptedHandler, UserPool, sign_in


def by_hand(local: PoolProcess, client: Any) -> Callable[[BenchUser], None]:
    def once(user: BenchUser) -> None:
        response = client.initiate_auth(
            ClientId=local.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user.username, "PASSWORD": user.password},
        )
        assert response["AuthenticationResult"]["AccessToken"]

    return once


def with_authflow(pool: UserPool) -> Callable[[BenchUser], None]:
    def once(user: BenchUser) -> None:
        tokens = sign_in(pool, user.username, ScriptedHandler(password=user.password), auth_flow="USER_PASSWORD_AUTH")
        assert tokens.access_token

    return once


BY_HAND = "boto3 initiate_auth by hand"
OWN = "authflow sign_in (own client)"
SHARED = "authflow sign_in (the same client)"


def one_run(local: PoolProcess, rounds: int) -> dict[str, float]:
    client = boto3_client(local)
    shared = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url, client=client)
    own = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
    runners = {BY_HAND: by_hand(local, client), OWN: with_authflow(own), SHARED: with_authflow(shared)}
    names = list(runners)
    for _ in range(20):  # warm up every side
        for name in names:
            runners[name](local.plain_users[0])
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        user = local.plain_users[i % len(local.plain_users)]
        random.shuffle(names)
        for name in names:
            start = time.process_time()
            runners[name](user)
            samples[name].append(time.process_time() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--users", type=int, default=20, help="plain users signed in in turn")
    args = parser.parse_args()

    print(f"# (c) client CPU per USER_PASSWORD_AUTH sign-in, {args.runs} runs of {args.rounds} rounds, three "
          "clients in a random order each round, pool in a separate process")
    print(machine())
    runs = []
    with pool_process(plain=args.users) as local:
        for run in range(args.runs):
            medians = one_run(local, args.rounds)
            runs.append(medians)
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
            print(f"# run {run + 1} (load {load:.2f}): " + ", ".join(
                f"{name} {value * 1000:.3f} ms ({value / medians[BY_HAND]:.3f}x)" for name, value in medians.items()))
    print(f"{'client':36} {'median ms':>10} {'vs by hand':>11}   per run")
    for name in (BY_HAND, OWN, SHARED):
        median = statistics.median(r[name] for r in runs)
        ratios = [r[name] / r[BY_HAND] for r in runs]
        print(f"{name:36} {median * 1000:10.3f} {statistics.median(ratios):11.3f}   "
              + ", ".join(f"{x:.3f}" for x in ratios))
    for name in (OWN, SHARED):
        ratio = statistics.median(r[name] / r[BY_HAND] for r in runs)
        print(f"# target {name} <= 1.15 x by hand: {'met' if ratio <= 1.15 else 'NOT met'} ({ratio:.3f})")


if __name__ == "__main__":
    main()
