"""A stand-in for the system browser that only passes the address on (``BROWSER="python -m
tests.browser.address_browser %s"``): it writes it to the file ADDRESS_FILE names, where a test picks it up and
opens it in headless Chromium, as a person's browser would have been opened."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(url: str) -> int:
    target = Path(os.environ["ADDRESS_FILE"])
    partial = target.with_suffix(".partial")
    partial.write_text(url)
    partial.replace(target)  # whole, never half-written
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
