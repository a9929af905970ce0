"""``authflow diagram``: the sign-in state machine as a Mermaid chart, made from the transition table."""

from __future__ import annotations

import argparse
from typing import Any

from authflow.cli.options import EXIT_OK


def register(sub: Any) -> None:
    diagram = sub.add_parser(
        "diagram",
        help="print the sign-in state machine as a Mermaid chart",
        description="Print the transition table of the sign-in state machine as a Mermaid stateDiagram-v2 "
        "(paste it into a Markdown file or mermaid.live).",
    )
    diagram.set_defaults(func=cmd_diagram)


def mermaid_chart() -> str:
    """The transition table of :mod:`authflow.machine` as a Mermaid ``stateDiagram-v2``.

    Edges between the same two states are drawn once, their events joined.
    """
    from authflow import machine

    edges: dict[tuple[str, str], list[str]] = {}
    for row in machine.TRANSITIONS:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        for source in sources:
            edges.setdefault((source, row["dest"] or source), []).append(row["trigger"])
    lines = ["stateDiagram-v2", f"    [*] --> {machine.INITIAL}"]
    lines += [f"    {source} --> {dest}: {' / '.join(events)}" for (source, dest), events in edges.items()]
    lines += [f"    {state} --> [*]" for state in machine.FINAL]
    return "\n".join(lines)


def cmd_diagram(args: argparse.Namespace) -> int:
    print(mermaid_chart())
    return EXIT_OK
