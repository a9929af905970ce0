"""Setting pools up: the builders shared by the seed file and the Python API, and the admin operations
(CreateUserPool, CreateUserPoolClient, AdminCreateUser, ...) that do the same over HTTP, so one test
setup runs against this pool and against moto alike.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from authflow.localpool.auth import check_secret_hash, new_code, new_totp_secret
from authflow.localpool.errors import PoolError, invalid_parameter, user_not_found
from authflow.localpool.model import (
    ALIAS_ATTRIBUTES,
    CONFIRMED,
    EMAIL_OTP,
    FIRST_FACTORS,
    FORCE_CHANGE_PASSWORD,
    MFA_CONFIGURATIONS,
    MFA_METHODS,
    RESET_REQUIRED,
    SMS_MFA,
    SOFTWARE_TOKEN_MFA,
    UNCONFIRMED,
    USER_STATUSES,
    AppClient,
    PasswordPolicy,
    PasswordRecord,
    User,
    UserPool,
    mask_email,
    mask_phone,
    new_client_id,
    new_client_secret,
    new_pool_id,
    new_sub,
    normalize_auth_flows,
)
from authflow.localpool.service import enum_value, optional_str, required_str

if TYPE_CHECKING:
    from authflow.localpool.service import Handler, Service

DEVICE_TRACKING = ("off", "always", "opt_in")
ALL_MFA_TYPES = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)


# --- builders (seed file and Python API) -------------------------------------------------------------


def build_pool(
    svc: Service,
    *,
    id: str | None = None,
    name: str | None = None,
    mfa: str = "OFF",
    mfa_types: Iterable[str] = ALL_MFA_TYPES,
    password_policy: PasswordPolicy | dict[str, Any] | None = None,
    required_attributes: Iterable[str] = (),
    alias_attributes: Iterable[str] = (),
    username_attributes: Iterable[str] = (),
    case_sensitive: bool = False,
    allowed_first_auth_factors: Iterable[str] = ("PASSWORD",),
    device_tracking: str = "off",
    max_code_attempts: int = 3,
    lockout_threshold: int = 5,
    auto_verified_attributes: Iterable[str] = (),
    auth_session_validity_minutes: int | None = None,
    auth_session_validity_seconds: int | None = None,
    access_token_validity_seconds: int | None = None,
    id_token_validity_seconds: int | None = None,
    refresh_token_validity_seconds: int | None = None,
    prevent_user_existence_errors: str | None = None,
) -> UserPool:
    """A new pool in ``svc``. The ``*_validity_*`` and ``prevent_user_existence_errors`` settings belong to
    app clients in Cognito: given here they are the defaults of the pool's clients."""
    pool_id = id or new_pool_id(svc.region)
    if "_" not in pool_id:
        raise ValueError("a pool id looks like <region>_<name>, e.g. us-east-1_AbCdEf123")
    if mfa not in MFA_CONFIGURATIONS:
        raise ValueError(f"mfa must be one of {MFA_CONFIGURATIONS}")
    types = set(mfa_types)
    if not types <= set(MFA_METHODS):
        raise ValueError(f"mfa_types are among {MFA_METHODS}")
    if device_tracking not in DEVICE_TRACKING:
        raise ValueError(f"device_tracking must be one of {DEVICE_TRACKING}")
    factors = list(allowed_first_auth_factors)
    if not set(factors) <= set(FIRST_FACTORS):
        raise ValueError(f"allowed_first_auth_factors are among {FIRST_FACTORS}")
    aliases, username_attrs = list(alias_attributes), list(username_attributes)
    if not set(aliases) <= set(ALIAS_ATTRIBUTES) or not set(username_attrs) <= {"email", "phone_number"}:
        raise ValueError("alias_attributes are among email, phone_number, preferred_username; "
                         "username_attributes among email, phone_number")
    if aliases and username_attrs:
        raise ValueError("a pool has alias_attributes or username_attributes, not both")
    if isinstance(password_policy, dict):
        password_policy = PasswordPolicy(**password_policy)
    now = svc.now()
    pool = UserPool(
        id=pool_id, name=name or pool_id.split("_", 1)[1], mfa_configuration=mfa, mfa_types=types,
        password_policy=password_policy or PasswordPolicy(), required_attributes=list(required_attributes),
        alias_attributes=aliases, username_attributes=username_attrs, case_sensitive=case_sensitive,
        allowed_first_auth_factors=factors, device_tracking=device_tracking,
        max_code_attempts=max_code_attempts, lockout_threshold=lockout_threshold,
        auto_verified_attributes=list(auto_verified_attributes), created=now, modified=now,
    )
    pool.client_defaults = {
        key: value for key, value in {
            "auth_session_validity_minutes": auth_session_validity_minutes,
            "auth_session_validity_seconds": auth_session_validity_seconds,
            "access_token_validity_seconds": access_token_validity_seconds,
            "id_token_validity_seconds": id_token_validity_seconds,
            "refresh_token_validity_seconds": refresh_token_validity_seconds,
            "prevent_user_existence_errors": prevent_user_existence_errors,
        }.items() if value is not None
    }
    svc.add_pool(pool)
    return pool


