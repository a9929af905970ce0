"""Every command block of the documentation runs, against a fresh local user pool (tests/docs/blocks.py
has the convention; docs/writing-docs.md says it for writers).

Each ```` ```sh ```` block runs with bash (``set -e``, ``pipefail``) in a sandbox: a temporary directory
holding links to the repository's top-level files and folders (so ``.venv/bin/python examples/x.py`` works
and what the block writes stays out of the repository), ``PATH`` starting with this interpreter's ``bin``
(so ``authflow`` is the one under test), no AWS credentials, a private ``HOME`` and token cache, and a local
user pool with the demo users started for the block, its coordinates exported as ``AUTHFLOW_ENDPOINT_URL``,
``AUTHFLOW_POOL_ID`` and ``AUTHFLOW_CLIENT_ID`` (what a reader exports after starting ``authflow
local-pool``). The block must exit 0 within its time.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from authflow.localpool import LocalUserPool
from tests.docs.blocks import (
    LANGUAGES,
    REFUSED,
    REPO,
    Block,
    all_blocks,
    authflow_invocations,
    doc_files,
    indented_code,
)
from tests.helpers.cli import credential_free_env

BLOCKS = all_blocks()
RUN = [b for b in BLOCKS if b.runs]
SH = [b for b in BLOCKS if b.language == "sh"]
TIMEOUT = 240


def sandbox(tmp_path: Path) -> Path:
    """A working directory that looks like the repository: links to its top-level entries."""
    root = tmp_path / "repo"
    root.mkdir()
    for entry in REPO.iterdir():
        if entry.name in (".git", ".venv") or entry.name.endswith("_cache"):
            continue
        (root / entry.name).symlink_to(entry)
    venv = root / ".venv"
    if sys.prefix != sys.base_prefix:
        venv.symlink_to(sys.prefix)
    else:  # not in a virtualenv: .venv/bin/python is this interpreter
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "python").symlink_to(sys.executable)
    return root


def block_env(tmp_path: Path, pool: LocalUserPool) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    env = credential_free_env(tmp_path, {
        "HOME": str(home),
        "TMPDIR": str(tmp_path),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url,
        "AUTHFLOW_POOL_ID": pool.pool_id,
        "AUTHFLOW_CLIENT_ID": pool.client_id,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "NO_COLOR": "1",
    })
    env.pop("PYTHONPATH", None)  # the installed package, as a reader has it
    return env


def run_block(block: Block, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    script = tmp_path / "block.sh"
    script.write_text("set -euo pipefail\n" + block.text)
    with LocalUserPool("demo") as pool:
        proc = subprocess.Popen(
            ["bash", str(script)], cwd=sandbox(tmp_path), env=block_env(tmp_path, pool),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            pytest.fail(f"{block.where}: still running after {TIMEOUT} s\n{out}\n{err}")
        finally:
            try:  # what the block left running in the background
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("block", RUN, ids=[b.where for b in RUN])
def test_command_block_runs(block: Block, tmp_path: Path) -> None:
    done = run_block(block, tmp_path)
    assert done.returncode == 0, (
        f"{block.where} exited {done.returncode}\n--- block\n{block.text}--- stdout\n{done.stdout}"
        f"--- stderr\n{done.stderr}"
    )


@functools.cache
def help_text(words: tuple[str, ...]) -> str | None:
    """``authflow WORDS --help``, or None when it is not a command."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "authflow", *words, "--help"], capture_output=True, text=True,
                              timeout=60, check=False, cwd=tmp, env=credential_free_env(Path(tmp)))
    return done.stdout if done.returncode == 0 else None


@pytest.mark.parametrize("block", SH, ids=[b.where for b in SH])
def test_every_authflow_command_and_option_in_a_block_exists(block: Block) -> None:
    done = subprocess.run(["bash", "-n"], input=block.text, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, f"{block.where} is not valid sh: {done.stderr}"
    if block.language == "sh" and not block.runs:
        assert block.no_run_reason, f"{block.where}: say why it cannot run: ```sh no-run: REASON"
    for call in authflow_invocations(block.text):
        words = call.words
        while words and help_text(words) is None:
            words = words[:-1]
        helped = help_text(words)
        assert helped is not None, f"{block.where}: `authflow {' '.join(call.words)}` is not a command"
        assert words == call.words[:len(words)]
        if call.words and words == ():
            pytest.fail(f"{block.where}: `authflow {call.words[0]}` is not a command")
        missing = [o for o in call.options if o not in helped.split() and f"{o}," not in helped
                   and not any(part.startswith(o + "=") or part.startswith(o + "[") for part in helped.split())]
        assert missing == [], f"{block.where}: `authflow {' '.join(words)}` has no option {missing}"


def test_every_fence_names_a_known_language() -> None:
    wrong = []
    for b in BLOCKS:
        if b.language in REFUSED:
            wrong.append(f"{b.where}: ```{b.language} (write ```{REFUSED[b.language]})")
        elif b.language not in LANGUAGES:
            wrong.append(f"{b.where}: ```{b.language or '(none)'} (one of {sorted(LANGUAGES)})")
    assert wrong == []


def test_no_command_hides_in_an_indented_block() -> None:
    found = [f"{path.relative_to(REPO)}:{n}" for path in doc_files() for n in indented_code(path)]
    assert found == [], "indented code blocks (nothing runs them; use a ```sh or ```text fence): " + ", ".join(found)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language in ("python", "json")],
                         ids=[b.where for b in BLOCKS if b.language in ("python", "json")])
def test_source_blocks_parse(block: Block) -> None:
    if block.language == "python":
        ast.parse(block.text, filename=block.where)
    else:
        json.loads(block.text)


def test_the_harness_runs_something_and_fails_what_fails(tmp_path: Path) -> None:
    assert len(RUN) >= 1
    failing = Block(REPO / "README.md", 1, "sh", "", "authflow login --username alice --non-interactive\n")
    done = run_block(failing, tmp_path / "a")  # no AUTHFLOW_PASSWORD: exit 2
    assert done.returncode == 2, done.stderr
    passing = Block(REPO / "README.md", 1, "sh", "",
                    "AUTHFLOW_PASSWORD='Alice-Passw0rd!' authflow login --username alice --non-interactive"
                    " --output access-token > token\ntest -s token\n")
    done = run_block(passing, tmp_path / "b")
    assert done.returncode == 0, done.stderr
