"""What every ``authflow`` command shares on its command line: the parser, the pool options and their
``AUTHFLOW_*`` twins, the sign-in and cache options, exit codes, and the checked :class:`PoolConfig`.

A command module (see :data:`authflow.cli.COMMANDS`) adds its parser with these helpers, so every command
spells an option the same way and checks it the same way.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from authflow.errors import UsageError
from authflow.tokencache import CacheKey
from authflow.totp import DEFAULT_TOTP_ISSUER

if TYPE_CHECKING:
    from authflow.transport import UserPool

AUTH_FLOWS = ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "CUSTOM_AUTH")
PREFERRED_CHALLENGES = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
OUTPUTS = ("json", "env", "access-token", "id-token")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: What Cognito accepts (its API's patterns), to say what is wrong before anything is sent.
POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+")
CLIENT_ID = re.compile(r"[\w+]{1,128}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")

#: What authenticator apps show for a secret set up by the command (the pool id would mean nothing to a person).

#: The command line bounds every Cognito call, a trickling server included (library users choose).
CALL_TIMEOUT = 60.0


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with a mistake said in one line instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"authflow: {message} (see {self.prog} --help)\n")

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """As argparse's, but an argument no option takes is said with the --help of the command it was given to
        (``authflow token --bogus``: see authflow token --help), not the top one's."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            prog = getattr(parsed, "command_prog", None) or self.prog
            self.exit(EXIT_USAGE, f"authflow: unrecognized arguments: {' '.join(extras)} (see {prog} --help)\n")
        return parsed


def one_of(values: Sequence[str]) -> Callable[[str], str]:
    """An argparse ``type`` taking one of ``values``, in any case ("user_srp_auth" is USER_SRP_AUTH)."""

    def parse(text: str) -> str:
        for value in values:
            if text.strip().lower() == value.lower():
                return value
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {' | '.join(values)}")

    parse.values = tuple(values)  # type: ignore[attr-defined]  # what it takes, for authflow.profiles' tests
    return parse


def env(name: str) -> str | None:
    """An ``AUTHFLOW_*`` setting from the environment; an empty value counts as unset."""
    value = os.environ.get(name)
    return value if value else None


def deadline_seconds(text: str) -> float:
    """The argparse ``type`` of --deadline (and AUTHFLOW_DEADLINE): seconds, more than 0 and at most a day."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} (--deadline / AUTHFLOW_DEADLINE) is not a number of seconds "
                                         "from 0 to 86400 (e.g. 120)")
    return value


def add_pool_options(parser: argparse.ArgumentParser) -> None:
    """The contract's config options (each with its ``AUTHFLOW_*`` variable) and ``--verbose``."""
    group = parser.add_argument_group("user pool (flag, or environment variable)")
    group.add_argument("--pool-id", metavar="ID", default=env("AUTHFLOW_POOL_ID"), help="AUTHFLOW_POOL_ID")
    group.add_argument("--client-id", metavar="ID", default=env("AUTHFLOW_CLIENT_ID"), help="AUTHFLOW_CLIENT_ID")
    group.add_argument(
        "--client-secret",
        metavar="S",
        default=env("AUTHFLOW_CLIENT_SECRET"),
        help="AUTHFLOW_CLIENT_SECRET (SECRET_HASH is sent when set)",
    )
    group.add_argument(
        "--region",
        metavar="R",
        default=env("AUTHFLOW_REGION"),
        help="AUTHFLOW_REGION (default: the prefix of the pool id)",
    )
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=env("AUTHFLOW_ENDPOINT_URL"),
        help="AUTHFLOW_ENDPOINT_URL (a local Cognito-compatible server)",
    )
    group.add_argument(
        "--username",
        metavar="NAME",
        default=env("AUTHFLOW_USERNAME"),
        help="AUTHFLOW_USERNAME (may be an alias: email, phone)",
    )
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="show each step of the sign-in and each Cognito call (operation, challenge, outcome, time) on "
        "stderr; never a secret",
    )


def add_sign_in_options(parser: argparse.ArgumentParser) -> None:
    """How to sign in when a command must: flow, first factor, --non-interactive, --deadline, MFA setup."""
    group = parser.add_argument_group("sign-in")
    group.add_argument(
        "--auth-flow",
        metavar="FLOW",
        type=one_of(AUTH_FLOWS),
        default="USER_SRP_AUTH",
        help="USER_SRP_AUTH (default) | USER_PASSWORD_AUTH | USER_AUTH | CUSTOM_AUTH",
    )
    group.add_argument(
        "--preferred-challenge",
        metavar="C",
        type=one_of(PREFERRED_CHALLENGES),
        help="USER_AUTH only: PASSWORD | PASSWORD_SRP | EMAIL_OTP | SMS_OTP | WEB_AUTHN",
    )
    group.add_argument(
        "--non-interactive",
        action="store_true",
        help="never prompt; a needed answer that is missing is a clear error, exit 2",
    )
    group.add_argument(
        "--deadline",
        metavar="SECONDS",
        type=deadline_seconds,
        default=env("AUTHFLOW_DEADLINE"),
        help="AUTHFLOW_DEADLINE: give up when a sign-in has spent this many seconds waiting for Cognito, all its "
        "calls together (the time to answer is not counted; default: no limit beyond each call's own 60 s)",
    )
    group.add_argument(
        "--totp-issuer",
        metavar="NAME",
        default=env("AUTHFLOW_TOTP_ISSUER") or DEFAULT_TOTP_ISSUER,
        help="AUTHFLOW_TOTP_ISSUER: the name an authenticator app shows for a TOTP secret set up here "
        f"(default: {DEFAULT_TOTP_ISSUER})",
    )
    group.add_argument(
        "--totp-secret-out",
        metavar="FILE",
        type=Path,
        help="MFA_SETUP: write the new base32 TOTP secret (and nothing else) here, mode 0600",
    )


