"""The names the documentation gives exist in the code: every error it names (``...Error``, ``...Cancelled``)
is a class or an error code of authflow, or a Python built-in, and every ``PromptKind.X`` is a member."""

from __future__ import annotations

import builtins
import re
from pathlib import Path

from authflow.prompts import PromptKind
from tests.docs.blocks import REPO, doc_files

ERROR = re.compile(r"\b([A-Z]\w+(?:Error|Cancelled))\b")


def defined_classes() -> set[str]:
    names: set[str] = set()
    for path in [*(REPO / "authflow").rglob("*.py"), *(REPO / "states").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"^class (\w+)\b", text, re.M))
        names.update(re.findall(r"\bcode=\"(\w+)\"", text))  # an error code given to a generic error
    return names


def test_every_error_named_in_the_docs_exists() -> None:
    known = defined_classes()
    unknown = [f"{path.relative_to(REPO)}: {name}" for path in doc_files()
               for name in sorted(set(ERROR.findall(path.read_text(encoding="utf-8"))))
               if name not in known and not hasattr(builtins, name)]
    assert unknown == []


def test_every_prompt_kind_named_in_the_docs_exists() -> None:
    unknown = [f"{path.relative_to(REPO)}: PromptKind.{name}" for path in doc_files()
               for name in sorted(set(re.findall(r"PromptKind\.([A-Z_]+)", path.read_text(encoding="utf-8"))))
               if name not in PromptKind.__members__]
    assert unknown == []


PATH_IN_TEXT = re.compile(r"`((?:authflow|states|tests|examples|benchmarks|docs|\.ci)/[\w./-]*\w)(?:::\w+)?`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {slug(m) for m in re.findall(r"^#+ (.+)$", text, re.M)}


def test_every_file_the_docs_name_exists() -> None:
    missing = []
    for path in doc_files():
        for name in sorted(set(PATH_IN_TEXT.findall(path.read_text(encoding="utf-8")))):
            if not (REPO / name).exists() and not (REPO / name.split("::")[0]).exists():
                missing.append(f"{path.relative_to(REPO)}: {name}")
    assert missing == []


def test_every_link_between_the_docs_resolves() -> None:
    broken = []
    for path in doc_files():
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            if not dest.exists():
                broken.append(f"{path.relative_to(REPO)}: {target}")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                broken.append(f"{path.relative_to(REPO)}: {target} (no such heading)")
    assert broken == []