def build_client(
    svc: Service,
    pool: UserPool,
    *,
    id: str | None = None,
    name: str = "app",
    secret: bool | str | None = None,
    explicit_auth_flows: Iterable[str] | None = None,
    auth_session_validity_minutes: int | None = None,
    auth_session_validity_seconds: int | None = None,
    access_token_validity_seconds: int | None = None,
    id_token_validity_seconds: int | None = None,
    refresh_token_validity_seconds: int | None = None,
    prevent_user_existence_errors: str | None = None,
    enable_token_revocation: bool = True,
) -> AppClient:
    """A new app client. ``secret``: None/False for none, True to generate one, or the secret itself.
    Unset settings come from the pool's client defaults, then Cognito's defaults."""
    defaults = pool.client_defaults

    def pick(key: str, given: Any, fallback: Any) -> Any:
        return given if given is not None else defaults.get(key, fallback)

    minutes = int(pick("auth_session_validity_minutes", auth_session_validity_minutes, 3))
    if not 3 <= minutes <= 15:
        raise ValueError("auth_session_validity_minutes is 3-15 (use auth_session_validity_seconds in tests)")
    session_seconds = pick("auth_session_validity_seconds", auth_session_validity_seconds, None)
    prevent = str(pick("prevent_user_existence_errors", prevent_user_existence_errors, "LEGACY"))
    if prevent not in ("LEGACY", "ENABLED"):
        raise ValueError("prevent_user_existence_errors is LEGACY or ENABLED")
    flows = normalize_auth_flows(list(explicit_auth_flows)) if explicit_auth_flows is not None else None
    client = AppClient(
        id=id or new_client_id(), name=name, pool_id=pool.id,
        secret=new_client_secret() if secret is True else (secret or None),
        access_token_validity=int(pick("access_token_validity_seconds", access_token_validity_seconds, 3600)),
        id_token_validity=int(pick("id_token_validity_seconds", id_token_validity_seconds, 3600)),
        refresh_token_validity=int(pick("refresh_token_validity_seconds", refresh_token_validity_seconds,
                                        30 * 86400)),
        auth_session_validity=int(session_seconds) if session_seconds is not None else minutes * 60,
        prevent_user_existence_errors=prevent, enable_token_revocation=enable_token_revocation,
        created=svc.now(),
    )
    if flows is not None:
        client.explicit_auth_flows = flows
    svc.add_client(pool, client)
    return client


def build_user(
    svc: Service,
    pool: UserPool,
    username: str | None = None,
    password: str | None = None,
    *,
    attributes: dict[str, str] | None = None,
    status: str = CONFIRMED,
    enabled: bool = True,
    mfa: Iterable[str] = (),
    preferred_mfa: str | None = None,
    totp_secret: str | None = None,
    sub: str | None = None,
) -> User:
    """A new user. In a pool with ``username_attributes`` the username may be the email / phone number:
    the internal username is then the ``sub``, as in Cognito. ``password`` None: a random one nobody
    knows. ``mfa``: enabled MFA methods (SOFTWARE_TOKEN_MFA gets a random ``totp_secret`` if none)."""
    attrs = dict(attributes or {})
    sub = sub or attrs.pop("sub", None) or new_sub()
    internal = _internal_username(pool, username, attrs, sub)
    if pool.get(internal) is not None:
        raise ValueError(f"user {internal!r} already exists")
    if status not in USER_STATUSES:
        raise ValueError(f"status must be one of {USER_STATUSES}")
    methods = set(mfa)
    if not methods <= set(MFA_METHODS):
        raise ValueError(f"mfa methods are among {MFA_METHODS}")
    if preferred_mfa is not None and preferred_mfa not in methods:
        raise ValueError("preferred_mfa must be one of the enabled mfa methods")
    if password is not None:
        violation = pool.password_policy.violation(password)
        if violation:
            raise ValueError(violation)
    if SOFTWARE_TOKEN_MFA in methods and totp_secret is None:
        totp_secret = new_totp_secret()
    now = svc.now()
    user = User(
        username=internal, attributes={"sub": sub, **attrs}, status=status, enabled=enabled,
        password=PasswordRecord(pool.id, internal, password or pool.password_policy.generate()),
        mfa_enabled=methods, preferred_mfa=preferred_mfa, totp_secret=totp_secret, created=now, modified=now,
    )
    pool.add(user)
    return user


