"""Answers that come from the environment rather than a person: the ``AUTHFLOW_*`` variables of
``authflow login`` and the code printed by ``AUTHFLOW_CODE_COMMAND``.

Both the terminal wizard (an answer found here is not asked) and non-interactive runs use them; nothing
here imports prompt_toolkit.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from authflow.errors import AuthflowError, UsageError
from authflow.prompts import Field, Prompt, PromptKind

__all__ = ["CodeCommandError", "EnvAnswers", "normalize_code", "run_code_command"]

CODE_COMMAND_TIMEOUT = 180.0
#: The answers AUTHFLOW_MFA_CHOICE and AUTHFLOW_FIRST_FACTOR may give (any case).
MFA_CHOICES = ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")


def _one_of(name: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value.strip().upper() in choices:
        return value.strip().upper()
    raise UsageError(f"{name}={value!r} is not one of {' | '.join(choices)}")


class CodeCommandError(AuthflowError):
    """AUTHFLOW_CODE_COMMAND failed or printed no code."""

    code = "CodeCommandFailed"


def normalize_code(text: str) -> str:
    """A pasted code without the spaces and dashes people and apps put in it ("123 456", "123-456")."""
    from authflow.states.base import clean_code  # the states' registry is not needed before a sign-in

    return clean_code(text.strip())


#: The AUTHFLOW_* variables a code command sees: the pool's coordinates (a recipe that reads the local
#: pool's outbox needs the endpoint), never a password, secret or other answer.
CODE_COMMAND_ENV = ("AUTHFLOW_POOL_ID", "AUTHFLOW_CLIENT_ID", "AUTHFLOW_REGION", "AUTHFLOW_ENDPOINT_URL")
#: More than any code: a command that prints this much is not printing a code.
CODE_COMMAND_MAX_OUTPUT = 4096
#: What a code looks like when the prompt does not say (codes Cognito delivers are 6 to 8 digits).
DEFAULT_CODE = r"^[0-9]{4,10}$"


def code_command_env(prompt: Prompt, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The code command's environment: ours without any AUTHFLOW_* secret, plus what the contract gives it.
    Server text (the destination) is made printable: a NUL or escape sequence from a server is dropped."""
    from authflow.replies import printable

    source = os.environ if environ is None else environ
    env = {k: v for k, v in source.items() if not k.startswith("AUTHFLOW_") or k in CODE_COMMAND_ENV}
    env["AUTHFLOW_CHALLENGE"] = printable(prompt.challenge_name or "", 64)
    env["AUTHFLOW_DESTINATION"] = printable(prompt.destination or "", 256)
    env["AUTHFLOW_USERNAME"] = printable(prompt.username, 256)
    return env


