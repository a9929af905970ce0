"""Tokens as Cognito issues them: RS256 id and access JWTs (Cognito's claims), opaque refresh tokens,
the JWKS that verifies them, and the revocation state behind GlobalSignOut and RevokeToken.

As in Cognito, id tokens and access tokens are signed by two different RSA keys (two ``kid`` in the JWKS).
Both keys are made when the issuer is created, each on a thread of its own (about 60 ms each, outside the
GIL), so the server starts listening meanwhile and a token asked for later does not pay for them.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from authflow.localpool.errors import INVALID_REFRESH_TOKEN, PoolError, not_authorized
from authflow.localpool.model import AppClient, User, opaque_token

ACCESS_SCOPE = "aws.cognito.signin.user.admin"
#: Attributes that never go into an id token.
_NOT_IN_ID_TOKEN = {"sub"}
_BOOLEAN_ATTRIBUTES = {"email_verified", "phone_number_verified"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(repr=False, slots=True)
class RefreshRecord:
    pool_id: str
    client_id: str
    username: str
    origin_jti: str
    auth_time: int
    expires_at: float
    device_key: str | None = None
    revoked: bool = False
    #: When the sign-in or a refresh last used this token family (ListUserSessions' LastActiveDate).
    last_active: float = 0.0
    #: Rotated out (RefreshTokenRotation): the token is refused from this time on (the grace period's end).
    retired_until: float | None = None
    #: The OAuth scopes of a managed-login sign-in (None: an API sign-in, aws.cognito.signin.user.admin).
    scope: str | None = None

    def __repr__(self) -> str:
        return f"RefreshRecord(username={self.username!r}, revoked={self.revoked})"

    def usable(self, now: float) -> bool:
        """Neither expired nor rotated out past its grace period (revoked ones are kept, to say so)."""
        return now < self.expires_at and (self.retired_until is None or now < self.retired_until)


class _SigningKeys:
    """The id-token key and the access-token key, made on a thread started at construction."""

    def __init__(self, saved: dict[str, Any] | None = None) -> None:
        """New keys, or the ``saved`` ones (from :meth:`saved`: a durable pool keeps its keys)."""
        self.kids = {"id": secrets.token_urlsafe(32), "access": secrets.token_urlsafe(32)}
        self._keys: dict[str, rsa.RSAPrivateKey] = {}
        if saved is not None:
            self.kids = dict(saved["kids"])
            for use, pem in saved["pem"].items():
                key = serialization.load_pem_private_key(pem.encode(), password=None)
                if not isinstance(key, rsa.RSAPrivateKey):
                    raise ValueError("a saved signing key is not an RSA key")
                self._keys[use] = key
        self._threads = {use: threading.Thread(target=self._make, args=(use,), name=f"localpool-{use}-key",
                                               daemon=True) for use in self.kids}
        for use, thread in self._threads.items():
            if use not in self._keys:
                thread.start()

    def saved(self) -> dict[str, Any]:
        """The kids and the private keys (PEM), for :meth:`__init__`'s ``saved``."""
        pem = {use: self.key(use).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
        ).decode() for use in self.kids}
        return {"kids": dict(self.kids), "pem": pem}

    def _make(self, use: str) -> None:
        self._keys[use] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def key(self, use: str) -> rsa.RSAPrivateKey:
        """The private key for ``"id"`` or ``"access"`` tokens (waits for it if still being made)."""
        key = self._keys.get(use)
        if key is None:
            self._threads[use].join()
            key = self._keys[use]
        return key

    def use_of(self, kid: Any) -> str | None:
        return next((use for use, known in self.kids.items() if known == kid), None)


#: The most refresh-token records (one per sign-in) and revoked families kept in all: beyond it the oldest are
#: forgotten (their refresh tokens are then refused as invalid), so millions of sign-ins of any number of
#: users stay in bounded memory. Each user also keeps at most its pool's ``token_sessions_per_user``.
RECORD_LIMIT = 50_000
#: Expired or rotated-out refresh records are swept once every this many sign-ins.
PRUNE_EVERY = 256


