"""Answers that come from the environment rather than a person: the ``AUTHFLOW_*`` variables of
``authflow login`` and the code printed by ``AUTHFLOW_CODE_COMMAND``.

Both the terminal wizard (an answer found here is not asked) and non-interactive runs use them; nothing
here imports prompt_toolkit.
"""

from __future__ import annotations

import json
import os
import subprocess
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


def run_code_command(command: str, prompt: Prompt, *, timeout: float = CODE_COMMAND_TIMEOUT) -> str:
    """Run AUTHFLOW_CODE_COMMAND for ``prompt``; its stdout is the code.

    The command runs in a shell with AUTHFLOW_CHALLENGE (the ChallengeName) and AUTHFLOW_DESTINATION
    (where Cognito says the code went, masked) added to the environment, and AUTHFLOW_USERNAME (the
    user signing in, which tells users apart with ``authflow login --users``). Its stderr is left alone.
    """
    env = dict(os.environ)
    env["AUTHFLOW_CHALLENGE"] = prompt.challenge_name or ""
    env["AUTHFLOW_DESTINATION"] = prompt.destination or ""
    env["AUTHFLOW_USERNAME"] = prompt.username
    try:
        done = subprocess.run(  # the user's own shell command, by design (shell=True)
            command,
            shell=True,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CodeCommandError(f"AUTHFLOW_CODE_COMMAND gave no code within {timeout:g} s") from None
    except OSError as exc:
        raise CodeCommandError(f"AUTHFLOW_CODE_COMMAND could not be run ({exc.strerror})") from None
    if done.returncode != 0:
        raise CodeCommandError(f"AUTHFLOW_CODE_COMMAND failed with exit status {done.returncode}")
    code = normalize_code(done.stdout.decode("utf-8", "replace"))
    if not code:
        raise CodeCommandError("AUTHFLOW_CODE_COMMAND printed no code")
    return code


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
            import pyotp

            try:
                pyotp.TOTP(totp_secret).byte_secret()
            except (ValueError, TypeError):
                raise UsageError(
                    "AUTHFLOW_TOTP_SECRET is not a base32 TOTP secret (A-Z and 2-7, at least 16 characters)"
                ) from None
        return cls(
            password=get("AUTHFLOW_PASSWORD"),
            new_password=get("AUTHFLOW_NEW_PASSWORD"),
            attributes=attributes,
            totp_secret=totp_secret,
            code_command=get("AUTHFLOW_CODE_COMMAND"),
            mfa_choice=_one_of("AUTHFLOW_MFA_CHOICE", get("AUTHFLOW_MFA_CHOICE"), MFA_CHOICES),
            first_factor=_one_of("AUTHFLOW_FIRST_FACTOR", get("AUTHFLOW_FIRST_FACTOR"), FIRST_FACTORS),
            passkey_file=get("AUTHFLOW_PASSKEY_FILE"),
        )

    def code_for(self, prompt: Prompt) -> str | None:
        """A code for a CODE prompt: from the TOTP secret (SOFTWARE_TOKEN_MFA) or the code command."""
        if prompt.challenge_name == "SOFTWARE_TOKEN_MFA" and self.totp_secret:
            from authflow.handlers import TOTP_CODES  # never the same code twice in one process

            return TOTP_CODES.next_code(self.totp_secret)
        if self.code_command:
            return run_code_command(self.code_command, prompt)
        return None

    def value_for(self, prompt: Prompt, fld: Field) -> str | None:
        """The environment's answer to one field of ``prompt``, or None."""
        kind = prompt.kind
        if kind is PromptKind.PASSWORD or (kind is PromptKind.SIGN_UP and fld.name == "password"):
            return self.password
        if kind is PromptKind.CODE or (kind is PromptKind.RESET_PASSWORD and fld.name == "code"):
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
