"""What a user pool holds: pools, app clients, users, devices, password policies.

Plain data with the few rules that belong to the data itself (password policy, alias lookup, which MFA
methods a user can receive). The sign-in logic lives in ``auth.py``; the HTTP layer in ``server.py``.
Nothing here stores a password: a user keeps an SRP verifier (salt + v) and a salted SHA-256 digest.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

from authflow import srp

# --- Cognito's names ------------------------------------------------------------------------------

SMS_MFA = "SMS_MFA"
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
EMAIL_OTP = "EMAIL_OTP"
#: The MFA methods in the order Cognito lists them in MFAS_CAN_CHOOSE / MFAS_CAN_SETUP.
MFA_METHODS = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)

MFA_CONFIGURATIONS = ("OFF", "OPTIONAL", "ON")

CONFIRMED = "CONFIRMED"
FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
UNCONFIRMED = "UNCONFIRMED"
RESET_REQUIRED = "RESET_REQUIRED"
#: A user made by a federated sign-in (no password; its ``identities`` attribute names the provider).
EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"
USER_STATUSES = (CONFIRMED, FORCE_CHANGE_PASSWORD, UNCONFIRMED, RESET_REQUIRED, EXTERNAL_PROVIDER)

#: Seconds a sign-up confirmation code is good for (Cognito: 24 hours), and a password reset code (1 hour).
CONFIRMATION_CODE_VALIDITY = 24 * 3600
RESET_CODE_VALIDITY = 3600

#: First factors of choice-based sign-in (USER_AUTH) that this pool implements.
FIRST_FACTORS = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")

#: InitiateAuth AuthFlow -> the ExplicitAuthFlows entry that enables it on the app client.
FLOW_PERMISSION = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "USER_AUTH": "ALLOW_USER_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
}
EXPLICIT_AUTH_FLOWS = (
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
    "ALLOW_CLIENT_TOKEN_AUTH",
)
#: GetClientToken's flow: an app client with it has no user flow (Cognito: they are mutually exclusive).
CLIENT_TOKEN_AUTH = "ALLOW_CLIENT_TOKEN_AUTH"
#: The legacy ExplicitAuthFlows values and the ALLOW_ value each one means.
LEGACY_AUTH_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
}
#: What Cognito enables when a client is created without ExplicitAuthFlows.
DEFAULT_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")

#: Attributes a user can sign in with instead of the username.
ALIAS_ATTRIBUTES = ("email", "phone_number", "preferred_username")

PASSWORD_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def normalize_auth_flows(flows: list[str] | tuple[str, ...]) -> set[str]:
    """ExplicitAuthFlows as a set of ALLOW_ names; raises ValueError for an unknown entry."""
    result: set[str] = set()
    for flow in flows:
        name = LEGACY_AUTH_FLOWS.get(flow, flow)
        if name not in EXPLICIT_AUTH_FLOWS:
            raise ValueError(f"unknown explicit auth flow {flow!r}")
        result.add(name)
    if CLIENT_TOKEN_AUTH in result and len(result) > 1:
        raise ValueError("ALLOW_CLIENT_TOKEN_AUTH must be the only explicit auth flow of its client")
    return result


# --- password policy and stored passwords ----------------------------------------------------------


#: How ConfirmForgotPassword and RespondToAuthChallenge (NEW_PASSWORD_REQUIRED) word a password the policy refuses.
NEW_PASSWORD_WORDING = "Password does not conform to policy"


@dataclass
class PasswordPolicy:
    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    temporary_password_validity_days: int = 7

    def violation(self, password: str, wording: str = "Password did not conform with policy") -> str | None:
        """Cognito's InvalidPasswordException message for ``password``, or None if it complies. Cognito words
        it two ways: SignUp says "Password did not conform with policy: ...", ConfirmForgotPassword and the
        NEW_PASSWORD_REQUIRED answer "Password does not conform to policy: ..." (:data:`NEW_PASSWORD_WORDING`;
        docs/protocol.md gives the sources)."""
        checks = (
            (len(password) >= self.minimum_length, "Password not long enough"),
            (not self.require_lowercase or any(c.islower() for c in password),
             "Password must have lowercase characters"),
            (not self.require_uppercase or any(c.isupper() for c in password),
             "Password must have uppercase characters"),
            (not self.require_numbers or any(c.isdigit() for c in password),
             "Password must have numeric characters"),
            (not self.require_symbols or any(c in PASSWORD_SYMBOLS for c in password),
             "Password must have symbol characters"),
        )
        for ok, reason in checks:
            if not ok:
                return f"{wording}: {reason}"
        return None

    def generate(self) -> str:
        """A random password this policy accepts (for AdminCreateUser without TemporaryPassword)."""
        alphabet = string.ascii_letters + string.digits
        core = "".join(secrets.choice(alphabet) for _ in range(max(self.minimum_length, 12)))
        return core + "aA1!"

    def to_cognito(self) -> dict[str, Any]:
        return {
            "MinimumLength": self.minimum_length,
            "RequireUppercase": self.require_uppercase,
            "RequireLowercase": self.require_lowercase,
            "RequireNumbers": self.require_numbers,
            "RequireSymbols": self.require_symbols,
            "TemporaryPasswordValidityDays": self.temporary_password_validity_days,
        }

    @classmethod
    def from_cognito(cls, data: dict[str, Any]) -> PasswordPolicy:
        return cls(
            minimum_length=int(data.get("MinimumLength", 8)),
            require_uppercase=bool(data.get("RequireUppercase", True)),
            require_lowercase=bool(data.get("RequireLowercase", True)),
            require_numbers=bool(data.get("RequireNumbers", True)),
            require_symbols=bool(data.get("RequireSymbols", True)),
            temporary_password_validity_days=int(data.get("TemporaryPasswordValidityDays", 7)),
        )


class PasswordRecord:
    """What the pool keeps of a password: an SRP verifier for USER_SRP_AUTH and a salted SHA-256 digest
    for USER_PASSWORD_AUTH / the PASSWORD first factor (fast enough for hundreds of sign-ins a second)."""

    __slots__ = ("_digest", "_digest_salt", "salt_hex", "verifier")
    _digest: bytes
    _digest_salt: bytes
    salt_hex: str
    verifier: int

    def __init__(self, pool_id: str, username: str, password: str) -> None:
        salt = int.from_bytes(os.urandom(16), "big")
        #: SALT as Cognito sends it: hex, not padded (it is odd-length when the top nibble is zero).
        self.salt_hex = format(salt, "x")
        self.verifier = srp.compute_verifier(self.salt_hex, srp.pool_name_of(pool_id), username, password)
        self._digest_salt = os.urandom(16)
        self._digest = hashlib.sha256(self._digest_salt + password.encode()).digest()

    def check(self, password: str) -> bool:
        candidate = hashlib.sha256(self._digest_salt + password.encode()).digest()
        return hmac.compare_digest(candidate, self._digest)

    def __repr__(self) -> str:
        return "PasswordRecord(<hidden>)"


# --- users and devices -----------------------------------------------------------------------------


@dataclass(repr=False)
class DeviceRecord:
    """A device a user signed in from (device tracking). The verifier comes from ConfirmDevice."""

    key: str
    group_key: str
    created: float
    name: str | None = None
    salt_hex: str | None = None
    verifier: int | None = None
    remembered: bool = False
    last_authenticated: float = 0.0
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        return self.verifier is not None

    def __repr__(self) -> str:
        return f"Device(key={self.key!r}, confirmed={self.confirmed}, remembered={self.remembered})"


@dataclass(repr=False)
class Passkey:
    """A WebAuthn credential registered by CompleteWebAuthnRegistration: its id, its COSE public key and the
    newest signature counter seen."""

    credential_id: bytes
    public_key: bytes
    sign_count: int
    created: float
    name: str
    transports: list[str] = field(default_factory=list)
    attachment: str | None = None

    def __repr__(self) -> str:
        return f"Passkey(name={self.name!r}, sign_count={self.sign_count})"


@dataclass
class WebAuthnConfig:
    """A pool's WebAuthnConfiguration: the relying party id (None: WebAuthnConfigurationMissingException),
    user verification ``required`` or ``preferred``, origins accepted besides ``https://<rpId>``, and the
    FactorConfiguration: ``SINGLE_FACTOR`` (a passkey is one factor) or ``MULTI_FACTOR_WITH_USER_VERIFICATION``
    (a passkey sign-in with user verification satisfies MFA where the pool requires it)."""

    relying_party_id: str | None = None
    user_verification: str = "preferred"
    origins: list[str] = field(default_factory=list)
    factor_configuration: str = "SINGLE_FACTOR"


@dataclass(repr=False)
class User:
    """A user. ``username`` is the internal name (USER_ID_FOR_SRP); ``attributes`` always holds ``sub``."""

    username: str
    attributes: dict[str, str]
    status: str = CONFIRMED
    enabled: bool = True
    password: PasswordRecord | None = None
    mfa_enabled: set[str] = field(default_factory=set)
    preferred_mfa: str | None = None
    totp_secret: str | None = None
    pending_totp_secret: str | None = None
    #: VerifySoftwareToken's FriendlyDeviceName for the authenticator app in use.
    totp_device_name: str | None = None
    #: WebAuthnMfaSettings.Enabled: passkey MFA (a passkey sign-in must verify the user, and satisfies MFA).
    webauthn_mfa: bool = False
    #: The newest TOTP time step accepted; a code of this step or an earlier one is a reuse.
    last_totp_step: int = -1
    failed_password_attempts: int = 0
    last_password_failure: float = 0.0
    #: Wrong MFA / one-time codes (any Session), for the same lockout as passwords.
    failed_code_attempts: int = 0
    last_code_failure: float = 0.0
    created: float = 0.0
    modified: float = 0.0
    device_group_key: str = field(default_factory=lambda: "-" + secrets.token_urlsafe(6))
    devices: dict[str, DeviceRecord] = field(default_factory=dict)
    #: Codes sent by SignUp / ResendConfirmationCode / ForgotPassword / AdminResetUserPassword, until used,
    #: and when each was sent (they expire: CONFIRMATION_CODE_VALIDITY, RESET_CODE_VALIDITY).
    confirmation_code: str | None = None
    confirmation_code_sent: float = 0.0
    reset_code: str | None = None
    reset_code_sent: float = 0.0
    #: Attribute verification codes: attribute name -> (code, the value it verifies, when it was sent,
    #: wrong tries so far).
    attribute_codes: dict[str, tuple[str, str, float, int]] = field(default_factory=dict)
    #: Wrong tries of the current code, by purpose (CONFIRM_SIGN_UP, FORGOT_PASSWORD), and when codes were
    #: asked for lately, by purpose (the limits in ``limits.py``).
    wrong_codes: dict[str, int] = field(default_factory=dict)
    code_requests: dict[str, list[float]] = field(default_factory=dict)
    #: Passkeys by credential id (base64url), and the challenge of a registration under way (with its expiry).
    passkeys: dict[str, Passkey] = field(default_factory=dict)
    passkey_registration: tuple[str, float] | None = None

    @property
    def sub(self) -> str:
        return self.attributes["sub"]

    def verified(self, attribute: str) -> bool:
        return self.attributes.get(f"{attribute}_verified", "false").lower() == "true"

    def mfa_methods(self, pool: PoolRecord) -> list[str]:
        """The MFA methods this user can be challenged with in ``pool``, in Cognito's order."""
        if pool.mfa_configuration == "OFF":
            return []
        usable = {
            SMS_MFA: bool(self.attributes.get("phone_number")),
            SOFTWARE_TOKEN_MFA: self.totp_secret is not None,
            EMAIL_OTP: bool(self.attributes.get("email")),
        }
        return [m for m in MFA_METHODS if m in self.mfa_enabled and m in pool.mfa_types and usable[m]]

    def __repr__(self) -> str:
        return f"User(username={self.username!r}, status={self.status}, enabled={self.enabled})"