class TokenIssuer:
    """Signs tokens for every pool of one server and remembers which token families are revoked."""

    def __init__(self, record_limit: int = RECORD_LIMIT, saved_keys: dict[str, Any] | None = None) -> None:
        self._keys = _SigningKeys(saved_keys)
        self.record_limit = record_limit
        self._refresh: dict[str, RefreshRecord] = {}
        #: (pool id, username) -> the user's refresh tokens, oldest first (a dict as an ordered set).
        self._tokens_of: dict[tuple[str, str], dict[str, None]] = {}
        self._issued = 0
        #: origin_jti values (one per sign-in) whose access and refresh tokens are revoked (a dict: oldest first).
        self._revoked_origins: dict[str, None] = {}
        #: A durable store sets these to sets: the refresh tokens and revoked families changed (or forgotten)
        #: since it last saved. None: nothing watches (in memory).
        self.changed: set[str] | None = None
        self.changed_origins: set[str] | None = None

    def saved_keys(self) -> dict[str, Any]:
        return self._keys.saved()

    def _changed(self, token: str) -> None:
        if self.changed is not None:
            self.changed.add(token)

    def _revoke_origin(self, origin_jti: str) -> None:
        self._revoked_origins[origin_jti] = None
        if self.changed_origins is not None:
            self.changed_origins.add(origin_jti)

    # --- what a durable store reads and loads ---------------------------------------------------------

    def record_of(self, token: str) -> RefreshRecord | None:
        return self._refresh.get(token)

    def is_revoked_origin(self, origin_jti: str) -> bool:
        return origin_jti in self._revoked_origins

    def load_record(self, token: str, record: RefreshRecord | None) -> None:
        """Take ``record`` as the state of ``token`` (None: it is gone), as another process saved it."""
        if record is None:
            if token in self._refresh:
                self._forget(token, quiet=True)
        elif token in self._refresh:
            self._refresh[token] = record
        else:
            self._keep(token, record, quiet=True)

    def load_origin(self, origin_jti: str, revoked: bool) -> None:
        if revoked:
            self._revoked_origins[origin_jti] = None
        else:
            self._revoked_origins.pop(origin_jti, None)

    def record_counts(self) -> tuple[int, int, int]:
        """How many refresh records, revoked families and users with records are kept (what a soak watches)."""
        return len(self._refresh), len(self._revoked_origins), len(self._tokens_of)

    def _keep(self, token: str, record: RefreshRecord, quiet: bool = False) -> None:
        self._refresh[token] = record
        self._tokens_of.setdefault((record.pool_id, record.username), {})[token] = None
        if not quiet:
            self._changed(token)

    def _forget(self, token: str, quiet: bool = False) -> None:
        if not quiet:
            self._changed(token)
        record = self._refresh.pop(token)
        key = (record.pool_id, record.username)
        tokens = self._tokens_of[key]
        del tokens[token]
        if not tokens:
            del self._tokens_of[key]

    def _prune(self, now: float) -> None:
        """Forget refresh records that can no longer be used, then the oldest beyond ``record_limit``."""
        self._issued += 1
        if self._issued % PRUNE_EVERY == 0:
            for token in [token for token, r in self._refresh.items() if not r.usable(now)]:
                self._forget(token)
        while len(self._refresh) > self.record_limit:
            self._forget(next(iter(self._refresh)))
        while len(self._revoked_origins) > self.record_limit:
            oldest = next(iter(self._revoked_origins))
            del self._revoked_origins[oldest]
            if self.changed_origins is not None:
                self.changed_origins.add(oldest)

    def _live_sessions(self, pool_id: str, username: str, now: float) -> dict[str, list[str]]:
        """The user's live token sessions (origin_jti -> its refresh tokens, oldest first): not revoked,
        not expired."""
        sessions: dict[str, list[str]] = {}
        for token in self._tokens_of.get((pool_id, username), {}):
            r = self._refresh[token]
            if not r.revoked and r.origin_jti not in self._revoked_origins and now < r.expires_at:
                sessions.setdefault(r.origin_jti, []).append(token)
        return sessions

    def _make_room(self, pool_id: str, username: str, limit: int, now: float) -> None:
        """Cognito's TokenSession MaxPerUser: before a sign-in makes a new token session, the user's least
        recently used ones are forgotten until fewer than ``limit`` are live (their refresh tokens are then
        refused as invalid; their access and id tokens run out as issued)."""
        sessions = list(self._live_sessions(pool_id, username, now).values())
        sessions.sort(key=lambda tokens: max(self._refresh[t].last_active for t in tokens))
        for tokens in sessions[:max(0, len(sessions) - limit + 1)]:
            for token in tokens:
                self._forget(token)

    # --- keys --------------------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        def as_b64(value: int) -> str:
            return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        keys = []
        for use, kid in self._keys.kids.items():
            numbers = self._keys.key(use).public_key().public_numbers()
            keys.append({"alg": "RS256", "e": as_b64(numbers.e), "kid": kid, "kty": "RSA",
                         "n": as_b64(numbers.n), "use": "sig"})
        return {"keys": keys}

    def _sign(self, claims: dict[str, Any]) -> str:
        use = str(claims["token_use"])
        header = {"kid": self._keys.kids[use], "alg": "RS256"}
        signing_input = (
            _b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = self._keys.key(use).sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)

    def decode(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this issuer signed (with the key its ``kid`` names, the one for its
        ``token_use``), or None (malformed or not ours)."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        try:
            header = json.loads(_b64url_decode(parts[0]))
            use = self._keys.use_of(header.get("kid")) if isinstance(header, dict) else None
            if use is None:
                return None
            self._keys.key(use).public_key().verify(
                _b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
            claims = json.loads(_b64url_decode(parts[1]))
        except (InvalidSignature, ValueError):
            return None
        if not isinstance(claims, dict) or claims.get("token_use") != use:
            return None
        return claims

    # --- issuing -----------------------------------------------------------------------------------

    def authentication_result(
        self,
        *,
        issuer: str,
        client: AppClient,
        user: User,
        now: float,
        auth_time: int | None = None,
        origin_jti: str | None = None,
        device_key: str | None = None,
        with_refresh_token: bool = True,
        sessions_per_user: int | None = None,
        scope: str | None = None,
        nonce: str | None = None,
    ) -> dict[str, Any]:
        """Cognito's AuthenticationResult for ``user`` signing in to ``client``. A sign-in (no ``origin_jti``)
        starts a token session, after the user's least recently used beyond ``sessions_per_user`` are ended.
        Managed login gives the access token's OAuth ``scope`` (kept for its refreshes) and the id token's
        ``nonce``."""
        iat = int(now)
        auth_time = iat if auth_time is None else auth_time
        continued = origin_jti is not None
        origin_jti = origin_jti or str(uuid.uuid4())
        event_id = str(uuid.uuid4())
        id_claims: dict[str, Any] = {"sub": user.sub}
        for name, value in sorted(user.attributes.items()):
            if name in _NOT_IN_ID_TOKEN:
                continue
            id_claims[name] = (value.lower() == "true") if name in _BOOLEAN_ATTRIBUTES else value
        if "identities" in id_claims:  # a federated user: the attribute is a JSON list, the claim the list
            try:
                id_claims["identities"] = json.loads(str(id_claims["identities"]))
            except ValueError:
                del id_claims["identities"]
        if nonce is not None:
            id_claims["nonce"] = nonce
        id_claims.update({
            "iss": issuer, "cognito:username": user.username, "origin_jti": origin_jti, "aud": client.id,
            "event_id": event_id, "token_use": "id", "auth_time": auth_time,
            "exp": iat + client.id_token_validity, "iat": iat, "jti": str(uuid.uuid4()),
        })
        access_claims: dict[str, Any] = {"sub": user.sub}
        if device_key:
            access_claims["device_key"] = device_key
        access_claims.update({
            "iss": issuer, "client_id": client.id, "origin_jti": origin_jti, "event_id": event_id,
            "token_use": "access", "scope": scope or ACCESS_SCOPE, "auth_time": auth_time,
            "exp": iat + client.access_token_validity, "iat": iat, "jti": str(uuid.uuid4()),
            "username": user.username,
        })
        result: dict[str, Any] = {
            "AccessToken": self._sign(access_claims),
            "ExpiresIn": client.access_token_validity,
            "TokenType": "Bearer",
        }
        if with_refresh_token:
            if sessions_per_user is not None and not continued:
                self._make_room(client.pool_id, user.username, sessions_per_user, now)
            token = opaque_token(96)
            self._keep(token, RefreshRecord(
                pool_id=client.pool_id, client_id=client.id, username=user.username, origin_jti=origin_jti,
                auth_time=auth_time, expires_at=now + client.refresh_token_validity, device_key=device_key,
                last_active=now, scope=scope,
            ))
            self._prune(now)
            result["RefreshToken"] = token
        result["IdToken"] = self._sign(id_claims)
        return result

    def client_credentials_token(self, *, issuer: str, client: AppClient, scope: str, now: float) -> dict[str, Any]:
        """A machine-to-machine access token (the client_credentials grant): the client is its own subject."""
        iat = int(now)
        claims = {
            "sub": client.id, "token_use": "access", "scope": scope, "auth_time": iat, "iss": issuer,
            "exp": iat + client.access_token_validity, "iat": iat, "version": 2, "jti": str(uuid.uuid4()),
            "client_id": client.id,
        }
        return {"access_token": self._sign(claims), "expires_in": client.access_token_validity,
                "token_type": "Bearer"}

    # --- checking ----------------------------------------------------------------------------------

    def access_claims(self, token: str, issuer: str | None, now: float) -> dict[str, Any]:
        """The claims of a valid access token; NotAuthorizedException as Cognito words it otherwise."""
        claims = self.decode(token)
        if claims is None or claims.get("token_use") != "access":
            raise not_authorized("Invalid Access Token")
        if issuer is not None and claims.get("iss") != issuer:
            raise not_authorized("Invalid Access Token")
        if claims.get("origin_jti") in self._revoked_origins:
            raise not_authorized("Access Token has been revoked")
        if now >= float(claims.get("exp", 0)):
            raise not_authorized("Access Token has expired")
        return claims

    def sessions_of(self, pool_id: str, username: str, now: float) -> list[RefreshRecord]:
        """The user's live sign-ins: one refresh-token record each, its newest (ListUserSessions)."""
        return [self._refresh[tokens[-1]] for tokens in self._live_sessions(pool_id, username, now).values()]

    def refresh_record(self, token: str, client_id: str, now: float) -> RefreshRecord:
        """The record of a refresh token being used at ``now`` (valid for this client), or the error."""
        record = self._refresh.get(token)
        if record is None or record.client_id != client_id:
            raise not_authorized(INVALID_REFRESH_TOKEN)
        if record.revoked or record.origin_jti in self._revoked_origins:
            raise not_authorized("Refresh Token has been revoked")
        if now >= record.expires_at:
            raise not_authorized("Refresh Token has expired")
        if record.retired_until is not None and now >= record.retired_until:
            raise PoolError("RefreshTokenReuseException", "Refresh token has already been used.")
        record.last_active = now
        self._changed(token)
        return record

    def retire(self, token: str, until: float) -> None:
        """Rotation: ``token`` was replaced by a new one and stays good only until ``until`` (its grace
        period; a retry inside it gets another new token, and does not extend it)."""
        record = self._refresh[token]
        if record.retired_until is None:
            record.retired_until = until
            self._changed(token)

    def peek_refresh(self, token: str) -> RefreshRecord | None:
        return self._refresh.get(token)

    def revoke_family(self, origin_jti: str) -> None:
        """RevokeToken: the refresh token and every access token of that sign-in."""
        self._revoke_origin(origin_jti)
        for token, record in self._refresh.items():
            if record.origin_jti == origin_jti:
                record.revoked = True
                self._changed(token)

    def revoke_user(self, pool_id: str, username: str) -> None:
        """GlobalSignOut / AdminUserGlobalSignOut: every token family of the user."""
        for token in self._tokens_of.get((pool_id, username), {}):
            record = self._refresh[token]
            record.revoked = True
            self._changed(token)
            self._revoke_origin(record.origin_jti)
