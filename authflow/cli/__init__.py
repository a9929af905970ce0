"""The ``authflow`` command.

Each command (or family of commands) is one module of this package with a ``register(subparsers)``
function, listed in :data:`COMMANDS`; what they share is in :mod:`authflow.cli.options` (the parser, pool
options, exit codes), :mod:`authflow.cli.output` (what is printed) and :mod:`authflow.cli.signin` (signing
in, the token cache). ``main`` parses, runs the command and turns every failure into one line on stderr.

Exit status: 0 success; 1 Cognito said no or something failed; 2 a needed answer or setting is missing or
not usable (``--non-interactive``, or a usage error), said in one line; 130 Ctrl-C or Ctrl-D at a prompt.
Commands import what they use inside their functions, so ``authflow --help`` imports none of it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from authflow.cli import (
    credentials,
    demo,
    diagram,
    lifecycle,
    local_pool,
    login,
    logout,
    passkey,
    profiles,
    token,
)
from authflow.cli.options import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, ArgumentParser
from authflow.cli.output import fail
from authflow.errors import (
    AuthflowError,
    EndOfInput,
    IncorrectCredentialsError,
    Interrupted,
    MissingAnswerError,
    NotAuthorizedError,
    ResourceNotFoundError,
    SignInCancelled,
    UsageError,
)

#: The command modules, in the order ``authflow --help`` lists their commands.
COMMANDS = (login, token, logout, lifecycle, passkey, credentials, profiles, demo, diagram, local_pool)


def build_parser() -> argparse.ArgumentParser:
    from authflow import __version__

    parser = ArgumentParser(
        prog="authflow", description="Sign in to Amazon Cognito user pools, through every challenge."
    )
    parser.add_argument("--version", action="version", version=f"authflow {__version__}")
    sub: Any = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMANDS:
        module.register(sub)
    add_profile_options(sub)
    return parser


def add_profile_options(sub: Any) -> None:
    """``--profile NAME`` on every command (and subcommand) that reads options: see authflow.profiles."""
    from authflow.profiles import add_profile_option

    for command in dict.fromkeys(sub.choices.values()):
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        for action in nested:
            add_profile_options(action)
        if not nested and "-" in command.prefix_chars:
            add_profile_option(command)


def _hint(error: AuthflowError, args: argparse.Namespace) -> str:
    """What to check when Cognito refuses the very first step: often a wrong pool id or client id."""
    first_step = isinstance(error, (ResourceNotFoundError, IncorrectCredentialsError)) or (
        isinstance(error, NotAuthorizedError) and getattr(error, "operation", None) == "InitiateAuth"
    )
    if not first_step or not getattr(args, "pool_id", None):
        return ""
    return f" (check the pool id {args.pool_id} and the client id {args.client_id} too)"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if arguments[:1] != ["local-pool"]:
        from authflow.profiles import apply as apply_profile

        try:
            apply_profile(parser, arguments)
        except UsageError as exc:
            return fail(str(exc), EXIT_USAGE)
    args = parser.parse_args(arguments)
    try:
        return int(args.func(args))
    except (Interrupted, KeyboardInterrupt):
        return fail("Cancelled: interrupted", EXIT_INTERRUPTED)
    except EndOfInput:
        return fail("Cancelled: end of input", EXIT_INTERRUPTED)
    except (MissingAnswerError, UsageError) as exc:
        return fail(str(exc), EXIT_USAGE)
    except SignInCancelled as exc:
        return fail(str(exc), EXIT_FAILED)
    except AuthflowError as exc:
        return fail(f"{exc}{_hint(exc, args)}", EXIT_FAILED)
    except Exception as exc:
        if os.environ.get("AUTHFLOW_DEBUG"):
            raise
        # The message of an unexpected error is not shown: it could hold a value we were given.
        return fail(f"InternalError: {type(exc).__name__} (set AUTHFLOW_DEBUG=1 for a traceback)", EXIT_FAILED)
