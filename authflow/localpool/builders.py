"""Building pools, app clients and users: shared by the seed file, the Python API and the admin
operations (CreateUserPool, CreateUserPoolClient, AdminCreateUser, SignUp), so each says things one way."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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
    PoolRecord,
    User,
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
    allow_admin_create_user_only: bool = False,
    auth_session_validity_minutes: int | None = None,
    auth_session_validity_seconds: int | None = None,
    access_token_validity_seconds: int | None = None,
    id_token_validity_seconds: int | None = None,
    refresh_token_validity_seconds: int | None = None,
    prevent_user_existence_errors: str | None = None,
    web_authn: dict[str, Any] | None = None,
    resource_servers: Iterable[dict[str, Any]] = (),
    identity_providers: Iterable[dict[str, Any]] = (),
) -> PoolRecord:
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
        password_policy = _password_policy(password_policy)
    elif password_policy is not None and not isinstance(password_policy, PasswordPolicy):
        raise ValueError("password_policy is an object such as {\"minimum_length\": 8}")
    now = svc.now()
    pool = PoolRecord(
        id=pool_id, name=name or pool_id.split("_", 1)[1], mfa_configuration=mfa, mfa_types=types,
        password_policy=password_policy or PasswordPolicy(), required_attributes=list(required_attributes),
        alias_attributes=aliases, username_attributes=username_attrs, custom_attributes=customs,
        case_sensitive=case_sensitive,
        allowed_first_auth_factors=factors, device_tracking=device_tracking,
        max_code_attempts=max_code_attempts, lockout_threshold=lockout_threshold,
        token_sessions_per_user=token_sessions_per_user,
        auto_verified_attributes=list(auto_verified_attributes), created=now, modified=now,
        allow_admin_create_user_only=bool(allow_admin_create_user_only),
        web_authn=web_authn_config(web_authn or {}),
        resource_servers=[resource_server(entry) for entry in resource_servers],
        identity_providers=[identity_provider(entry) for entry in identity_providers],
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
    pool: PoolRecord,
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
    callback_urls: Iterable[str] = (),
    logout_urls: Iterable[str] = (),
    allowed_oauth_flows: Iterable[str] = (),
    allowed_oauth_scopes: Iterable[str] = (),
    supported_identity_providers: Iterable[str] = (),
) -> AppClient:
    """A new app client. ``secret``: None/False for none, True to generate one, or the secret itself.
    ``refresh_token_rotation``: GetTokensFromRefreshToken returns a new refresh token each time and the
    old one is refused after ``retry_grace_period_seconds`` (0-60), with RefreshTokenReuseException.
    Unset settings come from the pool's client defaults, then Cognito's defaults.
    Managed login: ``callback_urls``, ``logout_urls``, ``allowed_oauth_flows`` (code, implicit,
    client_credentials), ``allowed_oauth_scopes`` (standard scopes and the pool's resource servers' custom
    scopes), ``supported_identity_providers`` (COGNITO and the pool's identity providers' names)."""
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
    oauth_settings(pool, client, callback_urls=list(callback_urls), logout_urls=list(logout_urls),
                   flows=list(allowed_oauth_flows), scopes=list(allowed_oauth_scopes),
                   providers=list(supported_identity_providers))
    svc.add_client(pool, client)
    return client


def build_user(
    svc: Service,
    pool: PoolRecord,
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


FACTOR_CONFIGURATIONS = ("SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION")


def _password_policy(settings: dict[str, Any]) -> PasswordPolicy:
    """A seed's ``password_policy`` object: PasswordPolicy's fields, each of its type (a JSON seed can say anything)."""
    kinds = {name: (bool if kind == "bool" else int) for name, kind in PasswordPolicy.__annotations__.items()}
    unknown = set(settings) - set(kinds)
    if unknown:
        raise ValueError(f"password_policy: unknown key(s) {sorted(unknown)}; known: {sorted(kinds)}")
    for name, value in settings.items():
        if not isinstance(value, kinds[name]) or (kinds[name] is int and isinstance(value, bool)):
            raise ValueError(f"password_policy {name} is {'true or false' if kinds[name] is bool else 'a number'}")
    return PasswordPolicy(**settings)


def web_authn_config(settings: dict[str, Any]) -> WebAuthnConfig:
    """``{"relying_party_id": "localhost", "user_verification": "required", "origins": [...]}``."""
    if not isinstance(settings, dict):
        raise ValueError("web_authn is an object such as {\"relying_party_id\": \"localhost\"}")
    unknown = set(settings) - {"relying_party_id", "user_verification", "origins", "factor_configuration"}
    if unknown:
        raise ValueError(f"web_authn: unknown key(s) {sorted(unknown)}")
    for name in ("relying_party_id", "user_verification", "factor_configuration"):
        if not isinstance(settings.get(name, ""), str | None):
            raise ValueError(f"web_authn {name} is a string")
    origins = settings.get("origins", [])
    if not isinstance(origins, list | tuple) or not all(isinstance(origin, str) for origin in origins):
        raise ValueError("web_authn origins is a list of strings")
    config = WebAuthnConfig(**{**settings, "origins": list(origins)})
    if config.user_verification not in ("required", "preferred"):
        raise ValueError("web_authn user_verification is required or preferred")
    if config.factor_configuration not in FACTOR_CONFIGURATIONS:
        raise ValueError(f"web_authn factor_configuration is one of {', '.join(FACTOR_CONFIGURATIONS)}")
    rp_id = config.relying_party_id
    if rp_id is not None and not 1 <= len(rp_id) <= 127:
        raise ValueError("web_authn relying_party_id has 1 to 127 characters")
    return config


#: OAuth scopes every pool knows; custom scopes are ``<resource server identifier>/<scope name>``.
STANDARD_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
OAUTH_FLOWS = ("code", "implicit", "client_credentials")


def custom_scopes(pool: PoolRecord) -> list[str]:
    return [f"{server['identifier']}/{scope['name']}" for server in pool.resource_servers
            for scope in server.get("scopes", [])]


def oauth_settings(
    pool: PoolRecord, client: AppClient, *, callback_urls: list[str], logout_urls: list[str], flows: list[str],
    scopes: list[str], providers: list[str],
) -> None:
    """Check and set an app client's managed-login settings (Cognito's rules, as CreateUserPoolClient)."""
    for url in (*callback_urls, *logout_urls):
        if not isinstance(url, str) or not _acceptable_url(url):
            raise ValueError(f"callback and logout URLs are https (or http on localhost/127.0.0.1) "
                             f"without a fragment: {url!r}")
    if not set(flows) <= set(OAUTH_FLOWS):
        raise ValueError(f"allowed_oauth_flows are among {OAUTH_FLOWS}")
    if "client_credentials" in flows and len(set(flows)) > 1:
        raise ValueError("client_credentials can't be combined with other OAuth flows on one client")
    if "client_credentials" in flows and client.secret is None:
        raise ValueError("client_credentials needs a client with a secret")
    known = set(STANDARD_SCOPES) | set(custom_scopes(pool))
    unknown = [scope for scope in scopes if scope not in known]
    if unknown:
        raise ValueError(f"allowed_oauth_scopes: unknown scope(s) {unknown}")
    if "client_credentials" in flows and set(scopes) & set(STANDARD_SCOPES):
        raise ValueError("client_credentials clients may only have custom scopes")
    names = {"COGNITO"} | {str(idp["name"]) for idp in pool.identity_providers}
    if not set(providers) <= names:
        raise ValueError(f"supported_identity_providers are among {sorted(names)}")
    if ("code" in flows or "implicit" in flows) and not callback_urls:
        raise ValueError("a client with the code or implicit flow needs callback_urls")
    client.callback_urls, client.logout_urls = callback_urls, logout_urls
    client.allowed_oauth_flows, client.allowed_oauth_scopes = flows, scopes
    client.supported_identity_providers = providers or (["COGNITO"] if flows else [])


def _acceptable_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.fragment or not parts.netloc:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme == "http":
        return parts.hostname in ("localhost", "127.0.0.1", "::1")
    return parts.scheme not in ("", "javascript", "data", "file")  # an app's own scheme: myapp://callback


def resource_server(entry: dict[str, Any]) -> dict[str, Any]:
    """``{"identifier": "https://api.example.com", "name": "api", "scopes": [{"name": "read"}]}``."""
    unknown = set(entry) - {"identifier", "name", "scopes"}
    if unknown:
        raise ValueError(f"resource server: unknown key(s) {sorted(unknown)}")
    identifier = entry.get("identifier")
    if not isinstance(identifier, str) or not identifier:
        raise ValueError("a resource server has an identifier")
    scopes = []
    for scope in entry.get("scopes", []):
        name = scope.get("name") if isinstance(scope, dict) else scope
        if not isinstance(name, str) or not name or " " in name or "/" in name:
            raise ValueError(f"resource server {identifier}: a scope name is one word: {name!r}")
        description = scope.get("description", "") if isinstance(scope, dict) else ""
        scopes.append({"name": name, "description": str(description)})
    return {"identifier": identifier, "name": str(entry.get("name") or identifier), "scopes": scopes}


def identity_provider(entry: dict[str, Any]) -> dict[str, Any]:
    """A federated OIDC provider of the pool (see ``localpool.oidc_provider`` for the built-in one)."""
    known = {"name", "type", "client_id", "client_secret", "authorize_scopes", "attribute_mapping", "users"}
    unknown = set(entry) - known
    if unknown:
        raise ValueError(f"identity provider: unknown key(s) {sorted(unknown)}")
    name = entry.get("name")
    if not isinstance(name, str) or not name or name == "COGNITO" or not name.isprintable():
        raise ValueError("an identity provider has a name (not COGNITO)")
    if entry.get("type", "OIDC") != "OIDC":
        raise ValueError("identity providers here are of type OIDC")
    mapping = entry.get("attribute_mapping") or {"email": "email", "email_verified": "email_verified",
                                                  "name": "name"}
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ValueError("attribute_mapping maps pool attributes to provider claims (strings)")
    given = entry.get("users") or []
    if not isinstance(given, list):
        raise ValueError("an identity provider's users are a list")
    users = [provider_user(user) for user in given]
    return {
        "name": name, "type": "OIDC", "client_id": str(entry.get("client_id") or f"{name.lower()}-client"),
        "client_secret": str(entry.get("client_secret") or secrets.token_urlsafe(24)),
        "authorize_scopes": str(entry.get("authorize_scopes") or "openid email profile"),
        "attribute_mapping": dict(mapping), "users": users,
    }


def provider_user(entry: dict[str, Any]) -> dict[str, Any]:
    """A user of the built-in provider: ``{"username", "password", "claims": {...}}``; the password is kept
    as a salted SHA-256 digest (a plain JSON-able record)."""
    if not isinstance(entry, dict):
        raise ValueError("a provider user is an object: {\"username\", \"password\", \"claims\"}")
    if "password_digest" in entry:  # already built (a stored model)
        return dict(entry)
    username, password = entry.get("username"), entry.get("password")
    if not isinstance(username, str) or not username or not isinstance(password, str) or not password:
        raise ValueError("a provider user has a username and a password")
    salt = secrets.token_hex(16)
    claims = {str(k): v for k, v in (entry.get("claims") or {}).items()}
    claims.setdefault("sub", str(entry.get("sub") or new_sub()))
    return {"username": username, "salt": salt, "password_digest": password_digest(salt, password),
            "claims": claims}


def password_digest(salt: str, password: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + password.encode()).hexdigest()


def _internal_username(pool: PoolRecord, username: str | None, attrs: dict[str, str], sub: str) -> str:
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
