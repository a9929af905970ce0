"""``authflow logout [--global]``: revoke the cached refresh token and forget the tokens."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from authflow.cli.options import EXIT_OK, PoolConfig, add_cache_options, add_pool_options
from authflow.cli.output import token_command, warn
from authflow.cli.signin import token_cache, username_for
from authflow.errors import AuthflowError, NotAuthorizedError, RefreshTokenReuseError
from authflow.helpformat import ExamplesHelpFormatter

if TYPE_CHECKING:
    from authflow.tokens import Tokens


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
    signed_out_everywhere = False
    if args.everywhere:
        access: Tokens | None = tokens
        if tokens.expired(leeway=5):
            # GlobalSignOut takes an access token: an hour after the sign-in the cached one has expired, but the
            # refresh token (good for days) gives a new one. (It was skipped, and only this machine signed out.)
            access = _refreshed(pool, key.username, tokens) if tokens.refresh_token else None
        if access is not None:
            pool.global_sign_out(access.access_token)
            signed_out_everywhere = True
    if tokens.refresh_token:
        try:
            pool.revoke_token(tokens.refresh_token)
        except NotAuthorizedError as exc:
            warn(f"the refresh token was already refused ({exc.code}); forgetting it")
    cache.forget(key)
    if args.everywhere and not signed_out_everywhere:
        failed = AuthflowError(
            f"signed out {username} here (the tokens kept here are forgotten) but not everywhere: GlobalSignOut "
            "needs an access token, and the cached one has expired with no refresh token Cognito still accepts",
            code="NotSignedOutEverywhere",
        )
        failed.advice = (f"Sign in again ({token_command(username, command='login')}), then run "
                         f"{token_command(username, command='logout')} --global.")
        raise failed
    if signed_out_everywhere:
        print(f"Signed out {username} everywhere: every device's sign-in of {username} has ended, and the tokens "
              "kept here are forgotten.", file=sys.stderr)
    else:
        print(f"Signed out {username} here: the refresh token is revoked and the tokens kept here are forgotten.",
              file=sys.stderr)
    return EXIT_OK


def _refreshed(pool: Any, username: str, tokens: Tokens) -> Tokens | None:
    """New tokens from the refresh token; None when Cognito no longer accepts it."""
    from authflow.tokencache import device_key, internal_username

    assert tokens.refresh_token is not None
    try:
        fresh: Tokens = pool.refresh(tokens.refresh_token, username=internal_username(tokens) or username,
                                     device_key=device_key(tokens))
    except (NotAuthorizedError, RefreshTokenReuseError):
        return None
    return fresh
