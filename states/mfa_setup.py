"""MFA_SETUP: the pool requires MFA and the user has none yet; set one up inside the sign-in.

ChallengeParameters: MFAS_CAN_SETUP (JSON array, e.g. ["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]).
Authenticator app: AssociateSoftwareToken(Session) gives SecretCode and a Session, the person adds the
secret to an app, VerifySoftwareToken(Session, first code) gives a new Session, and MFA_SETUP is answered
with just USERNAME and that Session. Email: MFA_SETUP is answered with USERNAME and EMAIL; Cognito then
sends an EMAIL_OTP challenge. SMS can't be set up inside a sign-in (the phone number must be set first).

Three states of the table: MFA_SETUP (choose the method), MFA_SETUP_TOTP (show the secret, verify the first
code), MFA_SETUP_EMAIL (ask the address). The new secret is kept in ``ctx.memory`` until the sign-in ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

from authflow.states import base
from authflow.states.base import (
    TOTP_CODE,
    Challenge,
    Context,
    Exchange,
    Move,
    Request,
    State,
    answer_challenge,
    answer_value,
    ask,
    chosen,
    clean_code,
    code_field,
    json_string_list,
)

from authflow import totp
from authflow.errors import (
    EnableSoftwareTokenMFAError,
    InvalidTotpSecretError,
    MalformedResponseError,
    ProtocolError,
    UnsupportedChallengeError,
)
from authflow.prompts import Field, Prompt, PromptKind

NAME = "MFA_SETUP"
TOTP = "SOFTWARE_TOKEN_MFA"
EMAIL = "EMAIL_OTP"
SUPPORTED = (TOTP, EMAIL)


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


def choice_prompt(ctx: Context) -> Prompt:
    return base.choice_prompt(PromptKind.MFA_SETUP_CHOICE, ctx, "Set up", "This user pool requires MFA. Set up: ",
                              choices(ctx.challenge))


def choose(challenge: Challenge, answer: Mapping[str, str]) -> str:
    return chosen(answer, choices(challenge), "the MFA method to set up")


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code (Google Authenticator's key URI format,
    as pyotp writes it, for a secret of any length)."""
    query = urlencode({"secret": secret, "issuer": issuer}).replace("+", "%20")
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?{query}"


def choose_method(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    """MFA_SETUP answered: email asks the address next; an app gets its new secret first."""
    if choose(ctx.challenge, answer) == EMAIL:
        return Move("choose_email_setup")
    reply = yield Request("AssociateSoftwareToken", {"Session": ctx.session})
    ctx.memory["totp_secret"] = checked_secret(reply.get("SecretCode"))
    return Move("choose_totp_setup")


def checked_secret(secret: object) -> str:
    """AssociateSoftwareToken's SecretCode: base32 (SecretCodeType: at least 16 characters), or the setup
    could never be finished, so it is refused before the person is shown anything."""
    if not isinstance(secret, str) or not secret:
        raise MalformedResponseError("AssociateSoftwareToken answered without SecretCode")
    if not 16 <= len(secret) <= 1024:
        raise MalformedResponseError("AssociateSoftwareToken's SecretCode is not a base32 secret")
    try:
        return totp.check_secret(secret, "AssociateSoftwareToken's SecretCode")
    except InvalidTotpSecretError as exc:
        raise MalformedResponseError(exc.message) from None


def totp_secret(ctx: Context) -> str:
    secret = ctx.memory.get("totp_secret")
    if not secret:
        raise ProtocolError("MFA_SETUP_TOTP without a secret from AssociateSoftwareToken")
    return secret


def totp_prompt(ctx: Context) -> Prompt:
    secret = totp_secret(ctx)
    return ask(ctx, PromptKind.TOTP_SETUP,
               "Add this secret to your authenticator app (scan the QR code or type the secret), "
               "then enter the 6-digit code it shows.",
               code_field(TOTP_CODE, label="First code from the app"),
               secret_code=secret, otpauth_uri=otpauth_uri(secret, ctx.username, ctx.totp_issuer))


def totp_code(answer: Mapping[str, str]) -> str:
    """The first code from the app, as VerifySoftwareToken takes it (pasted spaces and dashes removed)."""
    return clean_code(answer_value(answer, "code", "code from the authenticator app"))


def verify_totp(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    """MFA_SETUP_TOTP answered: VerifySoftwareToken with the first code, then MFA_SETUP with its Session."""
    reply = yield Request("VerifySoftwareToken", {"UserCode": totp_code(answer), "Session": ctx.session})
    if reply.get("Status") != "SUCCESS":
        raise EnableSoftwareTokenMFAError("the code did not verify", operation="VerifySoftwareToken")
    return (yield from answer_challenge(ctx, {}))


def email_prompt(ctx: Context) -> Prompt:
    return ask(ctx, PromptKind.EMAIL_ADDRESS, "Enter the email address that MFA codes should be sent to.",
               Field(name="email", label="Email address", pattern=r"^[^@\s]+@[^@\s]+$"))


def send_email(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    """MFA_SETUP_EMAIL answered: MFA_SETUP with the address; Cognito then sends an EMAIL_OTP challenge."""
    return answer_challenge(ctx, {"EMAIL": answer_value(answer, "email", "email address")})


STATES = (
    State(NAME, choose_method, choice_prompt),
    State("MFA_SETUP_TOTP", verify_totp, totp_prompt),
    State("MFA_SETUP_EMAIL", send_email, email_prompt),
)
