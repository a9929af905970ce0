"""Building pools, app clients and users: shared by the seed file, the Python API and the admin
operations (CreateUserPool, CreateUserPoolClient, AdminCreateUser, SignUp), so each says things one way."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from authflow.localpool.codes import new_totp_secret
from authflow.localpool.model import (
    ALIAS_ATTRIBUTES,
    CONFIRMED,
    EMAIL_OTP,
    FIRST_FACTORS,
    MFA_CONFIGURATIONS,
    MFA_METHODS,
    SMS_MFA,
    SOFTWARE_TOKEN_MFA,
    USER_STATUSES,
    AppClient,
    PasswordPolicy,
    PasswordRecord,
    User,
    UserPool,
    WebAuthnConfig,
    new_client_id,
    new_client_secret,
    new_pool_id,
    new_sub,
    normalize_auth_flows,
)
from authflow.localpool.webauthn_rp import add_software_passkey
from authflow.totp import check_secret

if TYPE_CHECKING:
    from authflow.localpool.service import Service


DEVICE_TRACKING = ("off", "always", "opt_in")

ALL_MFA_TYPES = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)


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
    custom_attributes: Iterable[str] = (),
    case_sensitive: bool = False,
    allowed_first_auth_factors: Iterable[str] = ("PASSWORD",),
    device_tracking: str = "off",
    max_code_attempts: int = 3,
    lockout_threshold: int = 5,
    token_sessions_per_user: int = 20,
    auto_verified_attributes: Iterable[str] = (),
    auth_session_validity_minutes: int | None = None,
    auth_session_validity_seconds: int | None = None,
    access_token_validity_seconds: int | None = None,
    id_token_validity_seconds: int | None = None,
    refresh_token_validity_seconds: int | None = None,
    prevent_user_existence_errors: str | None = None,
    web_authn: dict[str, Any] | None = None,
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
    if not 1 <= token_sessions_per_user <= 100:
        raise ValueError("token_sessions_per_user is from 1 to 100 (Cognito's TokenSession MaxPerUser)")
    factors = list(allowed_first_auth_factors)
    if not set(factors) <= set(FIRST_FACTORS):
        raise ValueError(f"allowed_first_auth_factors are among {FIRST_FACTORS}")
    aliases, username_attrs = list(alias_attributes), list(username_attributes)
    if not set(aliases) <= set(ALIAS_ATTRIBUTES) or not set(username_attrs) <= {"email", "phone_number"}:
        raise ValueError("alias_attributes are among email, phone_number, preferred_username; "
                         "username_attributes among email, phone_number")
    if aliases and username_attrs:
        raise ValueError("a pool has alias_attributes or username_attributes, not both")
    customs = [name if name.startswith("custom:") else f"custom:{name}" for name in custom_attributes]
    if any(not 1 <= len(name) - len("custom:") <= 20 for name in customs):
        raise ValueError("a custom attribute's name has 1 to 20 characters")
    if isinstance(password_policy, dict):
        password_policy = PasswordPolicy(**password_policy)
    now = svc.now()
    pool = UserPool(
        id=pool_id, name=name or pool_id.split("_", 1)[1], mfa_configuration=mfa, mfa_types=types,
        password_policy=password_policy or PasswordPolicy(), required_attributes=list(required_attributes),
        alias_attributes=aliases, username_attributes=username_attrs, custom_attributes=customs,
        case_sensitive=case_sensitive,
        allowed_first_auth_factors=factors, device_tracking=device_tracking,
        max_code_attempts=max_code_attempts, lockout_threshold=lockout_threshold,
        token_sessions_per_user=token_sessions_per_user,
        auto_verified_attributes=list(auto_verified_attributes), created=now, modified=now,
        web_authn=web_authn_config(web_authn or {}),
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
    refresh_token_rotation: bool = False,
    retry_grace_period_seconds: int = 0,
) -> AppClient:
    """A new app client. ``secret``: None/False for none, True to generate one, or the secret itself.
    ``refresh_token_rotation``: GetTokensFromRefreshToken returns a new refresh token each time and the
    old one is refused after ``retry_grace_period_seconds`` (0-60), with RefreshTokenReuseException.
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
    if not 0 <= retry_grace_period_seconds <= 60:
        raise ValueError("retry_grace_period_seconds is 0-60")
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
        refresh_token_rotation=refresh_token_rotation, retry_grace_period=retry_grace_period_seconds,
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
    passkey_file: str | None = None,
) -> User:
    """A new user. In a pool with ``username_attributes`` the username may be the email / phone number:
    the internal username is then the ``sub``, as in Cognito. ``password`` None: a random one nobody
    knows. ``mfa``: enabled MFA methods (SOFTWARE_TOKEN_MFA gets a random ``totp_secret`` if none).
    ``passkey_file``: a software passkey file the user signs in with (made there when absent)."""
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
    if totp_secret is not None:
        check_secret(totp_secret, f"the totp_secret of user {internal!r}")  # a ValueError
    now = svc.now()
    user = User(
        username=internal, attributes={"sub": sub, **attrs}, status=status, enabled=enabled,
        password=PasswordRecord(pool.id, internal, password or pool.password_policy.generate()),
        mfa_enabled=methods, preferred_mfa=preferred_mfa, totp_secret=totp_secret, created=now, modified=now,
    )
    pool.add(user)
    if passkey_file is not None:
        add_software_passkey(pool, user, passkey_file, now)
    return user


def web_authn_config(settings: dict[str, Any]) -> WebAuthnConfig:
    """``{"relying_party_id": "localhost", "user_verification": "required", "origins": [...]}``."""
    unknown = set(settings) - {"relying_party_id", "user_verification", "origins"}
    if unknown:
        raise ValueError(f"web_authn: unknown key(s) {sorted(unknown)}")
    config = WebAuthnConfig(**settings)
    if config.user_verification not in ("required", "preferred"):
        raise ValueError("web_authn user_verification is required or preferred")
    rp_id = config.relying_party_id
    if rp_id is not None and not 1 <= len(rp_id) <= 127:
        raise ValueError("web_authn relying_party_id has 1 to 127 characters")
    return config


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
