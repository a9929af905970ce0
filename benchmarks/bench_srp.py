"""Benchmark (a): client CPU per SRP PASSWORD_VERIFIER computation, authflow vs pycognito's AWSSRP.

One run, one process, the same inputs: for each client, generate the ephemeral (a, A) and compute the
PASSWORD_VERIFIER answer for a B that a real verifier produced. authflow is measured with gmpy2 (when
installed) and with plain ``pow``. CPU time is process time, so network and sleeps don't count.

    python benchmarks/bench_srp.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone

from authflow.states import password_verifier
from authflow.states.base import Challenge

from authflow import srp

POOL_ID = "us-east-1_BenchPool1"
POOL_NAME = srp.pool_name_of(POOL_ID)
USER = "bench-user"
PASSWORD = "Bench-Passw0rd!"


def challenge_parameters() -> dict[str, str]:
    salt_hex = format(int.from_bytes(os.urandom(16), "big"), "x")
    verifier = srp.compute_verifier(salt_hex, POOL_NAME, USER, PASSWORD)
    server = srp.ServerEphemeral(verifier)
    return {
        "SALT": salt_hex,
        "SRP_B": server.srp_b,
        "SECRET_BLOCK": base64.b64encode(os.urandom(1024)).decode(),
        "USER_ID_FOR_SRP": USER,
        "USERNAME": USER,
    }


def authflow_once(parameters: dict[str, str]) -> None:
    ephemeral = srp.ClientEphemeral()
    password_verifier.responses(
        Challenge("PASSWORD_VERIFIER", parameters, USER, USER),
        password=PASSWORD, ephemeral=ephemeral, pool_name=POOL_NAME, now=datetime.now(timezone.utc),
    )


def pycognito_once(parameters: dict[str, str]) -> None:
    from pycognito.aws_srp import AWSSRP

    client = object()  # never used: AWSSRP only needs a client to call Cognito, which we don't
    aws = AWSSRP(username=USER, password=PASSWORD, pool_id=POOL_ID, client_id="bench", client=client)
    aws.get_auth_params()  # A (computed in the constructor) into the InitiateAuth parameters
    aws.process_challenge(parameters, {"USERNAME": USER})


def cpu_per_call(fn: Callable[[dict[str, str]], None], parameters: dict[str, str], rounds: int) -> list[float]:
    fn(parameters)  # warm up imports and caches
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        fn(parameters)
        samples.append(time.process_time() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    parameters = challenge_parameters()

    rows: list[tuple[str, list[float]]] = []
    rows.append(("pycognito AWSSRP (pow)", cpu_per_call(pycognito_once, parameters, args.rounds)))
    srp.use_backend("python")
    rows.append(("authflow (pow)", cpu_per_call(authflow_once, parameters, args.rounds)))
    if srp.gmpy2_available():
        srp.use_backend("gmpy2")
        rows.append(("authflow (gmpy2)", cpu_per_call(authflow_once, parameters, args.rounds)))

    print(f"# (a) CPU per PASSWORD_VERIFIER computation, {args.rounds} rounds each")
    print(f"# {platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.platform()}")
    base = statistics.median(rows[0][1])
    print(f"{'client':28} {'median ms':>10} {'mean ms':>10} {'vs pycognito':>13}")
    for name, samples in rows:
        median = statistics.median(samples)
        print(f"{name:28} {median * 1000:10.2f} {statistics.mean(samples) * 1000:10.2f} {median / base:13.3f}")


if __name__ == "__main__":
    main()
