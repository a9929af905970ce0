"""Cognito's limits on what a client may send and store, and on how often it may ask for or try a code.

Where Cognito publishes a number (the API's field constraints: usernames 1-128 characters, passwords up to
256, attribute values up to 2,048, device names up to 1,024) the pool uses it; where it does not (how many
wrong codes, how many code requests an hour, how many passkeys' transports) the pool's own choice is here
and in docs/local-pool.md, section "Limits".
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from authflow.localpool.errors import PoolError, invalid_parameter

if TYPE_CHECKING:
    from authflow.localpool.model import User

ATTEMPT_LIMIT = "Attempt limit exceeded, please try after some time."

#: Wrong codes a sign-up confirmation, password reset or attribute verification code survives; the next
#: try (even with the right code) is LimitExceededException until a new code is asked for.
MAX_WRONG_CODES = 5
#: Codes a user may ask for per purpose (ForgotPassword, ResendConfirmationCode, each attribute's
#: GetUserAttributeVerificationCode; SignUp's own code counts) in CODE_REQUEST_WINDOW seconds.
CODE_REQUESTS_PER_WINDOW = 5
CODE_REQUEST_WINDOW = 3600

#: The API's own field constraints (UsernameType, PasswordType, AttributeValueType, DeviceNameType...).
USERNAME_MAX = 128
PASSWORD_MAX = 256
ATTRIBUTE_NAME_MAX = 32
ATTRIBUTE_VALUE_MAX = 2048
ATTRIBUTES_MAX = 100
DEVICE_NAME_MAX = 1024
#: The pool's choice for ConfirmDevice's base64 PasswordVerifier and Salt (a 3,072-bit verifier is 512).
DEVICE_VERIFIER_MAX = 1024
#: The pool's choices for a passkey: transports (WebAuthn defines 6 names), their length, the credential.
PASSKEY_TRANSPORTS_MAX = 8
PASSKEY_TRANSPORT_MAX = 32
PASSKEY_CREDENTIAL_MAX = 64 * 1024
#: Cognito's limit of passkeys per user.
PASSKEYS_PER_USER = 20

#: The standard attributes of every pool (OpenID Connect's); custom ones are ``custom:<name>``.
STANDARD_ATTRIBUTES = frozenset({
    "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "locale",
    "middle_name", "name", "nickname", "phone_number", "phone_number_verified", "picture",
    "preferred_username", "profile", "updated_at", "website", "zoneinfo",
})

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+[1-9][0-9]{1,14}")
#: What the pattern's ``.`` does not match (Java's line terminators).
_LINE_BREAKS = frozenset("\n\r\u0085\u2028\u2029")


def limit_exceeded() -> PoolError:
    return PoolError("LimitExceededException", ATTEMPT_LIMIT)


def validation_error(member: str, constraint: str) -> PoolError:
    """AWS's framework message for a field that breaks the API's constraint (the value is never quoted:
    usernames, passwords and attribute values are sensitive, and may be huge)."""
    return invalid_parameter(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}"
    )


def check_length(value: str, member: str, maximum: int) -> None:
    if len(value) > maximum:
        raise validation_error(member, f"Member must have length less than or equal to {maximum}")


def check_username(username: str, member: str = "username") -> None:
    """UsernameType: 1-128 characters of ``[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+`` (no space, NUL or control)."""
    check_length(username, member, USERNAME_MAX)
    if not all(unicodedata.category(c)[0] in "LMSNP" for c in username):
        raise validation_error(
            member, "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
        )


def check_password(password: str, member: str = "password") -> None:
    """PasswordType: up to 256 characters, neither starting nor ending with white space."""
    check_length(password, member, PASSWORD_MAX)
    if password != password.strip() or any(c in _LINE_BREAKS for c in password):
        raise validation_error(member, "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$")


def is_email(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None


def is_phone_number(value: str) -> bool:
    return _PHONE.fullmatch(value) is not None


def check_attribute_values(items: list[dict[str, Any]], member: str = "userAttributes") -> None:
    """Every ``{"Name", "Value"}`` of a request: names up to 39 characters, values up to 2,048, at most 100."""
    if len(items) > ATTRIBUTES_MAX:
        raise validation_error(member, f"Member must have length less than or equal to {ATTRIBUTES_MAX}")
    for number, item in enumerate(items, 1):
        check_length(item["Name"], f"{member}.{number}.member.name", ATTRIBUTE_NAME_MAX)
        check_length(item.get("Value", ""), f"{member}.{number}.member.value", ATTRIBUTE_VALUE_MAX)


def check_formats(attributes: dict[str, str]) -> None:
    """email and phone_number as Cognito accepts them (an empty value removes the attribute)."""
    if attributes.get("email") and not is_email(attributes["email"]):
        raise invalid_parameter("Invalid email address format.")
    if attributes.get("phone_number") and not is_phone_number(attributes["phone_number"]):
        raise invalid_parameter("Invalid phone number format.")


# --- codes -----------------------------------------------------------------------------------------


def count_code_request(user: User, purpose: str, now: float) -> None:
    """One more code asked for ``purpose``; LimitExceededException past CODE_REQUESTS_PER_WINDOW."""
    recent = [t for t in user.code_requests.get(purpose, []) if now - t < CODE_REQUEST_WINDOW]
    if len(recent) >= CODE_REQUESTS_PER_WINDOW:
        user.code_requests[purpose] = recent
        raise limit_exceeded()
    user.code_requests[purpose] = [*recent, now]


def check_code_attempts(user: User, purpose: str) -> None:
    """Before a code is compared: the code of ``purpose`` has had MAX_WRONG_CODES wrong tries already."""
    if user.wrong_codes.get(purpose, 0) >= MAX_WRONG_CODES:
        raise limit_exceeded()


def wrong_code(user: User, purpose: str) -> None:
    user.wrong_codes[purpose] = user.wrong_codes.get(purpose, 0) + 1


def fresh_code(user: User, purpose: str) -> None:
    """A new code of ``purpose`` was sent or the code was used: its wrong tries start again."""
    user.wrong_codes.pop(purpose, None)