def _internal_username(pool: UserPool, username: str | None, attrs: dict[str, str], sub: str) -> str:
    if not pool.username_attributes:
        if not username:
            raise ValueError("a username is needed")
        return username
    if username:
        if "email" in pool.username_attributes and "@" in username:
            attrs.setdefault("email", username)
        elif "phone_number" in pool.username_attributes and username.startswith("+"):
            attrs.setdefault("phone_number", username)
        else:
            raise ValueError("Username should be either an email or a phone number.")
    elif not any(attrs.get(a) for a in pool.username_attributes):
        raise ValueError("a user of this pool needs an email or phone number")
    return sub


def find_user(pool: UserPool, username: str) -> User:
    user = pool.find(username)
    if user is None:
        raise user_not_found()
    return user


# --- descriptions ---------------------------------------------------------------------------------


def attribute_list(attributes: dict[str, str]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in attributes.items()]


def mfa_description(user: User) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if user.preferred_mfa:
        out["PreferredMfaSetting"] = user.preferred_mfa
    if user.mfa_enabled:
        out["UserMFASettingList"] = [m for m in MFA_METHODS if m in user.mfa_enabled]
    return out


def user_description(user: User, attributes_key: str = "Attributes") -> dict[str, Any]:
    return {
        "Username": user.username, attributes_key: attribute_list(user.attributes),
        "UserCreateDate": user.created, "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled, "UserStatus": user.status,
    }


def pool_description(pool: UserPool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": pool.id, "Name": pool.name,
        "Policies": {"PasswordPolicy": pool.password_policy.to_cognito(),
                     "SignInPolicy": {"AllowedFirstAuthFactors": list(pool.allowed_first_auth_factors)}},
        "MfaConfiguration": pool.mfa_configuration,
        "LastModifiedDate": pool.modified, "CreationDate": pool.created,
        "EstimatedNumberOfUsers": len(pool.users),
        "Arn": f"arn:aws:cognito-idp:{pool.region}:000000000000:userpool/{pool.id}",
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
        "SchemaAttributes": [
            {"Name": name, "AttributeDataType": "String", "Mutable": True, "Required": True}
            for name in pool.required_attributes
        ],
    }
    if pool.alias_attributes:
        out["AliasAttributes"] = list(pool.alias_attributes)
    if pool.username_attributes:
        out["UsernameAttributes"] = list(pool.username_attributes)
    if pool.auto_verified_attributes:
        out["AutoVerifiedAttributes"] = list(pool.auto_verified_attributes)
    if pool.device_tracking != "off":
        out["DeviceConfiguration"] = {
            "ChallengeRequiredOnNewDevice": False,
            "DeviceOnlyRememberedOnUserPrompt": pool.device_tracking == "opt_in",
        }
    return out


