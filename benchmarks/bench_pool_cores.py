"""Benchmark: the local pool's SRP + TOTP sign-ins per second with 8 client threads, before and after a change.

Two local pools run side by side, each in its own process: "after" is this checkout, "before" the code of
``--before`` (a git revision, exported with ``git archive``; by default the commit before the pool's SRP
work moved out of its lock and g^b into the fixed-base table). One client process signs distinct TOTP users
in with ``sign_in_many(max_workers=8)`` (USER_SRP_AUTH + SOFTWARE_TOKEN_MFA, gmpy2 when installed),
alternating between the pools round by round; the figure is the median over ``--runs`` runs of each run's
median round. Both pools and the client share this machine's cores, as a test run does.

    python benchmarks/bench_pool_cores.py [--before REV] [--runs 3] [--rounds 40] [--batch 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tarfile
import tempfile
import time
from contextlib import ExitStack
from io import BytesIO
from pathlib import Path

from _pool import PoolProcess, machine, pool_cpu_seconds, pool_process

from authflow import ScriptedHandler, UserPool, sign_in_many, srp

REPO = Path(__file__).resolve().parent.parent
BEFORE = "f24dce8"  # main just before "SRP: g^e from a fixed-base table..." and the pool's lock change


def export(revision: str, into: Path) -> Path:
    """The tree of ``revision`` in ``into``, with states/ where the package finds it (authflow.states)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "authflow" / "states").symlink_to(into / "states", target_is_directory=True)
    return into


def round_rate(local: PoolProcess, pool: UserPool, start: int, batch: int, threads: int) -> tuple[float, float, int]:
    users = local.totp_users[start:start + batch]
    requests = [(u.username, ScriptedHandler(password=u.password, totp_secret=u.totp_secret)) for u in users]
    cpu_before = pool_cpu_seconds(local.pid) or 0.0
    began = time.perf_counter()
    results = sign_in_many(pool, requests, max_workers=threads)
    wall = time.perf_counter() - began
    pool_cpu = (pool_cpu_seconds(local.pid) or 0.0) - cpu_before
    return len(results) / wall, pool_cpu / len(results), sum(not r.ok for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git revision of the 'before' pool")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=40, help="rounds per pool per run")
    parser.add_argument("--batch", type=int, default=40, help="sign-ins per round")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if srp.gmpy2_available():
        srp.use_backend("gmpy2")
    per_pool = args.runs * args.rounds * args.batch + args.batch
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="authflow-before-") as tmp:
        source = export(args.before, Path(tmp))
        pools = {
            "before": stack.enter_context(pool_process(totp=per_pool, source=source)),
            "after": stack.enter_context(pool_process(totp=per_pool)),
        }
        clients = {name: UserPool(p.pool_id, p.client_id, endpoint_url=p.endpoint_url) for name, p in pools.items()}
        used = dict.fromkeys(pools, 0)
        for name in pools:  # warm-up round
            round_rate(pools[name], clients[name], 0, args.batch, args.threads)
            used[name] = args.batch
        runs: list[tuple[dict[str, float], dict[str, float], float]] = []
        failures = dict.fromkeys(pools, 0)
        for _ in range(args.runs):
            load = os.getloadavg()[0]
            rates: dict[str, list[float]] = {name: [] for name in pools}
            cpu: dict[str, list[float]] = {name: [] for name in pools}
            for index in range(args.rounds):
                for name in (("before", "after") if index % 2 == 0 else ("after", "before")):
                    rate, pool_cpu, failed = round_rate(pools[name], clients[name], used[name], args.batch,
                                                        args.threads)
                    used[name] += args.batch
                    rates[name].append(rate)
                    cpu[name].append(pool_cpu)
                    failures[name] += failed
            runs.append(({n: statistics.median(v) for n, v in rates.items()},
                         {n: statistics.median(v) for n, v in cpu.items()}, load))

    print(f"# local pool: USER_SRP_AUTH + SOFTWARE_TOKEN_MFA sign-ins per second, {args.threads} client threads, "
          f"{args.runs} runs of {args.rounds} interleaved rounds of {args.batch} distinct users per pool "
          f"(client SRP backend: {srp.BACKEND})")
    print(machine())
    print(f"# before = {args.before}, after = this checkout")
    for i, (rates, cpu, load) in enumerate(runs, 1):
        print(f"# run {i} (load {load:.2f}): " + ", ".join(
            f"{n} {rates[n]:.1f}/s (pool CPU {cpu[n] * 1000:.1f} ms per sign-in)" for n in pools))
    before = statistics.median(r["before"] for r, _, _ in runs)
    after = statistics.median(r["after"] for r, _, _ in runs)
    print(f"before {before:.1f} sign-ins/s, after {after:.1f} sign-ins/s ({after / before:.2f}x); "
          f"failures: {failures}")


if __name__ == "__main__":
    main()
