"""The admin operations (CreateUserPool, CreateUserPoolClient, AdminCreateUser, ...), which set pools up
over HTTP as the seed file and the Python API do, so one test setup runs against this pool and against moto
alike.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from authflow.localpool.builders import FACTOR_CONFIGURATIONS, build_client, build_pool, build_user
from authflow.localpool.errors import PoolError, invalid_parameter
from authflow.localpool.limits import STANDARD_ATTRIBUTES
from authflow.localpool.model import (
    CONFIRMED,
    EMAIL_OTP,
    FIRST_FACTORS,
    FORCE_CHANGE_PASSWORD,
    MFA_CONFIGURATIONS,
    RESET_REQUIRED,
    SMS_MFA,
    SOFTWARE_TOKEN_MFA,
    UNCONFIRMED,
    AppClient,
    PasswordPolicy,
    PasswordRecord,
    PoolRecord,
    User,
    WebAuthnConfig,
)
from authflow.localpool.params import attribute_map, enum_value, optional_str, required_str
from authflow.localpool.users import (
    FORGOT_PASSWORD,
    apply_mfa_preference,
    check_password_policy,
    deliver_to_user,
    find_user,
    mfa_description,
    send_user_code,
    update_attributes,
    user_description,
)

if TYPE_CHECKING:
    from authflow.localpool.service import Service


# --- descriptions ---------------------------------------------------------------------------------


def pool_description(pool: PoolRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": pool.id, "Name": pool.name,
        "Policies": {"PasswordPolicy": pool.password_policy.to_cognito(),
                     "SignInPolicy": {"AllowedFirstAuthFactors": list(pool.allowed_first_auth_factors)}},
        "MfaConfiguration": pool.mfa_configuration,
        "LastModifiedDate": pool.modified, "CreationDate": pool.created,
        "EstimatedNumberOfUsers": len(pool.users),
        "Arn": f"arn:aws:cognito-idp:{pool.region}:000000000000:userpool/{pool.id}",
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": pool.allow_admin_create_user_only},
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
    if client.refresh_token_rotation:
        out["RefreshTokenRotation"] = {"Feature": "ENABLED", "RetryGracePeriodSeconds": client.retry_grace_period}
    if client.secret:
        out["ClientSecret"] = client.secret
    for key, value in (("CallbackURLs", client.callback_urls), ("LogoutURLs", client.logout_urls),
                       ("AllowedOAuthFlows", client.allowed_oauth_flows),
                       ("AllowedOAuthScopes", client.allowed_oauth_scopes),
                       ("SupportedIdentityProviders", client.supported_identity_providers)):
        if value:
            out[key] = list(value)
    out["AllowedOAuthFlowsUserPoolClient"] = bool(client.allowed_oauth_flows)
    return out


#: CreateUserPoolClient's managed-login members and build_client's names for them.
_OAUTH_MEMBERS = {
    "CallbackURLs": "callback_urls", "LogoutURLs": "logout_urls", "AllowedOAuthFlows": "allowed_oauth_flows",
    "AllowedOAuthScopes": "allowed_oauth_scopes", "SupportedIdentityProviders": "supported_identity_providers",
}


def _oauth(p: dict[str, Any]) -> dict[str, Any]:
    """The managed-login settings of CreateUserPoolClient (the OAuth flows only with
    AllowedOAuthFlowsUserPoolClient, as in Cognito)."""
    out: dict[str, Any] = {}
    for member, name in _OAUTH_MEMBERS.items():
        value = p.get(member)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid_parameter(f"{member} is a list of strings.")
        out[name] = value
    if not p.get("AllowedOAuthFlowsUserPoolClient"):
        if out.get("allowed_oauth_flows"):
            raise invalid_parameter("AllowedOAuthFlows needs AllowedOAuthFlowsUserPoolClient set to true.")
    return out


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
            custom_attributes=[a["Name"] for a in schema if isinstance(a, dict) and isinstance(a.get("Name"), str)
                               and a["Name"] not in STANDARD_ATTRIBUTES],
            alias_attributes=p.get("AliasAttributes") or (),
            username_attributes=p.get("UsernameAttributes") or (),
            case_sensitive=bool((p.get("UsernameConfiguration") or {}).get("CaseSensitive", False)),
            allowed_first_auth_factors=[
                f for f in (policies.get("SignInPolicy") or {}).get("AllowedFirstAuthFactors", ["PASSWORD"])
                if f in FIRST_FACTORS
            ],
            device_tracking=tracking,
            auto_verified_attributes=p.get("AutoVerifiedAttributes") or (),
            allow_admin_create_user_only=bool(
                (p.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly", False)),
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


def _rotation(p: dict[str, Any]) -> dict[str, Any]:
    """CreateUserPoolClient's RefreshTokenRotation {Feature, RetryGracePeriodSeconds} as build_client keywords."""
    rotation = p.get("RefreshTokenRotation")
    if rotation is None:
        return {}
    if not isinstance(rotation, dict) or rotation.get("Feature") not in ("ENABLED", "DISABLED"):
        raise invalid_parameter("RefreshTokenRotation.Feature must be ENABLED or DISABLED")
    grace = rotation.get("RetryGracePeriodSeconds", 0)
    if not isinstance(grace, int) or isinstance(grace, bool):
        raise invalid_parameter("RefreshTokenRotation.RetryGracePeriodSeconds must be a number of seconds")
    return {"refresh_token_rotation": rotation["Feature"] == "ENABLED", "retry_grace_period_seconds": grace}


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
            **_rotation(p), **_oauth(p),
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
    web_authn = _web_authn_configuration(pool, p.get("WebAuthnConfiguration"))
    # Cognito refuses this pool shape (required MFA, passkey first factor, a passkey counted as one factor);
    # checked where the request configures WebAuthn, so that older callers that never mention it keep working.
    if ("WebAuthnConfiguration" in p and mfa == "ON" and "WEB_AUTHN" in pool.allowed_first_auth_factors
            and web_authn.factor_configuration != "MULTI_FACTOR_WITH_USER_VERIFICATION"):
        raise invalid_parameter("Cannot set WebAuthn factor configuration to SINGLE_FACTOR if MFA is required "
                                "and WebAuthn is an allowed first auth factor")
    pool.mfa_configuration, pool.mfa_types, pool.web_authn = mfa, types, web_authn
    pool.modified = svc.now()
    return _mfa_config(pool)


