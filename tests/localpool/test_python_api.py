"""The Python API: seeds, users, outbox, request log, clock, faults."""

from __future__ import annotations

import time

from authflow.localpool import Clock


def test_clock_advance_freeze_unfreeze() -> None:
    clock = Clock()
    assert abs(clock.now() - time.time()) < 1
    clock.advance(100)
    assert abs(clock.now() - time.time() - 100) < 1
    clock.freeze()
    frozen = clock.now()
    time.sleep(0.02)
    assert clock.now() == frozen
    clock.advance(5)
    assert clock.now() == frozen + 5
    clock.unfreeze()
    assert abs(clock.now() - (frozen + 5)) < 0.5
    clock.freeze(at=1_000_000.0)
    assert clock.now() == 1_000_000.0
    clock.reset()
    assert abs(clock.now() - time.time()) < 1
