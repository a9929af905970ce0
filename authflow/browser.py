"""Sign in through the browser: managed login with the authorization-code grant, PKCE and a loopback redirect
(RFC 6749, RFC 7636, RFC 8252), and machine-to-machine tokens (the client_credentials grant).

    from authflow.browser import BrowserSignIn

    login = BrowserSignIn(domain="https://auth.example.com", pool_id="us-east-1_AbC", client_id="...")
    tokens = login.sign_in()                  # the system browser opens; the redirect comes to 127.0.0.1
    tokens = login.sign_in_pasted(input, print)   # no browser here: print the URL, read the redirect back

The authorization URL carries a PKCE S256 challenge, a ``state`` and a ``nonce``; the redirect's ``state`` is
compared in constant time; the code is exchanged at ``<domain>/oauth2/token`` with the verifier; the id token
is checked (RS256 by a key of the pool's JWKS, ``iss``, ``aud``, ``token_use``, ``exp``, ``nonce``). The result
is the same :class:`~authflow.tokens.Tokens` as every other sign-in, so the same token cache keeps and
refreshes it. The domain is spoken to with the standard library (these are not Cognito API calls).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
import webbrowser
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

from authflow.errors import (
    AuthflowError,
    BrowserTimeoutError,
    EndpointError,
    IdTokenError,
    MalformedRedirectError,
    MalformedResponseError,
    OAuthError,
    PasteError,
    RedirectPortBusyError,
    SignInCancelled,
    StateMismatchError,
    UsageError,
)
from authflow.tokens import Tokens

#: How long sign_in() waits for the browser to come back (seconds).
DEFAULT_TIMEOUT = 300.0
#: How far a token's ``exp`` and ``iat`` may be from this clock.
CLOCK_LEEWAY = 60.0
#: No scope asked: the pool gives every scope the app client allows.
DEFAULT_SCOPES: tuple[str, ...] = ()
MAX_REPLY = 1_000_000


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier (43 characters of base64url) and its S256 challenge."""
    verifier = _b64url(secrets.token_bytes(32))
    return verifier, _b64url(hashlib.sha256(verifier.encode()).digest())


def issuer_for(pool_id: str, region: str | None = None, endpoint_url: str | None = None) -> str:
    """The ``iss`` of a pool's tokens: ``https://cognito-idp.<region>.amazonaws.com/<pool_id>``, or
    ``<endpoint_url>/<pool_id>`` for a local Cognito-compatible server."""
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{pool_id}"
    return f"https://cognito-idp.{region or pool_id.split('_', 1)[0]}.amazonaws.com/{pool_id}"


@dataclass(frozen=True, repr=False)
class AuthorizationRequest:
    """One authorization request: its URL and the secrets that check its answer."""

    url: str
    redirect_uri: str
    state: str
    nonce: str
    code_verifier: str

    def __repr__(self) -> str:
        return f"AuthorizationRequest(redirect_uri={self.redirect_uri!r}, <secrets hidden>)"


def _is_bare_code(text: str) -> bool:
    return "=" not in text and "/" not in text and "?" not in text


