"""What the engine asks a handler: a :class:`Prompt` made of :class:`Field` s.

A prompt is a plain description, never a blocking call: a GUI builds a form from ``fields``, the terminal
wizard asks them one by one, a script answers by ``kind``. The answer is a mapping from field name to
value (a bare string is accepted for a one-field prompt).

Secrets that a prompt must show (the TOTP secret during MFA_SETUP) are kept out of ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authflow.errors import AuthflowError


class PromptKind(str, Enum):
    """What is being asked, in terms a UI can switch on."""

    PASSWORD = "PASSWORD"  # the password, before InitiateAuth or after choosing a password first factor
    CODE = "CODE"  # a one-time code: SMS_MFA, EMAIL_OTP, SMS_OTP (delivered) or SOFTWARE_TOKEN_MFA (TOTP app)
    NEW_PASSWORD = "NEW_PASSWORD"  # NEW_PASSWORD_REQUIRED: a new password and the required attributes
    MFA_CHOICE = "MFA_CHOICE"  # SELECT_MFA_TYPE: which MFA to use this time
    FIRST_FACTOR = "FIRST_FACTOR"  # SELECT_CHALLENGE: which first factor (USER_AUTH)
    MFA_SETUP_CHOICE = "MFA_SETUP_CHOICE"  # MFA_SETUP offering several methods: which to set up
    TOTP_SETUP = "TOTP_SETUP"  # MFA_SETUP for an authenticator app: show secret/URI/QR, ask the first code
    EMAIL_ADDRESS = "EMAIL_ADDRESS"  # MFA_SETUP for email MFA: the address to send codes to
    CUSTOM_ANSWER = "CUSTOM_ANSWER"  # CUSTOM_CHALLENGE: the answer the pool's Lambda expects
    SIGN_UP = "SIGN_UP"  # a new account: the password (twice) and the attributes the app asks for
    RESET_REQUIRED = "RESET_REQUIRED"  # PasswordResetRequiredException in a sign-in: agree to reset first
    RESET_PASSWORD = "RESET_PASSWORD"  # the reset code and a new password (ConfirmForgotPassword)
    PASSKEY = "PASSKEY"  # WEB_AUTHN: an authenticator's assertion for webauthn_options (authflow.passkeys)
    CONFIRM = "CONFIRM"  # an account change that cannot be undone (DeleteUser): type the username to confirm


@dataclass(frozen=True)
class Field:
    """One value to ask for."""

    name: str  # key in the answer mapping
    label: str  # what to show a person
    secret: bool = False  # mask the input, never echo or log it
    choices: tuple[str, ...] = ()  # a selection rather than free text
    pattern: str | None = None  # a regular expression the value must match (e.g. 6 digits)
    confirm: bool = False  # ask twice (new passwords)


@dataclass(frozen=True)
class Prompt:
    """Everything a UI needs to ask one question of the sign-in."""

    kind: PromptKind
    challenge_name: str | None  # the ChallengeName this answers; None for a password asked up front
    fields: tuple[Field, ...]
    message: str  # one line for a person: what is asked and why
    username: str  # the name the person typed
    destination: str | None = None  # CODE_DELIVERY_DESTINATION (masked by Cognito), for delivered codes
    delivery_medium: str | None = None  # CODE_DELIVERY_DELIVERY_MEDIUM: SMS or EMAIL
    choices: tuple[str, ...] = ()  # MFA or first-factor choices, in Cognito's words
    required_attributes: tuple[str, ...] = ()  # NEW_PASSWORD_REQUIRED: attribute names without prefix
    user_attributes: Mapping[str, str] = field(default_factory=dict)  # NEW_PASSWORD_REQUIRED
    parameters: Mapping[str, str] = field(default_factory=dict)  # ChallengeParameters as received
    secret_code: str | None = field(default=None, repr=False)  # TOTP_SETUP: the new base32 secret
    otpauth_uri: str | None = field(default=None, repr=False)  # TOTP_SETUP: for a QR code
    webauthn_options: Mapping[str, Any] = field(default_factory=dict)  # PASSKEY: the request options
    error: AuthflowError | None = None  # why the previous answer to this prompt was refused
    attempt: int = 1  # 1 for the first try at this prompt, 2 after one refusal...

    def field_named(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


Answer = Mapping[str, str] | str


def normalize_answer(prompt: Prompt, answer: Answer) -> dict[str, str]:
    """The answer as a field-name mapping; a bare string answers a one-field prompt."""
    if isinstance(answer, str):
        if len(prompt.fields) != 1:
            names = ", ".join(f.name for f in prompt.fields)
            raise TypeError(f"this prompt has several fields ({names}): answer with a mapping")
        return {prompt.fields[0].name: answer}
    return {str(k): str(v) for k, v in answer.items() if v is not None}
