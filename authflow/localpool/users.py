"""What the user operations share, whoever calls them (the user with an access token, or an admin):
finding a user, describing one, changing attributes and MFA preferences, sending a user a code."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from authflow.localpool.codes import new_code
from authflow.localpool.errors import PoolError, invalid_parameter, user_not_found
from authflow.localpool.limits import check_code_attempts, fresh_code, is_email, is_phone_number, wrong_code
from authflow.localpool.model import (
    CONFIRMATION_CODE_VALIDITY,
    EMAIL_OTP,
    MFA_METHODS,
    RESET_CODE_VALIDITY,
    SMS_MFA,
    SOFTWARE_TOKEN_MFA,
    AppClient,
    PoolRecord,
    User,
    mask_email,
    mask_phone,
)

if TYPE_CHECKING:
    from authflow.localpool.service import Service


def find_user(pool: PoolRecord, username: str) -> User:
    user = pool.find(username)
    if user is None:
        raise user_not_found()
    return user


def attribute_list(attributes: dict[str, str]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in attributes.items()]


def mfa_description(user: User) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if user.preferred_mfa:
        out["PreferredMfaSetting"] = user.preferred_mfa
    listed = [m for m in MFA_METHODS if m in user.mfa_enabled]
    if listed:  # Cognito's documented values only (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA): passkey MFA
        out["UserMFASettingList"] = listed  # (WebAuthnMfaSettings) is set, never listed (botocore's model)
    if SMS_MFA in user.mfa_enabled:
        out["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    return out


def first_factors(pool: PoolRecord, user: User) -> list[str]:
    """The first factors of choice-based sign-in (USER_AUTH) this user can use in this pool."""
    allowed = pool.allowed_first_auth_factors
    factors: list[str] = []
    if "PASSWORD" in allowed and user.password is not None:
        factors += ["PASSWORD", "PASSWORD_SRP"]
    if "EMAIL_OTP" in allowed and user.attributes.get("email") and user.verified("email"):
        factors.append("EMAIL_OTP")
    if "SMS_OTP" in allowed and user.attributes.get("phone_number"):
        factors.append("SMS_OTP")
    if "WEB_AUTHN" in allowed and user.passkeys and pool.web_authn.relying_party_id:
        factors.append("WEB_AUTHN")
    return factors


def user_description(user: User, attributes_key: str = "Attributes") -> dict[str, Any]:
    return {
        "Username": user.username, attributes_key: attribute_list(user.attributes),
        "UserCreateDate": user.created, "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled, "UserStatus": user.status,
    }


def update_attributes(pool: PoolRecord, user: User, updates: dict[str, str], now: float) -> None:
    if "sub" in updates:
        raise invalid_parameter("Cannot modify the non-mutable attribute sub")
    for name in ("email", "phone_number"):
        if name in updates and updates[name] != user.attributes.get(name) and f"{name}_verified" not in updates:
            updates[f"{name}_verified"] = "false"
    for name in pool.alias_attributes:
        value = updates.get(name)
        if value and updates.get(f"{name}_verified", user.attributes.get(f"{name}_verified")) == "true":
            owner = pool.alias_owner(name, value, exclude=user)
            if owner is not None and owner.verified(name):
                raise PoolError("AliasExistsException", f"An account with the given {name} already exists.")
    user.attributes.update(updates)
    user.modified = now


PASSKEY_MFA_ALONE = ("Passkey MFA (WebAuthnMfaSettings) needs another MFA method - SMS, TOTP or email - "
                     "enabled for the user, so that the account cannot be locked out.")


PASSKEY_MFA_NOT_CONFIGURED = ("Passkey MFA (WebAuthnMfaSettings) needs passkeys in the user pool: it has no "
                              "WebAuthnConfiguration (relying party id).")


PASSKEY_MFA_SINGLE_FACTOR = ("Passkey MFA (WebAuthnMfaSettings) needs the user pool's WebAuthnConfiguration "
                             "FactorConfiguration to be MULTI_FACTOR_WITH_USER_VERIFICATION.")


def apply_mfa_preference(pool: PoolRecord, user: User, params: dict[str, Any]) -> None:
    """SetUserMFAPreference / AdminSetUserMFAPreference: each method's Enabled and PreferredMfa, and passkey MFA
    (WebAuthnMfaSettings, which has no PreferredMfa). Passkey MFA stays on only while another method does: a
    request that would leave it alone is refused whole (nothing changes)."""
    webauthn = params.get("WebAuthnMfaSettings")
    if webauthn is not None and not isinstance(webauthn, dict):
        raise invalid_parameter("Invalid settings for WebAuthnMfaSettings")
    passkey_mfa = user.webauthn_mfa
    if isinstance(webauthn, dict) and isinstance(webauthn.get("Enabled"), bool):
        passkey_mfa = webauthn["Enabled"]
        if passkey_mfa and not pool.web_authn.relying_party_id:  # (the operation declares no WebAuthn* error)
            raise invalid_parameter(PASSKEY_MFA_NOT_CONFIGURED)
        if passkey_mfa and pool.web_authn.factor_configuration != "MULTI_FACTOR_WITH_USER_VERIFICATION":
            # botocore's model (SetUserMFAPreference, WebAuthnMfaSettings): to activate this setting, the pool's
            # WebAuthnConfiguration.FactorConfiguration must be MULTI_FACTOR_WITH_USER_VERIFICATION.
            raise invalid_parameter(PASSKEY_MFA_SINGLE_FACTOR)
    settings = {
        SMS_MFA: params.get("SMSMfaSettings"),
        SOFTWARE_TOKEN_MFA: params.get("SoftwareTokenMfaSettings"),
        EMAIL_OTP: params.get("EmailMfaSettings"),
    }
    enabled, preferred = set(user.mfa_enabled), user.preferred_mfa
    for method, setting in settings.items():
        if setting is None:
            continue
        if not isinstance(setting, dict):
            raise invalid_parameter(f"Invalid settings for {method}")
        if setting.get("Enabled") is True:
            if method == SOFTWARE_TOKEN_MFA and not user.totp_secret:
                # Cognito's words (quoted in aws/aws-sdk-js-v3#4645); the SMS and email ones below are not known
                raise invalid_parameter("User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
            if method == SMS_MFA and not user.attributes.get("phone_number"):
                raise invalid_parameter("User does not have a phone number.")
            if method == EMAIL_OTP and not user.attributes.get("email"):
                raise invalid_parameter("User does not have an email address.")
            enabled.add(method)
        elif setting.get("Enabled") is False:
            enabled.discard(method)
            if preferred == method:
                preferred = None
        if setting.get("PreferredMfa") is True:
            if method not in enabled:
                raise invalid_parameter(f"{method} must be enabled to be the preferred MFA method.")
            preferred = method
        elif setting.get("PreferredMfa") is False and preferred == method:
            preferred = None
    if passkey_mfa and not enabled:
        raise invalid_parameter(PASSKEY_MFA_ALONE)
    user.mfa_enabled, user.preferred_mfa, user.webauthn_mfa = enabled, preferred, passkey_mfa


def deliver_to_user(svc: Service, pool: PoolRecord, user: User, code: str, purpose: str,
                     mediums: Iterable[str] = ("EMAIL", "SMS")) -> dict[str, str] | None:
    """Put ``code`` in the outbox by the first medium the user can receive; CodeDeliveryDetails."""
    for medium in mediums:
        if medium == "EMAIL" and user.attributes.get("email"):
            svc.deliver(pool, user, "EMAIL", user.attributes["email"], code, purpose)
            return {"Destination": mask_email(user.attributes["email"]), "DeliveryMedium": "EMAIL",
                    "AttributeName": "email"}
        if medium == "SMS" and user.attributes.get("phone_number"):
            svc.deliver(pool, user, "SMS", user.attributes["phone_number"], code, purpose)
            return {"Destination": mask_phone(user.attributes["phone_number"]), "DeliveryMedium": "SMS",
                    "AttributeName": "phone_number"}
    return None


#: Codes a user is sent outside a sign-in, by purpose (the outbox's ``purpose``): the names a code command
#: sees in AUTHFLOW_CHALLENGE for them, so that it can filter the outbox with that variable.
CONFIRM_SIGN_UP = "CONFIRM_SIGN_UP"
RESET_PASSWORD = "RESET_PASSWORD"
#: The same purpose under the name of the operation that sends it (outbox filters still accept it).
FORGOT_PASSWORD = RESET_PASSWORD


def send_user_code(svc: Service, pool: PoolRecord, user: User, purpose: str,
                   mediums: Iterable[str] | None = None) -> dict[str, str] | None:
    """A new sign-up confirmation code (CONFIRM_SIGN_UP) or password reset code (RESET_PASSWORD),
    replacing the previous one, put in the outbox by the first of ``mediums`` the user can receive (by
    default: for a sign-up, :func:`confirmation_mediums`; else email, then SMS); its CodeDeliveryDetails
    (None: nowhere to send it)."""
    code = new_code()
    fresh_code(user, purpose)
    if purpose == CONFIRM_SIGN_UP:
        user.confirmation_code, user.confirmation_code_sent = code, svc.now()
    else:
        user.reset_code, user.reset_code_sent = code, svc.now()
    if mediums is None:
        mediums = confirmation_mediums(pool) if purpose == CONFIRM_SIGN_UP else ("EMAIL", "SMS")
    return deliver_to_user(svc, pool, user, code, purpose, mediums)


def recovery_mediums(user: User) -> tuple[str, ...]:
    """Where ForgotPassword sends a reset code: only to a *verified* phone number or email address, the
    phone first (Cognito's behaviour for a pool without AccountRecoverySetting: "SMS is preferred over
    email"). Empty: the user cannot reset the password by themself."""
    return (*(("SMS",) if user.attributes.get("phone_number") and user.verified("phone_number") else ()),
            *(("EMAIL",) if user.attributes.get("email") and user.verified("email") else ()))


def confirmation_mediums(pool: PoolRecord) -> tuple[str, ...]:
    """Where Cognito sends a sign-up's confirmation code: only to an attribute the pool verifies automatically
    (AutoVerifiedAttributes), the phone number first when it verifies both; none when it verifies neither:
    then no code is sent (SignUp answers without CodeDeliveryDetails, ResendConfirmationCode refuses) and only
    an administrator (AdminConfirmSignUp) confirms the user."""
    verified = pool.auto_verified_attributes
    return (*(("SMS",) if "phone_number" in verified else ()), *(("EMAIL",) if "email" in verified else ()))


def use_user_code(user: User, purpose: str, code: str, now: float) -> None:
    """Check a code from :func:`send_user_code` and use it up: CodeMismatchException for a wrong one,
    ExpiredCodeException for the right one past its validity (a new one must be asked for);
    LimitExceededException once the code has had MAX_WRONG_CODES wrong tries (even for the right one)."""
    check_code_attempts(user, purpose)
    if purpose == CONFIRM_SIGN_UP:
        expected, sent, validity = user.confirmation_code, user.confirmation_code_sent, CONFIRMATION_CODE_VALIDITY
    else:
        expected, sent, validity = user.reset_code, user.reset_code_sent, RESET_CODE_VALIDITY
    if expected is None or not hmac.compare_digest(code.encode(), expected.encode()):
        wrong_code(user, purpose)
        raise PoolError("CodeMismatchException", "Invalid verification code provided, please try again.")
    if now > sent + validity:
        raise PoolError("ExpiredCodeException", "Invalid code provided, please request a code again.")
    fresh_code(user, purpose)
    if purpose == CONFIRM_SIGN_UP:
        user.confirmation_code = None
    else:
        user.reset_code = None


def hides_users(client: AppClient) -> bool:
    """PreventUserExistenceErrors ENABLED: the client's answers must not tell whether a user exists."""
    return client.prevent_user_existence_errors == "ENABLED"


def simulated_delivery(svc: Service, pool: PoolRecord, typed: str) -> dict[str, str]:
    """CodeDeliveryDetails under PreventUserExistenceErrors ENABLED for a user who does not exist (or, in
    ForgotPassword, is disabled or has nowhere verified to receive a code): what a real delivery looks like,
    nothing sent. Cognito picks the simulated medium from the format of the name typed and the pool's
    verification settings: a phone number or an email address typed is masked as itself; for another name,
    a made-up address (the same one each time) by the medium the pool verifies (SMS when it verifies only
    phone numbers, else email)."""
    if is_phone_number(typed):
        return {"Destination": mask_phone(typed), "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    if is_email(typed):
        return {"Destination": mask_email(typed), "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    digest = hmac.new(svc.decoy_key, f"{pool.id}/{typed}".encode(), "sha256").digest()
    if pool.auto_verified_attributes == ["phone_number"]:
        made_up_number = "+1555" + "".join(str(b % 10) for b in digest[:7])
        return {"Destination": mask_phone(made_up_number), "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    letters = "abcdefghijklmnopqrstuvwxyz"
    made_up = f"{letters[digest[0] % 26]}@{letters[digest[1] % 26]}.example"
    return {"Destination": mask_email(made_up), "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def check_password_policy(pool: PoolRecord, password: str, wording: str | None = None) -> None:
    """InvalidPasswordException for a password the pool's policy refuses (``wording``: see
    :meth:`PasswordPolicy.violation`)."""
    violation = (pool.password_policy.violation(password) if wording is None
                 else pool.password_policy.violation(password, wording))
    if violation:
        raise PoolError("InvalidPasswordException", violation)
