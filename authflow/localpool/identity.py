"""The local identity pool (Amazon Cognito Identity, ``AWSCognitoIdentityService`` JSON 1.1) and the one STS
operation its basic flow needs (``AssumeRoleWithWebIdentity``, query protocol), served on the user pool's port.

    POST /   X-Amz-Target: AWSCognitoIdentityService.GetId | GetCredentialsForIdentity | GetOpenIdToken |
                           CreateIdentityPool | DescribeIdentityPool | ListIdentityPools | DeleteIdentityPool |
                           SetIdentityPoolRoles | GetIdentityPoolRoles | DescribeIdentity
    POST /   Content-Type: application/x-www-form-urlencoded, Action=AssumeRoleWithWebIdentity  (XML answer)

An identity pool lists its user-pool providers (``ProviderName`` ``cognito-idp.<region>.amazonaws.com/<pool id>``,
``ClientId``) and its roles (``authenticated``, ``unauthenticated``; ``custom_roles`` an authenticated identity may
choose with ``CustomRoleArn``, standing in for the role claims of a token). A login is an id token of one of those
providers: its RS256 signature is checked against the user pool's key, its issuer against the provider's pool, its
audience against the provider's ClientId, its expiry against the pool's clock, and the ``Logins`` key must name
that provider. The credentials are well formed (``ASIA...`` key ids, 40-character secret keys, session tokens,
an ``Expiration``) and remembered, so a test can ask which identity and role a key belongs to.

State is plain JSON-able data (:class:`IdentityPool`'s fields): the durable store keeps it like the user pools.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from authflow.localpool.errors import PoolError, invalid_parameter, not_authorized, resource_not_found
from authflow.localpool.params import optional_str, required_str

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from authflow.localpool.service import Service

IDENTITY_TARGET_PREFIX = "AWSCognitoIdentityService"
#: The issuer of the OpenID tokens of GetOpenIdToken (Cognito's own).
OPENID_ISSUER = "https://cognito-identity.amazonaws.com"
OPENID_TOKEN_VALIDITY = 600
#: How many issued credentials are remembered (the oldest are forgotten beyond it).
CREDENTIALS_KEPT = 10_000
ID_PATTERN = re.compile(r"[\w-]+:[0-9a-f-]+")
PROVIDER_PATTERN = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9a-zA-Z]+)")
ROLE_PATTERN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
ACCOUNT_ID = "000000000000"

UNAUTHENTICATED = "Unauthenticated access is not supported for this identity pool."
NOT_SUPPORTED_PROVIDER = "Token is not from a supported provider of this identity pool."
BAD_ROLES = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
CLASSIC_FLOW_OFF = "Basic (classic) flow is not enabled, please use enhanced flow."


# --- the model -------------------------------------------------------------------------------------


@dataclass(repr=False)
class IdentityPool:
    """An identity pool. Every field is plain JSON-able data with a default."""

    id: str
    name: str = "identity-pool"
    allow_unauthenticated: bool = False
    allow_classic_flow: bool = False
    #: CognitoIdentityProviders as Cognito names their fields: {"ProviderName", "ClientId", "ServerSideTokenCheck"}.
    providers: list[dict[str, Any]] = field(default_factory=list)
    #: {"authenticated": role ARN, "unauthenticated": role ARN}
    roles: dict[str, str] = field(default_factory=dict)
    #: Further roles an authenticated identity may choose with CustomRoleArn.
    custom_roles: list[str] = field(default_factory=list)
    #: Seconds the credentials of GetCredentialsForIdentity are good for (Cognito: one hour).
    credentials_validity: int = 3600
    #: Identity id -> {"logins": ["<provider>|<sub>", ...], "created": epoch seconds}.
    identities: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: "<provider>|<sub>" -> identity id.
    logins: dict[str, str] = field(default_factory=dict)
    created: float = 0.0

    def provider(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.providers if p.get("ProviderName") == name), None)

    def describe(self) -> dict[str, Any]:
        return {
            "IdentityPoolId": self.id, "IdentityPoolName": self.name,
            "AllowUnauthenticatedIdentities": self.allow_unauthenticated,
            "AllowClassicFlow": self.allow_classic_flow,
            "CognitoIdentityProviders": [dict(p) for p in self.providers],
        }

    def __repr__(self) -> str:
        return f"IdentityPool(id={self.id!r}, identities={len(self.identities)})"


@dataclass
class IdentityState:
    """The identity pools of one server, the credentials they issued, and the key of their OpenID tokens."""

    pools: dict[str, IdentityPool] = field(default_factory=dict)
    #: AccessKeyId -> {"IdentityId", "RoleArn", "SecretAccessKey", "Expiration"} (newest CREDENTIALS_KEPT).
    issued: dict[str, dict[str, Any]] = field(default_factory=dict)
    _key: Any = None
    _kid: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    _key_lock: threading.Lock = field(default_factory=threading.Lock)
    #: Set by every identity operation and identity pool built: a durable store then saves :meth:`saved`.
    changed: bool = False

    def saved(self) -> dict[str, Any]:
        """What a durable store keeps (the identity pools and the OpenID tokens' key; not ``issued``, which
        tests read back), as JSON-able data."""
        from dataclasses import asdict

        key = None
        if self._key is not None:
            from cryptography.hazmat.primitives import serialization

            key = self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode()
        return {"pools": [asdict(pool) for pool in self.pools.values()], "kid": self._kid, "key": key}

    def load(self, data: Any) -> None:
        """Take back what :meth:`saved` gave (from the store; another process may have changed it)."""
        if not isinstance(data, dict):
            return
        self.pools = {entry["id"]: IdentityPool(**entry) for entry in data.get("pools", [])}
        if isinstance(data.get("key"), str):
            from cryptography.hazmat.primitives import serialization

            with self._key_lock:
                self._key = serialization.load_pem_private_key(data["key"].encode(), password=None)
                self._kid = str(data.get("kid"))

    def signing_key(self) -> rsa.RSAPrivateKey:
        """The OpenID tokens' key, made at the first GetOpenIdToken (the identity pool's own, not a user pool's)."""
        with self._key_lock:
            if self._key is None:
                from cryptography.hazmat.primitives.asymmetric import rsa

                self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            key: rsa.RSAPrivateKey = self._key
            return key

    def identity_pool_of(self, identity_id: str) -> IdentityPool | None:
        return next((p for p in self.pools.values() if identity_id in p.identities), None)


