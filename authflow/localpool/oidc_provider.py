"""A small external OpenID Connect provider built into the local server, so federation works offline.

A pool's identity provider without an issuer of its own (the seed's ``identity_providers``) is served here:

    GET  /_local/oidc/<pool_id>/<name>/.well-known/openid-configuration
    GET  /_local/oidc/<pool_id>/<name>/jwks.json
    GET  /_local/oidc/<pool_id>/<name>/authorize     the provider's own sign-in page (its users, its passwords)
    POST /_local/oidc/<pool_id>/<name>/authorize     -> back to the pool's /oauth2/idpresponse with a code
    POST /_local/oidc/<pool_id>/<name>/token         code -> id_token (RS256, the provider's own key)

The pool's side of federation is here too: ``/oauth2/authorize?identity_provider=<name>`` sends the browser to
the provider; ``/oauth2/idpresponse`` exchanges the provider's code, checks its id token as a relying party must
(signature by the provider's key, iss, aud, exp, nonce), and signs in the pool's user ``<name>_<sub>``, made
or updated from the claims by the provider's ``attribute_mapping``, with Cognito's ``identities`` attribute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from authflow.localpool import login_pages
from authflow.localpool.builders import password_digest
from authflow.localpool.login_pages import Form, FormField
from authflow.localpool.model import EXTERNAL_PROVIDER, PoolRecord, User, new_sub
from authflow.localpool.oauth import (
    LOGIN_COOKIE,
    LOGIN_VALIDITY,
    PageError,
    RedirectError,
    TokenError,
    WebRequest,
    WebResponse,
    client_authentication,
    html,
    json_answer,
    new_transaction,
    one,
    redirect,
    sign_in_browser,
    state_of,
    with_query,
)
from authflow.localpool.oauth_state import AuthorizeRequest, ProviderCode

if TYPE_CHECKING:
    from authflow.localpool.service import Service

PREFIX = "/_local/oidc/"
CODE_VALIDITY = 300
ID_TOKEN_VALIDITY = 3600


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class ProviderState:
    """The built-in provider's signing key (one for the server, kept in the managed-login state) and its codes."""

    key: rsa.RSAPrivateKey
    kid: str
    csrf_key: bytes
    codes: dict[str, ProviderCode]

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()

        def as_b64(value: int) -> str:
            return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                          "n": as_b64(numbers.n), "e": as_b64(numbers.e)}]}

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                         + _b64url(json.dumps(claims, separators=(",", ":")).encode()))
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)