def _web_authn_configuration(pool: PoolRecord, given: Any) -> WebAuthnConfig:
    """SetUserPoolMfaConfig's WebAuthnConfiguration over the pool's (absent: as it is; FactorConfiguration
    absent: SINGLE_FACTOR)."""
    current = pool.web_authn
    if given is None:
        return current
    if not isinstance(given, dict):
        raise invalid_parameter("WebAuthnConfiguration is not a structure")
    rp_id = given.get("RelyingPartyId", current.relying_party_id)
    if rp_id is not None and (not isinstance(rp_id, str) or not 1 <= len(rp_id) <= 127):
        raise invalid_parameter("1 validation error detected: Value at 'webAuthnConfiguration.relyingPartyId' "
                                "failed to satisfy constraint: Member must have length between 1 and 127")
    verification = enum_value(given, "UserVerification", ("required", "preferred")) \
        if "UserVerification" in given else current.user_verification
    factor = enum_value(given, "FactorConfiguration", FACTOR_CONFIGURATIONS) \
        if "FactorConfiguration" in given else "SINGLE_FACTOR"
    return replace(current, relying_party_id=rp_id, user_verification=verification, factor_configuration=factor)


def get_user_pool_mfa_config(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    return _mfa_config(svc.pool(required_str(p, "UserPoolId")))


def _mfa_config(pool: PoolRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "SoftwareTokenMfaConfiguration": {"Enabled": SOFTWARE_TOKEN_MFA in pool.mfa_types},
        "MfaConfiguration": pool.mfa_configuration,
    }
    if SMS_MFA in pool.mfa_types:
        out["SmsMfaConfiguration"] = {"SmsAuthenticationMessage": "Your code is {####}"}
    if EMAIL_OTP in pool.mfa_types:
        out["EmailMfaConfiguration"] = {"Message": "Your code is {####}", "Subject": "Your code"}
    if pool.web_authn.relying_party_id:
        out["WebAuthnConfiguration"] = {"RelyingPartyId": pool.web_authn.relying_party_id,
                                        "UserVerification": pool.web_authn.user_verification,
                                        "FactorConfiguration": pool.web_authn.factor_configuration}
    return out


def admin_create_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    username = required_str(p, "Username")
    action = optional_str(p, "MessageAction")
    attributes = attribute_map(p)
    temporary = optional_str(p, "TemporaryPassword")
    if temporary is not None:
        check_password_policy(pool, temporary)
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
        deliver_to_user(svc, pool, user, password, "TEMPORARY_PASSWORD", [*mediums, "EMAIL", "SMS"])
    return {"User": user_description(user)}


def admin_set_user_password(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    user = find_user(pool, required_str(p, "Username"))
    password = required_str(p, "Password")
    check_password_policy(pool, password)
    user.password = PasswordRecord(pool.id, user.username, password)
    user.status = CONFIRMED if p.get("Permanent") else FORCE_CHANGE_PASSWORD
    user.failed_password_attempts = 0
    user.modified = svc.now()
    return {}


def admin_get_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    user = find_user(pool, required_str(p, "Username"))
    return {**user_description(user, "UserAttributes"), **mfa_description(user)}


def admin_update_user_attributes(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    user = find_user(pool, required_str(p, "Username"))
    update_attributes(pool, user, attribute_map(p), svc.now())
    return {}


def admin_set_user_mfa_preference(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = svc.pool(required_str(p, "UserPoolId"))
    apply_mfa_preference(pool, find_user(pool, required_str(p, "Username")), p)
    return {}


def admin_delete_software_token(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """The user's authenticator app is gone (a lost phone): the TOTP secret, one being associated, TOTP MFA
    and its preference. Other methods stay as they are; the next sign-in falls back to them, or, where the
    pool requires MFA and none is left, gets MFA_SETUP."""
    _, user = _admin_user(svc, p)
    user.totp_secret = user.pending_totp_secret = user.totp_device_name = None
    user.mfa_enabled.discard(SOFTWARE_TOKEN_MFA)
    if user.preferred_mfa == SOFTWARE_TOKEN_MFA:
        user.preferred_mfa = None
    user.modified = svc.now()
    return {}


def _admin_user(svc: Service, p: dict[str, Any]) -> tuple[PoolRecord, User]:
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
    send_user_code(svc, pool, user, FORGOT_PASSWORD)
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


def admin_list_groups_for_user(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    _admin_user(svc, p)
    return {"Groups": []}
