"""The repository works alone: no tracked file names a folder outside it (a ``shared`` folder beside the
clone, or an absolute path on some developer's machine), and what the tests read is inside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.helpers.cli import REPO

# Built from pieces so that this file does not name what it looks for.
_SHARED = "sha" + "red"
FORBIDDEN = re.compile(
    "|".join(
        [
            r"\.\./" + _SHARED + r"\b",                                      # the shared folder beside the clone
            r"\b" + _SHARED + r"/(?:reference|cli-contract|DESIGN|tools|hooks)\b",  # a file of that folder
            r"(?<![\w.~-])/" + "work" + r"/",                               # this workplace's folders
            r"(?<![\w.~-])/" + "home" + r"/[\w.-]+",                        # a Linux home folder
            r"(?<![\w.~-])/" + "Users" + r"/[\w.-]+",                       # a macOS home folder
            r"(?<![\w.~-])/" + "root" + r"/",                               # root's home folder
            r"[A-Za-z]:\\\\?" + "Users" + r"\\",                            # a Windows home folder
        ]
    )
)
SKIP_SUFFIXES = (".png", ".jpg", ".gif", ".ico", ".whl", ".gz", ".zip")


def tracked_files() -> list[Path]:
    """The files git tracks (falling back to every file under the repository outside build/venv folders)."""
    try:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, timeout=60, check=True)
        names = [n for n in done.stdout.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
    if names:
        return [REPO / n for n in names]
    skip = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    return [p for p in REPO.rglob("*") if p.is_file() and not skip.intersection(p.relative_to(REPO).parts)]


def offending_lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if FORBIDDEN.search(line)]


def test_the_pattern_catches_what_it_must_and_nothing_else() -> None:
    bad = [
        "see ../" + _SHARED + "/reference/srp-vectors.json",
        _SHARED + "/cli-contract.md says so",
        "follows /" + "work/" + _SHARED + "/DESIGN.md",
        "cd /" + "home/alice/authflow",
        "open /" + "Users/bob/src",
        "C:\\" + "Users\\carol\\authflow",
        "the file /" + "root/.aws/config",
    ]
    good = [
        "tests/vectors/srp-vectors.json", "the secret is shared by processes", "docs/protocol.md",
        "~/.cache/authflow", "/usr/bin/chromium", "https://example.com/work/items", "a shared/ folder",
        "$HOME/.config", "self.work/2",
    ]
    assert [line for line in bad if not FORBIDDEN.search(line)] == []
    assert [line for line in good if FORBIDDEN.search(line)] == []


def test_no_tracked_file_names_a_folder_outside_the_repository() -> None:
    files = tracked_files()
    assert any(p.name == "pyproject.toml" for p in files)  # the listing works
    found = []
    for path in files:
        if path.suffix in SKIP_SUFFIXES or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{path.relative_to(REPO)}:{n}: {line}" for n, line in offending_lines(text)]
    assert found == [], "files that name a folder outside the repository:\n" + "\n".join(found)


def test_the_published_srp_vectors_are_in_the_repository() -> None:
    vectors = REPO / "tests" / "vectors" / "srp-vectors.json"
    assert vectors.is_file()
    assert "srp-vectors.json" in (REPO / "tests" / "unit" / "test_srp_vectors.py").read_text()


def test_ci_needs_nothing_beside_the_repository() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "../" not in ci.replace('"$(dirname "$0")/.."', "")