def state_of(svc: Service) -> IdentityState:
    state: IdentityState = svc.identity
    return state


# --- building (seed, Python API, CreateIdentityPool) -------------------------------------------------


def new_identity_pool_id(region: str) -> str:
    return f"{region}:{uuid.uuid4()}"


def build_identity_pool(
    svc: Service,
    *,
    id: str | None = None,
    name: str = "identity-pool",
    allow_unauthenticated: bool = False,
    allow_classic_flow: bool = False,
    providers: list[dict[str, Any]] | None = None,
    user_pools: list[str] | None = None,
    roles: dict[str, str] | None = None,
    custom_roles: list[str] | None = None,
    credentials_validity_seconds: int = 3600,
) -> IdentityPool:
    """A new identity pool. ``user_pools``: ids of this server's user pools, each a provider with its first
    app client (a shorthand for ``providers``)."""
    pool_id = id or new_identity_pool_id(svc.region)
    if not ID_PATTERN.fullmatch(pool_id):
        raise ValueError(f"an identity pool id looks like <region>:<uuid>, not {pool_id!r}")
    state = state_of(svc)
    if pool_id in state.pools:
        raise ValueError(f"identity pool {pool_id} already exists")
    entries = [dict(p) for p in providers or []]
    for user_pool_id in user_pools or []:
        user_pool = svc.pool(user_pool_id)
        entries.append({
            "ProviderName": f"cognito-idp.{user_pool.region}.amazonaws.com/{user_pool.id}",
            "ClientId": next(iter(user_pool.clients), None),
            "ServerSideTokenCheck": False,
        })
    for entry in entries:
        check_provider(entry)
    chosen = dict(roles or {})
    for kind, arn in chosen.items():
        if kind not in ("authenticated", "unauthenticated") or not ROLE_PATTERN.fullmatch(str(arn)):
            raise ValueError(f"roles: {kind!r} -> {arn!r} is not an authenticated/unauthenticated role ARN")
    for arn in custom_roles or []:
        if not ROLE_PATTERN.fullmatch(str(arn)):
            raise ValueError(f"custom_roles: {arn!r} is not a role ARN")
    if int(credentials_validity_seconds) <= 0:  # Cognito's last an hour; tests may want seconds
        raise ValueError("credentials_validity_seconds is a positive number of seconds")
    pool = IdentityPool(
        id=pool_id, name=name, allow_unauthenticated=bool(allow_unauthenticated),
        allow_classic_flow=bool(allow_classic_flow), providers=entries, roles=chosen,
        custom_roles=list(custom_roles or []), credentials_validity=int(credentials_validity_seconds),
        created=svc.now(),
    )
    state.pools[pool.id] = pool
    state.changed = True
    return pool