#: Keys already read from their PEM (parsing one costs more than a request).
_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def provider_state(svc: Service) -> ProviderState:
    state = state_of(svc)
    if state.provider_key_pem is None:
        made = rsa.generate_private_key(65537, 2048)
        state.provider_key_pem = made.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
        _KEYS[state.provider_key_pem] = made
    pem = state.provider_key_pem
    key = _KEYS.get(pem)
    if key is None:
        loaded = serialization.load_pem_private_key(pem.encode(), password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        key = _KEYS[pem] = loaded
    kid = hashlib.sha256(pem.encode()).hexdigest()[:16]
    return ProviderState(key=key, kid=kid, csrf_key=bytes.fromhex(state.provider_csrf_key),
                         codes=state.provider_codes)


def issuer_of(svc: Service, pool: PoolRecord, name: str) -> str:
    return f"{svc.endpoint_url}{PREFIX}{pool.id}/{name}"


def _idp(pool: PoolRecord, name: str) -> dict[str, Any]:
    for idp in pool.identity_providers:
        if idp["name"] == name:
            return idp
    raise PageError(404, "Not found", "No such identity provider.")


# --- the pool's side: to the provider and back ------------------------------------------------------------


def start(svc: Service, req: WebRequest, pool: PoolRecord, request: AuthorizeRequest) -> WebResponse:
    """/oauth2/authorize?identity_provider=<name>: a sign-in under way, and the browser sent to the provider."""
    name = str(request.identity_provider)
    idp = _idp(pool, name)
    txn = new_transaction(svc, pool, request)
    txn.provider, txn.provider_nonce = name, secrets.token_urlsafe(24)
    target = issuer_of(svc, pool, name) + "/authorize?" + urlencode({
        "response_type": "code", "client_id": idp["client_id"],
        "redirect_uri": f"{svc.endpoint_url}/oauth2/idpresponse", "scope": idp["authorize_scopes"],
        "state": txn.id, "nonce": txn.provider_nonce,
    })
    return redirect(target, [("Set-Cookie", f"{LOGIN_COOKIE}={txn.id}; Path=/; HttpOnly; SameSite=Lax; "
                                            f"Max-Age={LOGIN_VALIDITY}")])


def idp_response(svc: Service, req: WebRequest) -> WebResponse:
    """The provider sent the browser back: check everything, then sign the pool's user in."""
    try:
        state, code, error = one(req.query, "state"), one(req.query, "code"), one(req.query, "error")
    except ValueError as exc:
        raise PageError(400, "Invalid request", str(exc)) from None
    txn = state_of(svc).logins.get(state or "")
    if (txn is None or txn.provider is None or svc.now() >= txn.expires_at
            or not hmac.compare_digest(req.cookies.get(LOGIN_COOKIE, "").encode(), txn.id.encode())):
        raise PageError(400, "Sign-in expired", "This sign-in was not started in this browser, or it expired. "
                                                "Go back to the app and start again.")
    state_of(svc).logins.pop(txn.id, None)
    request = txn.request
    if error is not None or not code:
        raise RedirectError(request.redirect_uri, "access_denied", "The identity provider did not sign you in.",
                            request.state)
    pool, client = svc.client(request.client_id)
    idp = _idp(pool, txn.provider)
    try:
        id_token = exchange(svc, pool, idp, code, idp["client_id"], idp["client_secret"],
                            f"{svc.endpoint_url}/oauth2/idpresponse")
        claims = verify_id_token(svc, pool, idp, id_token, txn.provider_nonce)
    except TokenError as failure:
        raise RedirectError(request.redirect_uri, "invalid_request",
                            f"The identity provider's answer was refused: {failure.description}",
                            request.state) from None
    user = federated_user(svc, pool, idp, claims)
    return sign_in_browser(svc, pool, client, request, user.username)


def verify_id_token(
    svc: Service, pool: PoolRecord, idp: dict[str, Any], token: str, nonce: str | None
) -> dict[str, Any]:
    """A relying party's checks of the provider's id token: RS256 by the provider's key, iss, aud, exp, nonce."""
    provider = provider_state(svc)
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("invalid_token", "The id token is not a JWT.")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        provider.key.public_key().verify(_b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(),
                                         padding.PKCS1v15(), hashes.SHA256())
        claims = json.loads(_b64url_decode(parts[1]))
    except (InvalidSignature, ValueError):
        raise TokenError("invalid_token", "The id token's signature is not the provider's.") from None
    if not isinstance(header, dict) or header.get("alg") != "RS256" or not isinstance(claims, dict):
        raise TokenError("invalid_token", "The id token is not RS256.")
    if claims.get("iss") != issuer_of(svc, pool, str(idp["name"])) or claims.get("aud") != idp["client_id"]:
        raise TokenError("invalid_token", "The id token is for another issuer or audience.")
    if not isinstance(claims.get("exp"), (int, float)) or svc.now() >= claims["exp"]:
        raise TokenError("invalid_token", "The id token has expired.")
    if nonce is not None and not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise TokenError("invalid_token", "The id token's nonce is not the one sent.")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenError("invalid_token", "The id token has no sub.")
    return claims


def federated_user(svc: Service, pool: PoolRecord, idp: dict[str, Any], claims: dict[str, Any]) -> User:
    """The pool's user for a provider's subject (``<name>_<sub>``), made at the first sign-in and its mapped
    attributes updated at each one."""
    name = str(idp["name"])
    username = f"{name}_{claims['sub']}"
    mapped = {attribute: claims[claim] for attribute, claim in idp["attribute_mapping"].items() if claim in claims}
    attributes = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in mapped.items()}
    now = svc.now()
    user = pool.get(username)
    if user is None:
        identities = [{"userId": str(claims["sub"]), "providerName": name, "providerType": "OIDC", "issuer": None,
                       "primary": "true", "dateCreated": str(int(now * 1000))}]
        user = User(username=username, attributes={"sub": new_sub(), **attributes,
                                                   "identities": json.dumps(identities)},
                    status=EXTERNAL_PROVIDER, created=now, modified=now)
        pool.add(user)
    else:
        user.attributes.update(attributes)
        user.modified = now
    return user


# --- the provider's side -----------------------------------------------------------------------------------


