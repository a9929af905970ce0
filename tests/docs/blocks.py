"""The fenced blocks of the documentation (README.md, docs/**/*.md, examples/README.md), and their rules.

The convention (docs/writing-docs.md says it for writers):

- ```` ```sh ```` — a command block: ``tests/docs/test_doc_commands.py`` runs it with bash (``set -e``,
  ``pipefail``) against a fresh local user pool (the demo users), and it must exit 0.
- ```` ```sh no-run: REASON ```` — a command that cannot run offline (a real Cognito pool, a person at a
  terminal, a security key, a window). It is not run, but it must parse, and every ``authflow`` command and
  option in it must exist (checked against ``authflow ... --help``).
- ```` ```text ```` — output, or anything that is not a command (never run).
- ```` ```python ````, ```` ```json ````, ```` ```toml ```` ... — source shown to read; Python blocks must
  compile, JSON blocks must parse.
- ```` ```mermaid ```` — a chart; one generated from the code sits between
  ``<!-- generated: NAME -->`` and ``<!-- end generated -->`` and a test compares it with the code.

A fence without a language, or with ``bash``/``shell``/``console``, is refused (say ``sh`` or ``text``), and so
is a command written as an indented block, which nothing would run.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: Languages a fence may name.
LANGUAGES = {"sh", "text", "python", "json", "toml", "ini", "yaml", "mermaid", "diff", "javascript"}
REFUSED = {"bash": "sh", "shell": "sh", "console": "sh or text", "shell-session": "sh or text", "zsh": "sh"}

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int          # the fence's line, 1-based
    language: str
    options: str       # the rest of the info string (e.g. "no-run: needs a real pool")
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.language == "sh" and not self.options.startswith("no-run")

    @property
    def no_run_reason(self) -> str:
        return self.options.partition(":")[2].strip() if self.options.startswith("no-run") else ""


def doc_files() -> list[Path]:
    """README.md, every Markdown file under docs/, and examples/README.md."""
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md")), REPO / "examples" / "README.md"]


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of one Markdown file, in order."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        language, _, options = info.partition(" ")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (lines[j].strip().startswith(fence) and lines[j].strip().strip(fence[0]) == ""):
            body.append(lines[j][len(m.group("indent")):] if lines[j].startswith(m.group("indent")) else lines[j])
            j += 1
        found.append(Block(path, i + 1, language.lower(), options.strip(), "\n".join(body) + "\n"))
        i = j + 1
    return found


def indented_code(path: Path) -> list[int]:
    """Lines that start an indented code block (4 spaces after a blank line, outside fences and lists)."""
    starts = []
    in_fence = False
    previous_blank = True
    in_list = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if _FENCE.match(line):
            in_fence = not in_fence
            previous_blank = False
            continue
        if in_fence:
            continue
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            continue
        if not line.startswith(" "):
            in_list = bool(re.match(r"([-*+]|\d+[.)])\s", stripped)) or (in_list and not previous_blank)
        elif line.startswith("    ") and previous_blank and not in_list and not stripped.startswith("|"):
            starts.append(n)
        previous_blank = False
    return starts


def all_blocks() -> list[Block]:
    return [b for path in doc_files() for b in blocks(path)]


@dataclass(frozen=True)
class Invocation:
    """One ``authflow ...`` command in a block: the words naming the command, and the options given."""

    words: tuple[str, ...]
    options: tuple[str, ...]


def authflow_invocations(script: str) -> list[Invocation]:
    """Every ``authflow`` command line in ``script`` (a ``.venv/bin/authflow`` or ``python -m authflow``
    too): its sub-command words up to the first option, and its long options."""
    joined = re.sub(r"\\\n", " ", script)
    found = []
    for line in joined.splitlines():
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
            lexer.whitespace_split = True
            lexer.commenters = "#"
            words = list(lexer)
        except ValueError:
            continue
        for k, word in enumerate(words):
            rest: list[str] | None = None
            if word.rsplit("/", 1)[-1] == "authflow" and (k == 0 or not words[k - 1].startswith("-")):
                rest = words[k + 1:]
            elif word == "-m" and k + 1 < len(words) and words[k + 1] == "authflow":
                rest = words[k + 2:]
            if rest is None:
                continue
            command: list[str] = []
            options: list[str] = []
            for w in rest:
                if (w and w[0] in ";&|()<>") or w == "--":
                    break
                if w.startswith("--"):
                    options.append(w.split("=", 1)[0])
                elif not options and not w.startswith("-") and re.fullmatch(r"[a-z][a-z0-9-]*", w):
                    command.append(w)
                elif not options and not w.startswith("-"):
                    break
            found.append(Invocation(tuple(command), tuple(options)))
    return found
