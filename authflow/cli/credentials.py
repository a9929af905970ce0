"""``authflow credentials``: temporary AWS credentials of the signed-in user from a Cognito identity pool, in the
AWS CLI's ``credential_process`` format (default), as ``export`` lines, or as JSON with the IdentityId.

Credentials are kept beside the user's tokens (0600) until 5 minutes before they expire, so the AWS CLI, which
runs the command before each of its own, usually reads a file and nothing more (no botocore is imported then).
When new ones are needed, one process at a time fetches them (a lock file beside the entry): processes started
together make one refresh and one GetCredentialsForIdentity, the others read what it kept.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from authflow.cli.options import CALL_TIMEOUT, EXIT_OK, PoolConfig, add_signed_in_options, env, one_of
from authflow.errors import AuthflowError, MissingAnswerError, UsageError

OUTPUTS = ("process", "env", "json")
#: How long a process waits for another one fetching the same credentials.
LOCK_TIMEOUT = 90.0


def register(sub: Any) -> None:
    command = sub.add_parser(
        "credentials",
        help="print temporary AWS credentials from an identity pool (credential_process)",
        description="For the signed-in user (cached tokens, refreshed, or signing in first): GetId and "
        "GetCredentialsForIdentity of the identity pool, printed as the AWS CLI's credential_process JSON "
        "(default), export lines (--output env) or JSON with the IdentityId. Kept beside the tokens until 5 "
        "minutes before they expire. In ~/.aws/config: credential_process = authflow credentials --profile NAME",
    )
    add_signed_in_options(command)
    group = command.add_argument_group("identity pool (flag, or environment variable)")
    group.add_argument("--identity-pool-id", metavar="ID", default=env("AUTHFLOW_IDENTITY_POOL_ID"),
                       help="AUTHFLOW_IDENTITY_POOL_ID (us-east-1:1a2b3c4d-...)")
    group.add_argument("--identity-endpoint-url", metavar="URL", default=env("AUTHFLOW_IDENTITY_ENDPOINT_URL"),
                       help="AUTHFLOW_IDENTITY_ENDPOINT_URL (default: --endpoint-url)")
    group.add_argument("--role-arn", metavar="ARN", default=env("AUTHFLOW_ROLE_ARN"),
                       help="AUTHFLOW_ROLE_ARN: CustomRoleArn, the role to assume among the identity pool's")
    group.add_argument("--basic-flow", action="store_true",
                       help="the basic (classic) flow: GetOpenIdToken, then STS AssumeRoleWithWebIdentity of "
                       "--role-arn (the identity pool must allow it)")
    command.add_argument("--output", metavar="FORMAT", type=one_of(OUTPUTS), default=None,
                         help="process (default: the credential_process JSON) | env | json; at a terminal "
                         "without --output, a line saying what was got, not the secret key")
    command.set_defaults(func=cmd_credentials)


def cmd_credentials(args: argparse.Namespace) -> int:
    from authflow import credentials
    from authflow.cli.output import warn
    from authflow.tokencache import TokenCache

    config = PoolConfig.from_args(args)
    if not args.identity_pool_id:
        raise UsageError("no identity pool: give --identity-pool-id or set AUTHFLOW_IDENTITY_POOL_ID")
    if not sys.stderr.isatty():
        # Run as a credential_process, stderr is read by the AWS CLI and a person would never see a question:
        # like `aws sso login`, sign in first (authflow login), or give the answers in the environment.
        args.non_interactive = True
    # Read before authflow.cli.signin (and the answers and prompts it brings) is imported: with credentials
    # kept, the AWS CLI's every call costs no more than this.
    username = str(args.username) if args.username else _username(args)
    cache = TokenCache(use_keyring=bool(args.keyring), warn=warn)  # as signin.token_cache makes it
    key = config.cache_key(username)
    access = credentials.IdentityPoolAccess(
        args.identity_pool_id, config.pool_id, region=config.region,
        endpoint_url=args.identity_endpoint_url or config.endpoint_url, role_arn=args.role_arn,
        basic=bool(args.basic_flow), cache=cache, call_timeout=CALL_TIMEOUT,
    )
    found = credentials.cached(cache, key, access)
    if found is None:
        found = _fetch(args, config, username, access)
    if args.output is None and sys.stdout.isatty():  # a person: the secret key and session token stay off screen
        from authflow.cli.output import for_the_screen

        print(for_the_screen(_summary(found, args.identity_pool_id)))
        return EXIT_OK
    print(_format(found, args.output or "process"))
    return EXIT_OK


def _summary(found: Any, identity_pool_id: str) -> str:
    from authflow.credentials import iso8601

    return (f"AWS credentials from identity pool {identity_pool_id}: access key {found.access_key_id}, until "
            f"{iso8601(found.expiration)}; kept in the token cache. `--output env` (or `process`, `json`) prints "
            "them whole, as the AWS CLI's credential_process and a pipe get them.")


def _username(args: argparse.Namespace) -> str:
    from authflow.cli.signin import username_for

    return username_for(args)


def _fetch(args: argparse.Namespace, config: PoolConfig, username: str, access: Any) -> Any:
    """New credentials, one process at a time: a process that waited reads what the one before it kept."""
    from authflow import credentials
    from authflow.cli.signin import valid_tokens
    from authflow.filelock import exclusive

    assert access.cache is not None
    cache, key = access.cache, config.cache_key(username)
    cache.ensure_directory()
    lock = credentials.lock_path(cache, key, access)
    with exclusive(lock, timeout=LOCK_TIMEOUT, on_timeout=lambda: AuthflowError(
            f"another authflow process has held {lock} for {LOCK_TIMEOUT:g} s", code="CredentialsLockTimeout")):
        found = credentials.cached(cache, key, access)
        if found is not None:
            return found
        try:
            tokens = valid_tokens(args, config, username, leeway=60.0)
        except MissingAnswerError as exc:
            if getattr(args, "profile", None):  # the sign-in to suggest is the profile's
                exc.advice = f"Run `authflow login --profile {args.profile}` first (or set the answers: " \
                    "AUTHFLOW_PASSWORD, ...)."
            raise
        if not tokens.id_token:
            raise AuthflowError("the sign-in gave no IdToken, which the identity pool needs", code="NoIdToken")
        found = access.credentials(tokens.id_token, key)
        credentials.keep(cache, key, access, found)
        return found


def _format(found: Any, output: str) -> str:
    if output == "env":
        return str(found.env_output())
    return json.dumps(found.json_output() if output == "json" else found.process_output())
