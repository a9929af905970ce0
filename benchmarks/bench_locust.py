"""Benchmark: a headless distributed Locust run of examples/locustfile.py against ``authflow local-pool``.

1 master and 2 workers (``locust --master`` / ``--worker``, separate processes), ``--users`` simulated users
(default 200) spawned at once, each a distinct SRP + TOTP user of a users file, for ``--seconds``. The pool is
``authflow local-pool --seed`` in its own process, configured through the same AUTHFLOW_* variables as
``authflow login``. Reports Locust's own statistics (requests and failures by step), and the sign-in rate
per worker core: sign-ins divided by the CPU seconds both workers used between the first and the last
sign-in request the pool logged (the workers' CPU sampled from /proc every 0.1 s). Loopback only.

    python benchmarks/bench_locust.py [--users 200] [--seconds 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _pool import machine, make_users, pool_cpu_seconds, seed

REPO = Path(__file__).resolve().parent.parent
LOCUSTFILE = REPO / "examples" / "locustfile.py"
SIGN_IN_STEPS = ("InitiateAuth", "RespondToAuthChallenge")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sign_in_times(log: str) -> list[float]:
    """Wall-clock times of the pool's sign-in requests, from its request log."""
    times = []
    for line in log.splitlines():
        if " local-pool " in line and any(f" {step} -> " in line for step in SIGN_IN_STEPS):
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            times.append(stamp.timestamp())
    return times


def one_run(users: int, seconds: int, tmp: Path) -> dict[str, float]:
    totp_users, _ = make_users(users, 0, prefix=f"locust{time.monotonic_ns()}")
    seed_path, users_path, log_path = tmp / "seed.json", tmp / "users.json", tmp / "pool.log"
    seed_path.write_text(json.dumps(seed(totp_users, [])))
    users_path.write_text(json.dumps([{"username": u.username, "password": u.password, "totp_secret": u.totp_secret}
                                      for u in totp_users]))
    authflow = [sys.executable, "-m", "authflow"]
    with open(log_path, "w") as log:
        pool = subprocess.Popen([*authflow, "local-pool", "--seed", str(seed_path)], stdout=subprocess.PIPE,
                                stderr=log, text=True)
    workers: list[subprocess.Popen[str]] = []
    try:
        assert pool.stdout is not None
        info = json.loads(pool.stdout.readline())
        env = {**os.environ, "AUTHFLOW_ENDPOINT_URL": info["endpoint_url"], "AUTHFLOW_POOL_ID": info["pool_id"],
               "AUTHFLOW_CLIENT_ID": info["client_id"], "AUTHFLOW_USERS": str(users_path)}
        port = free_port()
        locust = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE)]
        workers = [subprocess.Popen([*locust, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
                                    env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    text=True) for _ in range(2)]
        master = subprocess.Popen(
            [*locust, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
             "--expect-workers", "2", "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
             "--only-summary", "--csv", str(tmp / "run")],
            env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=open(tmp / "master.log", "w"), text=True,
        )
        samples: list[tuple[float, float]] = []  # (wall time, both workers' CPU seconds)
        pool_cpu_start = pool_cpu_seconds(pool.pid) or 0.0
        while master.poll() is None:
            cpu = [pool_cpu_seconds(w.pid) for w in workers]
            if all(c is not None for c in cpu):
                samples.append((time.time(), sum(c for c in cpu if c is not None)))
            time.sleep(0.1)
        pool_cpu = (pool_cpu_seconds(pool.pid) or 0.0) - pool_cpu_start
        if master.returncode != 0:
            summary = (tmp / "master.log").read_text()[-4000:]
            raise RuntimeError(f"locust master exited with {master.returncode}:\n{summary}")
    finally:
        for proc in [*workers, pool]:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
    with open(tmp / "run_stats.csv", newline="") as handle:
        rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(handle)}
    times = sign_in_times(log_path.read_text())
    first, last = min(times), max(times)
    during = [cpu for t, cpu in samples if first <= t <= last + 0.1]
    before = [cpu for t, cpu in samples if t < first]
    worker_cpu = (during[-1] if during else samples[-1][1]) - (before[-1] if before else samples[0][1])
    sign_ins = int(rows[("authflow", "sign-in")]["Request Count"])
    return {
        "sign_ins": sign_ins,
        "failures": sum(int(r["Failure Count"]) for r in rows.values()),
        "requests": int(rows[("", "Aggregated")]["Request Count"]),
        "span": last - first,
        "worker_cpu": worker_cpu,
        "per_core": sign_ins / worker_cpu if worker_cpu > 0 else float("nan"),
        "pool_cpu": pool_cpu,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="authflow-locust-") as tmp:
            results.append(one_run(args.users, args.seconds, Path(tmp)))
    print(f"# Locust, examples/locustfile.py: 1 master + 2 workers, {args.users} users (distinct SRP + TOTP users) "
          f"spawned at once, {args.seconds} s, against authflow local-pool; {args.runs} runs")
    print(machine())
    for i, r in enumerate(results, 1):
        print(f"# run {i} (load {r['load']:.2f}): {r['sign_ins']:.0f} sign-ins, {r['failures']:.0f} failures, "
              f"{r['requests']:.0f} requests; sign-ins over {r['span']:.2f} s using {r['worker_cpu']:.2f} worker CPU s "
              f"-> {r['per_core']:.1f} sign-ins/s per worker core ({r['sign_ins'] / r['span']:.1f}/s wall)")
    print(f"median: {statistics.median(r['per_core'] for r in results):.1f} sign-ins per second per worker core; "
          f"failures in all runs: {sum(r['failures'] for r in results):.0f}")


if __name__ == "__main__":
    main()
