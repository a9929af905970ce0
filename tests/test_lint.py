"""The code base stays ruff-clean (the configuration is in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_ruff_check_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: it is in the [test] extras")
    done = subprocess.run([ruff, "check", "--no-cache", str(REPO)], capture_output=True, text=True, check=False,
                          cwd=str(REPO), timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def imports_of_test_modules(source: str) -> list[str]:
    """The modules named ``test_*`` that this source imports from (at any depth, relative or absolute)."""
    import ast

    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module or ''}.{alias.name}" for alias in node.names]
            if any(name.split(".")[-1].startswith("test_") for name in names if name):
                found.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[-1].startswith("test_")]
    return found


def test_the_guard_sees_each_way_of_importing_from_a_test_module() -> None:
    assert imports_of_test_modules("from .test_durable import SEED") == [".test_durable"]
    assert imports_of_test_modules("def f():\n    from tests.qt.test_example import EXAMPLE\n") == [
        "tests.qt.test_example"]
    assert imports_of_test_modules("from . import test_durable") == ["."]
    assert imports_of_test_modules("import tests.localpool.test_durable") == ["tests.localpool.test_durable"]
    assert imports_of_test_modules("from tests.helpers.durable import SEED\nfrom .helpers import idp") == []


def test_no_test_module_imports_from_another_test_module() -> None:
    """Shared test code lives in tests/helpers/ or a package's helpers.py (or a conftest), never in a test
    module: importing one runs its collection-time code twice and ties two tests' files together."""
    offenders = {}
    for path in sorted((REPO / "tests").rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        found = imports_of_test_modules(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(REPO))] = found
    assert offenders == {}
