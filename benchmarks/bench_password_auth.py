"""Benchmark (c): client CPU per USER_PASSWORD_AUTH sign-in, authflow vs the same InitiateAuth by hand.

One run, one process, one local pool (in a separate process, so ``time.process_time()`` counts the client
only), one boto3 client shared by both sides: the overhead authflow's engine (machine, states, typed
errors, Tokens) adds over a bare ``client.initiate_auth(...)``. Both warm up first; rounds alternate.

    python benchmarks/bench_password_auth.py [--rounds 300]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--users", type=int, default=20, help="plain users signed in in turn")
    args = parser.parse_args()

    with pool_process(plain=args.users) as local:
        client = boto3_client(local)
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url, client=client)
        runners = {"boto3 initiate_auth by hand": by_hand(local, client), "authflow sign_in": with_authflow(pool)}
        names = list(runners)
        for _ in range(10):  # warm up both sides
            for name in names:
                runners[name](local.plain_users[0])
        samples: dict[str, list[float]] = {name: [] for name in names}
        for i in range(args.rounds):
            user = local.plain_users[i % len(local.plain_users)]
            order = names if i % 2 == 0 else names[::-1]  # alternate who goes first
            for name in order:
                start = time.process_time()
                runners[name](user)
                samples[name].append(time.process_time() - start)

    print(f"# (c) client CPU per USER_PASSWORD_AUTH sign-in, {args.rounds} interleaved rounds, one shared boto3 "
          "client, pool in a separate process")
    print(machine())
    base_median = statistics.median(samples[names[0]])
    base_total = sum(samples[names[0]])
    print(f"{'client':28} {'median ms':>10} {'mean ms':>10} {'vs by hand (median)':>20} {'(total)':>8}")
    for name in names:
        median = statistics.median(samples[name])
        print(f"{name:28} {median * 1000:10.3f} {statistics.mean(samples[name]) * 1000:10.3f} "
              f"{median / base_median:20.3f} {sum(samples[name]) / base_total:8.3f}")
    ratio = statistics.median(samples[names[1]]) / base_median
    print(f"# target authflow <= 1.2 x by hand: {'met' if ratio <= 1.2 else 'NOT met'} ({ratio:.3f})")


if __name__ == "__main__":
    main()
