"""Signing in for a command: at a terminal with the wizard, else from the ``AUTHFLOW_*`` answers
(:class:`NonInteractiveHandler`); the token cache; the valid tokens of a command that acts for the
signed-in user (:func:`valid_tokens`: cached, refreshed once across processes, or a new sign-in)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from authflow.answers import EnvAnswers
from authflow.cli.options import PoolConfig, deadline
from authflow.cli.output import terminal_output, token_command, warn
from authflow.errors import (
    AuthflowError,
    CodeMismatchError,
    ExpiredCodeError,
    MissingAnswerError,
    PasswordResetRequiredError,
    UsageError,
    UserNotConfirmedError,
)
from authflow.prompts import Answer, Prompt, PromptKind
from authflow.tokencache import CacheFileError, CacheKey, TokenCache, failure_reason, write_private_file

if TYPE_CHECKING:
    from authflow.devices import Device
    from authflow.tokens import Tokens
    from authflow.transport import UserPool


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
        if prompt.kind is PromptKind.SIGN_UP and prompt.error is not None:
            missing = [f.name for f in prompt.fields if f.name != "password" and f.name not in self.env.attributes]
            if len(missing) == 1:  # the pool requires an attribute that was not given
                raise MissingAnswerError(
                    f"the user pool requires the attribute {missing[0]}: give --attribute "
                    f"{missing[0]}=VALUE or set it in AUTHFLOW_ATTRIBUTES"
                ) from None
            if missing:
                raise MissingAnswerError(
                    f"the user pool requires the attributes {', '.join(missing)}: give "
                    f"{' '.join(f'--attribute {name}=VALUE' for name in missing)} or set them in AUTHFLOW_ATTRIBUTES"
                ) from None
        if prompt.error is not None and prompt.attempt > 1 and not self._may_try_again(prompt):
            if prompt.kind is PromptKind.TOTP_CODE and self.env.totp_secret and isinstance(
                    prompt.error, CodeMismatchError):
                prompt.error.advice = ("The code made from AUTHFLOW_TOTP_SECRET was refused: check that it is this "
                                       "user's secret (and that this machine's clock is right).")
            raise prompt.error
        try:
            return self._scripted.answer(prompt)
        except MissingAnswerError as exc:
            lacking = MissingAnswerError(exc.message)
            todo = _what_to_set(prompt, self.env)
            lacking.advice = f"{todo[:1].upper()}{todo[1:]}, or run the command at a terminal without " \
                             "--non-interactive."
            raise lacking from None


def interactive(args: argparse.Namespace) -> bool:
    """Whether to ask a person: stdin is a terminal and --non-interactive was not given."""
    return not args.non_interactive and sys.stdin.isatty()


def totp_secret_writer(path: Path | None) -> Callable[[str], None] | None:
    """What writes a new TOTP secret to ``--totp-secret-out`` (mode 0600), or None without it."""
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


def sign_in_from_args(
    args: argparse.Namespace, pool: UserPool, username: str | None, *, device: Device | None = None
) -> tuple[str, Tokens]:
    """Sign in as the flags say: the wizard on a terminal, else from the environment. (username, tokens).
    ``device``: the device this machine confirmed for the user before (see :func:`remember`), sent with the
    sign-in so that a pool which tracks devices knows it (and skips MFA where it is remembered)."""
    if args.preferred_challenge and args.auth_flow != "USER_AUTH":
        raise UsageError("--preferred-challenge is for --auth-flow USER_AUTH only")
    if args.totp_secret_out is not None:
        folder = args.totp_secret_out.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise UsageError(f"--totp-secret-out: {folder} is not a writable directory")
    env = EnvAnswers.from_environ()
    secret_out = totp_secret_writer(args.totp_secret_out)
    if interactive(args):
        from authflow.wizard import TerminalHandler, run_wizard

        handler = TerminalHandler(output=terminal_output(), env=env, totp_secret_out=secret_out)
        if not username:
            username = handler.ask_username()
        tokens = run_wizard(
            pool,
            username,
            handler=handler,
            auth_flow=args.auth_flow,
            preferred_challenge=args.preferred_challenge,
            totp_issuer=getattr(args, "totp_issuer", None),
            device=device,
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
        deadline=deadline(args),
        totp_issuer=getattr(args, "totp_issuer", None),
        device=device,
    )
    return username, tokens


def token_cache(args: argparse.Namespace) -> TokenCache:
    """The token cache the flags choose (``--keyring``); its warnings go to stderr."""
    return TokenCache(use_keyring=bool(getattr(args, "keyring", False)), warn=warn)


def remember(
    cache: TokenCache, key: CacheKey, tokens: Tokens, *, pool: UserPool | None = None, device: Device | None = None
) -> None:
    """Cache the tokens; a cache that can't be written is a warning, never a failed sign-in.

    With ``pool`` (the sign-in's), a new device Cognito tracks (the tokens' NewDeviceMetadata) is confirmed
    first and kept beside the tokens (0600, or the keyring), as the AWS SDKs do: Cognito refuses to refresh
    the tokens of a device that was never confirmed, so without it every later ``authflow token`` would sign
    in again. It is confirmed, not remembered: where the pool leaves that to the user, ``authflow account
    devices remember`` does it. ``device``: the kept device the sign-in was sent with, which the cached tokens
    name so that their refresh carries its key."""
    from dataclasses import replace

    if tokens.new_device_metadata and pool is not None:
        _keep_new_device(cache, key, tokens, pool)
    elif device is not None and not tokens.new_device_metadata:
        tokens = replace(tokens, new_device_metadata={"DeviceKey": device.device_key,
                                                      "DeviceGroupKey": device.device_group_key})
    try:
        cache.store(key, tokens)
    except (OSError, CacheFileError) as exc:
        warn(f"warning: the tokens could not be cached ({failure_reason(exc)})")


def kept_device(cache: TokenCache, key: CacheKey) -> Device | None:
    """The device this machine confirmed for ``key`` before, if any (an unreadable entry is no device)."""
    try:
        return cache.device(key)
    except (OSError, CacheFileError):
        return None


def _keep_new_device(cache: TokenCache, key: CacheKey, tokens: Tokens, pool: UserPool) -> None:
    import socket

    from authflow import devices

    assert tokens.new_device_metadata is not None
    exchange = devices.confirm(tokens.access_token, tokens.new_device_metadata,
                               f"authflow on {socket.gethostname()}"[:1024], remember=False)
    try:
        request = next(exchange)
        while True:
            request = exchange.send(pool.send(request))
    except StopIteration as end:
        device: Device = end.value
    except AuthflowError as exc:  # the sign-in stands; only its refresh will not work
        warn(f"warning: this device could not be confirmed ({exc.message}): the tokens cannot be refreshed, "
             "and the next command after they expire signs in again")
        return
    try:
        cache.save_device(key, device)
    except (OSError, CacheFileError) as exc:
        warn(f"warning: the device could not be kept ({failure_reason(exc)})")


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

    cache = token_cache(args)
    key = config.cache_key(username)
    cached = cache.load(key)
    if cached is not None and not cached.expired(leeway=leeway):
        return cached  # before config.user_pool(): a cached token needs no botocore
    from authflow.refresh import refused_note

    pool = config.user_pool()
    refused: list[AuthflowError] = []
    tokens = cached_or_refreshed(cache, key, pool, leeway=leeway, on_refused=refused.append)
    if tokens is not None:
        return tokens
    asking = interactive(args)
    if refused and asking:  # a person is about to be asked: say why first
        warn(f"{refused_note(refused[0])}: signing in again")
    device = kept_device(cache, key)
    try:
        _, tokens = sign_in_from_args(args, pool, username, device=device)
    except MissingAnswerError as exc:
        if cached is not None and not refused:
            raise
        # One line says it all (a failure is one line): why a sign-in was needed, and what it lacked.
        why = (f"the cached sign-in of {username} has ended ({refused_note(refused[0])})" if refused
               else f"nothing is cached for {username}")
        nothing = MissingAnswerError(f"{why}, and signing in again lacks an answer")
        more = exc.advice or "Set AUTHFLOW_PASSWORD."
        login = token_command(username, command="login")  # with the profile or pool flags given here
        nothing.advice = f"Run `{login}` first, or {more[:1].lower()}{more[1:]}"
        raise nothing from None
    if refused and not asking:  # said once the new sign-in worked (a failure would be said in its one line)
        warn(f"{refused_note(refused[0])}: signed in again")
    remember(cache, key, tokens, pool=pool, device=device)
    return tokens


def username_for(args: argparse.Namespace) -> str:
    """The username: the flag or AUTHFLOW_USERNAME, else asked at a terminal."""
    if args.username:
        return str(args.username)
    if not getattr(args, "non_interactive", False) and sys.stdin.isatty():
        from authflow.wizard import TerminalHandler

        return TerminalHandler(output=terminal_output()).ask_username()
    raise MissingAnswerError("no username: give --username or set AUTHFLOW_USERNAME")