# --- app clients and pools ------------------------------------------------------------------------


@dataclass(repr=False)
class AppClient:
    """An app client. Cognito keeps these settings per client; the seed can default them per pool."""

    id: str
    name: str
    pool_id: str
    secret: str | None = None
    explicit_auth_flows: set[str] = field(default_factory=lambda: set(DEFAULT_AUTH_FLOWS))
    access_token_validity: int = 3600
    id_token_validity: int = 3600
    refresh_token_validity: int = 30 * 86400
    #: Seconds a Session stays valid (AuthSessionValidity is 3-15 minutes; tests may use seconds).
    auth_session_validity: int = 180
    prevent_user_existence_errors: str = "LEGACY"
    enable_token_revocation: bool = True
    #: RefreshTokenRotation: GetTokensFromRefreshToken hands out a new refresh token each time, and the one
    #: it replaces stays valid for ``retry_grace_period`` seconds (0-60) only.
    refresh_token_rotation: bool = False
    retry_grace_period: int = 0
    created: float = 0.0
    #: Managed login (OAuth 2.0): where the pool may send a browser back with a code (CallbackURLs) and after
    #: /logout (LogoutURLs), the grants the client may use (AllowedOAuthFlows: code, implicit,
    #: client_credentials), the scopes it may ask for (AllowedOAuthScopes: openid, email, phone, profile,
    #: aws.cognito.signin.user.admin and resource servers' custom scopes) and its identity providers
    #: (SupportedIdentityProviders: COGNITO and the pool's federated providers by name).
    callback_urls: list[str] = field(default_factory=list)
    logout_urls: list[str] = field(default_factory=list)
    allowed_oauth_flows: list[str] = field(default_factory=list)
    allowed_oauth_scopes: list[str] = field(default_factory=list)
    supported_identity_providers: list[str] = field(default_factory=list)

    def allows(self, auth_flow: str) -> bool:
        return FLOW_PERMISSION.get(auth_flow, "") in self.explicit_auth_flows

    def __repr__(self) -> str:
        return f"AppClient(id={self.id!r}, name={self.name!r}, secret={'yes' if self.secret else 'no'})"