def run_code_command(command: str, prompt: Prompt, *, timeout: float = CODE_COMMAND_TIMEOUT) -> str:
    """Run AUTHFLOW_CODE_COMMAND for ``prompt``; its stdout is the code.

    The command runs in a shell, in a process group of its own, with AUTHFLOW_CHALLENGE (the
    ChallengeName), AUTHFLOW_DESTINATION (where Cognito says the code went, masked) and AUTHFLOW_USERNAME
    (the user signing in, which tells users apart with ``authflow login --users``) set, and no other
    AUTHFLOW_* variable but the pool's coordinates (no password or secret). At ``timeout`` seconds the
    whole group is killed (the shell and whatever it started). What it prints must be a code of the
    prompt's shape (spaces and dashes allowed); anything else is a CodeCommandError that does not repeat
    the output. Its stderr is left alone.
    """
    try:
        process = subprocess.Popen(  # the user's own shell command, by design (shell=True)
            command,
            shell=True,
            env=code_command_env(prompt),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise CodeCommandError(f"AUTHFLOW_CODE_COMMAND could not be run ({exc.strerror})") from None
    try:
        output = _read_bounded(process, timeout)
    finally:
        _kill_group(process)
    if output is None:
        raise CodeCommandError(f"AUTHFLOW_CODE_COMMAND gave no code within {timeout:g} s")
    if len(output) > CODE_COMMAND_MAX_OUTPUT:
        raise CodeCommandError(f"AUTHFLOW_CODE_COMMAND printed more than {CODE_COMMAND_MAX_OUTPUT} bytes: not a code")
    if process.returncode != 0:
        raise CodeCommandError(f"AUTHFLOW_CODE_COMMAND failed with exit status {process.returncode}")
    code = normalize_code(output.decode("utf-8", "replace"))
    if not code:
        raise CodeCommandError("AUTHFLOW_CODE_COMMAND printed no code")
    pattern = next((f.pattern for f in prompt.fields if f.name == "code" and f.pattern), DEFAULT_CODE)
    if not re.fullmatch(pattern.removeprefix("^").removesuffix("$"), code):
        raise CodeCommandError(
            "AUTHFLOW_CODE_COMMAND printed something that is not a code: it must print only the code, "
            "on one line"
        )
    return code


def _read_bounded(process: subprocess.Popen[bytes], timeout: float) -> bytes | None:
    """The command's stdout until it exits (at most a little past the size bound), or None at the timeout."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    with process.stdout:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([process.stdout], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > CODE_COMMAND_MAX_OUTPUT:
                return b"".join(chunks)
    try:
        process.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return None
    return b"".join(chunks)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """End the command's whole process group (children it left behind too) and reap the shell."""
    with contextlib.suppress(ProcessLookupError):  # the group is already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@dataclass(frozen=True, repr=False)
class EnvAnswers:
    """The answers ``authflow login`` takes from the environment (never from argv)."""

    password: str | None = None
    new_password: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    totp_secret: str | None = None
    code_command: str | None = None
    mfa_choice: str | None = None
    first_factor: str | None = None
    passkey_file: str | None = None  # a software passkey file that answers WEB_AUTHN
    code_timeout: float = CODE_COMMAND_TIMEOUT  # AUTHFLOW_CODE_COMMAND_TIMEOUT, seconds

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> EnvAnswers:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value else None

        attributes: dict[str, str] = {}
        raw = get("AUTHFLOW_ATTRIBUTES")
        if raw is not None:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise UsageError('AUTHFLOW_ATTRIBUTES is not a JSON object: set it like {"name": "Ada Lovelace"}')
            attributes = {str(k).removeprefix("userAttributes."): str(v) for k, v in parsed.items()}
        totp_secret = get("AUTHFLOW_TOTP_SECRET")
        if totp_secret is not None:
            from authflow.totp import check_secret

            check_secret(totp_secret, "AUTHFLOW_TOTP_SECRET")
        timeout = get("AUTHFLOW_CODE_COMMAND_TIMEOUT")
        try:
            code_timeout = float(timeout) if timeout is not None else CODE_COMMAND_TIMEOUT
        except ValueError:
            code_timeout = -1.0
        if not 0 < code_timeout <= 3600:
            raise UsageError("AUTHFLOW_CODE_COMMAND_TIMEOUT is a number of seconds from 0 to 3600, e.g. 60")
        return cls(
            password=get("AUTHFLOW_PASSWORD"),
            new_password=get("AUTHFLOW_NEW_PASSWORD"),
            attributes=attributes,
            totp_secret=totp_secret,
            code_command=get("AUTHFLOW_CODE_COMMAND"),
            mfa_choice=_one_of("AUTHFLOW_MFA_CHOICE", get("AUTHFLOW_MFA_CHOICE"), MFA_CHOICES),
            first_factor=_one_of("AUTHFLOW_FIRST_FACTOR", get("AUTHFLOW_FIRST_FACTOR"), FIRST_FACTORS),
            passkey_file=get("AUTHFLOW_PASSKEY_FILE"),
            code_timeout=code_timeout,
        )

    def code_for(self, prompt: Prompt) -> str | None:
        """A code for a code prompt: from the TOTP secret (a TOTP_CODE prompt) or the code command."""
        if prompt.kind is PromptKind.TOTP_CODE and self.totp_secret:
            from authflow.handlers import TOTP_CODES  # never the same code twice in one process

            return TOTP_CODES.next_code(self.totp_secret, "AUTHFLOW_TOTP_SECRET")
        if self.code_command:
            return run_code_command(self.code_command, prompt, timeout=self.code_timeout)
        return None

    def value_for(self, prompt: Prompt, fld: Field) -> str | None:
        """The environment's answer to one field of ``prompt``, or None."""
        kind = prompt.kind
        if kind is PromptKind.PASSWORD and self.password and self.totp_secret:
            from authflow.handlers import TOTP_CODES  # queue for a TOTP window before the Session starts

            TOTP_CODES.reserve(self.totp_secret)
        if kind is PromptKind.PASSWORD or (kind is PromptKind.SIGN_UP and fld.name == "password"):
            return self.password
        codes = (PromptKind.CODE, PromptKind.TOTP_CODE)
        if kind in codes or (kind is PromptKind.RESET_PASSWORD and fld.name == "code"):
            return self.code_for(prompt)
        if kind is PromptKind.RESET_PASSWORD:
            return self.new_password
        if kind is PromptKind.SIGN_UP:
            return self.attributes.get(fld.name)
        if kind is PromptKind.NEW_PASSWORD:
            if fld.name == "new_password":
                return self.new_password
            return self.attributes.get(fld.name)
        if kind is PromptKind.MFA_CHOICE:
            return self.mfa_choice
        if kind is PromptKind.FIRST_FACTOR:
            return self.first_factor
        return None

    def __repr__(self) -> str:
        names = ("password", "new_password", "totp_secret", "code_command", "mfa_choice", "first_factor")
        given = [name for name in names if getattr(self, name)]
        return f"EnvAnswers(given={given}, attributes={sorted(self.attributes)})"
