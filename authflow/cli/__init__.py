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
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from authflow.cli.explain import error_line
from authflow.cli.options import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, ArgumentParser
from authflow.cli.output import fail
from authflow.errors import (
    AuthflowError,
    EndOfInput,
    Interrupted,
    MissingAnswerError,
    UsageError,
)

#: The command modules, in the order ``authflow --help`` lists their commands (each imported by a literal
#: name, so that the import graph of tests/test_packaging.py sees them).
COMMANDS: dict[str, Callable[[], Any]] = {
    "login": lambda: importlib.import_module("authflow.cli.login"),
    "token": lambda: importlib.import_module("authflow.cli.token"),
    "logout": lambda: importlib.import_module("authflow.cli.logout"),
    "lifecycle": lambda: importlib.import_module("authflow.cli.lifecycle"),
    "account": lambda: importlib.import_module("authflow.cli.account"),
    "passkey": lambda: importlib.import_module("authflow.cli.passkey"),
    "credentials": lambda: importlib.import_module("authflow.cli.credentials"),
    "profiles": lambda: importlib.import_module("authflow.cli.profiles"),
    "demo": lambda: importlib.import_module("authflow.cli.demo"),
    "diagram": lambda: importlib.import_module("authflow.cli.diagram"),
    "local_pool": lambda: importlib.import_module("authflow.cli.local_pool"),
}
#: The module that registers each command: ``authflow COMMAND ...`` imports that one alone, so a command's
#: start-up does not pay for the others' imports (``authflow --help`` imports them all). A test checks it
#: against what the modules register.
MODULE_OF = {
    "login": "login", "token": "token", "logout": "logout", "sign-up": "lifecycle", "confirm-sign-up": "lifecycle",
    "reset-password": "lifecycle", "account": "account", "passkey": "passkey", "credentials": "credentials",
    "profiles": "profiles", "demo": "demo", "diagram": "diagram", "local-pool": "local_pool",
}

#: Commands that need every command's options (``authflow profiles`` checks each profile's keys against them).
EVERY_COMMAND_NEEDED = frozenset({"profiles"})


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` alone (when it names one)."""
    from authflow import __version__

    parser = ArgumentParser(
        prog="authflow", description="Sign in to Amazon Cognito user pools, through every challenge."
    )
    parser.add_argument("--version", action="version", version=f"authflow {__version__}")
    sub: Any = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    alone = MODULE_OF.get(command or "") if command not in EVERY_COMMAND_NEEDED else None
    for name in (alone,) if alone else COMMANDS:
        COMMANDS[name]().register(sub)
    parser.set_defaults(parser=parser)
    add_profile_options(sub)
    return parser


def add_profile_options(sub: Any) -> None:
    """``--profile NAME`` on every command (and subcommand) that reads options: see authflow.profiles."""
    from authflow.profiles import add_profile_option

    for command in dict.fromkeys(sub.choices.values()):
        command.set_defaults(command_prog=command.prog)  # whose --help a mistake names (options.ArgumentParser)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                add_profile_options(action)
        if "-" in command.prefix_chars:
            add_profile_option(command)


def _then(exc: BaseException) -> str:
    """What to do after a Ctrl-C or Ctrl-D, where the command said (an account left unconfirmed)."""
    advice = getattr(exc, "advice", "")
    return f" {advice}" if advice else ""


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments[0] if arguments else None)
    if arguments[:1] != ["local-pool"]:
        from authflow.profiles import apply as apply_profile

        try:
            apply_profile(parser, arguments, strict=not arguments or arguments[0] not in MODULE_OF
                          or arguments[0] in EVERY_COMMAND_NEEDED)
        except UsageError as exc:
            if not {"-h", "--help", "--version"} & set(arguments):  # help is shown whatever the profile
                return fail(error_line(exc), EXIT_USAGE)
    try:
        args = parser.parse_args(arguments)
    except UsageError as exc:  # a profile's value its option refuses (authflow.profiles): one line, exit 2
        return fail(error_line(exc), EXIT_USAGE)
    try:
        status = int(args.func(args))
        sys.stdout.flush()  # here, so that a reader gone away is handled below, not at the interpreter's exit
        return status
    except Interrupted as exc:  # Ctrl-C at one of the wizard's questions
        return fail("authflow: interrupted at a prompt (Cancelled)." + _then(exc), EXIT_INTERRUPTED)
    except KeyboardInterrupt as exc:  # Ctrl-C elsewhere: waiting for the browser, for Cognito, at a plain prompt
        return fail("authflow: interrupted (Cancelled)." + _then(exc), EXIT_INTERRUPTED)
    except EndOfInput as exc:
        return fail("authflow: the input ended at a prompt (Cancelled)." + _then(exc), EXIT_INTERRUPTED)
    except (MissingAnswerError, UsageError) as exc:
        return fail(error_line(exc, args), EXIT_USAGE)
    except AuthflowError as exc:  # SignInCancelled included
        return fail(error_line(exc, args), EXIT_FAILED)
    except BrokenPipeError:
        # The reader of stdout went away (``authflow account | head``): nothing more can be said there, and
        # Python would complain once more when it flushes stdout at exit, so stdout becomes /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as exc:
        if os.environ.get("AUTHFLOW_DEBUG"):
            raise
        # The message of an unexpected error is not shown: it could hold a value we were given.
        return fail(f"authflow: an internal error stopped the command ({type(exc).__name__}). Set AUTHFLOW_DEBUG=1 "
                    "for a traceback, and report it.", EXIT_FAILED)
