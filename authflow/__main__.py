"""``python -m authflow``: the ``authflow`` command."""

from authflow.cli import main

raise SystemExit(main())
