"""The pool's memory stays flat over sign-ins, in memory and with ``--data`` (a short guard of
``benchmarks/bench_soak.py``): after a warm-up that fills every bounded cache, more sign-ins allocate
nothing that stays (tracemalloc)."""

from __future__ import annotations

import tracemalloc
from collections import deque
from pathlib import Path

import pytest

from authflow.localpool import LocalUserPool
from authflow.localpool.service import LoggedRequest

USERS = 5


def _sign_ins(pool: LocalUserPool, count: int, start: int) -> None:
    for n in range(start, start + count):
        status, body = pool.service.handle("InitiateAuth", {
            "ClientId": pool.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": f"user{n % USERS}", "PASSWORD": "Passw0rd!x"}})
        assert status == 200, body


@pytest.mark.parametrize("durable", [False, True], ids=["memory", "data"])
def test_sign_ins_leave_nothing_behind(tmp_path: Path, durable: bool) -> None:
    pool = LocalUserPool(data=tmp_path / "pool.db" if durable else None)
    try:
        pool.service.request_log = deque[LoggedRequest](maxlen=100)  # full after the warm-up
        for n in range(USERS):
            pool.add_user(f"user{n}", "Passw0rd!x")
        _sign_ins(pool, 150, 0)  # 20 token sessions per user: the refresh records stop growing
        tracemalloc.start(1)
        try:
            _sign_ins(pool, 100, 150)
            before = tracemalloc.take_snapshot()
            _sign_ins(pool, 500, 250)
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        changes = after.compare_to(before, "lineno")
        grown = sum(stat.size_diff for stat in changes)
        # 100 bytes kept per sign-in would be 50 KB here (and 10 MB over 100,000 sign-ins)
        assert grown < 32 * 1024, "\n".join(str(stat) for stat in changes[:5])
    finally:
        pool.close()
