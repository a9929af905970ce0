"""MFA_SETUP: the pool requires MFA and the user has none yet; set one up inside the sign-in.

ChallengeParameters: MFAS_CAN_SETUP (JSON array, e.g. ["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]).
Authenticator app: AssociateSoftwareToken(Session) gives SecretCode and a Session, the person adds the
secret to an app, VerifySoftwareToken(Session, first code) gives a new Session, and MFA_SETUP is answered
with just USERNAME and that Session. Email: MFA_SETUP is answered with USERNAME and EMAIL; Cognito then
sends an EMAIL_OTP challenge. SMS can't be set up inside a sign-in (the phone number must be set first).
"""

from __future__ import annotations

from collections.abc import Mapping

import pyotp
from authflow.states import base
from authflow.states.base import TOTP_CODE, Challenge, answer_value, chosen, clean_code, code_field, json_string_list

from authflow.errors import AuthflowError, UnsupportedChallengeError
from authflow.prompts import Field, Prompt, PromptKind

NAME = "MFA_SETUP"
TOTP = "SOFTWARE_TOKEN_MFA"
EMAIL = "EMAIL_OTP"
SUPPORTED = (TOTP, EMAIL)

LABELS = {TOTP: "an authenticator app", EMAIL: "codes by email"}


def choices(challenge: Challenge) -> tuple[str, ...]:
    offered = json_string_list(challenge, "MFAS_CAN_SETUP")
    # Cognito's docs also spell email MFA EMAIL_MFA; the SDKs send EMAIL_OTP.
    normalized = {EMAIL if o == "EMAIL_MFA" else o for o in offered}
    options = tuple(o for o in SUPPORTED if o in normalized)
    if not options:
        raise UnsupportedChallengeError(
            "MFA_SETUP offers only "
            + (", ".join(offered) or "nothing")
            + ": SMS MFA needs a phone number on the user before signing in",
            challenge_name=NAME,
        )
    return options


def choice_prompt(challenge: Challenge, error: AuthflowError | None = None, attempt: int = 1) -> Prompt:
    return base.choice_prompt(PromptKind.MFA_SETUP_CHOICE, challenge, "Set up",
                              "This user pool requires MFA. Set up: ", choices(challenge), LABELS, error, attempt)


def choose(challenge: Challenge, answer: Mapping[str, str]) -> str:
    return chosen(answer, choices(challenge), "the MFA method to set up")


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def totp_prompt(
    challenge: Challenge,
    secret: str,
    issuer: str,
    error: AuthflowError | None = None,
    attempt: int = 1,
) -> Prompt:
    return Prompt(
        kind=PromptKind.TOTP_SETUP,
        challenge_name=NAME,
        fields=(code_field(TOTP_CODE, label="First code from the app"),),
        message="Add this secret to your authenticator app (scan the QR code or type the secret), "
        "then enter the 6-digit code it shows.",
        username=challenge.username,
        parameters=dict(challenge.parameters),
        secret_code=secret,
        otpauth_uri=otpauth_uri(secret, challenge.username, issuer),
        error=error,
        attempt=attempt,
    )


def totp_code(answer: Mapping[str, str]) -> str:
    """The first code from the app, as VerifySoftwareToken takes it (pasted spaces and dashes removed)."""
    return clean_code(answer_value(answer, "code", "code from the authenticator app"))


def email_prompt(challenge: Challenge, error: AuthflowError | None = None, attempt: int = 1) -> Prompt:
    return Prompt(
        kind=PromptKind.EMAIL_ADDRESS,
        challenge_name=NAME,
        fields=(Field(name="email", label="Email address", pattern=r"^[^@\s]+@[^@\s]+$"),),
        message="Enter the email address that MFA codes should be sent to.",
        username=challenge.username,
        parameters=dict(challenge.parameters),
        error=error,
        attempt=attempt,
    )


def email_responses(answer: Mapping[str, str]) -> dict[str, str]:
    return {"EMAIL": answer_value(answer, "email", "email address")}
