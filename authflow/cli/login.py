"""``authflow login``: sign in and print the tokens; with ``--users FILE``, many scripted sign-ins at once."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from authflow.cli.browser_login import add_domain_options, cmd_login_browser
from authflow.cli.options import (
    EXIT_FAILED,
    EXIT_OK,
    PoolConfig,
    add_cache_options,
    add_output_option,
    add_pool_options,
    add_sign_in_options,
    deadline,
)
from authflow.cli.output import command_run, fail, one_line, print_tokens, with_username
from authflow.cli.signin import (
    NonInteractiveHandler,
    interactive,
    kept_device,
    remember,
    sign_in_from_args,
    token_cache,
)
from authflow.errors import UsageError
from authflow.helpformat import ExamplesHelpFormatter


def register(sub: Any) -> None:
    login = sub.add_parser(
        "login",
        help="sign in and print the tokens",
        description="Sign in and print Cognito's AuthenticationResult. Answers come from the terminal, or "
        "from AUTHFLOW_PASSWORD, AUTHFLOW_NEW_PASSWORD, AUTHFLOW_ATTRIBUTES, AUTHFLOW_TOTP_SECRET, "
        "AUTHFLOW_CODE_COMMAND, AUTHFLOW_MFA_CHOICE and AUTHFLOW_FIRST_FACTOR (never from argv).",
        epilog="""examples:
  authflow login --username alice                     at a terminal: asks what Cognito asks
  AUTHFLOW_PASSWORD=... AUTHFLOW_TOTP_SECRET=... authflow login --non-interactive --username tina --output env
  authflow login --auth-flow USER_AUTH --preferred-challenge EMAIL_OTP --username emma""",
        formatter_class=ExamplesHelpFormatter,
    )
    add_pool_options(login)
    add_sign_in_options(login)
    many = login.add_argument_group("many users at once (test drivers)")
    many.add_argument(
        "--users",
        metavar="FILE",
        type=Path,
        help="sign in every user of this JSON array at once, non-interactively; entries: username, and "
        "optionally password, new_password, attributes, totp_secret, code_command, mfa_choice, first_factor "
        "(else the AUTHFLOW_* answers); prints one JSON line per user, in order",
    )
    many.add_argument(
        "--parallel", metavar="N", type=int, default=8, help="with --users: sign-ins at once (default 8)"
    )
    add_output_option(login)
    add_cache_options(login, login=True)
    add_domain_options(login, login=True)
    login.set_defaults(func=cmd_login)


def cmd_login(args: argparse.Namespace) -> int:
    config = PoolConfig.from_args(args)
    if args.browser:
        return cmd_login_browser(args, config)
    if args.users is not None:
        return cmd_login_many(args, config)
    pool = config.user_pool()
    cache = None if args.no_cache else token_cache(args)
    # The device kept for this user (a username only known once asked gets none: the sign-in makes one).
    device = kept_device(cache, config.cache_key(args.username)) if cache is not None and args.username else None
    username, tokens = sign_in_from_args(args, pool, args.username, device=device)
    if cache is not None:
        remember(cache, config.cache_key(username), tokens, pool=pool, device=device)
    print_tokens(tokens, args.output, username=username, cached=not args.no_cache, announced=interactive(args),
                 again=with_username(command_run(), username))
    return EXIT_OK


class ProgressBar:
    """``[#########.....................]  30/100 done, 2 failed`` on a terminal, redrawn as sign-ins end."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO) -> None:
        import threading

        self.total, self.stream = total, stream
        self.done = self.failed = 0
        self._lock = threading.Lock()
        self._draw()

    def __call__(self, result: Any) -> None:
        with self._lock:
            self.done += 1
            self.failed += 0 if result.ok else 1
            self._draw()

    def _draw(self) -> None:
        filled = self.WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done:>{len(str(self.total))}}/{self.total} done, {self.failed} failed")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def cmd_login_many(args: argparse.Namespace, config: PoolConfig) -> int:
    """``authflow login --users FILE``: many scripted sign-ins at once, one JSON line each, in order."""
    from dataclasses import replace

    from authflow.answers import EnvAnswers
    from authflow.many import SignInRequest, read_users_file, sign_in_many

    if args.totp_secret_out is not None:
        raise UsageError("--totp-secret-out signs in one user; it does not go with --users")
    if args.output not in (None, "json"):
        raise UsageError("--users prints one JSON line per user: --output must be json")
    if args.parallel < 1:
        raise UsageError("--parallel must be at least 1")
    if args.preferred_challenge and args.auth_flow != "USER_AUTH":
        raise UsageError("--preferred-challenge is for --auth-flow USER_AUTH only")
    entries = read_users_file(args.users)
    base = EnvAnswers.from_environ()
    requests = []
    for entry in entries:
        answers = {key: value for key, value in entry.items() if key != "username"}
        if "attributes" in answers:
            answers["attributes"] = {str(k): str(v) for k, v in answers["attributes"].items()}
        requests.append(SignInRequest(
            entry["username"], NonInteractiveHandler(replace(base, **answers)),
            auth_flow=args.auth_flow, preferred_challenge=args.preferred_challenge,
        ))
    bar = ProgressBar(len(requests), sys.stderr) if sys.stderr.isatty() else None
    try:
        results = sign_in_many(config.user_pool(), requests, max_workers=args.parallel, progress=bar,
                               deadline=deadline(args))
    finally:
        if bar is not None:
            bar.close()
    cache = None if args.no_cache else token_cache(args)
    for result in results:
        line: dict[str, Any] = {"username": result.username}
        if result.tokens is not None:
            line["AuthenticationResult"] = result.tokens.authentication_result()
            if cache is not None:
                remember(cache, config.cache_key(result.username), result.tokens)
        else:
            assert result.error is not None
            line["error"] = {"code": result.error.code, "message": one_line(result.error.message)}
        print(json.dumps(line), flush=True)
    failed = sum(1 for r in results if not r.ok)
    if failed:
        return fail(f"{failed} of {len(results)} sign-ins failed", EXIT_FAILED)
    return EXIT_OK