def add_cache_options(parser: argparse.ArgumentParser, *, login: bool) -> None:
    """``--keyring``, and for commands that sign in anew, ``--no-cache``."""
    group = parser.add_argument_group("token cache")
    group.add_argument("--keyring", action="store_true", help="keep the tokens in the system keyring (if installed)")
    if login:
        group.add_argument("--no-cache", action="store_true", help="do not keep the tokens for later")


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """``--output FORMAT`` of the commands that print tokens."""
    parser.add_argument(
        "--output",
        metavar="FORMAT",
        type=one_of(OUTPUTS),
        default=None,
        help="json (default) | env | access-token | id-token; at a terminal without --output, a one-line summary "
        "instead of the tokens",
    )


def add_signed_in_options(parser: argparse.ArgumentParser) -> None:
    """What a command acting for the signed-in user takes: the pool, how to sign in if it must, the cache."""
    add_pool_options(parser)
    add_sign_in_options(parser)
    add_cache_options(parser, login=False)


def keep_outer_values(parser: argparse.ArgumentParser) -> None:
    """For an action nested under a command that takes the same options (``authflow account [options] password
    [options]``): the action's copies default to nothing, so a value given before the action's name is kept
    (argparse would overwrite it with the action's default); one given after it still wins."""
    for action in parser._actions:
        if action.option_strings and not isinstance(action, argparse._HelpAction):
            action.default = argparse.SUPPRESS


def deadline(args: argparse.Namespace) -> float | None:
    """--deadline / AUTHFLOW_DEADLINE (an environment value is checked here, a flag by argparse)."""
    value = getattr(args, "deadline", None)
    if isinstance(value, str):
        try:
            return deadline_seconds(value)
        except argparse.ArgumentTypeError:
            raise UsageError(f"AUTHFLOW_DEADLINE={value!r} is not a number of seconds (e.g. 120)") from None
    return value if isinstance(value, float) else None


#: The pools built by PoolConfig.user_pool, by configuration.
_POOLS: dict[PoolConfig, UserPool] = {}


def _where(value: object, flags: str) -> str:
    """Where a refused value came from: the profile that gave it (and its file), else the flag and variable."""
    from authflow.profiles import profile_origin

    return profile_origin(value) or flags


@dataclass(frozen=True)
class PoolConfig:
    """The pool settings of a command line, checked."""

    pool_id: str
    client_id: str
    client_secret: str | None
    region: str
    endpoint_url: str | None
    verbose: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> PoolConfig:
        """The settings, each checked: a mistake is a UsageError that says what to give instead."""
        pool_id, client_id = args.pool_id, args.client_id
        if not pool_id:
            raise UsageError("no user pool: give --pool-id or set AUTHFLOW_POOL_ID")
        if not POOL_ID.fullmatch(pool_id):
            raise UsageError(
                f"the pool id {pool_id!r} ({_where(pool_id, '--pool-id / AUTHFLOW_POOL_ID')}) is not a user pool id: "
                "they look like us-east-1_AbC123, the region, an underscore and letters or digits"
            )
        if not client_id:
            raise UsageError("no app client: give --client-id or set AUTHFLOW_CLIENT_ID")
        if not CLIENT_ID.fullmatch(client_id):
            raise UsageError(
                f"the client id {client_id!r} ({_where(client_id, '--client-id / AUTHFLOW_CLIENT_ID')}) is not an "
                "app client id: "
                "copy it from the pool's App clients page (letters and digits)"
            )
        region = args.region or pool_id.partition("_")[0]
        if not REGION.fullmatch(region):
            where = (_where(args.region, "--region / AUTHFLOW_REGION") if args.region
                     else f"the prefix of the pool id {pool_id!r}")
            raise UsageError(
                f"{region!r} ({where}) is not an AWS region: give one like us-east-1 with --region"
            )
        endpoint = args.endpoint_url
        if endpoint is not None:
            try:
                parts = urlsplit(endpoint)
                valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
            except ValueError:
                valid = False
            if not valid:
                raise UsageError(
                    f"the endpoint {endpoint!r} (--endpoint-url / AUTHFLOW_ENDPOINT_URL) is not an http(s) URL: "
                    "give one like http://127.0.0.1:9229"
                )
        return cls(pool_id, client_id, args.client_secret, region, endpoint, bool(getattr(args, "verbose", False)))

    def user_pool(self) -> UserPool:
        """The pool to call; from here on, waiting (and with --verbose, each step and call) shows on stderr.

        One per configuration in a process: a command that signs in and then acts (``authflow account``) builds
        one botocore client, not two, and its calls share what the pool learns of the endpoint."""
        from authflow.cli.output import show_progress, trace_calls
        from authflow.transport import UserPool

        pool = _POOLS.get(self)
        if pool is None:
            pool = _POOLS[self] = UserPool(
                self.pool_id,
                self.client_id,
                client_secret=self.client_secret,
                region=self.region,
                endpoint_url=self.endpoint_url,
                call_timeout=CALL_TIMEOUT,
            )
            if self.verbose:
                trace_calls(pool.client)
        show_progress(verbose=self.verbose)
        return pool

    def cache_key(self, username: str) -> CacheKey:
        return CacheKey(self.pool_id, self.client_id, username, self.endpoint_url)
