"""The help formatter of every ``authflow`` command, the local pool's included (a leaf module: the local pool
does not import the CLI package, which imports it)."""

from __future__ import annotations

import argparse


class ExamplesHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """A description of one paragraph is wrapped to the terminal's width, as argparse does by default; text
    written over several lines (an epilog's examples, a command's output format) is kept as written. (The raw
    formatter printed a command's description as one line of up to 600 characters.)"""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text.strip("\n"):
            return super()._fill_text(text, width, indent)
        return argparse.HelpFormatter._fill_text(self, text, width, indent)
