"""Benchmark (d): sign-ins per second on 1, 2, 4 and 8 threads, then 1,000 scripted TOTP sign-ins.

One run, one process, one local pool in a separate process. Every sign-in is USER_SRP_AUTH +
SOFTWARE_TOKEN_MFA of a distinct user (``sign_in_many`` with ``ScriptedHandler(totp_secret=...)``), so no
user signs in twice in a 30-second window. For each run: sign-ins per second (wall clock), the CPU the
client process and the pool process used per wall second (1.0 = one core busy), and the pool's own
handling time per request from its request log. The 1,000 sign-ins report failures and TOTP reuse
rejections (ExpiredCodeException, counted in the pool's log, so refusals the engine retried count too).

    python benchmarks/bench_parallel.py [--per-run 200] [--total 1000] [--threads 1 2 4 8]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from _pool import BenchUser, machine, pool_cpu_seconds, pool_process

from authflow import ScriptedHandler, SignInResult, UserPool, sign_in_many, srp

LOG_LINE = re.compile(r"local-pool (\w+) -> (\d+)(?: (\S+))? \(([\d.]+) ms\)")


@dataclass
class Run:
    label: str
    threads: int
    results: list[SignInResult]
    wall: float
    client_cpu: float
    pool_cpu: float | None
    log: list[tuple[str, str, str | None, float]]

    @property
    def failures(self) -> int:
        return sum(not r.ok for r in self.results)

    def errors(self, code: str) -> int:
        return sum(1 for _, _, error, _ in self.log if error == code)


def read_log(path: Path, offset: int) -> tuple[list[tuple[str, str, str | None, float]], int]:
    text = path.read_text(encoding="utf-8")
    rows = []
    for line in text[offset:].splitlines():
        match = LOG_LINE.search(line)
        if match:
            rows.append((match[1], match[2], match[3], float(match[4])))
    return rows, len(text)


def run(label: str, pool: UserPool, users: list[BenchUser], threads: int, pid: int, log_path: Path,
        offset: int) -> tuple[Run, int]:
    requests = [(u.username, ScriptedHandler(password=u.password, totp_secret=u.totp_secret)) for u in users]
    pool_before, cpu_before, wall_before = pool_cpu_seconds(pid), time.process_time(), time.perf_counter()
    results = sign_in_many(pool, requests, max_workers=threads)
    wall, cpu, pool_after = time.perf_counter() - wall_before, time.process_time() - cpu_before, pool_cpu_seconds(pid)
    time.sleep(0.3)  # let the pool flush its log lines
    log, offset = read_log(log_path, offset)
    pool_cpu = pool_after - pool_before if pool_before is not None and pool_after is not None else None
    return Run(label, threads, results, wall, cpu, pool_cpu, log), offset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-run", type=int, default=200, help="sign-ins per thread-count run")
    parser.add_argument("--total", type=int, default=1000, help="sign-ins in the final run")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--final-threads", type=int, default=8)
    args = parser.parse_args()
    if srp.gmpy2_available():
        srp.use_backend("gmpy2")

    needed = 8 + args.per_run * len(args.threads) + args.total
    with tempfile.TemporaryDirectory(prefix="authflow-bench-log-") as tmp:
        log_path = Path(tmp) / "pool.log"
        started = time.perf_counter()
        with pool_process(totp=needed, log_path=log_path) as local:
            startup = time.perf_counter() - started
            pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
            users = iter(local.totp_users)
            offset = 0
            _, offset = run("warm-up", pool, [next(users) for _ in range(8)], 8, local.pid, log_path, offset)
            runs: list[Run] = []
            for threads in args.threads:
                batch = [next(users) for _ in range(args.per_run)]
                result, offset = run(f"{threads} threads", pool, batch, threads, local.pid, log_path, offset)
                runs.append(result)
            batch = [next(users) for _ in range(args.total)]
            final, offset = run(f"{args.total} sign-ins", pool, batch, args.final_threads, local.pid, log_path,
                                offset)

    print(f"# (d) USER_SRP_AUTH + SOFTWARE_TOKEN_MFA sign-ins per second with sign_in_many, distinct users, "
          f"pool in a separate process (SRP backend: {srp.BACKEND})")
    print(machine())
    print(f"# pool start-up with {needed} TOTP users seeded: {startup:.1f} s")
    print(f"{'run':16} {'sign-ins':>8} {'per s':>7} {'vs 1':>6} {'fail':>5} {'client CPU/s':>13} {'pool CPU/s':>11} "
          f"{'pool ms/req':>12} {'p50 s':>7} {'p95 s':>7}")
    base = None
    for r in [*runs, final]:
        rate = len(r.results) / r.wall
        base = base or rate
        latencies = sorted(x.seconds for x in r.results)
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        pool_load = f"{r.pool_cpu / r.wall:11.2f}" if r.pool_cpu is not None else f"{'n/a':>11}"
        handling = statistics.mean(ms for *_, ms in r.log) if r.log else float("nan")
        print(f"{r.label:16} {len(r.results):8d} {rate:7.1f} {rate / base:6.2f} {r.failures:5d} "
              f"{r.client_cpu / r.wall:13.2f} {pool_load} {handling:12.2f} {statistics.median(latencies):7.3f} "
              f"{p95:7.3f}")
    errors = Counter(code for *_, code, _ in final.log if code)
    print(f"# {args.total} sign-ins on {args.final_threads} threads: {final.failures} failures, "
          f"{final.errors('ExpiredCodeException')} TOTP reuse rejections (ExpiredCodeException), "
          f"{len(final.log)} requests, error codes seen: {dict(errors) or 'none'}")
    if final.failures:
        print("# first failures:", Counter(type(r.error).__name__ + ":" + str(getattr(r.error, "code", ""))
                                           for r in final.results if not r.ok).most_common(3))
    pool_cpu_per_signin = [r.pool_cpu / len(r.results) * 1000 for r in [*runs, final] if r.pool_cpu is not None]
    client_cpu_per_signin = [r.client_cpu / len(r.results) * 1000 for r in [*runs, final]]
    if pool_cpu_per_signin:
        print(f"# CPU per sign-in: client {statistics.median(client_cpu_per_signin):.1f} ms, "
              f"pool {statistics.median(pool_cpu_per_signin):.1f} ms (median over runs)")


if __name__ == "__main__":
    main()