def code_from_redirect(text: str, request: AuthorizationRequest) -> str:
    """The code of a redirect: a whole URL (or its query) is checked (its ``state``, then its ``error``); a
    bare code is taken as it is. Anything else is a :class:`~authflow.errors.PasteError`."""
    text = text.strip()
    if not text:
        raise PasteError("Nothing was pasted: paste the whole address the browser was sent to, or the code.")
    if _is_bare_code(text):
        if not all(c.isalnum() or c in "-_.~" for c in text) or len(text) > 2048:
            raise PasteError("That is not a code: paste the whole address the browser was sent to.")
        return text
    parts = urlsplit(text) if "?" in text or "://" in text else None
    if parts is not None and parts.path.rstrip("/").endswith("/oauth2/authorize"):
        raise PasteError("That is the address to open: open it in a browser, sign in, then paste the address "
                         "the browser is sent to.")
    query = parts.query if parts is not None else text
    try:
        values = parse_qs(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise PasteError("That is not the address the browser was sent to (no code in it).") from None
    return code_from_query(values, request)


def code_from_query(values: Mapping[str, list[str]], request: AuthorizationRequest) -> str:
    """Check a redirect's query: the state (constant time), then an OAuth error, then the code. An error
    redirect is the answer to this sign-in only with this sign-in's state (RFC 6749 4.1.2.1 sends it back)."""
    def single(name: str) -> str | None:
        found = values.get(name)
        if not found:
            return None
        if len(found) > 1:
            raise MalformedRedirectError(f"the redirect carries {name} more than once")
        return found[0]

    error, state, code = single("error"), single("state"), single("code")
    if state is None or not hmac.compare_digest(state.encode(), request.state.encode()):
        if error is not None:
            raise StateMismatchError(f"the redirect carries an error ({error[:64]}) but not this sign-in's state: "
                                     "it is another sign-in's")
        raise StateMismatchError("the redirect's state is not this sign-in's: it is another sign-in's, or was changed")
    if error is not None:
        description = single("error_description") or ""
        raise OAuthError(description[:300] or f"the sign-in was refused ({error[:64]})", code=error[:64])
    if not code:
        raise PasteError("The address has no code in it.")
    return code


class _Listener(HTTPServer):
    """The loopback redirect listener: answers GET <path> once with a page, and keeps what came."""

    allow_reuse_address = False

    def __init__(self, port: int, path: str) -> None:
        self.path = path
        self.received: dict[str, list[str]] | None = None
        self.arrived = threading.Event()
        self.page_for: Callable[[dict[str, list[str]]], tuple[int, str]] = lambda _values: (200, "")
        super().__init__(("127.0.0.1", port), _CallbackHandler)


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _Listener

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing: the query holds the code."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != self.server.path or self.server.arrived.is_set():
            self._answer(404, _page("Not found", "This address is not part of the sign-in."))
            return
        values = parse_qs(url.query, keep_blank_values=True)
        status, text = self.server.page_for(values)
        self._answer(status, text)
        self.server.received = values
        self.server.arrived.set()

    def _answer(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _page(title: str, message: str) -> str:
    from html import escape

    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            "<style>body{font:16px system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em}</style>"
            f"</head><body><h1>{escape(title)}</h1><p id=\"message\">{escape(message)}</p></body></html>")


@dataclass
class BrowserSignIn:
    """Managed login for one app client of one pool (see the module's docstring).

    ``domain``: the pool's managed-login domain (``https://<prefix>.auth.<region>.amazoncognito.com``, a custom
    domain, or a local pool's URL). ``endpoint_url``: a local Cognito-compatible server (it issues the tokens
    as ``<endpoint_url>/<pool_id>``). ``redirect_port``: None or 0 for a free port, else that one.
    ``identity_provider``: straight to a federated provider. ``open_browser``: what opens the URL
    (``webbrowser.open``); ``timeout``: how long to wait for the redirect."""

    domain: str
    pool_id: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    region: str | None = None
    endpoint_url: str | None = None
    scopes: Sequence[str] = DEFAULT_SCOPES
    redirect_port: int | None = None
    redirect_path: str = "/callback"
    identity_provider: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    http_timeout: float = 15.0
    open_browser: Callable[[str], bool] = webbrowser.open
    _jwks: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.domain)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise UsageError("the domain is an https:// URL (or the local pool's http:// URL)")
        self.domain = self.domain.rstrip("/")
        if self.redirect_port is not None and not 0 <= self.redirect_port <= 65535:
            raise UsageError("the redirect port is 0-65535")

    @property
    def issuer(self) -> str:
        return issuer_for(self.pool_id, self.region, self.endpoint_url)

    # --- the authorization request ----------------------------------------------------------------------

    def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        verifier, challenge = pkce_pair()
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        values = {"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
                  "state": state, "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256"}
        if self.scopes:
            values["scope"] = " ".join(self.scopes)
        if self.identity_provider:
            values["identity_provider"] = self.identity_provider
        return AuthorizationRequest(url=f"{self.domain}/oauth2/authorize?{urlencode(values)}",
                                    redirect_uri=redirect_uri, state=state, nonce=nonce, code_verifier=verifier)

    def listen(self) -> _Listener:
        """The loopback listener on 127.0.0.1 (the configured port, or a free one)."""
        try:
            return _Listener(self.redirect_port or 0, self.redirect_path)
        except OSError as exc:
            raise RedirectPortBusyError(
                f"the redirect port {self.redirect_port} on 127.0.0.1 is in use ({exc.strerror or exc}); "
                "stop what uses it or choose another port"
            ) from None

    def check_reachable(self) -> None:
        """Fail fast when nothing answers at the domain: an :class:`~authflow.errors.EndpointError` (within
        ``http_timeout``) instead of a browser sent to a dead address and a wait of ``timeout`` for a redirect that
        cannot come. Any HTTP answer from the token endpoint (even an error status) counts as reachable; nothing
        secret is sent."""
        request = Request(f"{self.domain}/oauth2/token", headers={"Accept": "application/json"}, method="GET")
        try:
            with urlopen(request, timeout=self.http_timeout) as answer:
                answer.read(1)
        except HTTPError:
            return  # the domain answered
        except (TimeoutError, URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            unreachable = EndpointError(f"cannot reach the domain {urlsplit(self.domain).netloc}: {reason}")
            unreachable.advice = "Check the network and the pool's domain (--domain, AUTHFLOW_DOMAIN)."
            raise unreachable from None

    def sign_in(
        self,
        *,
        cancel: threading.Event | None = None,
        on_url: Callable[[str], None] | None = None,
    ) -> Tokens:
        """Open the system browser at the authorization URL and wait for the redirect (``timeout`` seconds,
        or until ``cancel`` is set: SignInCancelled). ``on_url`` is told the URL (to print it as well).
        A domain where nothing answers is an EndpointError at once (:meth:`check_reachable`)."""
        self.check_reachable()
        listener = self.listen()
        port = listener.server_address[1]
        request = self.authorization_request(f"http://127.0.0.1:{port}{self.redirect_path}")
        outcome: dict[str, Any] = {}

        def page_for(values: dict[str, list[str]]) -> tuple[int, str]:
            try:
                outcome["code"] = code_from_query(values, request)
            except AuthflowError as exc:
                outcome["error"] = exc
                reason = f"{exc.code}: {exc.message.rstrip('.')}"
                return 400, _page("Sign-in failed", f"{reason}. You can close this window.")
            return 200, _page("Signed in", "You are signed in. You can close this window and go back to the app.")

        listener.page_for = page_for
        thread = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="authflow-redirect", daemon=True)
        thread.start()
        try:
            if on_url is not None:
                on_url(request.url)
            if not self.open_browser(request.url) and on_url is None:
                raise UsageError("no browser could be opened here: use the paste-back mode (--no-browser)")
            deadline = time.monotonic() + self.timeout
            while not listener.arrived.wait(0.1):
                if cancel is not None and cancel.is_set():
                    raise SignInCancelled("the browser sign-in was cancelled")
                if time.monotonic() >= deadline:
                    raise BrowserTimeoutError(
                        f"no answer from the browser within {self.timeout:g} s (was the window closed?)"
                    )
        finally:
            listener.shutdown()
            listener.server_close()
            thread.join(5)
        if "error" in outcome:
            raise outcome["error"]
        return self.exchange(request, str(outcome["code"]))

    def sign_in_pasted(
        self,
        read: Callable[[], str],
        show: Callable[[str], None],
        *,
        on_mistake: Callable[[AuthflowError], None] | None = None,
    ) -> Tokens:
        """For a shell without a browser: ``show`` the URL to open elsewhere, ``read`` back the address the
        browser was sent to (or the code). The redirect URI is the loopback one (nothing listens there; without
        a fixed ``redirect_port``, a free port's number).

        A paste that is not this sign-in's answer (not an address, another sign-in's state, no code) raises
        its error; with ``on_mistake`` it is told the error instead and ``read`` is asked again (a bare code the
        pool does not take, ``invalid_grant``, too: it may have been mistyped). An error the pool sent back
        for this sign-in (``error=access_denied`` with this state) always ends it
        (:class:`~authflow.errors.OAuthError`), as does ``read`` raising. A domain where nothing answers is an
        EndpointError before the URL is shown."""
        self.check_reachable()  # before anyone signs in elsewhere for a code this machine cannot exchange
        port = self.redirect_port or _free_port()  # nothing listens there: the address is pasted back
        request = self.authorization_request(f"http://127.0.0.1:{port}{self.redirect_path}")
        show(request.url)
        while True:
            text = read()
            try:
                code = code_from_redirect(text, request)
                try:
                    return self.exchange(request, code)
                except OAuthError as refused:
                    if on_mistake is None or refused.code != "invalid_grant" or not _is_bare_code(text.strip()):
                        raise
                    raise PasteError("The pool did not take that code (invalid_grant): paste the whole address "
                                     "the browser was sent to.") from None
            except AuthflowError as mistake:
                if on_mistake is None or not mistake.retryable:
                    raise
                on_mistake(mistake)

    # --- the token endpoint -----------------------------------------------------------------------------

    def _post(self, path: str, values: dict[str, str]) -> dict[str, Any]:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if self.client_secret is not None:
            basic = f"{self.client_id}:{self.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(basic).decode()
        else:
            values = {**values, "client_id": self.client_id}
        return _call(Request(f"{self.domain}{path}", data=urlencode(values).encode(), headers=headers,
                             method="POST"), self.http_timeout)

    def exchange(self, request: AuthorizationRequest, code: str) -> Tokens:
        """The code for tokens (with the PKCE verifier); the id token checked against the request's nonce."""
        issued_at = time.time()
        reply = self._post("/oauth2/token", {
            "grant_type": "authorization_code", "code": code, "redirect_uri": request.redirect_uri,
            "code_verifier": request.code_verifier,
        })
        tokens = tokens_from_reply(reply, issued_at)
        if tokens.id_token is None:
            if "openid" in self.scopes:
                raise IdTokenError("the token endpoint sent no id token for the openid scope")
        else:
            self.check_id_token(tokens.id_token, request.nonce)
        return tokens

    def refresh(self, refresh_token: str) -> Tokens:
        """New tokens from a refresh token (the refresh_token grant); the old refresh token is kept unless
        the pool rotated it."""
        issued_at = time.time()
        reply = self._post("/oauth2/token", {"grant_type": "refresh_token", "refresh_token": refresh_token})
        tokens = tokens_from_reply(reply, issued_at, previous_refresh_token=refresh_token)
        if tokens.id_token is not None:
            self.check_id_token(tokens.id_token, None)
        return tokens

    def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token (and the access tokens of its sign-in) at ``/oauth2/revoke``."""
        self._post("/oauth2/revoke", {"token": refresh_token})

    def logout_url(self, logout_uri: str) -> str:
        """The address that signs the browser out of managed login, then goes to ``logout_uri`` (one of the
        app client's sign-out URLs)."""
        return f"{self.domain}/logout?{urlencode({'client_id': self.client_id, 'logout_uri': logout_uri})}"

    # --- the id token -------------------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        if self._jwks is None:
            self._jwks = _call(Request(f"{self.issuer}/.well-known/jwks.json", headers={"Accept": "application/json"}),
                               self.http_timeout)
        return self._jwks

    def check_id_token(self, token: str, nonce: str | None, now: float | None = None) -> dict[str, Any]:
        """The id token's claims, once its RS256 signature (a key of the pool's JWKS), ``iss``, ``aud``,
        ``token_use``, ``exp`` and ``nonce`` are right; IdTokenError otherwise."""
        try:
            keys = self.jwks()
        except (OAuthError, MalformedResponseError) as exc:
            raise IdTokenError(f"the pool's keys could not be read from {self.issuer} ({exc})") from None
        claims = verify_jwt(token, keys)
        now = time.time() if now is None else now
        if claims.get("iss") != self.issuer:
            raise IdTokenError("the id token was issued by another pool")
        audience = claims.get("aud")
        if audience != self.client_id and not (isinstance(audience, list) and self.client_id in audience):
            raise IdTokenError("the id token is for another app client")
        if claims.get("token_use", "id") != "id":
            raise IdTokenError("the token is not an id token")
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or now >= exp + CLOCK_LEEWAY:
            raise IdTokenError("the id token has expired")
        if nonce is not None and not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise IdTokenError("the id token's nonce is not this sign-in's")
        return claims


def verify_jwt(token: str, jwks: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of an RS256 JWT signed by a key of ``jwks`` (the key its ``kid`` names)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    parts = token.split(".")
    if len(parts) != 3:
        raise IdTokenError("the id token is not a JWT")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
        signature = _b64url_decode(parts[2])
    except ValueError:
        raise IdTokenError("the id token is not a JWT") from None
    if not isinstance(header, dict) or header.get("alg") != "RS256" or not isinstance(claims, dict):
        raise IdTokenError("the id token is not an RS256 JWT")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    key = next((k for k in keys or [] if isinstance(k, Mapping) and k.get("kid") == header.get("kid")), None)
    if key is None or key.get("kty") != "RSA":
        raise IdTokenError("the id token is signed by a key the pool does not publish")
    try:
        numbers = rsa.RSAPublicNumbers(int.from_bytes(_b64url_decode(str(key["e"])), "big"),
                                       int.from_bytes(_b64url_decode(str(key["n"])), "big"))
        numbers.public_key().verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(),
                                    hashes.SHA256())
    except (InvalidSignature, KeyError, ValueError):
        raise IdTokenError("the id token's signature is not the pool's") from None
    return claims


def tokens_from_reply(
    reply: Mapping[str, Any], issued_at: float, previous_refresh_token: str | None = None
) -> Tokens:
    """The token endpoint's JSON as :class:`Tokens` (Cognito's AuthenticationResult field names)."""
    result: dict[str, Any] = {"AccessToken": reply.get("access_token"), "ExpiresIn": reply.get("expires_in", 3600),
                              "TokenType": reply.get("token_type") or "Bearer"}
    for ours, theirs in (("IdToken", "id_token"), ("RefreshToken", "refresh_token")):
        if reply.get(theirs) is not None:
            result[ours] = reply[theirs]
    return Tokens.from_authentication_result(result, issued_at=issued_at,
                                             previous_refresh_token=previous_refresh_token)


def _call(request: Request, timeout: float) -> dict[str, Any]:
    """One HTTP request to the domain: its JSON object, or a typed error (OAuthError for an OAuth error)."""
    try:
        with urlopen(request, timeout=timeout) as answer:
            body = answer.read(MAX_REPLY + 1)
    except HTTPError as exc:
        body = exc.read(MAX_REPLY + 1)
        try:
            error = json.loads(body)
        except ValueError:
            error = None
        if isinstance(error, dict) and isinstance(error.get("error"), str):
            description = error.get("error_description")
            raise OAuthError(str(description)[:300] if description else "", code=error["error"][:64]) from None
        raise OAuthError(f"HTTP {exc.code} from {urlsplit(request.full_url).netloc}", code="http_error") from None
    except (TimeoutError, URLError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"could not reach {urlsplit(request.full_url).netloc}: {reason}") from None
    if len(body) > MAX_REPLY:
        raise MalformedResponseError("the answer is larger than 1 MB")
    if not body:
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        raise MalformedResponseError("the answer is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedResponseError("the answer is not a JSON object")
    return value


# --- machine-to-machine tokens ---------------------------------------------------------------------------


def client_credentials_token(
    domain: str, client_id: str, client_secret: str, scopes: Sequence[str] = (), *, http_timeout: float = 15.0
) -> Tokens:
    """An access token for the app client itself (the client_credentials grant at ``<domain>/oauth2/token``)."""
    values = {"grant_type": "client_credentials"}
    if scopes:
        values["scope"] = " ".join(scopes)
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    issued_at = time.time()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}",
               "Accept": "application/json"}
    reply = _call(Request(f"{domain.rstrip('/')}/oauth2/token", data=urlencode(values).encode(), method="POST",
                          headers=headers), http_timeout)
    return tokens_from_reply(reply, issued_at)
