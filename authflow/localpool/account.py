"""Operations a signed-in user makes with an access token (GetUser, GetUserAuthFactors, GlobalSignOut,
ListUserSessions / RevokeUserSession, SetUserMFAPreference / SetUserSettings, ChangePassword, devices)
and RevokeToken. Attributes and their verification are in ``attributes``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from authflow import srp
from authflow.localpool import errors as e
from authflow.localpool.errors import PoolError, invalid_parameter, not_authorized
from authflow.localpool.limits import DEVICE_NAME_MAX, DEVICE_VERIFIER_MAX, PASSWORD_MAX, check_length, check_password
from authflow.localpool.model import DeviceRecord, PasswordRecord, User
from authflow.localpool.params import enum_value, optional_str, required_str
from authflow.localpool.users import apply_mfa_preference, attribute_list, first_factors, mfa_description

if TYPE_CHECKING:
    from authflow.localpool.service import Service


def get_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    return {"Username": user.username, "UserAttributes": attribute_list(user.attributes), **mfa_description(user)}


def global_sign_out(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    svc.tokens.revoke_user(pool.id, user.username)
    return {}


def _session_id(origin_jti: str) -> str:
    """A token session's SessionId as Cognito's SessionIdType has it (``tkn`` and 25 of [a-z0-9]), derived
    from the session's origin_jti."""
    digest = int.from_bytes(hashlib.sha256(origin_jti.encode()).digest(), "big")
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    chars = []
    for _ in range(25):
        digest, index = divmod(digest, 36)
        chars.append(alphabet[index])
    return "tkn" + "".join(chars)


