"""``authflow logout [--global]``: revoke the cached refresh token and forget the tokens."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from authflow.cli.options import EXIT_OK, PoolConfig, add_cache_options, add_pool_options
from authflow.cli.output import warn
from authflow.cli.signin import token_cache, username_for
from authflow.errors import NotAuthorizedError
from authflow.helpformat import ExamplesHelpFormatter


def register(sub: Any) -> None:
    logout = sub.add_parser(
        "logout",
        help="revoke the cached refresh token and forget the tokens",
        description="Sign out: revoke the cached refresh token (RevokeToken) and forget the cached tokens (and "
        "the AWS credentials `authflow credentials` kept); "
        "with --global, also sign the user out on every device (GlobalSignOut).",
        epilog="""examples:
  authflow logout --username alice              here: the cached refresh token is revoked
  authflow logout --username alice --global     everywhere: every device's sign-in ends""",
        formatter_class=ExamplesHelpFormatter,
    )
    add_pool_options(logout)
    logout.add_argument(
        "--global",
        dest="everywhere",
        action="store_true",
        help="also sign the user out on every device (GlobalSignOut)",
    )
    add_cache_options(logout, login=False)
    logout.set_defaults(func=cmd_logout)


def cmd_logout(args: argparse.Namespace) -> int:
    from authflow.credentials import forget_all

    config = PoolConfig.from_args(args)
    username = username_for(args)
    cache = token_cache(args)
    key = config.cache_key(username)
    forget_all(cache, key)  # AWS credentials kept by `authflow credentials` go with the sign-in
    tokens = cache.load(key)
    if tokens is None:
        cache.forget(key)
        warn(f"no cached sign-in for {username}: nothing to revoke")
        return EXIT_OK
    pool = config.user_pool()
    if args.everywhere:
        if tokens.expired(leeway=5):
            warn("the cached access token has expired: global sign-out skipped")
        else:
            pool.global_sign_out(tokens.access_token)
    if tokens.refresh_token:
        try:
            pool.revoke_token(tokens.refresh_token)
        except NotAuthorizedError as exc:
            warn(f"the refresh token was already refused ({exc.code}); forgetting it")
    cache.forget(key)
    if args.everywhere and not tokens.expired(leeway=5):
        print(f"Signed out {username} everywhere: every device's sign-in of {username} has ended, and the tokens "
              "kept here are forgotten.", file=sys.stderr)
    else:
        print(f"Signed out {username} here: the refresh token is revoked and the tokens kept here are forgotten.",
              file=sys.stderr)
    return EXIT_OK
