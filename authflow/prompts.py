"""What the engine asks a handler: a :class:`Prompt` made of :class:`Field` s.

A prompt is a plain description, never a blocking call: a GUI builds a form from ``fields``, the terminal
wizard asks them one by one, a script answers by ``kind``. The answer is a mapping from field name to
value (a bare string is accepted for a one-field prompt).

A prompt carries everything an interface needs, so none has to know Cognito's challenge names: which kind
of code it asks (``TOTP_CODE`` from an authenticator app, ``CODE`` delivered, with ``delivery_medium`` and
the masked ``destination`` when Cognito said), every field's label, every choice's label
(``choice_labels``), whether a new code can be asked for (``resend``: answer ``resend.answer``), and why
the last answer was refused (``error``; :func:`authflow.labels.explain_refusal` says it in words).

Secrets that a prompt must show (the TOTP secret during MFA_SETUP) are kept out of ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authflow.errors import AuthflowError


class PromptKind(str, Enum):
    """What is being asked, in terms a UI can switch on."""

    PASSWORD = "PASSWORD"  # the password, before InitiateAuth or after choosing a password first factor
    CODE = "CODE"  # a code Cognito delivered (SMS_MFA, EMAIL_OTP, SMS_OTP, a sign-up confirmation): see
    #               delivery_medium and destination (None when this sign-in saw no delivery), and resend
    TOTP_CODE = "TOTP_CODE"  # a code from the person's authenticator app (SOFTWARE_TOKEN_MFA): never delivered
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


#: The answer that asks for a new code instead of giving one, where a prompt offers it (``Prompt.resend``).
RESEND_ANSWER: Mapping[str, str] = MappingProxyType({"resend": "yes"})


@dataclass(frozen=True)
class Resend:
    """A new code can be asked for at this prompt: answer it with ``answer`` (the same question comes back,
    with where the new code went)."""

    label: str = "Send a new code"  # what a button or hint says
    answer: Mapping[str, str] = field(default_factory=lambda: RESEND_ANSWER)


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
    choice_labels: Mapping[str, str] = field(default_factory=dict)  # each choice in words (authflow.labels)
    required_attributes: tuple[str, ...] = ()  # NEW_PASSWORD_REQUIRED: attribute names without prefix
    user_attributes: Mapping[str, str] = field(default_factory=dict)  # NEW_PASSWORD_REQUIRED
    parameters: Mapping[str, str] = field(default_factory=dict)  # ChallengeParameters as received
    secret_code: str | None = field(default=None, repr=False)  # TOTP_SETUP: the new base32 secret
    otpauth_uri: str | None = field(default=None, repr=False)  # TOTP_SETUP: for a QR code
    webauthn_options: Mapping[str, Any] = field(default_factory=dict)  # PASSKEY: the request options
    error: AuthflowError | None = None  # why the previous answer to this prompt was refused
    attempt: int = 1  # 1 for the first try at this prompt, 2 after one refusal...
    resend: Resend | None = None  # a new code can be asked for (answer resend.answer); None: it cannot

    @property
    def from_authenticator_app(self) -> bool:
        """Whether the code asked for comes from an authenticator app (TOTP), not from a delivery."""
        return self.kind in (PromptKind.TOTP_CODE, PromptKind.TOTP_SETUP)

    def choice_label(self, choice: str) -> str:
        """``choice`` in words: as this prompt labels it, else as :data:`authflow.labels.CHOICE_LABELS` does
        (Cognito's name when neither has a label)."""
        from authflow.labels import choice_label  # the words' layer, above this one (it imports prompts for types only)

        return self.choice_labels.get(choice) or choice_label(choice)


Answer = Mapping[str, str] | str


def normalize_answer(prompt: Prompt, answer: Answer) -> dict[str, str]:
    """The answer as a field-name mapping; a bare string answers a one-field prompt."""
    if isinstance(answer, str):
        if len(prompt.fields) != 1:
            names = ", ".join(f.name for f in prompt.fields)
            raise TypeError(f"this prompt has several fields ({names}): answer with a mapping")
        return {prompt.fields[0].name: answer}
    return {str(k): str(v) for k, v in answer.items() if v is not None}