@dataclass(repr=False)
class PoolRecord:
    id: str
    name: str
    mfa_configuration: str = "OFF"
    #: MFA methods enabled on the pool (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP).
    mfa_types: set[str] = field(default_factory=lambda: {SOFTWARE_TOKEN_MFA})
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    #: Standard attributes marked Required in the schema (NEW_PASSWORD_REQUIRED asks for missing ones).
    required_attributes: list[str] = field(default_factory=list)
    alias_attributes: list[str] = field(default_factory=list)
    #: Custom attributes of the schema, with their ``custom:`` prefix (SignUp refuses others).
    custom_attributes: list[str] = field(default_factory=list)
    username_attributes: list[str] = field(default_factory=list)
    case_sensitive: bool = False
    allowed_first_auth_factors: list[str] = field(default_factory=lambda: ["PASSWORD"])
    #: Device tracking: "off", "always" (devices remembered on confirmation) or "opt_in" (the user decides).
    device_tracking: str = "off"
    web_authn: WebAuthnConfig = field(default_factory=WebAuthnConfig)
    #: Wrong codes accepted in one Session before it dies.
    max_code_attempts: int = 3
    #: Wrong passwords before the lockout ("Password attempts exceeded") starts.
    lockout_threshold: int = 5
    #: TokenSession MaxPerUser (1-100, Cognito's default 20): live token sessions (sign-ins with a refresh
    #: token) a user may hold; a new sign-in first ends the least recently used beyond it.
    token_sessions_per_user: int = 20
    auto_verified_attributes: list[str] = field(default_factory=list)
    #: AdminCreateUserConfig AllowAdminCreateUserOnly: SignUp (self sign-up) is refused, only admins add users.
    allow_admin_create_user_only: bool = False
    created: float = 0.0
    modified: float = 0.0
    users: dict[str, User] = field(default_factory=dict)
    clients: dict[str, AppClient] = field(default_factory=dict)
    #: Python stand-ins for the Define/Create/Verify Auth Challenge Lambda triggers (CUSTOM_AUTH).
    custom_auth: Any = None
    #: App-client settings given at pool level in a seed: defaults for the pool's clients.
    client_defaults: dict[str, Any] = field(default_factory=dict)
    #: Resource servers for client_credentials and custom scopes:
    #: ``[{"identifier": "https://api.example.com", "name": "api", "scopes": [{"name": "read", "description": ""}]}]``.
    resource_servers: list[dict[str, Any]] = field(default_factory=list)
    #: Federated identity providers (OIDC), by name: ``{"name", "type": "OIDC", "client_id", "client_secret",
    #: "authorize_scopes", "attribute_mapping": {pool attribute: provider claim}, "users": [...]}``; a provider
    #: without an ``issuer`` is served by the local server itself (see ``localpool.oidc_provider``).
    identity_providers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def region(self) -> str:
        return self.id.split("_", 1)[0]

    def key(self, username: str) -> str:
        return username if self.case_sensitive else username.lower()

    def add(self, user: User) -> None:
        self.users[self.key(user.username)] = user

    def remove(self, user: User) -> None:
        self.users.pop(self.key(user.username), None)

    def get(self, username: str) -> User | None:
        """The user whose internal username is ``username`` (no alias)."""
        return self.users.get(self.key(username))

    def find(self, name: str) -> User | None:
        """The user ``name`` signs in as: the internal username, or an alias (username attributes match
        as typed; alias attributes only when verified)."""
        user = self.get(name)
        if user is not None:
            return user
        for attribute in (*self.username_attributes, *self.alias_attributes):
            needs_verification = attribute in self.alias_attributes and attribute != "preferred_username"
            for candidate in self.users.values():
                value = candidate.attributes.get(attribute)
                if value is None or not _same_alias(attribute, value, name):
                    continue
                if needs_verification and not candidate.verified(attribute):
                    continue
                return self.users[self.key(candidate.username)]  # by key: a durable store sees it used
        return None

    def alias_owner(self, attribute: str, value: str, exclude: User | None = None) -> User | None:
        for candidate in self.users.values():
            if candidate is exclude:
                continue
            current = candidate.attributes.get(attribute)
            if current is not None and _same_alias(attribute, current, value):
                return candidate
        return None

    def __repr__(self) -> str:
        return f"PoolRecord(id={self.id!r}, name={self.name!r}, users={len(self.users)})"


