"""``python -m authflow.localpool``: the same as ``authflow local-pool``."""

from __future__ import annotations

import sys

from authflow.localpool.cli import main

if __name__ == "__main__":
    sys.exit(main())