def check_provider(entry: dict[str, Any]) -> None:
    name = entry.get("ProviderName")
    if not isinstance(name, str) or not PROVIDER_PATTERN.fullmatch(name):
        raise invalid_parameter(f"Invalid provider name {name!r}: cognito-idp.<region>.amazonaws.com/<pool id>")
    client_id = entry.get("ClientId")
    if client_id is not None and not isinstance(client_id, str):
        raise invalid_parameter("Invalid ClientId")
    entry.setdefault("ServerSideTokenCheck", False)


# --- reading a request ------------------------------------------------------------------------------


def _identity_pool(svc: Service, p: dict[str, Any]) -> IdentityPool:
    pool_id = required_str(p, "IdentityPoolId")
    if not ID_PATTERN.fullmatch(pool_id) or len(pool_id) > 55:
        raise invalid_parameter(
            f"1 validation error detected: Value '{pool_id}' at 'identityPoolId' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+"
        )
    pool = state_of(svc).pools.get(pool_id)
    if pool is None:
        raise resource_not_found(f"IdentityPool '{pool_id}' not found.")
    return pool


def _identity(svc: Service, p: dict[str, Any]) -> tuple[IdentityPool, str]:
    identity_id = required_str(p, "IdentityId")
    if not ID_PATTERN.fullmatch(identity_id) or len(identity_id) > 55:
        raise invalid_parameter(
            f"1 validation error detected: Value '{identity_id}' at 'identityId' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+"
        )
    pool = state_of(svc).identity_pool_of(identity_id)
    if pool is None:
        raise resource_not_found(f"Identity '{identity_id}' not found.")
    return pool, identity_id


def _logins(p: dict[str, Any]) -> dict[str, str]:
    value = p.get("Logins")
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise invalid_parameter("Logins must be a map of provider names to tokens")
    if len(value) > 10:
        raise invalid_parameter("1 validation error detected: Value at 'logins' failed to satisfy constraint: "
                                "Member must have length less than or equal to 10")
    for name, token in value.items():
        if not 1 <= len(name) <= 128 or not 1 <= len(token) <= 50000:
            raise invalid_parameter("Logins: a provider name is 1-128 characters, a token 1-50000")
    return value


