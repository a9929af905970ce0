"""How fast the local user pool starts and signs people in.

    python benchmarks/bench_localpool.py [--rounds 3] [--sign-ins 300] [--no-moto]

Measures, on one client thread with one boto3 client:
  * start-up: construct + start + the first InitiateAuth answered (median of several starts);
  * USER_PASSWORD_AUTH sign-ins per second (and p50 / p95 latency);
  * USER_SRP_AUTH sign-ins per second (two calls and the client-side SRP math: for scale);
and, side by side in the same run when moto is installed, moto_server's USER_PASSWORD_AUTH rate
(moto checks far less; the ratio says what the strictness costs). Targets: start well under 1 s,
>= 100 USER_PASSWORD_AUTH sign-ins/s.
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.client import BaseClient
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from authflow import srp
from authflow.localpool import LocalUserPool

PASSWORD = "Bench-Passw0rd!"
SEED: dict[str, Any] = {"pools": [{
    "id": "us-east-1_BenchPool",
    "clients": [{"id": "benchclient", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]}],
    "users": [{"username": "bench", "password": PASSWORD}],
}]}


def client_for(endpoint_url: str, *, signed: bool = False) -> BaseClient:
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10,
                    **({} if signed else {"signature_version": UNSIGNED}))
    credentials = {"aws_access_key_id": "x", "aws_secret_access_key": "x"} if signed else {}
    return boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint_url, config=config,
                        **credentials)


def password_sign_in(client: BaseClient, client_id: str) -> None:
    result = client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "bench", "PASSWORD": PASSWORD})
    assert "AuthenticationResult" in result


def srp_sign_in(client: BaseClient, pool_id: str, client_id: str) -> None:
    ephemeral = srp.ClientEphemeral()
    started = client.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                   AuthParameters={"USERNAME": "bench", "SRP_A": ephemeral.srp_a})
    params = started["ChallengeParameters"]
    pool_name = srp.pool_name_of(pool_id)
    key = ephemeral.password_authentication_key(pool_name, params["USER_ID_FOR_SRP"], PASSWORD, params["SALT"],
                                                params["SRP_B"])
    timestamp = srp.format_timestamp()
    signature = srp.claim_signature(key, pool_name, params["USER_ID_FOR_SRP"], params["SECRET_BLOCK"], timestamp)
    result = client.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=started["Session"],
        ChallengeResponses={"USERNAME": params["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
                            "TIMESTAMP": timestamp, "PASSWORD_CLAIM_SIGNATURE": signature})
    assert "AuthenticationResult" in result


def rate(action: Callable[[], None], count: int, rounds: int) -> tuple[float, float, float]:
    """(best sign-ins/s over the rounds, p50 ms, p95 ms)."""
    action()  # warm-up: connection, first key generation
    best, latencies = 0.0, []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(count):
            t = time.perf_counter()
            action()
            latencies.append((time.perf_counter() - t) * 1000)
        best = max(best, count / (time.perf_counter() - started))
    latencies.sort()
    return best, statistics.median(latencies), latencies[int(len(latencies) * 0.95)]


def startup_seconds(times: int) -> float:
    client_for("http://127.0.0.1:1")  # load botocore's service model once, as any test session does
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        pool = LocalUserPool(SEED).start()
        try:
            password_sign_in(client_for(pool.endpoint_url), pool.client_id)
            samples.append(time.perf_counter() - started)
        finally:
            pool.stop()
    return statistics.median(samples)


def moto_rate(count: int, rounds: int) -> tuple[float, float, float] | None:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        return None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        admin = client_for(f"http://127.0.0.1:{port}", signed=True)
        pool_id = admin.create_user_pool(PoolName="bench")["UserPool"]["Id"]
        client_id = admin.create_user_pool_client(
            UserPoolId=pool_id, ClientName="bench", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        admin.admin_create_user(UserPoolId=pool_id, Username="bench", MessageAction="SUPPRESS")
        admin.admin_set_user_password(UserPoolId=pool_id, Username="bench", Password=PASSWORD, Permanent=True)
        client = client_for(f"http://127.0.0.1:{port}")
        return rate(lambda: password_sign_in(client, client_id), count, rounds)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sign-ins", type=int, default=300)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--no-moto", action="store_true")
    args = parser.parse_args(argv)

    print(f"SRP backend: {srp.BACKEND}; Python {sys.version.split()[0]}")
    startup = startup_seconds(args.starts)
    print(f"start-up (construct + start + first InitiateAuth answered), median of {args.starts}: "
          f"{startup * 1000:.0f} ms")

    with LocalUserPool(SEED) as pool:
        client = client_for(pool.endpoint_url)
        local = rate(lambda: password_sign_in(client, pool.client_id), args.sign_ins, args.rounds)
        print(f"local pool USER_PASSWORD_AUTH: {local[0]:.0f} sign-ins/s (best of {args.rounds} x "
              f"{args.sign_ins}); p50 {local[1]:.1f} ms, p95 {local[2]:.1f} ms")
        srp_count = max(20, args.sign_ins // 10)
        srp_result = rate(lambda: srp_sign_in(client, pool.pool_id, pool.client_id), srp_count, 1)
        print(f"local pool USER_SRP_AUTH (2 calls + client SRP math): {srp_result[0]:.0f} sign-ins/s; "
              f"p50 {srp_result[1]:.1f} ms")

    if not args.no_moto:
        moto = moto_rate(args.sign_ins, args.rounds)
        if moto is None:
            print("moto not installed: no side-by-side figure")
        else:
            print(f"moto_server USER_PASSWORD_AUTH (same run, same client): {moto[0]:.0f} sign-ins/s; "
                  f"p50 {moto[1]:.1f} ms; local/moto = {local[0] / moto[0]:.2f}")
    ok = startup < 1.0 and local[0] >= 100
    print("targets (start < 1 s, >= 100 sign-ins/s):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
