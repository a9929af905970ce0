"""Soak: many USER_PASSWORD_AUTH sign-ins against one local-pool process; its memory must stay flat.

The pool runs in its own process (benchmarks/_pool.py); ``--threads`` threads, each with its own boto3
client, sign in ``--users`` users in turn over HTTP until ``--sign-ins`` are done or ``--max-seconds``
pass. The pool's resident memory (VmRSS, Linux /proc) is printed at intervals, with the rate, and at the
end how much it grew over the last half of the sign-ins, from when the sign-in at the half starts (when
every cap the pool keeps is long full: the request log's 10,000 entries, 20 token sessions per user).

With ``--data`` the pool keeps its state in an SQLite file (``authflow local-pool --data``).

    python benchmarks/bench_soak.py [--sign-ins 100000] [--threads 4] [--max-seconds 1800] [--data]
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from _pool import PoolProcess, boto3_client, machine, pool_process


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ins", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between RSS lines")
    parser.add_argument("--data", action="store_true", help="the pool keeps its state in SQLite (--data)")
    args = parser.parse_args()

    with pool_process(plain=args.users, data=args.data) as local:
        counter = itertools.count()
        done = [0] * args.threads
        failures: list[str] = []
        deadline = time.monotonic() + args.max_seconds
        # The pool's RSS when sign-in number sign_ins/2 starts (the others in flight then: at most threads - 1),
        # so that "the last half" is exactly the last sign_ins/2 sign-ins, not the nearest interval's line.
        half_mark = args.sign_ins // 2
        at_half: list[float] = []

        def worker(index: int, local: PoolProcess) -> None:
            client = boto3_client(local)
            while time.monotonic() < deadline and not failures:
                n = next(counter)
                if n >= args.sign_ins:
                    return
                if n == half_mark:
                    at_half.append(rss_mib(local.pid))
                user = local.plain_users[n % len(local.plain_users)]
                try:
                    reply = client.initiate_auth(
                        ClientId=local.client_id, AuthFlow="USER_PASSWORD_AUTH",
                        AuthParameters={"USERNAME": user.username, "PASSWORD": user.password})
                    assert reply["AuthenticationResult"]["AccessToken"]
                except Exception as exc:  # noqa: BLE001 - a soak stops and says why at the first failure
                    failures.append(f"{type(exc).__name__}: {exc}")
                    return
                done[index] += 1

        print(machine())
        print(f"# {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {args.threads} threads, {args.users} users, "
              f"state {'in SQLite (--data)' if args.data else 'in memory'}")
        start_rss = rss_mib(local.pid)
        print(f"{'sign-ins':>9} {'seconds':>8} {'pool RSS MiB':>13} {'sign-ins/s':>11}")
        print(f"{0:>9} {0.0:>8.1f} {start_rss:>13.1f} {'':>11}")
        samples = [(0, start_rss)]
        started = time.monotonic()
        threads = [threading.Thread(target=worker, args=(i, local), daemon=True) for i in range(args.threads)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(args.every / len(threads))
            elapsed = time.monotonic() - started
            samples.append((sum(done), rss_mib(local.pid)))
            print(f"{samples[-1][0]:>9} {elapsed:>8.1f} {samples[-1][1]:>13.1f} {samples[-1][0] / elapsed:>11.1f}",
                  flush=True)
        if failures:
            raise SystemExit(f"stopped at the first failure: {failures[0]}")
        total, end_rss = samples[-1]
        if at_half and total == args.sign_ins:
            half, half_rss = half_mark, at_half[0]
        else:  # stopped by --max-seconds: the interval line nearest the half of what was done
            half, half_rss = min(samples, key=lambda sample: abs(sample[0] - total / 2))
        print(f"# pool RSS {start_rss:.1f} -> {end_rss:.1f} MiB over {total} sign-ins "
              f"({total / (time.monotonic() - started):.0f}/s); the last {total - half} of them: "
              f"{half_rss:.1f} -> {end_rss:.1f} MiB ({end_rss - half_rss:+.1f}); peak {max(r for _, r in samples):.1f}")
        print(machine())


if __name__ == "__main__":
    main()
