"""authflow.locust's rough edges (issue 23, items 21-23), in short headless Locust runs (subprocesses: Locust
monkey-patches the standard library, so it is never imported here): ``--host`` as the endpoint, one clear line
for a user that cannot sign in, a refused-then-answered step reported as retried (not a failure), each worker
its own slice of the users, and a connection pool sized to the users."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from authflow.localpool import LocalUserPool

REPO = Path(__file__).resolve().parent.parent
LOCUSTFILE = REPO / "examples" / "locustfile.py"
PASSWORD = "Locust-Passw0rd!"


def locust_env(pool: LocalUserPool, users_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHFLOW_")}
    return {**env, "AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": pool.client_id,
            "AUTHFLOW_USERS": str(users_file), "AWS_EC2_METADATA_DISABLED": "true"}


def headless(env: dict[str, str], cwd: Path, host: str, users: int, seconds: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(users),
         "-t", f"{seconds}s", "--host", host, "--only-summary", "--csv", str(cwd / "run")],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def test_host_is_the_endpoint_retried_steps_are_not_failures_and_twenty_users_share_one_pool(
        tmp_path: Path) -> None:
    # A code command that prints a wrong code first, then the pool's real one: a refusal the sign-in recovers.
    marker = tmp_path / "first-code-given"
    script = tmp_path / "wrong_then_right_code.py"  # not code.py: Locust runs with tmp_path on sys.path
    script.write_text(
        "import json, os, pathlib, sys, urllib.request\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "if not marker.exists():\n"
        "    marker.write_text('x'); print('000000'); sys.exit()\n"
        "url = sys.argv[1] + '/_local/outbox?username=lt-sms'\n"
        "print(json.load(urllib.request.urlopen(url))[-1]['code'])\n")
    plain = [{"username": f"lt-plain-{i}", "password": PASSWORD} for i in range(19)]
    seed = {"pools": [{
        "id": "us-east-1_LocustEdges", "name": "locust", "mfa": "OPTIONAL", "mfa_types": ["SMS_MFA"],
        "clients": [{"name": "locust", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "users": [*plain, {"username": "lt-sms", "password": PASSWORD, "mfa": ["SMS_MFA"], "preferred_mfa": "SMS_MFA",
                           "attributes": {"phone_number": "+15555550199", "phone_number_verified": "true"}}],
    }]}
    pool = LocalUserPool(seed).start()
    try:
        users = [*plain, {"username": "lt-sms", "password": PASSWORD,
                          "code_command": f"{sys.executable} {script} {pool.endpoint_url}"}]
        users_file = tmp_path / "users.json"
        users_file.write_text(json.dumps(users))
        run = headless(locust_env(pool, users_file), tmp_path, pool.endpoint_url, users=20, seconds=6)
    finally:
        pool.stop()
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert "Connection pool is full" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 0, run.stderr[-3000:]
    with open(tmp_path / "run_stats.csv", newline="") as handle:
        rows = {(row["Type"], row["Name"]): row for row in csv.DictReader(handle)}
    assert all(int(row["Failure Count"]) == 0 for row in rows.values()), rows
    assert int(rows[("authflow", "sign-in")]["Request Count"]) >= 20
    retried = rows[("cognito-retried", "RespondToAuthChallenge SMS_MFA CodeMismatchException")]
    assert int(retried["Request Count"]) == 1
    assert int(rows[("cognito", "RespondToAuthChallenge SMS_MFA")]["Request Count"]) >= 1


def test_a_user_that_cannot_sign_in_is_stopped_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    users_file = tmp_path / "users.json"
    users_file.write_text(json.dumps([{"username": f"u{i}", "password": PASSWORD} for i in range(3)]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHFLOW_")}
    env.update(AUTHFLOW_POOL_ID="us-east-1_Nowhere", AUTHFLOW_CLIENT_ID="client", AUTHFLOW_USERS=str(users_file))
    run = headless(env, tmp_path, closed, users=3, seconds=3)
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    said = [line for line in run.stderr.splitlines() if "authflow: stopping user" in line]
    assert len(said) == 1, run.stderr[-3000:]
    assert "EndpointConnectionError" in said[0] and closed.removeprefix("http://") in said[0]


def test_each_worker_takes_its_own_slice_of_the_users() -> None:
    """Slices are disjoint and cover the users file, also with fewer users than workers (then the workers past
    the last user get none: two workers signing one TOTP user in would refuse each other's codes)."""
    check = (
        "from authflow.locust import share\n"
        "for n in range(1, 30):\n"
        "    entries = list(range(n))\n"
        "    for workers in range(1, 6):\n"
        "        slices = [list(share(entries, i, workers)) for i in range(workers)]\n"
        "        assert sorted(sum(slices, [])) == entries, (n, workers, slices)\n"
        "        assert sum(1 for one in slices if one) == min(n, workers), (n, workers, slices)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_worker_without_a_user_of_its_own_stops_with_one_line(tmp_path: Path) -> None:
    """One user, two workers: the worker with the user signs it in; the other stops its users, saying so once,
    and never signs the first worker's user in."""
    seed = {"pools": [{"id": "us-east-1_LocustShare", "name": "locust",
                       "clients": [{"name": "locust", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH",
                                                                                "ALLOW_REFRESH_TOKEN_AUTH"]}],
                       "users": [{"username": "lt-only", "password": PASSWORD}]}]}
    users_file = tmp_path / "users.json"
    users_file.write_text(json.dumps([{"username": "lt-only", "password": PASSWORD}]))
    pool = LocalUserPool(seed).start()
    port = free_port()
    env = {**locust_env(pool, users_file), "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url}
    locust = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]
    workers = [subprocess.Popen([*locust, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
                                env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    try:
        master = subprocess.run(
            [*locust, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
             "--expect-workers", "2", "--headless", "-u", "4", "-r", "4", "-t", "4s", "--only-summary"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=90)
        worker_logs = [w.communicate(timeout=30)[1] for w in workers]
        signed_in = pool.requests("InitiateAuth")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        pool.stop()
    assert master.returncode == 0, master.stderr[-3000:]
    assert not any("Traceback" in log for log in worker_logs), worker_logs
    said = [[line for line in log.splitlines() if "authflow: stopping user" in line] for log in worker_logs]
    assert sorted(len(lines) for lines in said) == [0, 1], worker_logs
    line = next(line for lines in said for line in lines)
    assert "LocustSetupError" in line and "worker 2 of 2 has no user of its own" in line, line
    assert signed_in, master.stderr[-3000:]


def test_a_totp_code_refused_as_already_used_and_recovered_is_a_retried_step(tmp_path: Path) -> None:
    """The user's code command first gives the code the test itself just signed in with (Cognito: "Your
    software token has already been used once", ExpiredCodeException), then a fresh one: the sign-in recovers,
    and Locust shows one retried SOFTWARE_TOKEN_MFA step and no failure."""
    import time

    import pyotp

    from tests.localpool.helpers import idp, password_auth, respond

    secret = pyotp.random_base32(32)
    seed = {"pools": [{
        "id": "us-east-1_LocustReuse", "name": "locust", "mfa": "OPTIONAL", "mfa_types": ["SOFTWARE_TOKEN_MFA"],
        "clients": [{"name": "locust", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                                                               "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "users": [{"username": "lt-totp", "password": PASSWORD, "totp_secret": secret,
                   "mfa": ["SOFTWARE_TOKEN_MFA"], "preferred_mfa": "SOFTWARE_TOKEN_MFA"}],
    }]}
    pool = LocalUserPool(seed).start()
    try:
        used = int(time.time() // 30)
        challenge = password_auth(idp(pool), pool.client_id, "lt-totp", PASSWORD)
        assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        done = respond(idp(pool), pool.client_id, challenge,
                       {"USERNAME": "lt-totp", "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(used * 30)})
        assert done["AuthenticationResult"]["AccessToken"]
        marker = tmp_path / "used-code-given"
        script = tmp_path / "used_then_fresh_code.py"
        script.write_text(
            "import pathlib, time, pyotp\n"
            f"totp, used, marker = pyotp.TOTP({secret!r}), {used}, pathlib.Path({str(marker)!r})\n"
            "if not marker.exists():\n"
            "    marker.write_text('x'); print(totp.at(used * 30))\n"
            "else:\n"
            "    print(totp.at(max(int(time.time() // 30), used + 1) * 30))\n")
        users_file = tmp_path / "users.json"
        users_file.write_text(json.dumps([{"username": "lt-totp", "password": PASSWORD,
                                           "code_command": f"{sys.executable} {script}"}]))
        run = headless(locust_env(pool, users_file), tmp_path, pool.endpoint_url, users=1, seconds=4)
    finally:
        pool.stop()
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == 0, run.stderr[-3000:]
    assert marker.exists()
    with open(tmp_path / "run_stats.csv", newline="") as handle:
        rows = {(row["Type"], row["Name"]): row for row in csv.DictReader(handle)}
    assert all(int(row["Failure Count"]) == 0 for row in rows.values()), rows
    retried = rows[("cognito-retried", "RespondToAuthChallenge SOFTWARE_TOKEN_MFA ExpiredCodeException")]
    assert int(retried["Request Count"]) == 1
    assert int(rows[("cognito", "RespondToAuthChallenge SOFTWARE_TOKEN_MFA")]["Request Count"]) >= 1
    assert int(rows[("authflow", "sign-in")]["Request Count"]) >= 1


def test_the_connection_pool_is_sized_to_the_users() -> None:
    from authflow import UserPool

    pool = UserPool("us-east-1_Sized", "client", endpoint_url="http://127.0.0.1:9", max_connections=25)
    assert pool.client.meta.config.max_pool_connections == 25
    assert UserPool("us-east-1_Sized", "client", endpoint_url="http://127.0.0.1:9").client.meta.config \
        .max_pool_connections == 10
