"""Measurements of a whole process (tracemalloc's traced memory, reference counts) made in a new interpreter:
in a pytest worker, threads and objects left by earlier tests of other files allocate and free meanwhile and
move the numbers (CI on 2 shared cores runs ``-n auto --dist loadfile``: a file never has a process alone)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from tests.helpers.cli import REPO

_RUN = ("import json, sys; from importlib import import_module; "
        "found = getattr(import_module(sys.argv[1]), sys.argv[2]); "
        "print(json.dumps(found(*json.loads(sys.argv[3]))))")


def in_a_fresh_process(function: Callable[..., Any], *args: Any, timeout: float = 300) -> Any:
    """``function(*args)`` run in a new interpreter; the arguments and the result go as JSON. A failed
    assertion in it fails here, with its traceback."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", _RUN, function.__module__, function.__qualname__, json.dumps(args)],
                          env=env, cwd=str(REPO), capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{function.__qualname__} failed in its own process:\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])