def _same_alias(attribute: str, stored: str, typed: str) -> bool:
    if attribute == "email":
        return stored.lower() == typed.lower()
    return stored == typed


# --- identifiers and masking -----------------------------------------------------------------------

_ID_ALPHABET = string.ascii_letters + string.digits


def opaque_token(nbytes: int) -> str:
    """A random URL-safe string (Session, refresh token) that never starts with ``-``, which a command
    line (the AWS CLI's ``--session``, ``--refresh-token``) would read as an option."""
    while True:
        token = secrets.token_urlsafe(nbytes)
        if not token.startswith("-"):
            return token


def new_pool_id(region: str) -> str:
    return f"{region}_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(9))


def new_client_id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(26))


def new_client_secret() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(51))


def new_sub() -> str:
    return str(uuid.uuid4())


def new_device_key(region: str) -> str:
    return f"{region}_{uuid.uuid4()}"


def mask_phone(phone: str) -> str:
    """``+15555550100`` -> ``+*******0100`` (Cognito's CODE_DELIVERY_DESTINATION for SMS)."""
    if len(phone) <= 5:
        return "+****"
    return "+" + "*" * (len(phone) - 5) + phone[-4:]


def mask_email(email: str) -> str:
    """``alice@example.com`` -> ``a***@e***`` (Cognito's CODE_DELIVERY_DESTINATION for email)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"
