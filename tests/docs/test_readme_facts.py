"""What the README states about the package agrees with pyproject.toml: the Python version, the licence (and
its file), and every optional extra, each in the README's table."""

from __future__ import annotations

import re
import sys

from tests.docs.blocks import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_python_version() -> None:
    minimum = re.fullmatch(r">=\s*(3\.\d+)", PROJECT["requires-python"])
    assert minimum is not None
    assert f"Python {minimum.group(1)} or later" in README


def test_the_licence() -> None:
    licence = PROJECT["license"]["text"] if isinstance(PROJECT["license"], dict) else PROJECT["license"]
    assert f"Licence: {licence}" in README
    assert "Apache License" in (REPO / "LICENSE").read_text(encoding="utf-8") and licence == "Apache-2.0"


def test_every_extra_is_in_the_table() -> None:
    rows = set(re.findall(r"^\| `([\w-]+)` \|", README, re.M))
    assert set(PROJECT["optional-dependencies"]) <= rows, set(PROJECT["optional-dependencies"]) - rows


def test_the_readme_stays_short_and_keeps_the_test_command() -> None:
    assert len(README.splitlines()) <= 150
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r'^TEST_COMMAND="(.+)"$', ci, re.M)
    assert command is not None and command.group(1) in README


def test_a_bare_authflow_command_comes_after_saying_how_to_run_it() -> None:
    """The install command puts authflow in .venv/bin and runs it as .venv/bin/authflow; a newcomer who then
    meets a bare `authflow` in a block must have been told to activate the virtualenv (they had not been)."""
    blocks = re.finditer(r"^```sh[^\n]*\n(.*?)^```", README, re.M | re.S)
    first = next(block for block in blocks if re.search(r"^authflow ", block.group(1), re.M))
    assert ". .venv/bin/activate" in README[:first.start()]
