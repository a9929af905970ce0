"""``authflow demo``: a local user pool with demo users and the sign-in wizard against it, in this terminal
(the demo itself is :class:`authflow.demo.Demo`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from authflow.errors import UsageError


def register(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="sign in to a local user pool with demo users, in this terminal",
        description="Start a local user pool with demo users (a plain password, SMS, email and "
        "authenticator-app MFA, a choice of MFA, MFA setup, a new password, passwordless sign-in and a "
        "passkey) and sign in as any of them with the terminal wizard. The codes the pool sends and the "
        "authenticator app's codes are shown here, so no phone is needed.",
    )
    demo.add_argument("--user", metavar="NAME", help="the demo user to sign in as (default: ask)")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("authflow demo runs in a terminal (try authflow local-pool for a server)")
    import logging

    from authflow.demo import Demo
    from authflow.localpool import LocalUserPool

    quiet = logging.getLogger("authflow.localpool")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    with LocalUserPool("demo") as local:
        return Demo(local).run(args.user)