def verify_login(svc: Service, pool: IdentityPool, provider_name: str, token: str) -> str:
    """The ``<provider>|<sub>`` a login stands for, after checking its id token; NotAuthorizedException else."""
    provider = pool.provider(provider_name)
    if provider is None:
        raise not_authorized(NOT_SUPPORTED_PROVIDER)
    match = PROVIDER_PATTERN.fullmatch(provider_name)
    assert match is not None  # providers are checked when added
    user_pool_id = match.group(2)
    claims = svc.tokens.decode(token)
    if claims is None:
        raise not_authorized("Invalid login token. Not a valid OpenId Connect identity token.")
    if claims.get("token_use") != "id":
        raise not_authorized("Invalid login token. Missing a required claim: aud")
    if user_pool_id not in svc.pools or claims.get("iss") != svc.issuer(user_pool_id):
        raise not_authorized("Invalid login token. Issuer doesn't match providerName")
    client_id = provider.get("ClientId")
    if client_id is not None and claims.get("aud") != client_id:
        raise not_authorized("Invalid login token. Incorrect token audience.")
    now = int(svc.now())
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or now >= expires:
        raise not_authorized(f"Invalid login token. Token expired: {now} >= {expires}")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise not_authorized("Invalid login token. Missing a required claim: sub")
    if provider.get("ServerSideTokenCheck"):  # the user pool is asked whether the user still stands
        user = svc.pools[user_pool_id].get(str(claims.get("cognito:username", "")))
        revoked = svc.tokens.is_revoked_origin(str(claims.get("origin_jti", "")))
        if user is None or user.sub != sub or not user.enabled or revoked:
            raise not_authorized("Invalid login token. Token has been revoked.")
    return f"{provider_name}|{sub}"


def _checked_logins(svc: Service, pool: IdentityPool, p: dict[str, Any]) -> list[str]:
    return [verify_login(svc, pool, name, token) for name, token in _logins(p).items()]


def _authorize(svc: Service, pool: IdentityPool, identity_id: str, p: dict[str, Any]) -> list[str]:
    """The identity's logins checked against the request's ``Logins`` (an unauthenticated identity given a
    new login becomes authenticated, as in Cognito); the logins of the request."""
    identity = pool.identities[identity_id]
    given = _checked_logins(svc, pool, p)
    linked: list[str] = identity["logins"]
    if not given:
        if linked:
            raise not_authorized(f"Access to Identity '{identity_id}' is forbidden.")
        if not pool.allow_unauthenticated:
            raise not_authorized(UNAUTHENTICATED)
        return []
    for login in given:
        owner = pool.logins.get(login)
        if owner is None and not linked:
            continue  # linked below
        if owner != identity_id:
            raise not_authorized(f"Access to Identity '{identity_id}' is forbidden.")
    for login in given:
        if login not in pool.logins:
            pool.logins[login] = identity_id
            linked.append(login)
    return given


# --- the operations ---------------------------------------------------------------------------------


