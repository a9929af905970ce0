"""Temporary AWS credentials for a signed-in user, through a Cognito identity pool.

The enhanced flow (the default), two unsigned calls after the sign-in::

    GetId                      {IdentityPoolId, Logins: {"cognito-idp.<region>.amazonaws.com/<pool id>": id token}}
    GetCredentialsForIdentity  {IdentityId, Logins, [CustomRoleArn]} -> AccessKeyId, SecretKey, SessionToken, Expiration

The basic (classic) flow, ``basic=True``: GetId, ``GetOpenIdToken``, then STS ``AssumeRoleWithWebIdentity`` with
the role to assume (``role_arn``, needed here).

The identity id a user gets is kept per user and identity pool, beside the user's tokens in the token cache
(``<entry>.identity-<hash>.json``, 0600), so later runs skip GetId; if the identity pool no longer knows it
(ResourceNotFoundException) it is forgotten and asked for again. :func:`cached` / :func:`keep` keep the
credentials themselves the same way (``authflow credentials`` does, until 5 minutes before Expiration).

For scripts that run for hours, :func:`boto3_session` makes a boto3 ``Session`` whose credentials refresh
themselves (botocore's refreshable credentials): each time they near their expiry, the user's tokens are
refreshed (:class:`SignedInUser`: with the refresh token; by signing in again through the handler when the
refresh token is gone) and new credentials fetched::

    user = SignedInUser(pool, "alice", handler=ScriptedHandler(password=...))
    access = IdentityPoolAccess("us-east-1:1234abcd-...", pool.pool_id)
    s3 = boto3_session(user, access).client("s3")

Nothing here imports botocore until a call is made: reading cached credentials is cheap.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from authflow.errors import (
    AuthflowError,
    MalformedResponseError,
    NotAuthorizedError,
    RefreshTokenReuseError,
    ResourceNotFoundError,
    UsageError,
)
from authflow.tokencache import CacheFileError, CacheKey, TokenCache, failure_reason

if TYPE_CHECKING:
    from authflow.tokens import Tokens
    from authflow.transport import CognitoIdentity, UserPool

#: ``authflow credentials`` gets new credentials this long (seconds) before the cached ones expire.
CREDENTIALS_LEEWAY = 300.0
IDENTITY_POOL_ID = re.compile(r"[\w-]+:[0-9a-f-]+")
IDENTITY_ID = IDENTITY_POOL_ID
ROLE_ARN = re.compile(r"arn:[\w-]+:iam::\d{12}:role/[\w+=,.@/-]{1,512}")


def provider_name(region: str, user_pool_id: str) -> str:
    """The Logins key of a user pool's id tokens: ``cognito-idp.<region>.amazonaws.com/<pool id>``."""
    return f"cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def iso8601(epoch: float) -> str:
    """``2026-12-07T03:04:05Z``: UTC, as the AWS CLI's credential_process reads it."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, repr=False)
class AWSCredentials:
    """Temporary AWS credentials. The secret key and session token never show in a repr."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    #: Epoch seconds.
    expiration: float
    identity_id: str | None = None

    def expired(self, leeway: float = 0.0, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expiration - leeway

    def process_output(self) -> dict[str, Any]:
        """The AWS CLI's ``credential_process`` object."""
        return {"Version": 1, "AccessKeyId": self.access_key_id, "SecretAccessKey": self.secret_access_key,
                "SessionToken": self.session_token, "Expiration": iso8601(self.expiration)}

    def json_output(self) -> dict[str, Any]:
        """:meth:`process_output` and the IdentityId."""
        return {**self.process_output(), "IdentityId": self.identity_id}

    def env_output(self) -> str:
        """``export AWS_ACCESS_KEY_ID=...`` lines, for ``eval``."""
        import shlex

        return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in (
            ("AWS_ACCESS_KEY_ID", self.access_key_id), ("AWS_SECRET_ACCESS_KEY", self.secret_access_key),
            ("AWS_SESSION_TOKEN", self.session_token)))

    def as_dict(self) -> dict[str, Any]:
        """{"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration" (epoch seconds), "IdentityId"}."""
        return {"AccessKeyId": self.access_key_id, "SecretAccessKey": self.secret_access_key,
                "SessionToken": self.session_token, "Expiration": self.expiration, "IdentityId": self.identity_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AWSCredentials:
        """From :meth:`as_dict` (or the transport's answer), checked: MalformedResponseError otherwise."""
        values = []
        for name in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
            value = data.get(name)
            if not isinstance(value, str) or not 0 < len(value) <= 16384 or not value.isprintable():
                raise MalformedResponseError(f"{name} is not a short printable string")
            values.append(value)
        expiration = data.get("Expiration")
        if isinstance(expiration, bool) or not isinstance(expiration, (int, float)) \
                or not 0 < expiration < 32_503_680_000:
            raise MalformedResponseError("Expiration is not a time")
        identity_id = data.get("IdentityId")
        if identity_id is not None and not (isinstance(identity_id, str) and IDENTITY_ID.fullmatch(identity_id)):
            raise MalformedResponseError("IdentityId is not an identity id")
        return cls(values[0], values[1], values[2], float(expiration), identity_id)

    def __repr__(self) -> str:
        return (f"AWSCredentials(access_key_id={self.access_key_id!r}, expiration={iso8601(self.expiration)}, "
                "<secret hidden>)")


# --- the identity pool ------------------------------------------------------------------------------


class IdentityPoolAccess:
    """An identity pool, and how to get credentials from it for the users of one user pool.

    ``region`` is the user pool's (default: its id's prefix); the identity pool's region is its id's prefix.
    ``endpoint_url`` points the identity pool's calls (and STS's, in the basic flow) at a Cognito-compatible
    server. ``role_arn``: CustomRoleArn in the enhanced flow; the role to assume in the basic flow.
    ``cache``: where identity ids are kept (None: not kept)."""

    def __init__(
        self,
        identity_pool_id: str,
        user_pool_id: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        role_arn: str | None = None,
        basic: bool = False,
        duration_seconds: int = 3600,
        cache: TokenCache | None = None,
        client: CognitoIdentity | None = None,
        call_timeout: float | None = None,
    ) -> None:
        if not IDENTITY_POOL_ID.fullmatch(identity_pool_id):
            raise UsageError(f"the identity pool id {identity_pool_id!r} is not one: they look like "
                             "us-east-1:1a2b3c4d-..., the region, a colon and a GUID")
        if role_arn is not None and not ROLE_ARN.fullmatch(role_arn):
            raise UsageError(f"{role_arn!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
        if basic and not role_arn:
            raise UsageError("the basic flow assumes a role of your choice: give its ARN (--role-arn or "
                             "AUTHFLOW_ROLE_ARN; role_arn in a profile or in Python)")
        self.identity_pool_id = identity_pool_id
        self.user_pool_id = user_pool_id
        self.region = region or user_pool_id.partition("_")[0]
        self.identity_region = identity_pool_id.partition(":")[0]
        self.endpoint_url = endpoint_url
        self.role_arn = role_arn
        self.basic = basic
        self.duration_seconds = duration_seconds
        self.cache = cache
        self.call_timeout = call_timeout
        self._client = client

    @property
    def provider(self) -> str:
        return provider_name(self.region, self.user_pool_id)

    @property
    def client(self) -> CognitoIdentity:
        if self._client is None:
            from authflow.transport import CognitoIdentity

            self._client = CognitoIdentity(self.identity_region, self.endpoint_url, call_timeout=self.call_timeout)
        return self._client

    def _digest(self, *parts: str | None) -> str:
        material = json.dumps([self.identity_pool_id, self.endpoint_url or "", *parts])
        return hashlib.sha256(material.encode()).hexdigest()[:16]

    @property
    def identity_suffix(self) -> str:
        return f".identity-{self._digest()}"

    @property
    def credentials_suffix(self) -> str:
        """The credentials entry's suffix: one per identity pool, endpoint, role and flow."""
        return f".credentials-{self._digest(self.role_arn, 'basic' if self.basic else 'enhanced')}"

    # --- the identity id, kept per user and identity pool ----------------------------------------

    def _parse_identity(self, payload: Mapping[str, Any]) -> str:
        entry = payload.get("identity")
        if not isinstance(entry, Mapping) or entry.get("IdentityPoolId") != self.identity_pool_id:
            raise CacheFileError("not an identity id of this identity pool")
        identity_id = entry.get("IdentityId")
        if not isinstance(identity_id, str) or not IDENTITY_ID.fullmatch(identity_id) or len(identity_id) > 55:
            raise CacheFileError("the identity id is not one")
        return identity_id

    def kept_identity_id(self, key: CacheKey | None) -> str | None:
        if self.cache is None or key is None:
            return None
        return self.cache.load_entry(key, "identity id", self.identity_suffix, self._parse_identity)

    def _keep_identity_id(self, key: CacheKey | None, identity_id: str) -> None:
        if self.cache is None or key is None:
            return
        try:
            self.cache.store_entry(key, "identity id", self.identity_suffix,
                                   {"identity": {"IdentityPoolId": self.identity_pool_id, "IdentityId": identity_id}})
        except (OSError, CacheFileError) as exc:
            self.cache.warn(f"the identity id could not be kept ({failure_reason(exc)})")

    def forget_identity_id(self, key: CacheKey) -> None:
        if self.cache is not None:
            self.cache.forget_entry(key, "identity id", self.identity_suffix)

    # --- credentials ------------------------------------------------------------------------------

    def credentials(self, id_token: str, key: CacheKey | None = None) -> AWSCredentials:
        """Credentials for the user whose id token this is (``key``: the user's token cache entry, where the
        identity id is kept)."""
        logins = {self.provider: id_token}
        identity_id = self.kept_identity_id(key)
        if identity_id is not None:
            try:
                return self._fetch(identity_id, logins)
            except ResourceNotFoundError:  # the identity (or its pool) is gone: ask for one again
                if key is not None:
                    self.forget_identity_id(key)
        identity_id = self.client.get_id(self.identity_pool_id, logins)
        self._keep_identity_id(key, identity_id)
        return self._fetch(identity_id, logins)

    def guest_credentials(self) -> AWSCredentials:
        """Credentials of a new unauthenticated identity (where the identity pool allows them)."""
        identity_id = self.client.get_id(self.identity_pool_id, {})
        return self._fetch(identity_id, {})

    def _fetch(self, identity_id: str, logins: Mapping[str, str]) -> AWSCredentials:
        if self.basic:
            assert self.role_arn is not None
            token = self.client.get_open_id_token(identity_id, logins)
            answer = self.client.assume_role_with_web_identity(
                self.role_arn, token, f"authflow-{int(time.time())}", self.duration_seconds)
            answer["IdentityId"] = identity_id
        else:
            answer = self.client.get_credentials_for_identity(identity_id, logins, self.role_arn)
        return AWSCredentials.from_dict(answer)

    def __repr__(self) -> str:
        return f"IdentityPoolAccess({self.identity_pool_id!r}, {self.user_pool_id!r})"


# --- credentials kept beside the tokens ---------------------------------------------------------------


def _parse_credentials(payload: Mapping[str, Any]) -> AWSCredentials:
    data = payload.get("credentials")
    if not isinstance(data, Mapping):
        raise CacheFileError("no credentials")
    return AWSCredentials.from_dict(data)


def cached(cache: TokenCache, key: CacheKey, access: IdentityPoolAccess,
           leeway: float = CREDENTIALS_LEEWAY) -> AWSCredentials | None:
    """The kept credentials of the user ``key`` for ``access``, while good for ``leeway`` seconds more."""
    found = cache.load_entry(key, "credentials", access.credentials_suffix, _parse_credentials)
    if found is None or found.expired(leeway):
        return None
    return found


def keep(cache: TokenCache, key: CacheKey, access: IdentityPoolAccess, credentials: AWSCredentials) -> None:
    """Keep ``credentials`` beside the user's tokens (0600; a cache that cannot be written is a warning)."""
    try:
        cache.store_entry(key, "credentials", access.credentials_suffix, {"credentials": credentials.as_dict()})
    except (OSError, CacheFileError) as exc:
        cache.warn(f"the credentials could not be cached ({failure_reason(exc)})")


def forget(cache: TokenCache, key: CacheKey, access: IdentityPoolAccess) -> bool:
    return cache.forget_entry(key, "credentials", access.credentials_suffix)


def forget_all(cache: TokenCache, key: CacheKey) -> int:
    """Forget every kept credentials entry of the user ``key`` (any identity pool, role or flow: signing out);
    the identity ids stay, as a remembered device does. Returns how many were forgotten."""
    digest = key.digest()
    forgotten = 0
    if not cache.tokens_dir.is_dir():
        return 0
    for path in cache.tokens_dir.glob(f"{digest}.credentials-*.json"):
        suffix = path.name[len(digest):-len(".json")]
        forgotten += cache.forget_entry(key, "credentials", suffix)
    return forgotten


def lock_path(cache: TokenCache, key: CacheKey, access: IdentityPoolAccess) -> Any:
    """The lock file that processes fetching ``key``'s credentials for ``access`` take in turn."""
    return cache.tokens_dir / f"{key.digest()}{access.credentials_suffix}.lock"


# --- a signed-in user whose tokens stay valid ----------------------------------------------------------


class SignedInUser:
    """A user's tokens, made valid again when asked for: refreshed with the refresh token (once across
    processes when a ``cache`` is given, which then keeps them); when the refresh token is refused or there is
    none, signed in again through ``handler`` (any authflow handler: ScriptedHandler, the terminal wizard).
    Without a handler, that case raises the refusal."""

    def __init__(
        self,
        pool: UserPool,
        username: str,
        *,
        tokens: Tokens | None = None,
        handler: Any = None,
        cache: TokenCache | None = None,
        leeway: float = 60.0,
        **sign_in_options: Any,
    ) -> None:
        self.pool = pool
        self.username = username
        self.handler = handler
        self.cache = cache
        self.leeway = leeway
        self.sign_in_options = sign_in_options
        self._tokens = tokens
        self._lock = threading.Lock()
        if tokens is not None and cache is not None:
            self._store(tokens)

    @property
    def cache_key(self) -> CacheKey:
        return CacheKey(self.pool.pool_id, self.pool.client_id, self.username, self.pool.endpoint_url)

    def _store(self, tokens: Tokens) -> None:
        assert self.cache is not None
        try:
            self.cache.store(self.cache_key, tokens)
        except (OSError, CacheFileError) as exc:
            self.cache.warn(f"the tokens could not be cached ({failure_reason(exc)})")

    def tokens(self) -> Tokens:
        """Tokens good for ``leeway`` seconds more."""
        with self._lock:
            current = self._tokens
            if current is not None and not current.expired(self.leeway):
                return current
            refused: AuthflowError | None = None
            fresh: Tokens | None = None
            if self.cache is not None:
                from authflow.refresh import cached_or_refreshed

                fresh = cached_or_refreshed(self.cache, self.cache_key, self.pool, leeway=self.leeway)
            elif current is not None and current.refresh_token:
                from authflow.tokencache import device_key, internal_username

                try:
                    fresh = self.pool.refresh(current.refresh_token, username=internal_username(current)
                                              or self.username, device_key=device_key(current))
                except (NotAuthorizedError, RefreshTokenReuseError) as exc:
                    refused = exc
            if fresh is None:
                fresh = self._sign_in(refused)
            self._tokens = fresh
            return fresh

    def _sign_in(self, refused: AuthflowError | None) -> Tokens:
        if self.handler is None:
            raise refused or NotAuthorizedError("the tokens ran out and there is no handler to sign in again with",
                                                code="SignInRequired")
        from authflow.flow import sign_in

        tokens = sign_in(self.pool, self.username, handler=self.handler, **self.sign_in_options)
        if self.cache is not None:
            self._store(tokens)
        return tokens

    def id_token(self) -> str:
        token = self.tokens().id_token
        if not token:
            raise MalformedResponseError("the sign-in gave no IdToken")
        return token

    def __repr__(self) -> str:
        return f"SignedInUser({self.username!r}, {self.pool!r})"


def credentials_for(user: SignedInUser, access: IdentityPoolAccess) -> AWSCredentials:
    """Credentials for ``user`` now (its tokens refreshed, or it signed in again, as needed)."""
    return access.credentials(user.id_token(), user.cache_key if access.cache is not None else None)


def boto3_session(user: SignedInUser, access: IdentityPoolAccess, *, region: str | None = None) -> Any:
    """A boto3 ``Session`` with ``user``'s credentials from ``access``, refreshing themselves before they expire
    (new tokens as needed). ``region``: the session's region (default: the identity pool's)."""
    from authflow.transport import refreshable_session

    def fetch() -> Mapping[str, Any]:
        return credentials_for(user, access).as_dict()

    return refreshable_session(fetch, region=region or access.identity_region)
