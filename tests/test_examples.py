"""The examples in examples/ run as they are (so they never rot)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import credential_free_env

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = credential_free_env(tmp_path)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False,
                          cwd=str(EXAMPLES.parent))


def test_desktop_step_api_example(tmp_path: Path) -> None:
    done = run([sys.executable, str(EXAMPLES / "desktop_step_api.py")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "signed in: Tokens(" in done.stdout
    assert "second window: resumed -> SMS_MFA -> authenticated" in done.stdout


def test_async_example(tmp_path: Path) -> None:
    done = run([sys.executable, str(EXAMPLES / "async_sign_in.py")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["tina", "alice"]


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
def test_ci_many_users_example(tmp_path: Path) -> None:
    done = run(["bash", str(EXAMPLES / "ci_many_users.sh")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["alice ok", "tina ok", "sam ok"]


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
def test_ci_many_users_example_without_authflow_on_path_says_so(tmp_path: Path) -> None:
    env = credential_free_env(tmp_path)
    env["PATH"] = os.pathsep.join(d for d in env["PATH"].split(os.pathsep) if not (Path(d) / "authflow").exists())
    done = subprocess.run(["bash", str(EXAMPLES / "ci_many_users.sh")], env=env, capture_output=True, text=True,
                          timeout=10, check=False, cwd=str(EXAMPLES.parent))
    assert done.returncode == 127
    assert done.stderr.count("\n") == 1 and "the authflow command is not on PATH" in done.stderr
    assert done.stdout == ""


def test_plugin_example(tmp_path: Path) -> None:
    done = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES / "test_with_plugin.py")],
               tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


RUNNABLE = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".py", ".sh"))


@pytest.mark.parametrize("example", RUNNABLE, ids=[p.name for p in RUNNABLE])
def test_each_example_says_how_to_run_it_and_a_test_runs_it(example: Path) -> None:
    """Its run command is on its first lines, it is in examples/README.md, and a test module names it (the
    tests above, tests/qt/test_example.py for the Qt app, tests/test_locust.py for the locustfile)."""
    head = "\n".join(example.read_text(encoding="utf-8").splitlines()[:12])
    assert re.search(rf"(python|bash|pytest|locust -f) examples/{re.escape(example.name)}", head), head
    assert f"({example.name})" in (EXAMPLES / "README.md").read_text(encoding="utf-8")
    tests = Path(__file__).resolve().parent
    runners = [t for t in tests.rglob("test_*.py") if t != Path(__file__).resolve()
               and example.name in t.read_text(encoding="utf-8")]
    here = Path(__file__).read_text(encoding="utf-8").split("RUNNABLE = ")[0]
    assert runners or example.name in here, f"no test runs {example.name}"
