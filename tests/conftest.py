"""Fixtures shared by the whole test suite.

``local_pool``: a fresh, started :class:`authflow.localpool.LocalUserPool` per test (one pool, one app
client without secret allowing every flow, no users), stopped at teardown. Parametrize it indirectly to
start from a seed: ``@pytest.mark.parametrize("local_pool", ["demo"], indirect=True)`` (or a seed dict,
or a JSON file path).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from authflow.localpool import LocalUserPool


@pytest.fixture
def local_pool(request: pytest.FixtureRequest) -> Iterator[LocalUserPool]:
    pool = LocalUserPool(getattr(request, "param", None)).start()
    try:
        yield pool
    finally:
        pool.stop()
