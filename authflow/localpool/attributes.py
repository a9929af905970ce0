"""A signed-in user's attributes and their verification: UpdateUserAttributes, DeleteUserAttributes,
GetUserAttributeVerificationCode, VerifyUserAttribute (all authorised by the access token).

Changing ``email`` or ``phone_number`` makes it unverified; in a pool that auto-verifies it, a code goes to
the new value at once (CodeDeliveryDetailsList), and VerifyUserAttribute with that code verifies it.
A verification code is good for 24 hours, for one attribute value and for five wrong tries (then
LimitExceededException until a new code is asked for: the pool's choice, Cognito does not publish its own).
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from authflow.localpool.codes import new_code
from authflow.localpool.errors import PoolError, invalid_parameter
from authflow.localpool.limits import (
    ATTRIBUTES_MAX,
    MAX_WRONG_CODES,
    STANDARD_ATTRIBUTES,
    check_formats,
    count_code_request,
)
from authflow.localpool.model import PoolRecord, User
from authflow.localpool.params import attribute_map, required_str
from authflow.localpool.users import deliver_to_user, update_attributes

if TYPE_CHECKING:
    from authflow.localpool.service import Service

#: Attributes that can be verified, and how a code reaches them.
VERIFIABLE = {"email": "EMAIL", "phone_number": "SMS"}
CODE_VALIDITY = 24 * 3600
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."


def _check_names(pool: PoolRecord, names: list[str]) -> None:
    """Attributes a user may change or delete: standard ones and the pool's custom ones, never ``sub``."""
    if "sub" in names:
        raise invalid_parameter("Cannot modify the non-mutable attribute sub")
    unknown = [n for n in names if n not in STANDARD_ATTRIBUTES and n not in pool.custom_attributes]
    if unknown:
        problems = " ".join(f"user.{n}: Attribute does not exist in the schema." for n in unknown)
        raise invalid_parameter(f"Invalid user attributes: {problems}")


def _check_required(pool: PoolRecord, removed: list[str]) -> None:
    for name in removed:
        if name in pool.required_attributes:
            raise invalid_parameter(f"Attributes did not conform to the schema: {name}: The attribute is required")


def _send_code(svc: Service, pool: PoolRecord, user: User, name: str) -> dict[str, str]:
    """A fresh verification code for attribute ``name`` to its current value; its CodeDeliveryDetails."""
    code = new_code()
    details = deliver_to_user(svc, pool, user, code, "VERIFY_ATTRIBUTE", [VERIFIABLE[name]])
    assert details is not None  # the attribute has a value: the callers check it
    user.attribute_codes[name] = (code, user.attributes[name], svc.now(), 0)
    return details


def update_user_attributes(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    updates = attribute_map(p)
    _check_names(pool, list(updates))
    check_formats(updates)
    removed = [name for name, value in updates.items() if value == ""]
    _check_required(pool, removed)
    changed = [n for n in VERIFIABLE if n in updates and updates[n] and updates[n] != user.attributes.get(n)]
    update_attributes(pool, user, {k: v for k, v in updates.items() if v != ""}, svc.now())
    _remove(user, removed)
    to_verify = [n for n in changed if n in pool.auto_verified_attributes and not user.verified(n)]
    return {"CodeDeliveryDetailsList": [_send_code(svc, pool, user, name) for name in to_verify]}


def _remove(user: User, names: list[str]) -> None:
    for name in names:
        user.attributes.pop(name, None)
        if name in VERIFIABLE:
            user.attributes.pop(f"{name}_verified", None)
            user.attribute_codes.pop(name, None)


def delete_user_attributes(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    names = p.get("UserAttributeNames")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise invalid_parameter("UserAttributeNames must be a list of attribute names")
    if len(names) > ATTRIBUTES_MAX:
        raise invalid_parameter(f"UserAttributeNames has at most {ATTRIBUTES_MAX} names")
    _check_names(pool, names)
    _check_required(pool, names)
    _remove(user, names)
    user.modified = svc.now()
    return {}


def _verifiable(user: User, p: dict[str, Any]) -> str:
    name = required_str(p, "AttributeName")
    if name not in VERIFIABLE:
        raise invalid_parameter(f"Invalid attribute name: {name} cannot be verified (email or phone_number can)")
    if not user.attributes.get(name):
        raise invalid_parameter(f"The user has no {name} to verify.")
    return name


def get_user_attribute_verification_code(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    name = _verifiable(user, p)
    count_code_request(user, f"VERIFY_ATTRIBUTE:{name}", svc.now())
    return {"CodeDeliveryDetails": _send_code(svc, pool, user, name)}


def verify_user_attribute(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = svc.access_token_user(required_str(p, "AccessToken"))
    name = _verifiable(user, p)
    code = required_str(p, "Code")
    pending = user.attribute_codes.get(name)
    if pending is None:
        raise PoolError("CodeMismatchException", CODE_MISMATCH)
    sent, value, sent_at, wrong = pending
    if wrong >= MAX_WRONG_CODES:
        raise PoolError("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    if not hmac.compare_digest(code.encode(), sent.encode()):
        user.attribute_codes[name] = (sent, value, sent_at, wrong + 1)
        raise PoolError("CodeMismatchException", CODE_MISMATCH)
    if value != user.attributes[name] or svc.now() > sent_at + CODE_VALIDITY:
        raise PoolError("ExpiredCodeException", CODE_EXPIRED)
    update_attributes(pool, user, {name: user.attributes[name], f"{name}_verified": "true"}, svc.now())
    del user.attribute_codes[name]
    return {}
