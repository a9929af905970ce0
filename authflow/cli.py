"""The ``authflow`` command: ``login``, ``token``, ``logout``, ``diagram`` and ``local-pool`` here; ``demo``
and other commands in modules of their own (:data:`COMMAND_MODULES`).

``authflow login`` keeps the command-line contract of docs/terminal.md exactly: configuration from flags or their
``AUTHFLOW_*`` twins, answers only from the environment (never argv), the AuthenticationResult on
stdout, and on failure one line on stderr naming the Cognito error code or the local failure.

Exit status: 0 signed in; 1 Cognito said no or something failed; 2 a needed answer or setting is
missing or not usable (``--non-interactive``, or a usage error), said in one line; 130 Ctrl-C or Ctrl-D
at a prompt.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO
from urllib.parse import urlsplit

from authflow.answers import EnvAnswers
from authflow.errors import (
    AuthflowError,
    EndOfInput,
    ExpiredCodeError,
    IncorrectCredentialsError,
    Interrupted,
    MissingAnswerError,
    NotAuthorizedError,
    PasswordResetRequiredError,
    ResourceNotFoundError,
    SignInCancelled,
    UsageError,
    UserNotConfirmedError,
)
from authflow.prompts import Answer, Prompt, PromptKind
from authflow.tokencache import CacheFileError, CacheKey, TokenCache, failure_reason, write_private_file

if TYPE_CHECKING:
    from authflow.tokens import Tokens
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


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with a mistake said in one line instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def one_of(values: Sequence[str]) -> Callable[[str], str]:
    """An argparse ``type`` taking one of ``values``, in any case ("user_srp_auth" is USER_SRP_AUTH)."""

    def parse(text: str) -> str:
        for value in values:
            if text.strip().lower() == value.lower():
                return value
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {' | '.join(values)}")

    return parse


# --- configuration ---------------------------------------------------------------------------------


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def _add_pool_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("user pool (flag, or environment variable)")
    group.add_argument("--pool-id", metavar="ID", default=_env("AUTHFLOW_POOL_ID"), help="AUTHFLOW_POOL_ID")
    group.add_argument("--client-id", metavar="ID", default=_env("AUTHFLOW_CLIENT_ID"), help="AUTHFLOW_CLIENT_ID")
    group.add_argument(
        "--client-secret",
        metavar="S",
        default=_env("AUTHFLOW_CLIENT_SECRET"),
        help="AUTHFLOW_CLIENT_SECRET (SECRET_HASH is sent when set)",
    )
    group.add_argument(
        "--region",
        metavar="R",
        default=_env("AUTHFLOW_REGION"),
        help="AUTHFLOW_REGION (default: the prefix of the pool id)",
    )
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=_env("AUTHFLOW_ENDPOINT_URL"),
        help="AUTHFLOW_ENDPOINT_URL (a local Cognito-compatible server)",
    )
    group.add_argument(
        "--username",
        metavar="NAME",
        default=_env("AUTHFLOW_USERNAME"),
        help="AUTHFLOW_USERNAME (may be an alias: email, phone)",
    )
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="show each step of the sign-in and each Cognito call (operation, challenge, outcome, time) on "
        "stderr; never a secret",
    )


#: The command line bounds every Cognito call, a trickling server included (library users choose).
CALL_TIMEOUT = 60.0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (e.g. 120)")
    return value


def _add_sign_in_options(parser: argparse.ArgumentParser) -> None:
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
        type=_seconds,
        default=_env("AUTHFLOW_DEADLINE"),
        help="AUTHFLOW_DEADLINE: give up when a scripted sign-in has not finished this many seconds after its "
        "first Cognito call (default: no limit beyond each call's own 60 s)",
    )
    group.add_argument(
        "--totp-secret-out",
        metavar="FILE",
        type=Path,
        help="MFA_SETUP: write the new base32 TOTP secret (and nothing else) here, mode 0600",
    )


def _add_cache_options(parser: argparse.ArgumentParser, *, login: bool) -> None:
    group = parser.add_argument_group("token cache")
    group.add_argument("--keyring", action="store_true", help="keep the tokens in the system keyring (if installed)")
    if login:
        group.add_argument("--no-cache", action="store_true", help="do not keep the tokens for later")


@dataclass(frozen=True)
class PoolConfig:
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
                f"the pool id {pool_id!r} (--pool-id / AUTHFLOW_POOL_ID) is not a user pool id: "
                "they look like us-east-1_AbC123, the region, an underscore and letters or digits"
            )
        if not client_id:
            raise UsageError("no app client: give --client-id or set AUTHFLOW_CLIENT_ID")
        if not CLIENT_ID.fullmatch(client_id):
            raise UsageError(
                f"the client id {client_id!r} (--client-id / AUTHFLOW_CLIENT_ID) is not an app client id: "
                "copy it from the pool's App clients page (letters and digits)"
            )
        region = args.region or pool_id.partition("_")[0]
        if not REGION.fullmatch(region):
            where = "--region / AUTHFLOW_REGION" if args.region else f"the prefix of the pool id {pool_id!r}"
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
        """The pool to call; from here on, waiting (and with --verbose, each step and call) shows on stderr."""
        from authflow.transport import UserPool

        pool = UserPool(
            self.pool_id,
            self.client_id,
            client_secret=self.client_secret,
            region=self.region,
            endpoint_url=self.endpoint_url,
            call_timeout=CALL_TIMEOUT,
        )
        show_progress(verbose=self.verbose)
        if self.verbose:
            trace_calls(pool.client)
        return pool

    def cache_key(self, username: str) -> CacheKey:
        return CacheKey(self.pool_id, self.client_id, username, self.endpoint_url)


def show_progress(*, verbose: bool) -> None:
    """authflow's log on stderr: waiting for a TOTP window; with ``verbose`` each step and Cognito call."""
    import logging

    log = logging.getLogger("authflow")
    if not any(getattr(h, "authflow_cli", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("authflow: %(message)s"))
        handler.authflow_cli = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.DEBUG if verbose else logging.INFO)


