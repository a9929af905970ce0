"""The words every interface shows a person: one table of choice labels, one of attribute labels, where a
code went, and why an answer was refused.

The ``states/`` modules put these words on each :class:`~authflow.prompts.Prompt` (``Field.label``,
``Prompt.choice_labels``); the terminal wizard, the Qt dialog and any app read them from the prompt or
from here, never from a copy of their own, so a new challenge reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from authflow.errors import (
    AuthflowError,
    CodeMismatchError,
    EnableSoftwareTokenMFAError,
    EndpointError,
    ExpiredCodeError,
    IncorrectCredentialsError,
    InvalidPasswordError,
    PasswordResetRequiredError,
    SessionExpiredError,
    UserNotConfirmedError,
)

if TYPE_CHECKING:
    from authflow.prompts import Prompt

__all__ = [
    "ATTRIBUTE_EXAMPLES",
    "ATTRIBUTE_LABELS",
    "CHOICE_LABELS",
    "MEDIUM_LABELS",
    "PREFERRED_MFA_LABEL",
    "Refusal",
    "attribute_label",
    "choice_label",
    "code_origin",
    "explain_refusal",
    "in_words",
]

#: Every option Cognito offers in a choice, in a person's words: MFA methods (SELECT_MFA_TYPE), first
#: factors (SELECT_CHALLENGE), MFA methods to set up (MFA_SETUP), and agreeing to a password reset.
CHOICE_LABELS: Mapping[str, str] = MappingProxyType({
    "SOFTWARE_TOKEN_MFA": "Authenticator app (TOTP)",
    "SMS_MFA": "Text message (SMS)",
    "EMAIL_OTP": "Email code",
    "EMAIL_MFA": "Email code",  # Cognito's docs' spelling of EMAIL_OTP in MFA_SETUP
    "SMS_OTP": "Text message code (SMS)",
    "PASSWORD": "Password, sent to Cognito (over HTTPS)",
    "PASSWORD_SRP": "Password, proved without sending it (SRP)",
    "WEB_AUTHN": "Passkey",
    "RESET_PASSWORD": "Reset the password",
})

#: Cognito's standard attributes (OpenID Connect's standard claims) by the names people know them by.
ATTRIBUTE_LABELS: Mapping[str, str] = MappingProxyType({
    "name": "Full name",
    "given_name": "Given name",
    "family_name": "Family name",
    "middle_name": "Middle name",
    "nickname": "Nickname",
    "preferred_username": "Preferred username",
    "email": "Email address",
    "phone_number": "Phone number",
    "birthdate": "Date of birth",
    "gender": "Gender",
    "address": "Postal address",
    "locale": "Locale",
    "zoneinfo": "Time zone",
    "picture": "Picture URL",
    "profile": "Profile page URL",
    "website": "Website URL",
})

#: What a value of an attribute looks like, where its form is not obvious (a hint beside the label).
ATTRIBUTE_EXAMPLES: Mapping[str, str] = MappingProxyType({
    "phone_number": "+15555550100",
    "birthdate": "YYYY-MM-DD",
    "locale": "en-US",
    "zoneinfo": "Europe/Paris",
})


def choice_label(choice: str) -> str:
    """An option of a choice in words ("SOFTWARE_TOKEN_MFA" -> "Authenticator app (TOTP)"); an option
    without a label is shown as Cognito names it."""
    return CHOICE_LABELS.get(choice, choice)


def attribute_label(name: str) -> str:
    """An attribute in words: ``given_name`` -> "Given name", ``custom:team_id`` -> "Team id" (the
    ``userAttributes.`` prefix of NEW_PASSWORD_REQUIRED is ignored)."""
    name = name.removeprefix("userAttributes.")
    if name in ATTRIBUTE_LABELS:
        return ATTRIBUTE_LABELS[name]
    words = name.removeprefix("custom:").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def in_words(items: list[str] | tuple[str, ...]) -> str:
    """A list as a sentence says it: "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


