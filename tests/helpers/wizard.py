"""The terminal wizard run in this process with typed answers: keys sent to a pipe after a delay each, the
screen kept as text (escape sequences removed)."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from typing import Any

from authflow.answers import EnvAnswers
from authflow.tokens import Tokens


def run_typed_wizard(pool: Any, username: str, typed: Sequence[tuple[float, str]], *, env: EnvAnswers,
                     **options: Any) -> tuple[Tokens, str]:
    """Sign ``username`` in with the wizard; ``typed``: (seconds from the start, keys) pairs. (tokens, screen)."""
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from authflow.wizard import TerminalHandler, run_wizard

    screen = io.StringIO()
    with create_pipe_input() as pipe:
        for delay, text in typed:
            timer = threading.Timer(delay, pipe.send_text, args=(text,))
            timer.daemon = True
            timer.start()
        handler = TerminalHandler(input=pipe, output=Vt100_Output(screen, lambda: Size(rows=50, columns=120)),
                                  env=env)
        tokens = run_wizard(pool, username, handler=handler, **options)
    return tokens, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