def trace_calls(client: Any) -> None:
    """Log each call of a botocore client: operation, the challenge or flow it answers, outcome, time.

    Only names are logged (AuthFlow, ChallengeName, error codes), never a parameter's value."""
    import logging
    import time

    log = logging.getLogger("authflow.calls")

    def before(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["authflow_trace"] = (params.get("ChallengeName") or params.get("AuthFlow"), time.perf_counter())

    def after(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        answers, started = context.get("authflow_trace", (None, time.perf_counter()))
        outcome = (
            parsed.get("Error", {}).get("Code")
            or parsed.get("ChallengeName")
            or ("tokens" if "AuthenticationResult" in parsed else "ok")
        )
        what = f" ({answers})" if isinstance(answers, str) else ""
        log.debug("call %s%s -> %s, %.0f ms", model.name, what, outcome, (time.perf_counter() - started) * 1000)

    client.meta.events.register("before-parameter-build", before)
    client.meta.events.register("after-call", after)


# --- answering without a terminal ------------------------------------------------------------------

#: What to set when a non-interactive run has no answer for a kind of prompt.
_WHAT_TO_SET: dict[PromptKind, str] = {
    PromptKind.PASSWORD: "set AUTHFLOW_PASSWORD",
    PromptKind.MFA_CHOICE: "set AUTHFLOW_MFA_CHOICE",
    PromptKind.FIRST_FACTOR: "set AUTHFLOW_FIRST_FACTOR",
    PromptKind.PASSKEY: "set AUTHFLOW_PASSKEY_FILE",
    PromptKind.MFA_SETUP_CHOICE: "give --totp-secret-out FILE to set up an authenticator app",
    PromptKind.TOTP_SETUP: "give --totp-secret-out FILE to set up an authenticator app",
    PromptKind.EMAIL_ADDRESS: "email MFA can only be set up interactively",
    PromptKind.CUSTOM_ANSWER: "custom challenges can only be answered interactively",
    PromptKind.SIGN_UP: "set AUTHFLOW_PASSWORD (and AUTHFLOW_ATTRIBUTES)",
}


def _what_to_set(prompt: Prompt, env: EnvAnswers) -> str:
    if prompt.kind is PromptKind.TOTP_CODE:
        return "set AUTHFLOW_TOTP_SECRET or AUTHFLOW_CODE_COMMAND"
    if prompt.kind is PromptKind.CODE:
        return "set AUTHFLOW_CODE_COMMAND"
    if prompt.kind is PromptKind.NEW_PASSWORD:
        return "set AUTHFLOW_ATTRIBUTES" if env.new_password else "set AUTHFLOW_NEW_PASSWORD"
    if prompt.kind is PromptKind.RESET_PASSWORD:
        return "set AUTHFLOW_CODE_COMMAND and AUTHFLOW_NEW_PASSWORD"
    return _WHAT_TO_SET.get(prompt.kind, "run without --non-interactive")


class NonInteractiveHandler:
    """Answers from the environment only, through the engine's ScriptedHandler.

    A refused answer is never sent again (Cognito's refusal is the error), except a code from
    AUTHFLOW_CODE_COMMAND, which may print another code when run again, and a TOTP code Cognito saw
    already (the next 30-second window gives another): up to ``code_attempts`` tries. A missing
    answer says which variable or flag to set. Unless ``recover`` (sign-up, confirm-sign-up,
    reset-password), a sign-in that Cognito refuses with UserNotConfirmedException or
    PasswordResetRequiredException fails with that refusal: a script's login never changes an account.
    """

    def __init__(
        self,
        env: EnvAnswers,
        *,
        totp_secret_out: Callable[[str], None] | None = None,
        code_attempts: int = 3,
        recover: bool = False,
    ) -> None:
        from authflow.handlers import ScriptedHandler

        self.env = env
        self.code_attempts = code_attempts
        self.recover = recover
        self._last_code: str | None = None
        self._scripted = ScriptedHandler(
            password=env.password,
            new_password=env.new_password,
            attributes=env.attributes,
            totp_secret=env.totp_secret,
            code=self._code if env.code_command else None,
            mfa_choice=env.mfa_choice,
            first_factor=env.first_factor,
            totp_secret_out=totp_secret_out,
            passkey=env.passkey_file,
        )

    def _code(self, prompt: Prompt) -> str:
        code = self.env.code_for(prompt) or ""
        if prompt.error is not None and code == self._last_code:
            raise prompt.error  # the command printed the code Cognito just refused
        self._last_code = code
        return code

    def _may_try_again(self, prompt: Prompt) -> bool:
        if prompt.attempt > self.code_attempts:
            return False
        totp_from_secret = prompt.kind is PromptKind.TOTP_SETUP or (
            prompt.kind is PromptKind.TOTP_CODE and bool(self.env.totp_secret)
        )
        if totp_from_secret:
            return isinstance(prompt.error, ExpiredCodeError)
        return prompt.kind in (PromptKind.CODE, PromptKind.TOTP_CODE, PromptKind.RESET_PASSWORD) and bool(
            self.env.code_command
        )

    def answer(self, prompt: Prompt) -> Answer:
        if not self.recover and isinstance(prompt.error, (UserNotConfirmedError, PasswordResetRequiredError)):
            raise prompt.error  # nothing sent: the account stays as it is
        if prompt.error is not None and prompt.attempt > 1 and not self._may_try_again(prompt):
            raise prompt.error
        try:
            return self._scripted.answer(prompt)
        except MissingAnswerError as exc:
            raise MissingAnswerError(f"{exc.message}; {_what_to_set(prompt, self.env)}") from None


# --- output ----------------------------------------------------------------------------------------


def format_tokens(tokens: Tokens, output: str) -> str:
    """The text ``authflow login --output FORMAT`` prints (without the final newline)."""
    result = tokens.authentication_result()
    if output == "json":
        return json.dumps(result)
    if output == "access-token":
        return tokens.access_token
    if output == "id-token":
        if not tokens.id_token:
            raise AuthflowError("Cognito returned no IdToken", code="NoIdToken")
        return tokens.id_token
    names = {
        "AccessToken": "AUTHFLOW_ACCESS_TOKEN",
        "IdToken": "AUTHFLOW_ID_TOKEN",
        "RefreshToken": "AUTHFLOW_REFRESH_TOKEN",
        "ExpiresIn": "AUTHFLOW_EXPIRES_IN",
        "TokenType": "AUTHFLOW_TOKEN_TYPE",
    }
    lines = [f"export {names[k]}={shlex.quote(str(v))}" for k, v in result.items() if k in names]
    device = tokens.new_device_metadata or {}
    if device.get("DeviceKey"):
        lines.append(f"export AUTHFLOW_DEVICE_KEY={shlex.quote(str(device['DeviceKey']))}")
    if device.get("DeviceGroupKey"):
        lines.append(f"export AUTHFLOW_DEVICE_GROUP_KEY={shlex.quote(str(device['DeviceGroupKey']))}")
    return "\n".join(lines)


def warn(message: str) -> None:
    print(f"authflow: {message}", file=sys.stderr)


# --- signing in ------------------------------------------------------------------------------------


def _interactive(args: argparse.Namespace) -> bool:
    return not args.non_interactive and sys.stdin.isatty()


def _totp_secret_writer(path: Path | None) -> Callable[[str], None] | None:
    if path is None:
        return None

    def write(secret: str) -> None:
        try:
            write_private_file(path, secret.encode("ascii"))
        except OSError as exc:
            raise AuthflowError(
                f"cannot write --totp-secret-out {path}: {exc.strerror}", code="TotpSecretOutError"
            ) from None

    return write


def _terminal_output() -> Any:
    """The wizard talks on stderr, so that stdout carries only the result."""
    from prompt_toolkit.output import create_output

    return create_output(stdout=sys.stderr)


def sign_in_from_args(args: argparse.Namespace, pool: UserPool, username: str | None) -> tuple[str, Tokens]:
    """Sign in as the flags say: the wizard on a terminal, else from the environment. (username, tokens)."""
    if args.preferred_challenge and args.auth_flow != "USER_AUTH":
        raise UsageError("--preferred-challenge is for --auth-flow USER_AUTH only")
    if args.totp_secret_out is not None:
        folder = args.totp_secret_out.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise UsageError(f"--totp-secret-out: {folder} is not a writable directory")
    env = EnvAnswers.from_environ()
    secret_out = _totp_secret_writer(args.totp_secret_out)
    if _interactive(args):
        from authflow.wizard import TerminalHandler, run_wizard

        handler = TerminalHandler(output=_terminal_output(), env=env, totp_secret_out=secret_out)
        if not username:
            username = handler.ask_username()
        tokens = run_wizard(
            pool,
            username,
            handler=handler,
            auth_flow=args.auth_flow,
            preferred_challenge=args.preferred_challenge,
        )
        return username, tokens
    if not username:
        raise MissingAnswerError("no username: give --username or set AUTHFLOW_USERNAME")
    from authflow.flow import sign_in

    tokens = sign_in(
        pool,
        username,
        handler=NonInteractiveHandler(env, totp_secret_out=secret_out),
        auth_flow=args.auth_flow,
        preferred_challenge=args.preferred_challenge,
        deadline=_deadline(args),
    )
    return username, tokens


def _deadline(args: argparse.Namespace) -> float | None:
    """--deadline / AUTHFLOW_DEADLINE (an environment value is checked here, a flag by argparse)."""
    value = getattr(args, "deadline", None)
    if isinstance(value, str):
        try:
            return _seconds(value)
        except argparse.ArgumentTypeError:
            raise UsageError(f"AUTHFLOW_DEADLINE={value!r} is not a number of seconds (e.g. 120)") from None
    return value if isinstance(value, float) else None


def _cache(args: argparse.Namespace) -> TokenCache:
    return TokenCache(use_keyring=bool(getattr(args, "keyring", False)), warn=warn)


def _remember(cache: TokenCache, key: CacheKey, tokens: Tokens) -> None:
    """Cache the tokens; a cache that can't be written is a warning, never a failed sign-in."""
    try:
        cache.store(key, tokens)
    except (OSError, CacheFileError) as exc:
        warn(f"warning: the tokens could not be cached ({failure_reason(exc)})")


# --- subcommands -----------------------------------------------------------------------------------


#: What an entry of ``authflow login --users FILE`` may say; a missing answer comes from AUTHFLOW_*.
USER_FIELDS = ("username", "password", "new_password", "attributes", "totp_secret", "code_command",
               "mfa_choice", "first_factor")


def read_users_file(path: Path) -> list[dict[str, Any]]:
    """The users of ``--users FILE``: a JSON array of objects, each with at least a ``username``."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--users: cannot read {path} ({exc.strerror})") from None
    except ValueError:
        raise UsageError(f"--users: {path} is not JSON") from None
    if not isinstance(entries, list) or not entries:
        raise UsageError("--users: the file must hold a non-empty JSON array of users")
    from authflow.totp import check_secret

    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("username"), str) or not entry["username"]:
            raise UsageError(f"--users: entry {number} is not an object with a username")
        unknown = sorted(set(entry) - set(USER_FIELDS))
        if unknown:
            raise UsageError(f"--users: entry {number} has unknown keys: {', '.join(unknown)}")
        if "attributes" in entry and not isinstance(entry["attributes"], dict):
            raise UsageError(f"--users: entry {number}: attributes must be an object")
        if entry.get("totp_secret"):
            check_secret(entry["totp_secret"], f"--users: entry {number}: totp_secret")
    return entries


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

    from authflow.many import SignInRequest, sign_in_many

    if args.totp_secret_out is not None:
        raise UsageError("--totp-secret-out signs in one user; it does not go with --users")
    if args.output != "json":
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
                               deadline=_deadline(args))
    finally:
        if bar is not None:
            bar.close()
    cache = None if args.no_cache else _cache(args)
    for result in results:
        line: dict[str, Any] = {"username": result.username}
        if result.tokens is not None:
            line["AuthenticationResult"] = result.tokens.authentication_result()
            if cache is not None:
                _remember(cache, config.cache_key(result.username), result.tokens)
        else:
            assert result.error is not None
            line["error"] = {"code": result.error.code, "message": one_line(result.error.message)}
        print(json.dumps(line), flush=True)
    failed = sum(1 for r in results if not r.ok)
    if failed:
        return _fail(f"{failed} of {len(results)} sign-ins failed", EXIT_FAILED)
    return EXIT_OK


def cmd_login(args: argparse.Namespace) -> int:
    config = PoolConfig.from_args(args)
    if args.users is not None:
        return cmd_login_many(args, config)
    username, tokens = sign_in_from_args(args, config.user_pool(), args.username)
    if not args.no_cache:
        _remember(_cache(args), config.cache_key(username), tokens)
    print(format_tokens(tokens, args.output))
    return EXIT_OK


def valid_tokens(
    args: argparse.Namespace,
    config: PoolConfig,
    username: str,
    *,
    leeway: float,
) -> Tokens:
    """Tokens good for at least ``leeway`` seconds: cached, refreshed (once across processes), or from a
    new sign-in."""
    from authflow.refresh import cached_or_refreshed

    cache = _cache(args)
    key = config.cache_key(username)
    cached = cache.load(key)
    if cached is not None and not cached.expired(leeway=leeway):
        return cached  # before config.user_pool(): a cached token needs no botocore
    pool = config.user_pool()
    tokens = cached_or_refreshed(cache, key, pool, leeway=leeway)
    if tokens is not None:
        return tokens
    _, tokens = sign_in_from_args(args, pool, username)
    _remember(cache, key, tokens)
    return tokens


def _username_for(args: argparse.Namespace) -> str:
    if args.username:
        return str(args.username)
    if not getattr(args, "non_interactive", False) and sys.stdin.isatty():
        from authflow.wizard import TerminalHandler

        return TerminalHandler(output=_terminal_output()).ask_username()
    raise MissingAnswerError("no username: give --username or set AUTHFLOW_USERNAME")


def cmd_token(args: argparse.Namespace) -> int:
    config = PoolConfig.from_args(args)
    tokens = valid_tokens(args, config, _username_for(args), leeway=args.leeway)
    print(format_tokens(tokens, "id-token" if args.id_token else "access-token"))
    return EXIT_OK


def cmd_logout(args: argparse.Namespace) -> int:
    config = PoolConfig.from_args(args)
    username = _username_for(args)
    cache = _cache(args)
    key = config.cache_key(username)
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
    print(f"Signed out {username}.", file=sys.stderr)
    return EXIT_OK


def mermaid_chart() -> str:
    """The transition table of :mod:`authflow.machine` as a Mermaid ``stateDiagram-v2``.

    Edges between the same two states are drawn once, their events joined.
    """
    from authflow import machine

    edges: dict[tuple[str, str], list[str]] = {}
    for row in machine.TRANSITIONS:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        for source in sources:
            edges.setdefault((source, row["dest"] or source), []).append(row["trigger"])
    lines = ["stateDiagram-v2", f"    [*] --> {machine.INITIAL}"]
    lines += [f"    {source} --> {dest}: {' / '.join(events)}" for (source, dest), events in edges.items()]
    lines += [f"    {state} --> [*]" for state in machine.FINAL]
    return "\n".join(lines)


def cmd_diagram(args: argparse.Namespace) -> int:
    print(mermaid_chart())
    return EXIT_OK


def cmd_local_pool(argv: Sequence[str]) -> int:
    from authflow.localpool.cli import main as local_pool_main

    return int(local_pool_main(list(argv)) or 0)


# --- the parser ------------------------------------------------------------------------------------

#: Modules that add commands of their own, each with ``register(subparsers)``. ``authflow --help`` imports
#: them all, so they import anything heavy inside their commands.
COMMAND_MODULES = ("authflow.demo", "authflow.cli_passkey")



def build_parser() -> argparse.ArgumentParser:
    from authflow import __version__

    parser = ArgumentParser(
        prog="authflow", description="Sign in to Amazon Cognito user pools, through every challenge."
    )
    parser.add_argument("--version", action="version", version=f"authflow {__version__}")
    sub: Any = parser.add_subparsers(dest="command", metavar="COMMAND")  # each command module adds to it
    sub.required = True

    login = sub.add_parser(
        "login",
        help="sign in and print the tokens",
        description="Sign in and print Cognito's AuthenticationResult. Answers come from the terminal, or "
        "from AUTHFLOW_PASSWORD, AUTHFLOW_NEW_PASSWORD, AUTHFLOW_ATTRIBUTES, AUTHFLOW_TOTP_SECRET, "
        "AUTHFLOW_CODE_COMMAND, AUTHFLOW_MFA_CHOICE and AUTHFLOW_FIRST_FACTOR (never from argv).",
    )
    _add_pool_options(login)
    _add_sign_in_options(login)
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
    login.add_argument(
        "--output",
        metavar="FORMAT",
        type=one_of(OUTPUTS),
        default="json",
        help="json (default) | env | access-token | id-token",
    )
    _add_cache_options(login, login=True)
    login.set_defaults(func=cmd_login)

    token = sub.add_parser(
        "token",
        help="print a valid access token (cached, refreshed, or signing in again)",
        description="Print a valid access token: from the cache if it is not about to expire, else refreshed "
        "with the refresh token, else by signing in again.",
    )
    _add_pool_options(token)
    _add_sign_in_options(token)
    token.add_argument("--id-token", action="store_true", help="print the id token instead")
    token.add_argument("--leeway", type=float, default=60.0, metavar="SECONDS", help="refresh this long before expiry")
    _add_cache_options(token, login=False)
    token.set_defaults(func=cmd_token)

    logout = sub.add_parser(
        "logout",
        help="revoke the cached refresh token and forget the tokens",
        description="Sign out: revoke the cached refresh token (RevokeToken) and forget the cached tokens; "
        "with --global, also sign the user out on every device (GlobalSignOut).",
    )
    _add_pool_options(logout)
    logout.add_argument(
        "--global",
        dest="everywhere",
        action="store_true",
        help="also sign the user out on every device (GlobalSignOut)",
    )
    _add_cache_options(logout, login=False)
    logout.set_defaults(func=cmd_logout)

    from authflow.cli_account import add_commands as add_account_commands  # sign-up, confirm, reset

    add_account_commands(sub)

    diagram = sub.add_parser(
        "diagram",
        help="print the sign-in state machine as a Mermaid chart",
        description="Print the transition table of the sign-in state machine as a Mermaid stateDiagram-v2 "
        "(paste it into a Markdown file or mermaid.live).",
    )
    diagram.set_defaults(func=cmd_diagram)

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)

    sub.add_parser(
        "local-pool", help="run the local Cognito-compatible user pool (authflow local-pool --help)", add_help=False
    )
    return parser


def one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(message: str, status: int, stream: TextIO | None = None) -> int:
    print(one_line(message), file=stream or sys.stderr)
    return status


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
    if arguments[:1] == ["local-pool"]:
        return cmd_local_pool(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        return int(args.func(args))
    except (Interrupted, KeyboardInterrupt):
        return _fail("Cancelled: interrupted", EXIT_INTERRUPTED)
    except EndOfInput:
        return _fail("Cancelled: end of input", EXIT_INTERRUPTED)
    except (MissingAnswerError, UsageError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except SignInCancelled as exc:
        return _fail(str(exc), EXIT_FAILED)
    except AuthflowError as exc:
        return _fail(f"{exc}{_hint(exc, args)}", EXIT_FAILED)
    except Exception as exc:
        if os.environ.get("AUTHFLOW_DEBUG"):
            raise
        # The message of an unexpected error is not shown: it could hold a value we were given.
        return _fail(f"InternalError: {type(exc).__name__} (set AUTHFLOW_DEBUG=1 for a traceback)", EXIT_FAILED)