#: How a code went, by Cognito's DeliveryMedium (``Prompt.delivery_medium``).
MEDIUM_LABELS: Mapping[str, str] = MappingProxyType({"SMS": "by text message", "EMAIL": "by email"})

#: The MFA method Cognito asks for at sign-in when several are on, as an account shows it: the terminal's words
#: (`authflow account mfa prefer` "makes an MFA method the preferred one"; `authflow account` prints "Preferred").
PREFERRED_MFA_LABEL = "Preferred method"


def code_origin(prompt: Prompt) -> str:
    """One line for a code prompt: where the code comes from. Only what Cognito said is told: the medium
    and the masked destination of the delivery the prompt carries; where no delivery is known (a sign-up
    confirmed later, an unconfirmed user signing in) it says so and how to get a new code."""
    if prompt.from_authenticator_app:
        return "Open your authenticator app for the current code."
    how = MEDIUM_LABELS.get((prompt.delivery_medium or "").upper())
    where = f"to {prompt.destination}" if prompt.destination else None
    if how or where:
        return " ".join(part for part in ("A code was sent", how, where) if part) + "."
    if prompt.resend is not None:
        return "No code was sent just now: enter the code you were sent earlier, or ask for a new code."
    return "Enter the code you were sent."


@dataclass(frozen=True)
class Refusal:
    """Why Cognito refused an answer (or stopped the sign-in), for a person.

    ``str(refusal)`` is one line (``headline`` and ``advice``) for an interface that shows one; a terminal
    that asks again may show ``headline`` and ``detail`` and say "Try again" itself.
    """

    headline: str  # what went wrong, in a person's words: "That code is not right."
    advice: str  # what to do now ("Check it and try again."), or "" when the headline says it all
    detail: str  # Cognito's own words: its error code and message (the code alone when the message is the headline)

    def __str__(self) -> str:
        return f"{self.headline} {self.advice}".strip()


def explain_refusal(error: AuthflowError) -> Refusal:
    """Why ``error`` refused an answer or stopped a sign-in, in words (``Prompt.error``, a failed step)."""
    headline, advice = _EXPLAINED.get(type(error), ("", ""))
    if not headline:
        for cls, words in _EXPLAINED.items():
            if isinstance(error, cls):
                headline, advice = words
                break
    if isinstance(error, InvalidPasswordError):  # the pool's policy says what the password lacks
        advice = _sentence(error.message)
    if not headline:
        headline = _sentence(error.message or error.code)
    if isinstance(error, EndpointError):  # nothing was refused: the same answer may go again
        headline, advice = f"{_sentence(error.message or error.code).rstrip('.')}: try again.", ""
    detail = error.code if error.message.strip().rstrip(".") == headline.rstrip(".") else str(error)
    if error.after_lost_connection:
        headline = f"{LOST_CONNECTION} {headline}"
        if not error.retryable:
            advice = error.advice or "Sign in again."
    return Refusal(headline, advice, detail)


#: Said before Cognito's refusal of an answer sent again after the connection broke.
LOST_CONNECTION = "The answer sent when the connection broke may have reached Cognito, which used it."


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and a final stop ("wrong PIN" -> "Wrong PIN."); the
    errors' own messages (lower case, no stop) are clauses that tracebacks and the CLI's "error: ..." lines use."""
    text = text.strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


_EXPLAINED: dict[type[AuthflowError], tuple[str, str]] = {
    SessionExpiredError: ("This sign-in took too long and has expired.", "Start over."),
    IncorrectCredentialsError: ("Incorrect username or password.", ""),
    CodeMismatchError: ("That code is not right.", "Check it and try again."),
    ExpiredCodeError: ("That code has expired or was already used.", "Enter a new code."),
    EnableSoftwareTokenMFAError: ("The authenticator app's code was not accepted.", "Enter the code it shows now."),
    InvalidPasswordError: ("The new password was refused.", ""),
    UserNotConfirmedError: ("This account is not confirmed yet.", ""),
    PasswordResetRequiredError: ("This account's password must be reset.", ""),
}
