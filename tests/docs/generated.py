"""What the documentation shows that is generated from the code: blocks between
``<!-- generated: NAME -->`` and ``<!-- end generated -->`` markers, and how each is produced."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_SECTION = re.compile(r"(<!-- generated: (?P<name>[^>]+?) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)


def authflow_diagram() -> str:
    """The state machine's Mermaid chart, as ``authflow diagram`` prints it, in a fence."""
    done = subprocess.run([sys.executable, "-m", "authflow", "diagram"], capture_output=True, text=True, check=True,
                          timeout=60, cwd=str(REPO))
    return "```mermaid\n" + done.stdout.rstrip("\n") + "\n```\n"


#: Each generated section's name, and how to produce its text.
GENERATORS: dict[str, Callable[[], str]] = {"authflow diagram": authflow_diagram}


def sections(text: str) -> list[tuple[str, str]]:
    """The generated sections of a Markdown text: (name, body)."""
    return [(m.group("name"), m.group("body")) for m in _SECTION.finditer(text)]


def regenerate(text: str) -> str:
    """``text`` with each generated section produced again."""
    return _SECTION.sub(lambda m: m.group(1) + GENERATORS[m.group("name")]() + m.group(4), text)
