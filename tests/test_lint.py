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
