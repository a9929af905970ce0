"""Produce again what the documentation shows from the code, after a change to the code:

    .venv/bin/python tests/docs/refresh.py

- every ``<!-- generated: NAME -->`` section of README.md and docs/*.md (the state chart in docs/design.md);
- examples/wizard-transcript.txt, by driving ``authflow demo`` in tmux (tests/test_cli_demo.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.docs.blocks import doc_files
from tests.docs.generated import REPO, regenerate


def main() -> int:
    for path in doc_files():
        text = path.read_text(encoding="utf-8")
        new = regenerate(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"refreshed {path.relative_to(REPO)}")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_cli_demo.py::test_demo_signs_in_a_totp_user_a_new_password_and_an_mfa_setup_user"],
        cwd=REPO, env={**os.environ, "AUTHFLOW_SAVE_TRANSCRIPT": "1"}, check=False,
    )
    if done.returncode == 0:
        print("refreshed examples/wizard-transcript.txt")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
