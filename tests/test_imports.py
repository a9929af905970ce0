"""Each module an app imports first works alone, in a fresh interpreter (no import-order cycle)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "statement",
    [
        "from authflow import AuthFlow",
        "import authflow.flow",
        "import authflow.devices",
        "import authflow.states",
        "from authflow.qt import SignInDialog",
    ],
)
def test_imports_alone(statement: str) -> None:
    done = subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
