"""Fixtures shared by the whole test suite.

``local_pool``: a fresh, started :class:`authflow.localpool.LocalUserPool` per test (one pool, one app
client without secret allowing every flow, no users), stopped at teardown. Parametrize it indirectly to
start from a seed: ``@pytest.mark.parametrize("local_pool", ["demo"], indirect=True)`` (or a seed dict,
or a JSON file path).
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

import pytest

from authflow.localpool import LocalUserPool

TESTS = Path(__file__).resolve().parent

#: The slow families (markers registered in pyproject.toml), by where their tests live: glob patterns of paths
#: under tests/ (a folder's pattern ends in /*). Everything else is the fast part, in-process tests of the
#: library and the local pool: ``pytest -m "not (interop or terminal or qt or browser or cli or processes or
#: properties)"``.
SLOW_FAMILIES: dict[str, tuple[str, ...]] = {
    "interop": ("interop/*",),
    "qt": ("qt/*",),
    "browser": ("browser/*",),
    "terminal": ("test_cli_wizard.py", "test_cli_demo.py", "test_wizard.py", "test_examples.py",
                 "test_cli_account_wizard.py", "test_cli_account_terminal.py", "test_recovery.py"),
    "cli": ("test_cli_*.py", "test_passkeys.py", "test_passkeys_without_fido2.py", "docs/*", "plugin/*",
            "localpool/test_cli.py", "localpool/test_durable.py", "hardening/test_token_cache*.py",
            "hardening/test_code_command.py", "hardening/test_batch_isolation.py", "test_locust_edges.py"),
    "processes": ("test_packaging.py", "test_typing.py", "test_lint.py", "test_imports.py", "test_locust.py",
                  "test_passkey_processes.py", "engine/test_many_processes.py", "engine/test_moto*.py",
                  "engine/test_sign_in_imports.py", "localpool/test_workers.py", "test_cli_account_imports.py",
                  "hardening/test_totp_concurrency.py", "hardening/test_pool_limits.py"),  # long load runs
    "properties": ("hardening/test_reply_properties.py", "localpool/test_no_500.py"),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        where = Path(str(item.fspath)).resolve().relative_to(TESTS).as_posix()
        for marker, patterns in SLOW_FAMILIES.items():
            if any(fnmatch(where, pattern) for pattern in patterns):
                item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture
def local_pool(request: pytest.FixtureRequest) -> Iterator[LocalUserPool]:
    pool = LocalUserPool(getattr(request, "param", None)).start()
    try:
        yield pool
    finally:
        pool.stop()