def client_description(client: AppClient) -> dict[str, Any]:
    out: dict[str, Any] = {
        "UserPoolId": client.pool_id, "ClientName": client.name, "ClientId": client.id,
        "LastModifiedDate": client.created, "CreationDate": client.created,
        "RefreshTokenValidity": client.refresh_token_validity,
        "AccessTokenValidity": client.access_token_validity,
        "IdTokenValidity": client.id_token_validity,
        "TokenValidityUnits": {"AccessToken": "seconds", "IdToken": "seconds", "RefreshToken": "seconds"},
        "ExplicitAuthFlows": sorted(client.explicit_auth_flows),
        "PreventUserExistenceErrors": client.prevent_user_existence_errors,
        "EnableTokenRevocation": client.enable_token_revocation,
        "AuthSessionValidity": max(3, min(15, client.auth_session_validity // 60)),
    }
    if client.secret:
        out["ClientSecret"] = client.secret
    return out


# --- MFA preferences (shared with SetUserMFAPreference) -----------------------------------------------


def apply_mfa_preference(pool: UserPool, user: User, params: dict[str, Any]) -> None:
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
                raise invalid_parameter("User has not verified software token mfa")
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
    user.mfa_enabled, user.preferred_mfa = enabled, preferred


# --- HTTP operations -------------------------------------------------------------------------------


def _as_invalid_parameter(exc: ValueError) -> PoolError:
    return invalid_parameter(str(exc))


def create_user_pool(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    name = required_str(p, "PoolName")
    policies = p.get("Policies") or {}
    mfa = p.get("MfaConfiguration") or "OFF"
    device = p.get("DeviceConfiguration")
    tracking = "off"
    if isinstance(device, dict):
        tracking = "opt_in" if device.get("DeviceOnlyRememberedOnUserPrompt") else "always"
    schema = p.get("Schema") or []
    try:
        pool = build_pool(
            svc, name=name, mfa=mfa,
            mfa_types={SMS_MFA} if p.get("SmsConfiguration") else set(),
            password_policy=PasswordPolicy.from_cognito(policies.get("PasswordPolicy") or {}),
            required_attributes=[a["Name"] for a in schema if isinstance(a, dict) and a.get("Required")],
            alias_attributes=p.get("AliasAttributes") or (),
            username_attributes=p.get("UsernameAttributes") or (),
            case_sensitive=bool((p.get("UsernameConfiguration") or {}).get("CaseSensitive", False)),
            allowed_first_auth_factors=[
                f for f in (policies.get("SignInPolicy") or {}).get("AllowedFirstAuthFactors", ["PASSWORD"])
                if f in FIRST_FACTORS
            ],
            device_tracking=tracking,
            auto_verified_attributes=p.get("AutoVerifiedAttributes") or (),
        )
    except ValueError as exc:
        raise _as_invalid_parameter(exc) from None
    return {"UserPool": pool_description(pool)}


def describe_user_pool(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    return {"UserPool": pool_description(svc.pool(required_str(p, "UserPoolId")))}


def delete_user_pool(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    svc.remove_pool(svc.pool(required_str(p, "UserPoolId")))
    return {}


def list_user_pools(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    return {"UserPools": [
        {"Id": pool.id, "Name": pool.name, "LastModifiedDate": pool.modified, "CreationDate": pool.created}
        for pool in svc.pools.values()
    ]}


_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _validity(p: dict[str, Any], key: str, unit_key: str, default_unit: str) -> int | None:
    value = p.get(key)
    if value is None:
        return None
    unit = (p.get("TokenValidityUnits") or {}).get(unit_key, default_unit)
    if unit not in _UNIT_SECONDS or not isinstance(value, int) or value <= 0:
        raise invalid_parameter(f"Invalid {key}")
    return value * _UNIT_SECONDS[unit]


def create_user_pool_client(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    name = required_str(p, "ClientName")
    session_minutes = p.get("AuthSessionValidity")
    prevent = p.get("PreventUserExistenceErrors")
    try:
        client = build_client(
            svc, pool, name=name, secret=bool(p.get("GenerateSecret")),
            explicit_auth_flows=p.get("ExplicitAuthFlows"),
            auth_session_validity_minutes=session_minutes,
            access_token_validity_seconds=_validity(p, "AccessTokenValidity", "AccessToken", "hours"),
            id_token_validity_seconds=_validity(p, "IdTokenValidity", "IdToken", "hours"),
            refresh_token_validity_seconds=_validity(p, "RefreshTokenValidity", "RefreshToken", "days"),
            prevent_user_existence_errors=prevent,
            enable_token_revocation=bool(p.get("EnableTokenRevocation", True)),
        )
    except ValueError as exc:
        raise _as_invalid_parameter(exc) from None
    return {"UserPoolClient": client_description(client)}


def describe_user_pool_client(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    client = pool.clients.get(required_str(p, "ClientId"))
    if client is None:
        raise PoolError("ResourceNotFoundException", f"User pool client {p['ClientId']} does not exist.")
    return {"UserPoolClient": client_description(client)}


def set_user_pool_mfa_config(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """Replaces the pool's MFA settings, as Cognito does: a method whose configuration is absent is off."""
    pool = svc.pool(required_str(p, "UserPoolId"))
    types: set[str] = set()
    if p.get("SmsMfaConfiguration"):
        types.add(SMS_MFA)
    if (p.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"):
        types.add(SOFTWARE_TOKEN_MFA)
    if p.get("EmailMfaConfiguration"):
        types.add(EMAIL_OTP)
    mfa = enum_value(p, "MfaConfiguration", MFA_CONFIGURATIONS) if "MfaConfiguration" in p else "OFF"
    if mfa != "OFF" and not types:
        raise invalid_parameter("At least one MFA method must be enabled to turn MFA on.")
    pool.mfa_configuration, pool.mfa_types = mfa, types
    pool.modified = svc.now()
    return _mfa_config(pool)


def get_user_pool_mfa_config(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    return _mfa_config(svc.pool(required_str(p, "UserPoolId")))


def _mfa_config(pool: UserPool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "SoftwareTokenMfaConfiguration": {"Enabled": SOFTWARE_TOKEN_MFA in pool.mfa_types},
        "MfaConfiguration": pool.mfa_configuration,
    }
    if SMS_MFA in pool.mfa_types:
        out["SmsMfaConfiguration"] = {"SmsAuthenticationMessage": "Your code is {####}"}
    if EMAIL_OTP in pool.mfa_types:
        out["EmailMfaConfiguration"] = {"Message": "Your code is {####}", "Subject": "Your code"}
    return out


def _attribute_map(p: dict[str, Any], key: str = "UserAttributes") -> dict[str, str]:
    items = p.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and "Name" in i for i in items):
        raise invalid_parameter(f"Invalid {key}")
    return {str(i["Name"]): str(i.get("Value", "")) for i in items}


def _deliver_to_user(svc: Service, pool: UserPool, user: User, code: str, purpose: str,
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


def _check_password_policy(pool: UserPool, password: str) -> None:
    violation = pool.password_policy.violation(password)
    if violation:
        raise PoolError("InvalidPasswordException", violation)


def admin_create_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    username = required_str(p, "Username")
    action = optional_str(p, "MessageAction")
    attributes = _attribute_map(p)
    temporary = optional_str(p, "TemporaryPassword")
    if temporary is not None:
        _check_password_policy(pool, temporary)
    if action == "RESEND":
        user = find_user(pool, username)
        if user.status != FORCE_CHANGE_PASSWORD:
            raise PoolError("UnsupportedUserStateException", "User is not in FORCE_CHANGE_PASSWORD state.")
    else:
        if pool.find(username) is not None:
            raise PoolError("UsernameExistsException", "User account already exists")
        for name in pool.alias_attributes:
            value = attributes.get(name)
            if value and attributes.get(f"{name}_verified") == "true" and pool.alias_owner(name, value):
                if not p.get("ForceAliasCreation"):
                    raise PoolError("AliasExistsException", f"An account with the given {name} already exists.")
        try:
            user = build_user(svc, pool, username, None, attributes=attributes, status=FORCE_CHANGE_PASSWORD)
        except ValueError as exc:
            raise _as_invalid_parameter(exc) from None
    password = temporary or pool.password_policy.generate()
    user.password = PasswordRecord(pool.id, user.username, password)
    user.status = FORCE_CHANGE_PASSWORD
    if action != "SUPPRESS":
        mediums = p.get("DesiredDeliveryMediums") or ["SMS"]
        _deliver_to_user(svc, pool, user, password, "TEMPORARY_PASSWORD", [*mediums, "EMAIL", "SMS"])
    return {"User": user_description(user)}


def admin_set_user_password(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    user = find_user(pool, required_str(p, "Username"))
    password = required_str(p, "Password")
    _check_password_policy(pool, password)
    user.password = PasswordRecord(pool.id, user.username, password)
    user.status = CONFIRMED if p.get("Permanent") else FORCE_CHANGE_PASSWORD
    user.failed_password_attempts = 0
    user.modified = svc.now()
    return {}


def admin_get_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    user = find_user(pool, required_str(p, "Username"))
    return {**user_description(user, "UserAttributes"), **mfa_description(user)}


def update_attributes(pool: UserPool, user: User, updates: dict[str, str], now: float) -> None:
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


def admin_update_user_attributes(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    user = find_user(pool, required_str(p, "Username"))
    update_attributes(pool, user, _attribute_map(p), svc.now())
    return {}


def admin_set_user_mfa_preference(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    apply_mfa_preference(pool, find_user(pool, required_str(p, "Username")), p)
    return {}


def _admin_user(svc: Service, p: dict[str, Any]) -> tuple[UserPool, User]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    return pool, find_user(pool, required_str(p, "Username"))


def admin_disable_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user = _admin_user(svc, p)
    user.enabled = False
    svc.tokens.revoke_user(pool.id, user.username)
    return {}


def admin_enable_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, user = _admin_user(svc, p)
    user.enabled = True
    return {}


def admin_delete_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user = _admin_user(svc, p)
    svc.tokens.revoke_user(pool.id, user.username)
    pool.remove(user)
    return {}


def admin_reset_user_password(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user = _admin_user(svc, p)
    user.status = RESET_REQUIRED
    user.reset_code = new_code()
    _deliver_to_user(svc, pool, user, user.reset_code, "FORGOT_PASSWORD")
    return {}


def admin_confirm_sign_up(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _, user = _admin_user(svc, p)
    if user.status != UNCONFIRMED:
        raise invalid_parameter("User cannot be confirmed. Current status is " + user.status)
    user.status = CONFIRMED
    return {}


def admin_user_global_sign_out(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, user = _admin_user(svc, p)
    svc.tokens.revoke_user(pool.id, user.username)
    return {}


def list_users(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    users = list(pool.users.values())
    text = optional_str(p, "Filter")
    if text:
        match = re.fullmatch(r'\s*([\w:]+)\s*(=|\^=)\s*"([^"]*)"\s*', text)
        if match is None:
            raise invalid_parameter("Error while parsing filter.")
        name, op, value = match.groups()
        name = {"username": "username", "status": "status"}.get(name, name)

        def keep(user: User) -> bool:
            actual = user.username if name == "username" else user.attributes.get(name, "")
            return actual == value if op == "=" else actual.startswith(value)

        users = [u for u in users if keep(u)]
    limit = p.get("Limit")
    if isinstance(limit, int) and limit > 0:
        users = users[:limit]
    return {"Users": [user_description(u) for u in users]}


def sign_up(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    password = required_str(p, "Password")
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    if pool.find(username) is not None:
        raise PoolError("UsernameExistsException", "User already exists")
    _check_password_policy(pool, password)
    attributes = _attribute_map(p)
    for name in pool.required_attributes:
        if not attributes.get(name):
            raise invalid_parameter(f"Attributes did not conform to the schema: {name}: The attribute is required")
    try:
        user = build_user(svc, pool, username, password, attributes=attributes, status=UNCONFIRMED)
    except ValueError as exc:
        raise _as_invalid_parameter(exc) from None
    user.confirmation_code = new_code()
    details = _deliver_to_user(svc, pool, user, user.confirmation_code, "CONFIRM_SIGN_UP")
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
    details = _deliver_to_user(svc, pool, user, user.reset_code, "FORGOT_PASSWORD")
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
    _check_password_policy(pool, password)
    user.password = PasswordRecord(pool.id, user.username, password)
    user.status, user.reset_code = CONFIRMED, None
    user.failed_password_attempts = 0
    user.modified = svc.now()
    return {}


def admin_list_groups_for_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _admin_user(svc, p)
    return {"Groups": []}


OPERATIONS: dict[str, Handler] = {
    "CreateUserPool": create_user_pool,
    "DescribeUserPool": describe_user_pool,
    "DeleteUserPool": delete_user_pool,
    "ListUserPools": list_user_pools,
    "CreateUserPoolClient": create_user_pool_client,
    "DescribeUserPoolClient": describe_user_pool_client,
    "SetUserPoolMfaConfig": set_user_pool_mfa_config,
    "GetUserPoolMfaConfig": get_user_pool_mfa_config,
    "AdminCreateUser": admin_create_user,
    "AdminSetUserPassword": admin_set_user_password,
    "AdminGetUser": admin_get_user,
    "AdminUpdateUserAttributes": admin_update_user_attributes,
    "AdminSetUserMFAPreference": admin_set_user_mfa_preference,
    "AdminDisableUser": admin_disable_user,
    "AdminEnableUser": admin_enable_user,
    "AdminDeleteUser": admin_delete_user,
    "AdminResetUserPassword": admin_reset_user_password,
    "AdminConfirmSignUp": admin_confirm_sign_up,
    "AdminUserGlobalSignOut": admin_user_global_sign_out,
    "AdminListGroupsForUser": admin_list_groups_for_user,
    "ListUsers": list_users,
    "SignUp": sign_up,
    "ConfirmSignUp": confirm_sign_up,
    "ForgotPassword": forgot_password,
    "ConfirmForgotPassword": confirm_forgot_password,
}
