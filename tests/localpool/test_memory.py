"""The pool's memory stays flat over sign-ins, in memory and with ``--data`` (a short guard of
``benchmarks/bench_soak.py``): after a warm-up that fills every bounded cache, more sign-ins allocate
nothing that stays (tracemalloc, in a process of its own: tests/helpers/isolated.py says why)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.isolated import in_a_fresh_process

from .helpers import sign_in_memory_growth


@pytest.mark.parametrize("durable", [False, True], ids=["memory", "data"])
def test_sign_ins_leave_nothing_behind(tmp_path: Path, durable: bool) -> None:
    measured = in_a_fresh_process(sign_in_memory_growth, str(tmp_path / "pool.db") if durable else None)
    # 100 bytes kept per sign-in would be 50 KB here (and 10 MB over 100,000 sign-ins)
    assert measured["grown"] < 32 * 1024, "\n".join(measured["top"])
