"""Benchmark: the local pool's sign-ins per second and CPU per sign-in with 1 and 2 worker processes.

Three pools run side by side, each from ``python -m authflow.localpool`` in processes of its own: in memory
(one process), ``--data`` with one process, and ``--data --workers 2``. For each of two sign-ins, a round
starts ``--clients`` client processes (each with ``--threads`` threads and a boto3 client per thread) that
sign in at once and measures the rate (sign-ins / wall time from the common start to the last finish) and
the CPU of all the pool's processes per sign-in (Linux /proc):

- USER_PASSWORD_AUTH: one InitiateAuth, a cheap client, so the pool is the bottleneck;
- USER_SRP_AUTH + SOFTWARE_TOKEN_MFA: authflow's ``sign_in_many`` (gmpy2 when installed), distinct TOTP
  users every round (a TOTP code is good once).

Rounds interleave the pools; each figure is the median over ``--runs`` runs. The clients share the machine
with the pools, and the machine's load is printed with each run.

    python benchmarks/bench_pool_workers.py [--runs 3] [--clients 4] [--threads 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import threading
import time
from contextlib import ExitStack
from typing import Any

from _pool import BenchUser, PoolProcess, boto3_client, machine, pool_process, pools_cpu_seconds

POOLS = {"memory, 1 process": ((), False), "--data, 1 process": ((), True),
         "--data, 2 workers": (("--workers", "2"), True)}
MODES = ("USER_PASSWORD_AUTH", "SRP+TOTP")


def _client(job: tuple[str, PoolProcess, list[BenchUser], int, float]) -> tuple[float, int, int]:
    """One client process: sign ``users`` in with ``threads`` threads from ``start_at``; (end, ok, failed)."""
    mode, local, users, threads, start_at = job
    ok = failed = 0
    lock = threading.Lock()
    if mode == "SRP+TOTP":
        from authflow import ScriptedHandler, UserPool, sign_in_many, srp

        if srp.gmpy2_available():
            srp.use_backend("gmpy2")
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
        requests = [(u.username, ScriptedHandler(password=u.password, totp_secret=u.totp_secret)) for u in users]
        time.sleep(max(0.0, start_at - time.time()))
        results = sign_in_many(pool, requests, max_workers=threads)
        ok = sum(r.ok for r in results)
        return time.time(), ok, len(results) - ok
    clients = [boto3_client(local) for _ in range(threads)]
    slices = [users[i::threads] for i in range(threads)]

    def run(index: int) -> None:
        nonlocal ok, failed
        for user in slices[index]:
            try:
                clients[index].initiate_auth(ClientId=local.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                             AuthParameters={"USERNAME": user.username, "PASSWORD": user.password})
                with lock:
                    ok += 1
            except Exception:  # noqa: BLE001 - counted and reported
                with lock:
                    failed += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    time.sleep(max(0.0, start_at - time.time()))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.time(), ok, failed


def measure(executor: Any, mode: str, local: PoolProcess, batches: list[list[BenchUser]],
            threads: int) -> tuple[float, float, int]:
    """(sign-ins per second, pool CPU seconds per sign-in, failures) of one round."""
    start_at = time.time() + 2.0  # the client processes import and connect first
    pending = executor.map_async(_client, [(mode, local, batch, threads, start_at) for batch in batches])
    time.sleep(max(0.0, start_at - time.time()))
    cpu_before = pools_cpu_seconds(local.pids)
    results = pending.get()
    cpu = pools_cpu_seconds(local.pids) - cpu_before
    done = sum(ok for _, ok, _ in results)
    wall = max(end for end, _, _ in results) - start_at
    return done / wall, cpu / max(done, 1), sum(failed for _, _, failed in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per client process")
    parser.add_argument("--password-sign-ins", type=int, default=150, help="per client process per round")
    parser.add_argument("--totp-sign-ins", type=int, default=40, help="per client process per round")
    args = parser.parse_args()
    per_round = args.clients * args.totp_sign_ins
    totp_needed = per_round * (args.runs + 1)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    loads: list[float] = []
    failures = 0
    with ExitStack() as stack:
        pools = {name: stack.enter_context(pool_process(totp=totp_needed, plain=200, extra=extra, data=data))
                 for name, (extra, data) in POOLS.items()}
        executor = stack.enter_context(multiprocessing.get_context("spawn").Pool(args.clients))
        used = dict.fromkeys(pools, 0)

        def batches(name: str, mode: str) -> list[list[BenchUser]]:
            local = pools[name]
            if mode == "USER_PASSWORD_AUTH":
                users = local.plain_users
                return [[users[(c * 7 + i) % len(users)] for i in range(args.password_sign_ins)]
                        for c in range(args.clients)]
            start = used[name]
            used[name] += per_round
            chosen = local.totp_users[start:start + per_round]
            return [chosen[c::args.clients] for c in range(args.clients)]

        for name, local in pools.items():  # warm-up: connections, caches, the first TOTP users
            measure(executor, "USER_PASSWORD_AUTH", local, batches(name, "USER_PASSWORD_AUTH"), args.threads)
            measure(executor, "SRP+TOTP", local, batches(name, "SRP+TOTP"), args.threads)
        for run in range(args.runs):
            loads.append(os.getloadavg()[0])
            order = list(pools) if run % 2 == 0 else list(reversed(pools))
            for mode in MODES:
                for name in order:
                    rate, cpu, failed = measure(executor, mode, pools[name], batches(name, mode), args.threads)
                    failures += failed
                    results.setdefault((mode, name), []).append((rate, cpu))
                    print(f"# run {run + 1} (load {loads[-1]:.2f}) {mode:18} {name:18} {rate:7.1f}/s "
                          f"pool CPU {cpu * 1000:5.2f} ms per sign-in", flush=True)
    print(f"# local pool with 1 and 2 worker processes: {args.clients} client processes x {args.threads} "
          f"threads, medians of {args.runs} interleaved runs")
    print(machine())
    print(f"# 1-minute load average at each run's start: {', '.join(f'{x:.2f}' for x in loads)}; "
          f"failed sign-ins: {failures}")
    print(f"{'sign-in':18} | {'pool':18} | {'sign-ins/s':>10} | {'pool CPU ms/sign-in':>19}")
    for mode in MODES:
        for name in pools:
            rows = results[(mode, name)]
            print(f"{mode:18} | {name:18} | {statistics.median(r for r, _ in rows):10.1f} | "
                  f"{statistics.median(c for _, c in rows) * 1000:19.2f}")


if __name__ == "__main__":
    main()