def route(svc: Service, req: WebRequest) -> WebResponse:
    if req.path == "/oauth2/idpresponse":
        if req.method != "GET":
            raise PageError(405, "Method not allowed", f"{req.method} is not accepted here.")
        return idp_response(svc, req)
    parts = req.path[len(PREFIX):].split("/")
    if len(parts) < 3 or parts[0] not in svc.pools:
        raise PageError(404, "Not found", "No such identity provider.")
    pool = svc.pools[parts[0]]
    idp = _idp(pool, parts[1])
    action = "/".join(parts[2:])
    issuer = issuer_of(svc, pool, str(idp["name"]))
    if action == ".well-known/openid-configuration" and req.method == "GET":
        return json_answer(200, {
            "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize", "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks.json", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
        })
    if action == "jwks.json" and req.method == "GET":
        return json_answer(200, provider_state(svc).jwks())
    if action == "authorize":
        return _authorize(svc, req, pool, idp)
    if action == "token" and req.method == "POST":
        client_id, client_secret = client_authentication(req)
        try:
            code, redirect_uri = one(req.form, "code"), one(req.form, "redirect_uri")
        except ValueError as exc:
            raise TokenError("invalid_request", str(exc)) from None
        id_token = exchange(svc, pool, idp, code or "", client_id, client_secret, redirect_uri or "")
        return json_answer(200, {"id_token": id_token, "access_token": secrets.token_urlsafe(32),
                                 "token_type": "Bearer", "expires_in": ID_TOKEN_VALIDITY})
    raise PageError(404, "Not found", "No such page.")


def _csrf(provider: ProviderState, query: str) -> str:
    return hmac.new(provider.csrf_key, query.encode(), hashlib.sha256).hexdigest()


def _authorize(svc: Service, req: WebRequest, pool: PoolRecord, idp: dict[str, Any]) -> WebResponse:
    try:
        client_id, redirect_uri = one(req.query, "client_id"), one(req.query, "redirect_uri")
        state, nonce = one(req.query, "state"), one(req.query, "nonce")
    except ValueError as exc:
        raise PageError(400, "Invalid request", str(exc)) from None
    if client_id != idp["client_id"] or redirect_uri != f"{svc.endpoint_url}/oauth2/idpresponse":
        raise PageError(400, "Invalid request", "Unknown client or redirect_uri for this provider.")
    provider = provider_state(svc)
    query = urlencode({k: v[0] for k, v in sorted(req.query.items())})
    form = Form(title=f"Sign in to {idp['name']}", app_name="A local OpenID Connect provider (authflow)",
                action=req.path + "?" + query, csrf=_csrf(provider, query),
                fields=[FormField("username", "Username", autocomplete="username"),
                        FormField("password", "Password", type="password", autocomplete="current-password")],
                button="Sign in")
    if req.method == "GET":
        return html(200, login_pages.form_page(form))
    sent = one(req.form, "_csrf") or ""
    if not hmac.compare_digest(sent.encode(), form.csrf.encode()):
        raise PageError(403, "Forbidden", "The form was not sent by this sign-in page.")
    username, password = one(req.form, "username") or "", one(req.form, "password") or ""
    found = next((u for u in idp["users"] if u["username"] == username), None)
    if found is None or not hmac.compare_digest(password_digest(found["salt"], password),
                                                found["password_digest"]):
        form.error = "Incorrect username or password."
        form.fields[0].value = username
        return html(200, login_pages.form_page(form))
    code = secrets.token_urlsafe(32)
    provider.codes[code] = ProviderCode(issuer=issuer_of(svc, pool, str(idp["name"])), client_id=str(client_id),
                                        redirect_uri=str(redirect_uri), nonce=nonce, claims=dict(found["claims"]),
                                        expires_at=svc.now() + CODE_VALIDITY)
    values = {"code": code}
    if state is not None:
        values["state"] = state
    return redirect(with_query(str(redirect_uri), values))


def exchange(
    svc: Service, pool: PoolRecord, idp: dict[str, Any], code: str, client_id: str, client_secret: str,
    redirect_uri: str,
) -> str:
    """The provider's token endpoint: a single-use code for an id token (the client authenticated)."""
    if client_id != idp["client_id"] or not hmac.compare_digest(client_secret.encode(),
                                                                str(idp["client_secret"]).encode()):
        raise TokenError("invalid_client", "Client authentication failed.", 401)
    provider = provider_state(svc)
    found = provider.codes.pop(code, None)
    if found is None or found.client_id != client_id or found.redirect_uri != redirect_uri:
        raise TokenError("invalid_grant", "The code is not valid.")
    if svc.now() >= found.expires_at:
        raise TokenError("invalid_grant", "The code has expired.")
    now = int(svc.now())
    claims = {**found.claims, "iss": found.issuer, "aud": client_id, "iat": now, "exp": now + ID_TOKEN_VALIDITY,
              "jti": str(uuid.uuid4())}
    if found.nonce is not None:
        claims["nonce"] = found.nonce
    return provider.sign(claims)

