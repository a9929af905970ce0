"""Signing up and resetting a forgotten password: SignUp, ConfirmSignUp, ForgotPassword,
ConfirmForgotPassword (app-client operations: SECRET_HASH when the client has a secret)."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from authflow.localpool.builders import build_user
from authflow.localpool.codes import check_secret_hash, new_code
from authflow.localpool.errors import PoolError, invalid_parameter
from authflow.localpool.model import CONFIRMED, UNCONFIRMED, PasswordRecord
from authflow.localpool.params import attribute_map, optional_str, required_str
from authflow.localpool.users import check_password_policy, deliver_to_user, find_user

if TYPE_CHECKING:
    from authflow.localpool.service import Service


def sign_up(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    password = required_str(p, "Password")
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    if pool.find(username) is not None:
        raise PoolError("UsernameExistsException", "User already exists")
    check_password_policy(pool, password)
    attributes = attribute_map(p)
    for name in pool.required_attributes:
        if not attributes.get(name):
            raise invalid_parameter(f"Attributes did not conform to the schema: {name}: The attribute is required")
    try:
        user = build_user(svc, pool, username, password, attributes=attributes, status=UNCONFIRMED)
    except ValueError as exc:
        raise invalid_parameter(str(exc)) from None
    user.confirmation_code = new_code()
    details = deliver_to_user(svc, pool, user, user.confirmation_code, "CONFIRM_SIGN_UP")
    out: dict[str, Any] = {"UserConfirmed": False, "UserSub": user.sub}
    if details:
        out["CodeDeliveryDetails"] = details
    return out


def confirm_sign_up(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    code = required_str(p, "ConfirmationCode")
    user = find_user(pool, username)
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    if user.status != UNCONFIRMED:
        raise PoolError("NotAuthorizedException", f"User cannot be confirmed. Current status is {user.status}")
    if user.confirmation_code is None or not hmac.compare_digest(code.encode(), user.confirmation_code.encode()):
        raise PoolError("CodeMismatchException", "Invalid verification code provided, please try again.")
    user.status, user.confirmation_code = CONFIRMED, None
    for name in ("email", "phone_number"):
        if name in pool.auto_verified_attributes and user.attributes.get(name):
            user.attributes[f"{name}_verified"] = "true"
    return {}


def forgot_password(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    user = find_user(pool, username)
    user.reset_code = new_code()
    details = deliver_to_user(svc, pool, user, user.reset_code, "FORGOT_PASSWORD")
    if details is None:
        raise invalid_parameter("Cannot reset password for the user as there is no registered/verified email "
                                "or phone_number")
    return {"CodeDeliveryDetails": details}


def confirm_forgot_password(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    code = required_str(p, "ConfirmationCode")
    password = required_str(p, "Password")
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    user = find_user(pool, username)
    if user.reset_code is None or not hmac.compare_digest(code.encode(), user.reset_code.encode()):
        raise PoolError("CodeMismatchException", "Invalid verification code provided, please try again.")
    check_password_policy(pool, password)
    user.password = PasswordRecord(pool.id, user.username, password)
    user.status, user.reset_code = CONFIRMED, None
    user.failed_password_attempts = 0
    user.modified = svc.now()
    return {}
