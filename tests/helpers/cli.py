"""Helpers and fixtures for the CLI tests (tests/test_cli_*.py import what they use from here).

Every run of ``python -m authflow`` here has no AWS credentials anywhere: the AWS_* variables are
removed and the config and credentials files point at empty files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def credential_free_env(tmp_path: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ without any AWS or AUTHFLOW setting, a private cache dir, and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTHFLOW_"))}
    empty = tmp_path / "empty-aws-file"
    empty.write_text("")
    env["AWS_CONFIG_FILE"] = str(empty)
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(empty)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AUTHFLOW_CACHE_DIR"] = str(tmp_path / "authflow-cache")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("AUTHFLOW_DEBUG", None)
    if extra:
        env.update(extra)
    return env


def run_cli(
    args: Iterable[str],
    env: Mapping[str, str],
    *,
    timeout: float = 120,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m authflow ARGS`` with ``env`` and no terminal."""
    return subprocess.run(
        [sys.executable, "-m", "authflow", *args],
        env=dict(env),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(REPO),
        check=False,
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *, contains: str) -> None:
    """A failure reported as the contract says: one stderr line naming the code, nothing on stdout."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert contains in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def assert_no_secret(texts: Iterable[str], secrets: Iterable[str | None]) -> None:
    for text in texts:
        for secret in secrets:
            if secret:
                assert secret not in text, "a secret was printed"


def at_a_terminal(args: Iterable[str], env: Mapping[str, str], *, timeout: float = 30) -> Any:
    """``python -m authflow ARGS`` in a pseudo-terminal (a pexpect child, stdin, stdout and stderr on it)."""
    import pexpect

    return pexpect.spawn(sys.executable, ["-m", "authflow", *args], env={**env, "TERM": "xterm"}, cwd=str(REPO),
                         encoding="utf-8", dimensions=(40, 200), timeout=timeout)
