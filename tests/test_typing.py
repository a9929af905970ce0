"""``authflow/`` and ``states/`` stay ``mypy --strict`` clean (the configuration is in pyproject.toml).

``states/`` installs as ``authflow.states`` (a setuptools package-dir mapping) that mypy cannot see in
the repository layout, so the check runs on a tree of links laid out as the wheel installs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def installed_layout(root: Path) -> Path:
    """``root/authflow``: links to every entry of ``authflow/``, plus ``states/`` as ``authflow/states``."""
    package = root / "authflow"
    package.mkdir()
    for entry in (REPO / "authflow").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    (package / "states").symlink_to(REPO / "states")
    return package


def test_mypy_strict_is_clean(tmp_path: Path) -> None:
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    if mypy is None:
        pytest.fail("mypy is not installed: it is in the [test] extras")
    package = installed_layout(tmp_path)
    done = subprocess.run(
        [mypy, "--strict", "--config-file", str(REPO / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"),
         "--no-error-summary", "authflow"],
        capture_output=True, text=True, check=False, cwd=str(tmp_path), timeout=300,
    )
    report = (done.stdout + done.stderr).replace(str(package / "states"), "states")
    assert done.returncode == 0, report