def list_user_sessions(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """The user's live token sessions (one per sign-in, kept alive by its refresh token), every client."""
    pool, user, claims = svc.access_token_user(required_str(p, "AccessToken"))
    return {"Sessions": [
        {"SessionId": _session_id(record.origin_jti), "SessionType": "TOKEN", "ClientId": record.client_id,
         "CreateDate": record.auth_time, "LastActiveDate": record.last_active,
         "IsCurrentSession": record.origin_jti == claims.get("origin_jti")}
        for record in svc.tokens.sessions_of(pool.id, user.username, svc.now())
    ]}


def revoke_user_session(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, claims = svc.access_token_user(required_str(p, "AccessToken"))
    session_id = required_str(p, "SessionId")
    if "RevokeAssociatedSessions" in p:
        enum_value(p, "RevokeAssociatedSessions", ("NONE", "LINKED"))
    if session_id == _session_id(str(claims.get("origin_jti"))):
        raise invalid_parameter("You can't revoke the session that the access token belongs to.")
    found = [r.origin_jti for r in svc.tokens.sessions_of(pool.id, user.username, svc.now())
             if _session_id(r.origin_jti) == session_id]
    if not found:
        raise PoolError("ResourceNotFoundException", "Session not found.")
    svc.tokens.revoke_family(found[0])
    return {}


def revoke_token(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, client = svc.client(required_str(p, "ClientId"))
    token = required_str(p, "Token")
    given = optional_str(p, "ClientSecret")
    if client.secret is not None and (
        given is None or not hmac.compare_digest(given.encode(), client.secret.encode())
    ):
        raise not_authorized(f"Unable to verify secret hash for client {client.id}")
    if not client.enable_token_revocation:
        raise PoolError("UnsupportedOperationException", "Token revocation is not enabled for this client.")
    record = svc.tokens.peek_refresh(token)
    if record is None:
        if svc.tokens.decode(token) is not None:
            raise PoolError("UnsupportedTokenTypeException", "Only refresh tokens can be revoked.")
        return {}  # RFC 7009: revoking an unknown token succeeds
    if record.client_id != client.id:
        raise PoolError("UnauthorizedException", "The token was not issued to this client.")
    svc.tokens.revoke_family(record.origin_jti)
    return {}


def set_user_mfa_preference(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    apply_mfa_preference(pool, user, p)
    return {}


def set_user_settings(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """The legacy SMS MFA switch (amazon-cognito-identity-js ``enableMFA`` / ``disableMFA``): MFAOptions
    ``[{DeliveryMedium: SMS, AttributeName: phone_number}]`` enables SMS MFA, ``[]`` disables it."""
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    options = p.get("MFAOptions")
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        raise invalid_parameter("1 validation error detected: Value null at 'mFAOptions' failed to satisfy "
                                "constraint: Member must not be null")
    for option in options:
        if option.get("DeliveryMedium") != "SMS" or option.get("AttributeName") != "phone_number":
            raise invalid_parameter("Only SMS MFA to phone_number can be set with SetUserSettings.")
    apply_mfa_preference(pool, user, {"SMSMfaSettings": {"Enabled": bool(options)}})
    return {}


def get_user_auth_factors(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    # AuthFactorType has no PASSWORD_SRP: a password is one factor, PASSWORD, however it is proved.
    factors = [factor for factor in first_factors(pool, user) if factor != "PASSWORD_SRP"]
    if user.totp_secret is not None:
        factors.append("SOFTWARE_TOKEN")
    return {"Username": user.username, "ConfiguredUserAuthFactors": factors, **mfa_description(user)}


def change_password(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    previous = required_str(p, "PreviousPassword")
    proposed = required_str(p, "ProposedPassword")
    check_length(previous, "previousPassword", PASSWORD_MAX)
    check_password(proposed, "proposedPassword")
    if user.password is None or not user.password.check(previous):
        user.failed_password_attempts += 1
        user.last_password_failure = svc.now()
        raise not_authorized(e.INCORRECT_CREDENTIALS)
    violation = pool.password_policy.violation(proposed)
    if violation:
        raise PoolError("InvalidPasswordException", violation)
    user.password = PasswordRecord(pool.id, user.username, proposed)
    user.modified = svc.now()
    return {}


def delete_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    svc.tokens.revoke_user(pool.id, user.username)
    pool.remove(user)
    return {}


# --- devices ---------------------------------------------------------------------------------------


def _device(user: User, device_key: str) -> DeviceRecord:
    device = user.devices.get(device_key)
    if device is None:
        raise PoolError("ResourceNotFoundException", e.DEVICE_NOT_FOUND)
    return device


def _device_description(device: DeviceRecord) -> dict[str, Any]:
    attributes = dict(device.attributes)
    if device.name:
        attributes["device_name"] = device.name
    attributes["device_status"] = "valid"
    attributes["dev:device_remembered_status"] = "remembered" if device.remembered else "not_remembered"
    return {
        "DeviceKey": device.key, "DeviceAttributes": attribute_list(attributes),
        "DeviceCreateDate": device.created, "DeviceLastModifiedDate": device.created,
        "DeviceLastAuthenticatedDate": device.last_authenticated,
    }


def _b64(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise invalid_parameter(f"DeviceSecretVerifierConfig.{name} is required")
    check_length(value, f"deviceSecretVerifierConfig.{name[:1].lower()}{name[1:]}", DEVICE_VERIFIER_MAX)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_parameter(f"DeviceSecretVerifierConfig.{name} is not base64") from None


def confirm_device(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    device = _device(user, required_str(p, "DeviceKey"))
    name = optional_str(p, "DeviceName")
    if name is not None:
        check_length(name, "deviceName", DEVICE_NAME_MAX)
    config = p.get("DeviceSecretVerifierConfig")
    if not isinstance(config, dict):
        raise invalid_parameter("DeviceSecretVerifierConfig is required")
    verifier = int.from_bytes(_b64(config.get("PasswordVerifier"), "PasswordVerifier"), "big")
    salt = _b64(config.get("Salt"), "Salt")
    if not 0 < verifier < srp.N:
        raise invalid_parameter("DeviceSecretVerifierConfig.PasswordVerifier is invalid")
    if device.confirmed:
        raise PoolError("DeviceKeyExistsException", "Device key already exists.")
    device.verifier, device.salt_hex = verifier, salt.hex()
    device.name = name
    device.remembered = pool.device_tracking == "always"
    return {"UserConfirmationNecessary": pool.device_tracking == "opt_in"}


def update_device_status(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    device = _device(user, required_str(p, "DeviceKey"))
    status = enum_value(p, "DeviceRememberedStatus", ("remembered", "not_remembered"))
    device.remembered = status == "remembered"
    return {}


def get_device(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    return {"Device": _device_description(_device(user, required_str(p, "DeviceKey")))}


def list_devices(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    return {"Devices": [_device_description(d) for d in user.devices.values()]}


def forget_device(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    device = _device(user, required_str(p, "DeviceKey"))
    del user.devices[device.key]
    return {}
