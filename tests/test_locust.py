"""authflow.locust in a real, short, headless Locust run: a master and two workers (separate processes, as
Locust's distributed mode runs them) sign simulated users in to the local pool through the engine, SRP and
TOTP included, report each step, refresh tokens before they expire and keep to the run's sign-in ceiling.

Locust is never imported here (it monkey-patches the standard library): it runs as ``locust`` subprocesses,
on loopback, bounded by timeouts."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyotp

from authflow.localpool import LocalUserPool

REPO = Path(__file__).resolve().parent.parent
LOCUSTFILE = REPO / "examples" / "locustfile.py"
RUN_SECONDS = 8
CEILING = 6.0  # sign-ins per second, both workers together
PASSWORD = "Locust-Passw0rd!"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_distributed_headless_run_signs_users_in_with_no_failures(tmp_path: Path) -> None:
    users = [{"username": f"lt-totp-{i}", "password": PASSWORD, "totp_secret": pyotp.random_base32(32)}
             for i in range(12)] + [{"username": f"lt-plain-{i}", "password": PASSWORD} for i in range(12)]
    seed = {"pools": [{
        "id": "us-east-1_LocustPool", "name": "locust", "mfa": "OPTIONAL", "mfa_types": ["SOFTWARE_TOKEN_MFA"],
        # tokens that expire 62 s after issue are refreshed (60 s before expiry) within the run
        "access_token_validity_seconds": 62, "id_token_validity_seconds": 62,
        "clients": [{"name": "locust", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "users": [{**u, "mfa": ["SOFTWARE_TOKEN_MFA"], "preferred_mfa": "SOFTWARE_TOKEN_MFA"} if "totp_secret" in u
                  else u for u in users],
    }]}
    users_file = tmp_path / "users.json"
    users_file.write_text(json.dumps(users))
    pool = LocalUserPool(seed).start()
    port = free_port()
    env = {**os.environ, "AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": pool.client_id,
           "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url, "AUTHFLOW_USERS": str(users_file),
           "AWS_EC2_METADATA_DISABLED": "true"}
    locust = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]
    workers = [subprocess.Popen([*locust, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
                                env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    try:
        started = time.monotonic()
        master = subprocess.run(
            [*locust, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
             "--expect-workers", "2", "--headless", "-u", "24", "-r", "24", "-t", f"{RUN_SECONDS}s",
             "--sign-ins-per-second", str(CEILING), "--only-summary", "--csv", str(tmp_path / "run")],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=90,
        )
        elapsed = time.monotonic() - started
        arrivals = sorted(r.at for r in pool.requests("InitiateAuth"))
        worker_logs = [w.communicate(timeout=30)[1] for w in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        pool.stop()
    assert master.returncode == 0, master.stderr[-3000:]
    assert not any("Traceback" in log for log in worker_logs), worker_logs
    with open(tmp_path / "run_stats.csv", newline="") as handle:
        rows = {(row["Type"], row["Name"]): row for row in csv.DictReader(handle)}
    count = {key: int(row["Request Count"]) for key, row in rows.items()}
    count.setdefault(("cognito", "GetTokensFromRefreshToken"), 0)
    assert all(int(row["Failure Count"]) == 0 for row in rows.values()), rows
    sign_ins = count[("authflow", "sign-in")]
    assert sign_ins >= 12
    assert count[("cognito", "InitiateAuth USER_SRP_AUTH")] == sign_ins
    assert count[("cognito", "RespondToAuthChallenge PASSWORD_VERIFIER")] == sign_ins
    assert count[("cognito", "RespondToAuthChallenge SOFTWARE_TOKEN_MFA")] >= 1
    assert count[("cognito", "GetUser")] >= 1  # the user's task, with its access token
    assert count[("cognito", "GetTokensFromRefreshToken")] >= 1  # refreshed before expiry
    # 24 users start at once; the ceiling spaces their sign-ins, both workers together (each takes half)
    assert len(arrivals) == sign_ins
    assert arrivals[-1] - arrivals[0] >= (sign_ins - 2) / CEILING - 0.3
    assert sign_ins <= CEILING * elapsed