def get_id(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = _identity_pool(svc, p)
    optional_str(p, "AccountId")
    logins = _checked_logins(svc, pool, p)
    if not logins:
        if not pool.allow_unauthenticated:
            raise not_authorized(UNAUTHENTICATED)
        identity_id = _new_identity(svc, pool, [])
        return {"IdentityId": identity_id}
    known = {pool.logins[login] for login in logins if login in pool.logins}
    if len(known) > 1:
        raise PoolError("ResourceConflictException", "The logins belong to different identities.")
    if known:
        identity_id = known.pop()
        for login in logins:
            if login not in pool.logins:
                pool.logins[login] = identity_id
                pool.identities[identity_id]["logins"].append(login)
        return {"IdentityId": identity_id}
    return {"IdentityId": _new_identity(svc, pool, logins)}


def _new_identity(svc: Service, pool: IdentityPool, logins: list[str]) -> str:
    identity_id = f"{pool.id.split(':', 1)[0]}:{uuid.uuid4()}"
    pool.identities[identity_id] = {"logins": list(logins), "created": svc.now()}
    for login in logins:
        pool.logins[login] = identity_id
    return identity_id


def _role_for(pool: IdentityPool, authenticated: bool, custom_role: str | None) -> str:
    if not authenticated:
        role = pool.roles.get("unauthenticated")
        if not role:
            raise PoolError("InvalidIdentityPoolConfigurationException", BAD_ROLES)
        return role
    default = pool.roles.get("authenticated")
    if custom_role is not None:
        if len(custom_role) < 20 or custom_role not in {default, *pool.custom_roles}:
            raise invalid_parameter("CustomRoleArn is not a role this identity may assume.")
        return custom_role
    if not default:
        raise PoolError("InvalidIdentityPoolConfigurationException", BAD_ROLES)
    return default


_KEY_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def issue_credentials(svc: Service, identity_id: str, role_arn: str, validity: int) -> dict[str, Any]:
    """Temporary credentials in STS's shape: AccessKeyId ``ASIA`` + 16, a 40-character secret, a session token."""
    state = state_of(svc)
    access_key = "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
    secret_key = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    session_token = "IQoJb3JpZ2luX2Vj" + base64.b64encode(secrets.token_bytes(300)).decode()
    expiration = float(int(svc.now()) + validity)
    state.issued[access_key] = {"IdentityId": identity_id, "RoleArn": role_arn, "SecretAccessKey": secret_key,
                                "Expiration": expiration}
    while len(state.issued) > CREDENTIALS_KEPT:
        del state.issued[next(iter(state.issued))]
    return {"AccessKeyId": access_key, "SecretKey": secret_key, "SessionToken": session_token,
            "Expiration": expiration}


def get_credentials_for_identity(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, identity_id = _identity(svc, p)
    custom_role = optional_str(p, "CustomRoleArn")
    _authorize(svc, pool, identity_id, p)
    authenticated = bool(pool.identities[identity_id]["logins"])
    role = _role_for(pool, authenticated, custom_role)
    return {"IdentityId": identity_id,
            "Credentials": issue_credentials(svc, identity_id, role, pool.credentials_validity)}


def get_open_id_token(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, identity_id = _identity(svc, p)
    if not pool.allow_classic_flow:
        raise invalid_parameter(CLASSIC_FLOW_OFF)
    given = _authorize(svc, pool, identity_id, p)
    logins = pool.identities[identity_id]["logins"]
    now = int(svc.now())
    if logins:
        amr = ["authenticated", *sorted({login.split("|", 1)[0] for login in given or logins}),
               *[login.replace("|", ":", 1) for login in (given or logins)]]
    else:
        amr = ["unauthenticated"]
    claims = {"sub": identity_id, "aud": pool.id, "amr": amr, "iss": OPENID_ISSUER,
              "https://cognito-identity.amazonaws.com/identity-pool-arn":
                  f"arn:aws:cognito-identity:{pool.id.split(':', 1)[0]}:{ACCOUNT_ID}:identitypool/{pool.id}",
              "exp": now + OPENID_TOKEN_VALIDITY, "iat": now}
    return {"IdentityId": identity_id, "Token": _sign(state_of(svc), claims)}


def describe_identity(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, identity_id = _identity(svc, p)
    identity = pool.identities[identity_id]
    created = float(identity.get("created", 0.0))
    return {"IdentityId": identity_id, "Logins": sorted({x.split("|", 1)[0] for x in identity["logins"]}),
            "CreationDate": created, "LastModifiedDate": created}


# --- administration ---------------------------------------------------------------------------------


def create_identity_pool(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    name = required_str(p, "IdentityPoolName")
    allow = p.get("AllowUnauthenticatedIdentities")
    if not isinstance(allow, bool):
        raise invalid_parameter("AllowUnauthenticatedIdentities is required (true or false)")
    providers = p.get("CognitoIdentityProviders") or []
    if not isinstance(providers, list) or not all(isinstance(x, dict) for x in providers):
        raise invalid_parameter("CognitoIdentityProviders is a list of providers")
    entries = [{"ProviderName": x.get("ProviderName"), "ClientId": x.get("ClientId"),
                "ServerSideTokenCheck": bool(x.get("ServerSideTokenCheck", False))} for x in providers]
    for entry in entries:
        check_provider(entry)
    pool = build_identity_pool(svc, name=name, allow_unauthenticated=allow,
                               allow_classic_flow=bool(p.get("AllowClassicFlow", False)), providers=entries)
    return pool.describe()


def describe_identity_pool(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    return _identity_pool(svc, p).describe()


def list_identity_pools(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    limit = p.get("MaxResults")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 60:
        raise invalid_parameter("MaxResults is a number from 1 to 60")
    pools = sorted(state_of(svc).pools.values(), key=lambda x: x.id)
    start = 0
    token = optional_str(p, "NextToken")
    if token is not None:
        start = next((i for i, x in enumerate(pools) if x.id == token), len(pools))
    page = pools[start:start + limit]
    result: dict[str, Any] = {"IdentityPools": [{"IdentityPoolId": x.id, "IdentityPoolName": x.name} for x in page]}
    if start + limit < len(pools):
        result["NextToken"] = pools[start + limit].id
    return result


def delete_identity_pool(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = _identity_pool(svc, p)
    del state_of(svc).pools[pool.id]
    return {}


def set_identity_pool_roles(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = _identity_pool(svc, p)
    roles = p.get("Roles")
    if not isinstance(roles, dict) or not all(
        k in ("authenticated", "unauthenticated") and isinstance(v, str) and ROLE_PATTERN.fullmatch(v)
        for k, v in roles.items()
    ):
        raise invalid_parameter("Roles maps authenticated / unauthenticated to role ARNs")
    pool.roles = dict(roles)
    return {}


def get_identity_pool_roles(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool = _identity_pool(svc, p)
    return {"IdentityPoolId": pool.id, "Roles": dict(pool.roles)}


# --- STS AssumeRoleWithWebIdentity (the basic flow's second call) ----------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(state: IdentityState, claims: dict[str, Any]) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    header = {"kid": state._kid, "typ": "JWS", "alg": "RS512"}
    signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    signature = state.signing_key().sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA512())
    return signing_input + "." + _b64url(signature)


def _openid_claims(state: IdentityState, token: str) -> dict[str, Any] | None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    parts = token.split(".")
    if len(parts) != 3 or state._key is None:
        return None
    try:
        header = json.loads(_b64url_decode(parts[0]))
        if not isinstance(header, dict) or header.get("kid") != state._kid:
            return None
        state.signing_key().public_key().verify(
            _b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA512())
        claims = json.loads(_b64url_decode(parts[1]))
    except (InvalidSignature, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _sts_error(code: str, message: str, status: int = 400) -> PoolError:
    return PoolError(code, message, status)


def assume_role_with_web_identity(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """STS AssumeRoleWithWebIdentity for the OpenID tokens of this server's identity pools. A role is trusted
    for a token as a Cognito role's trust policy would (``cognito-identity.amazonaws.com:aud`` the identity pool,
    ``amr`` authenticated or unauthenticated): the identity pool's role of that kind, or a custom role."""
    for name in ("RoleArn", "RoleSessionName", "WebIdentityToken"):
        if not isinstance(p.get(name), str) or not p[name]:
            raise _sts_error("ValidationError", f"1 validation error detected: Value null at '{name[:1].lower()}"
                             f"{name[1:]}' failed to satisfy constraint: Member must not be null")
    role_arn, session_name, token = str(p["RoleArn"]), str(p["RoleSessionName"]), str(p["WebIdentityToken"])
    if not re.fullmatch(r"[\w+=,.@-]{2,64}", session_name):
        raise _sts_error("ValidationError", "RoleSessionName must match [\\w+=,.@-]{2,64}")
    duration = p.get("DurationSeconds", "3600")
    try:
        seconds = int(duration)
    except (TypeError, ValueError):
        seconds = 0
    if not 900 <= seconds <= 43200:
        raise _sts_error("ValidationError", "DurationSeconds must be between 900 and 43200")
    state = state_of(svc)
    claims = _openid_claims(state, token)
    if claims is None or claims.get("iss") != OPENID_ISSUER:
        raise _sts_error("InvalidIdentityToken", "Couldn't verify the web identity token.")
    now = int(svc.now())
    if not isinstance(claims.get("exp"), int) or now >= claims["exp"]:
        raise _sts_error("ExpiredTokenException", "Token expired.")
    pool = state.pools.get(str(claims.get("aud")))
    amr_claim = claims.get("amr")
    amr: list[Any] = amr_claim if isinstance(amr_claim, list) else []
    identity_id = str(claims.get("sub"))
    if pool is None or identity_id not in pool.identities:
        raise _sts_error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    if "authenticated" in amr:
        trusted = {pool.roles.get("authenticated"), *pool.custom_roles}
    else:
        trusted = {pool.roles.get("unauthenticated")}
    if role_arn not in trusted:
        raise _sts_error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    validity = min(seconds, pool.credentials_validity)
    credentials = issue_credentials(svc, identity_id, role_arn, validity)
    role_name = role_arn.rsplit("/", 1)[-1]
    account = role_arn.split(":")[4]
    return {
        "Credentials": {"AccessKeyId": credentials["AccessKeyId"], "SecretAccessKey": credentials["SecretKey"],
                        "SessionToken": credentials["SessionToken"], "Expiration": credentials["Expiration"]},
        "SubjectFromWebIdentityToken": identity_id,
        "AssumedRoleUser": {"Arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}",
                            "AssumedRoleId": f"AROA{secrets.token_hex(8).upper()}:{session_name}"},
        "Provider": "cognito-identity.amazonaws.com",
        "Audience": pool.id,
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sts_xml(action: str, status: int, body: dict[str, Any]) -> bytes:
    """STS's XML answer for ``body`` (a result, or ``{"__type", "message"}`` for an error)."""
    ns = "https://sts.amazonaws.com/doc/2011-06-15/"
    request_id = str(uuid.uuid4())
    if status != 200:
        return (f'<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type>'
                f'<Code>{escape(str(body.get("__type", "")))}</Code><Message>{escape(str(body.get("message", "")))}'
                f"</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
    c = body["Credentials"]
    user = body["AssumedRoleUser"]
    return (
        f'<{action}Response xmlns="{ns}"><{action}Result>'
        f"<SubjectFromWebIdentityToken>{escape(body['SubjectFromWebIdentityToken'])}</SubjectFromWebIdentityToken>"
        f"<Audience>{escape(body['Audience'])}</Audience>"
        f"<AssumedRoleUser><Arn>{escape(user['Arn'])}</Arn><AssumedRoleId>{escape(user['AssumedRoleId'])}"
        f"</AssumedRoleId></AssumedRoleUser>"
        f"<Credentials><SessionToken>{escape(c['SessionToken'])}</SessionToken>"
        f"<SecretAccessKey>{escape(c['SecretAccessKey'])}</SecretAccessKey>"
        f"<Expiration>{_iso(c['Expiration'])}</Expiration><AccessKeyId>{escape(c['AccessKeyId'])}</AccessKeyId>"
        f"</Credentials><Provider>{escape(body['Provider'])}</Provider>"
        f"</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    ).encode()


#: The identity pool's operations (X-Amz-Target AWSCognitoIdentityService.<name>) and STS's (Action=<name>).
IDENTITY_OPERATIONS = {
    "GetId": get_id,
    "GetCredentialsForIdentity": get_credentials_for_identity,
    "GetOpenIdToken": get_open_id_token,
    "DescribeIdentity": describe_identity,
    "CreateIdentityPool": create_identity_pool,
    "DescribeIdentityPool": describe_identity_pool,
    "ListIdentityPools": list_identity_pools,
    "DeleteIdentityPool": delete_identity_pool,
    "SetIdentityPoolRoles": set_identity_pool_roles,
    "GetIdentityPoolRoles": get_identity_pool_roles,
}
STS_OPERATIONS = {"AssumeRoleWithWebIdentity": assume_role_with_web_identity}
