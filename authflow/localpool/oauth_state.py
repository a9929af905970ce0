"""What managed login keeps between requests: sign-ins under way on the pages, authorization codes and
signed-in browsers. Plain records, guarded by the service's lock (``localpool.oauth`` uses them)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

#: The most sign-ins under way, codes and browser sessions kept; beyond it the oldest are forgotten.
RECORD_LIMIT = 2_000


@dataclass
class AuthorizeRequest:
    """An /oauth2/authorize request that passed every check."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    identity_provider: str | None = None
    prompt: str | None = None

    def query(self, **extra: str) -> str:
        values: dict[str, str] = {"response_type": "code", "client_id": self.client_id,
                                  "redirect_uri": self.redirect_uri, "scope": " ".join(self.scopes)}
        for name, value in (("state", self.state), ("nonce", self.nonce), ("code_challenge", self.code_challenge)):
            if value is not None:
                values[name] = value
        if self.code_challenge is not None:
            values["code_challenge_method"] = "S256"
        values.update(extra)
        return urlencode(values)


@dataclass(repr=False)
class LoginTransaction:
    """One sign-in under way on the pages: its authorize request, its CSRF token and where it stands."""

    id: str
    csrf: str
    pool_id: str
    request: AuthorizeRequest
    expires_at: float
    username: str = ""
    #: The pool's Session and the challenge it waits for (None: the password page).
    session: str | None = None
    challenge: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    #: MFA_SETUP: the set-up key shown, once AssociateSoftwareToken gave it.
    setup_secret: str | None = None
    #: A federated sign-in: the provider's name and the nonce sent to it.
    provider: str | None = None
    provider_nonce: str | None = None
    #: "Forgot your password?" or "Sign up" under way (``localpool.signup_pages``): "reset" once a reset code
    #: was sent to ``username``, "confirm" once the sign-up of ``username`` waits for its code; and the
    #: masked place the code went, as the page says it.
    account_step: str | None = None
    delivery: str | None = None

    def __repr__(self) -> str:
        return f"LoginTransaction(pool_id={self.pool_id!r}, challenge={self.challenge})"


@dataclass(repr=False)
class AuthorizationCode:
    pool_id: str
    client_id: str
    username: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    auth_time: int
    expires_at: float
    used: bool = False
    #: The sign-in its tokens started (revoked if the code is presented again).
    origin_jti: str | None = None

    def __repr__(self) -> str:
        return f"AuthorizationCode(client_id={self.client_id!r}, used={self.used})"


@dataclass(repr=False)
class BrowserSession:
    """A browser signed in to a pool (the managed login's session cookie): the next authorize skips the pages."""

    pool_id: str
    username: str
    auth_time: int
    expires_at: float

    def __repr__(self) -> str:
        return f"BrowserSession(pool_id={self.pool_id!r}, username={self.username!r})"


@dataclass(repr=False)
class ProviderCode:
    """A code of the built-in OIDC provider (``oidc_provider``), for its token endpoint."""

    issuer: str
    client_id: str
    redirect_uri: str
    nonce: str | None
    claims: dict[str, Any]
    expires_at: float

    def __repr__(self) -> str:
        return f"ProviderCode(client_id={self.client_id!r})"


@dataclass(repr=False)
class ManagedLoginState:
    """Everything managed login keeps between requests (the service's lock guards it). Plain data: with a
    database (``--data``, ``--workers``) it is read from it at the start of each request and saved at the end,
    so every process serving the pool sees the same sign-ins, codes and signed-in browsers."""

    logins: dict[str, LoginTransaction] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    browser_sessions: dict[str, BrowserSession] = field(default_factory=dict)
    #: The built-in OIDC provider: its codes, its signing key (PEM, made at first use) and its forms' key.
    provider_codes: dict[str, ProviderCode] = field(default_factory=dict)
    provider_key_pem: str | None = None
    provider_csrf_key: str = field(default_factory=lambda: secrets.token_hex(32))

    def prune(self, now: float) -> None:
        kept: dict[str, Any]
        for kept in (self.logins, self.codes, self.browser_sessions, self.provider_codes):
            for key in [k for k, v in kept.items() if v.expires_at + 60 < now]:
                del kept[key]
            while len(kept) > RECORD_LIMIT:
                del kept[next(iter(kept))]

    def __repr__(self) -> str:
        return f"ManagedLoginState(logins={len(self.logins)}, codes={len(self.codes)})"
