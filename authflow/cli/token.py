"""``authflow token``: a valid access token (or id token) of the user: cached, refreshed, or signing in again."""

from __future__ import annotations

import argparse
from typing import Any

from authflow.cli.browser_login import add_domain_options, machine_tokens
from authflow.cli.options import EXIT_OK, PoolConfig, add_signed_in_options
from authflow.cli.output import format_tokens
from authflow.cli.signin import username_for, valid_tokens
from authflow.helpformat import ExamplesHelpFormatter

#: token's own two, and the --output formats of the contract's config shared by the commands that print tokens.
OUTPUTS = ("token", "json", "access-token", "id-token", "env")


def register(sub: Any) -> None:
    token = sub.add_parser(
        "token",
        help="print a valid access token (cached, refreshed, or signing in again)",
        description="Print a valid access token: from the cache if it is not about to expire, else refreshed "
        "with the refresh token, else by signing in again.",
        epilog="""examples:
  curl -H "Authorization: Bearer $(authflow token --username alice)" https://api.example.com/me
  authflow token --username alice --id-token --output json     the id token and when it expires
  authflow token --username alice --leeway 600                 refreshed if it expires within 10 minutes""",
        formatter_class=ExamplesHelpFormatter,
    )
    add_signed_in_options(token)
    token.add_argument("--id-token", action="store_true", help="print the id token instead")
    token.add_argument("--leeway", type=float, default=60.0, metavar="SECONDS",
                       help="refresh when the token expires within this many seconds (default: %(default)g)")
    token.add_argument("--output", metavar="FORMAT", choices=OUTPUTS, default="token",
                       help="token (default): the token alone | json: {\"AccessToken\" (or \"IdToken\"), "
                       "\"ExpiresAt\" (ISO 8601, UTC), \"ExpiresIn\" (seconds left)} | access-token | "
                       "id-token | env: as login prints them")
    add_domain_options(token, login=False)
    token.set_defaults(func=cmd_token)


def cmd_token(args: argparse.Namespace) -> int:
    from authflow.errors import UsageError

    if args.id_token and args.output in ("access-token", "env"):
        raise UsageError(f"--id-token and --output {args.output} ask for different things: give one")
    config = PoolConfig.from_args(args)
    if args.client_credentials:  # printed as any token is: --output json too
        tokens = machine_tokens(args, config)
    else:
        tokens = valid_tokens(args, config, username_for(args), leeway=args.leeway)
    if args.output in ("access-token", "id-token", "env"):
        print(format_tokens(tokens, args.output))
        return EXIT_OK
    token = format_tokens(tokens, "id-token" if args.id_token else "access-token")
    if getattr(args, "output", "token") == "json":
        import json
        import time
        from datetime import datetime, timezone

        expires = datetime.fromtimestamp(tokens.expires_at, timezone.utc).replace(microsecond=0)
        print(json.dumps({"IdToken" if args.id_token else "AccessToken": token,
                          "ExpiresAt": expires.isoformat().replace("+00:00", "Z"),
                          "ExpiresIn": max(0, int(tokens.expires_at - time.time()))}))
        return EXIT_OK
    print(token)
    return EXIT_OK
