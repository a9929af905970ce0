"""``authflow local-pool ...``: the local Cognito-compatible user pool; its own options are read by
:mod:`authflow.localpool.cli`, which this command hands every argument after ``local-pool``."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    # No option of its own here (prefix_chars that no argument uses): everything goes to the pool's parser.
    local_pool = sub.add_parser(
        "local-pool",
        help="run the local Cognito-compatible user pool (authflow local-pool --help)",
        add_help=False,
        prefix_chars="\0",
    )
    local_pool.add_argument("pool_arguments", nargs=argparse.REMAINDER)
    local_pool.set_defaults(func=cmd_local_pool)


def cmd_local_pool(args: argparse.Namespace) -> int:
    from authflow.localpool.cli import main as local_pool_main

    return int(local_pool_main(list(args.pool_arguments)) or 0)
