"""Managed login: the OAuth 2.0 / OpenID Connect endpoints of a pool's domain, served on the pool's own port.

    GET  /oauth2/authorize     response_type=code, client_id, redirect_uri, scope, state, nonce,
                               code_challenge + code_challenge_method=S256 (required without a client secret),
                               identity_provider, prompt=login|none
    GET  /login, POST /login   the sign-in pages (password, then the user's challenges: MFA, a new password)
    POST /oauth2/token         grant_type authorization_code | refresh_token | client_credentials
    GET|POST /oauth2/userInfo  the signed-in user's attributes, by the scopes of the access token
    POST /oauth2/revoke        a refresh token (and the access tokens of its sign-in)
    GET  /logout               client_id + logout_uri (or redirect_uri + response_type: sign in again)
    GET  /oauth2/idpresponse   where a federated provider sends the browser back (``oidc_provider``)

The rules are Cognito's: a redirect_uri that is not one of the app client's callback URLs (or an unknown
client) is an error page and never a redirect; other authorization errors go back to the redirect_uri as
``error=...&state=...``; authorization codes are single-use and live five minutes; the token endpoint answers
RFC 6749 errors (``{"error": "invalid_grant"}``). The sign-in pages run the pool's own sign-in
(``auth.managed_sign_in`` / ``auth.managed_respond``): the same password checks, lockout, MFA and
NEW_PASSWORD_REQUIRED as InitiateAuth, whatever the client's ExplicitAuthFlows.

Forms are CSRF-safe: each sign-in is a server-side record named by an HttpOnly, SameSite=Lax cookie, and each
form carries that record's random token, compared in constant time (and the Origin, when the browser sends one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

from authflow.localpool import auth, login_pages
from authflow.localpool.account import revoke_token
from authflow.localpool.errors import PoolError
from authflow.localpool.login_pages import Form, FormField
from authflow.localpool.model import CLIENT_TOKEN_AUTH, SOFTWARE_TOKEN_MFA, AppClient, PoolRecord, User, opaque_token
from authflow.localpool.oauth_state import (
    AuthorizationCode,
    AuthorizeRequest,
    BrowserSession,
    LoginTransaction,
    ManagedLoginState,
)
from authflow.localpool.params import optional_str, required_str
from authflow.localpool.tokens import ACCESS_SCOPE

if TYPE_CHECKING:
    from authflow.localpool.service import Service


#: Seconds an authorization code can be exchanged (Cognito: 5 minutes).
CODE_VALIDITY = 300
#: Seconds a sign-in page stays usable, and a signed-in browser is remembered (Cognito: 1 hour).
LOGIN_VALIDITY = 3600
BROWSER_SESSION_VALIDITY = 3600
LOGIN_COOKIE = "authflow-login"
SESSION_COOKIE = "authflow-session"
#: The longest value of one parameter (a state, a nonce, a URL...).
MAX_PARAMETER = 2048
_PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")

_FIELD_OF_CODE = {"SMS_MFA": "SMS_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE",
                  SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE"}
_MFA_LABELS = {"SMS_MFA": "Text message (SMS)", SOFTWARE_TOKEN_MFA: "Authenticator app", "EMAIL_OTP": "Email"}


# --- requests and answers -----------------------------------------------------------------------------


@dataclass
class WebRequest:
    """What the HTTP layer hands over: the method, the path, the query and form values (each name to all
    its values), lower-case headers, the cookies, and this server's own origin (``http://127.0.0.1:PORT``)."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: Mapping[str, str]
    cookies: dict[str, str]
    origin: str


@dataclass
class WebResponse:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def html(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> WebResponse:
    return WebResponse(status, text.encode(), headers=list(headers or []))


def redirect(url: str, headers: list[tuple[str, str]] | None = None) -> WebResponse:
    return WebResponse(302, b"", "text/plain; charset=utf-8", [("Location", url), *(headers or [])])


def json_answer(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> WebResponse:
    return WebResponse(status, json.dumps(body).encode(), "application/json;charset=UTF-8",
                       [("Cache-Control", "no-store"), ("Pragma", "no-cache"), *(headers or [])])


class PageError(Exception):
    """A dead end shown as an error page (never a redirect)."""

    def __init__(self, status: int, title: str, message: str, back: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message
        self.back = list(back or [])


class RedirectError(Exception):
    """An authorization error sent back to the (checked) redirect_uri."""

    def __init__(self, redirect_uri: str, error: str, description: str, state: str | None) -> None:
        super().__init__(description)
        self.redirect_uri, self.error, self.description, self.state = redirect_uri, error, description, state


class TokenError(Exception):
    """An RFC 6749 error of the token, userInfo or revoke endpoint."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def state_of(svc: Service) -> ManagedLoginState:
    state: ManagedLoginState = svc.managed_login
    return state


# --- parameters -------------------------------------------------------------------------------------------


def one(values: dict[str, list[str]], name: str) -> str | None:
    """The one value of ``name`` (None when absent); a repeated or over-long parameter is refused."""
    found = values.get(name)
    if not found:
        return None
    if len(found) > 1:
        raise ValueError(f"{name} is given more than once")
    if len(found[0]) > MAX_PARAMETER:
        raise ValueError(f"{name} is too long")
    return found[0]


def callback_allowed(client: AppClient, redirect_uri: str) -> bool:
    """Exactly one of the client's callback URLs; or, for a loopback callback registered without a port
    (``http://127.0.0.1/callback``), the same URL on any port (RFC 8252 section 7.3)."""
    if redirect_uri in client.callback_urls:
        return True
    asked = urlsplit(redirect_uri)
    if asked.scheme != "http" or asked.hostname not in ("127.0.0.1", "::1") or asked.fragment:
        return False
    for registered in client.callback_urls:
        known = urlsplit(registered)
        if (known.scheme == "http" and known.hostname == asked.hostname and known.port is None
                and known.path == asked.path and known.query == asked.query):
            return True
    return False


def parse_authorize(svc: Service, query: dict[str, list[str]]) -> tuple[PoolRecord, AppClient, AuthorizeRequest]:
    """Check an authorize request, in Cognito's order: the client and the redirect_uri first (an error page),
    then the rest (an error sent to the redirect_uri)."""
    try:
        client_id, redirect_uri, state = one(query, "client_id"), one(query, "redirect_uri"), one(query, "state")
    except ValueError as exc:
        raise PageError(400, "Invalid request", str(exc)) from None
    if not client_id:
        raise PageError(400, "Invalid request", "The request has no client_id.")
    try:
        pool, client = svc.client(client_id)
    except PoolError:
        raise PageError(400, "Invalid request", "The app client does not exist.") from None
    if not redirect_uri:
        raise PageError(400, "Invalid request", "redirect_mismatch: the request has no redirect_uri.")
    if not callback_allowed(client, redirect_uri):
        raise PageError(400, "Invalid request",
                        "redirect_mismatch: the redirect_uri is not one of the app client's callback URLs.")

    def fail(error: str, description: str) -> RedirectError:
        return RedirectError(redirect_uri, error, description, state)

    try:
        response_type, scope = one(query, "response_type"), one(query, "scope")
        challenge, method = one(query, "code_challenge"), one(query, "code_challenge_method")
        provider, prompt, nonce = one(query, "identity_provider"), one(query, "prompt"), one(query, "nonce")
    except ValueError as exc:
        raise fail("invalid_request", str(exc)) from None
    if response_type != "code":
        raise fail("unsupported_response_type", "response_type must be code.")
    if "code" not in client.allowed_oauth_flows:
        raise fail("unauthorized_client", "The authorization code grant is not enabled for this client.")
    scopes = scope.split() if scope else list(client.allowed_oauth_scopes)
    if not scopes or any(s not in client.allowed_oauth_scopes for s in scopes):
        raise fail("invalid_scope", "A scope asked for is not allowed for this client.")
    if challenge is None:
        if method is not None:
            raise fail("invalid_request", "code_challenge_method without code_challenge.")
        if client.secret is None:
            raise fail("invalid_request", "A client without a secret must use PKCE (code_challenge, S256).")
    elif method != "S256":
        raise fail("invalid_request", "code_challenge_method must be S256.")
    elif _PKCE_VALUE.fullmatch(challenge) is None:
        raise fail("invalid_request", "code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~.")
    if provider is not None and provider not in client.supported_identity_providers:
        raise fail("invalid_request", "The identity_provider is not enabled for this client.")
    if prompt not in (None, "login", "none"):
        raise fail("invalid_request", "prompt is login or none.")
    return pool, client, AuthorizeRequest(
        client_id=client.id, redirect_uri=redirect_uri, scopes=scopes, state=state, nonce=nonce,
        code_challenge=challenge, identity_provider=provider, prompt=prompt,
    )


def with_query(url: str, values: dict[str, str]) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(values)


def cookie(name: str, value: str, max_age: int) -> tuple[str, str]:
    return ("Set-Cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}")


# --- /oauth2/authorize, the pages, /logout ------------------------------------------------------------------


def browser_session(svc: Service, req: WebRequest, pool: PoolRecord) -> BrowserSession | None:
    session = state_of(svc).browser_sessions.get(req.cookies.get(SESSION_COOKIE, ""))
    if session is None or session.pool_id != pool.id or svc.now() >= session.expires_at:
        return None
    user = pool.get(session.username)
    return session if user is not None and user.enabled else None


def new_transaction(svc: Service, pool: PoolRecord, request: AuthorizeRequest) -> LoginTransaction:
    state = state_of(svc)
    state.prune(svc.now())
    txn = LoginTransaction(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), pool_id=pool.id,
                           request=request, expires_at=svc.now() + LOGIN_VALIDITY)
    state.logins[txn.id] = txn
    return txn


def login_page(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, request = parse_authorize(svc, req.query)
    txn = new_transaction(svc, pool, request)
    return html(200, password_form(pool, client, txn), [cookie(LOGIN_COOKIE, txn.id, LOGIN_VALIDITY)])


def _providers(client: AppClient, txn: LoginTransaction) -> list[tuple[str, str]]:
    return [(name, "/oauth2/authorize?" + txn.request.query(identity_provider=name))
            for name in client.supported_identity_providers if name != "COGNITO"]


def username_label(pool: PoolRecord) -> tuple[str, str]:
    """What the pages call the username, and its input's type: the email or phone number where the pool's
    usernames are those (UsernameAttributes)."""
    if pool.username_attributes[:1] == ["email"]:
        return "Email", "email"
    if pool.username_attributes[:1] == ["phone_number"]:
        return "Phone number", "tel"
    return "Username", "text"


def password_form(
    pool: PoolRecord, client: AppClient, txn: LoginTransaction, error: str | None = None, notice: str | None = None
) -> str:
    fields = []
    links: list[tuple[str, str]] = []
    if "COGNITO" in client.supported_identity_providers:
        label, kind = username_label(pool)
        fields = [FormField("username", label, type=kind, autocomplete="username", value=txn.username),
                  FormField("password", "Password", type="password", autocomplete="current-password")]
        links.append(("Forgot your password?", "/forgotPassword?" + txn.request.query()))
        if not pool.allow_admin_create_user_only:
            links.append(("Sign up", "/signup?" + txn.request.query()))
    form = Form(title="Sign in", app_name=client.name, action="/login?" + txn.request.query(), csrf=txn.csrf,
                fields=fields, button="Sign in", error=error, notice=notice, providers=_providers(client, txn),
                links=links)
    if not fields:
        form.notice = "Choose how to sign in."
        return login_pages.page(form.title, _providers_only(form))
    return login_pages.form_page(form)


def _providers_only(form: Form) -> str:
    text = login_pages.form_page(form)
    start, end = text.index("<main>") + len("<main>"), text.index("</main>")
    body = text[start:end]
    # the form without fields: drop its lone submit button, keep the heading, the notice and the providers
    cut = body.index("<form method=\"post\"")
    rest = body[body.index("</form>", cut) + len("</form>"):].replace("<p class=\"or\">or</p>", "", 1)
    return body[:cut] + rest


#: What the sign-in page does when the pool refuses the password for a reason that has a page of its own (an
#: unconfirmed user, a reset password): the next page, or None to show the error (``signup_pages``).
RefusedSignIn = Callable[["Service", PoolRecord, AppClient, LoginTransaction, PoolError], "WebResponse | None"]


def login_post(svc: Service, req: WebRequest, on_refused: RefusedSignIn | None = None) -> WebResponse:
    txn = page_transaction(svc, req)
    pool, client = svc.client(txn.request.client_id)
    values = {name: vals[-1] for name, vals in req.form.items() if vals}
    if txn.challenge is None:
        if "COGNITO" not in client.supported_identity_providers:
            raise PageError(400, "Invalid request", "This app signs in with a federated provider only.")
        txn.username = values.get("username", "").strip()
        if not txn.username or not values.get("password"):
            return html(200, password_form(pool, client, txn, "Enter your username and password."))
        try:
            reply = auth.managed_sign_in(svc, pool, client, txn.username, values["password"])
        except PoolError as error:
            step = on_refused(svc, pool, client, txn, error) if on_refused is not None else None
            return step or html(200, password_form(pool, client, txn, error.message))
        return next_step(svc, pool, client, txn, reply)
    return _answer(svc, pool, client, txn, values)


def page_transaction(svc: Service, req: WebRequest) -> LoginTransaction:
    txn = state_of(svc).logins.get(req.cookies.get(LOGIN_COOKIE, ""))
    if txn is None or svc.now() >= txn.expires_at:
        raise PageError(400, "Sign-in expired",
                        "This sign-in page has expired or was opened in another browser. "
                        "Go back to the app and start again.")
    sent = one(req.form, "_csrf") or ""
    origin = req.headers.get("origin")
    if not hmac.compare_digest(sent.encode(), txn.csrf.encode()) or (origin not in (None, "null", req.origin)):
        raise PageError(403, "Forbidden", "The form was not sent by this sign-in page.")
    return txn


def next_step(
    svc: Service, pool: PoolRecord, client: AppClient, txn: LoginTransaction, reply: dict[str, Any]
) -> WebResponse:
    """After an answer the pool accepted: signed in (a code for the app), or the next challenge's page."""
    if auth.MANAGED_LOGIN_DONE in reply:
        state_of(svc).logins.pop(txn.id, None)
        username = str(reply[auth.MANAGED_LOGIN_DONE])
        return sign_in_browser(svc, pool, client, txn.request, username)
    txn.session, txn.challenge = str(reply["Session"]), str(reply["ChallengeName"])
    txn.parameters = {str(k): str(v) for k, v in reply.get("ChallengeParameters", {}).items()}
    if txn.challenge == "MFA_SETUP":
        if SOFTWARE_TOKEN_MFA not in json.loads(txn.parameters.get("MFAS_CAN_SETUP", "[]")):
            raise PageError(400, "Multi-factor authentication required",
                            "Set up an authenticator in the app first: this pool requires MFA.")
        setup = auth.associate_software_token(svc, {"Session": txn.session})
        txn.session, txn.setup_secret = str(setup["Session"]), str(setup["SecretCode"])
    return html(200, _challenge_form(client, txn))


def sign_in_browser(
    svc: Service, pool: PoolRecord, client: AppClient, request: AuthorizeRequest, username: str
) -> WebResponse:
    """The browser is signed in: remember it (the session cookie) and send it back with a code."""
    auth_time = int(svc.now())
    session_id = secrets.token_urlsafe(32)
    state_of(svc).browser_sessions[session_id] = BrowserSession(
        pool_id=pool.id, username=username, auth_time=auth_time, expires_at=svc.now() + BROWSER_SESSION_VALIDITY)
    answer = finish(svc, pool, client, request, username, auth_time)
    answer.headers += [cookie(SESSION_COOKIE, session_id, BROWSER_SESSION_VALIDITY), cookie(LOGIN_COOKIE, "", 0)]
    return answer


def finish(
    svc: Service, pool: PoolRecord, client: AppClient, request: AuthorizeRequest, username: str, auth_time: int
) -> WebResponse:
    """A new authorization code for ``username``, and the redirect that carries it (with the state)."""
    code = opaque_token(32)
    state = state_of(svc)
    state.prune(svc.now())
    state.codes[code] = AuthorizationCode(
        pool_id=pool.id, client_id=client.id, username=username, redirect_uri=request.redirect_uri,
        scope=" ".join(request.scopes), nonce=request.nonce, code_challenge=request.code_challenge,
        auth_time=auth_time, expires_at=svc.now() + CODE_VALIDITY,
    )
    values = {"code": code}
    if request.state is not None:
        values["state"] = request.state
    return redirect(with_query(request.redirect_uri, values))


def _challenge_form(client: AppClient, txn: LoginTransaction, error: str | None = None) -> str:
    name, params = txn.challenge, txn.parameters
    form = Form(title="Sign in", app_name=client.name, action="/login?" + txn.request.query(), csrf=txn.csrf,
                error=error)
    code_field = FormField("code", "Code", autocomplete="one-time-code", inputmode="numeric")
    if name == SOFTWARE_TOKEN_MFA:
        form.title, form.fields = "Authenticator code", [code_field]
        form.notice = "Enter the 6-digit code from your authenticator app."
    elif name in ("SMS_MFA", "EMAIL_OTP"):
        where = params.get("CODE_DELIVERY_DESTINATION", "")
        form.title, form.fields = "Enter the code we sent", [code_field]
        form.notice = f"We sent a code to {where}." if where else "We sent you a code."
        form.outbox_pool = txn.pool_id
    elif name == "SELECT_MFA_TYPE":
        form.title = "Choose how to verify"
        choices = json.loads(params.get("MFAS_CAN_CHOOSE", "[]"))
        form.choices = [(c, _MFA_LABELS.get(c, c)) for c in choices]
    elif name == "NEW_PASSWORD_REQUIRED":
        form.title, form.button = "Choose a new password", "Set password"
        form.notice = "You must change your password before you continue."
        form.fields = [FormField("new_password", "New password", type="password", autocomplete="new-password"),
                       FormField("confirm_password", "Confirm the new password", type="password",
                             autocomplete="new-password")]
        for attribute in _missing_attributes(txn):
            form.fields.append(FormField(f"attribute_{attribute}", attribute.replace("_", " ").capitalize()))
    elif name == "MFA_SETUP":
        form.title, form.shown_secret, form.fields = "Set up an authenticator app", txn.setup_secret, [code_field]
        form.notice = ("This app requires a second step at sign-in: scan the QR code with your authenticator "
                       "app (or type the key into it), then enter the code it shows.")
        if txn.setup_secret:
            label = quote(f"{client.name}:{txn.username}")
            form.otpauth_uri = (f"otpauth://totp/{label}?"
                                + urlencode({"secret": txn.setup_secret, "issuer": client.name}, quote_via=quote))
    else:
        raise PageError(400, "Unsupported sign-in step", "This sign-in step can't be answered on these pages.")
    return login_pages.form_page(form)


def _missing_attributes(txn: LoginTransaction) -> list[str]:
    try:
        names = json.loads(txn.parameters.get("requiredAttributes", "[]"))
    except ValueError:
        return []
    return [str(n).removeprefix("userAttributes.") for n in names if isinstance(n, str)]


def _answer(
    svc: Service, pool: PoolRecord, client: AppClient, txn: LoginTransaction, values: dict[str, str]
) -> WebResponse:
    name, session = str(txn.challenge), str(txn.session)
    responses = {"USERNAME": txn.parameters.get("USER_ID_FOR_SRP") or txn.username}
    try:
        if name in _FIELD_OF_CODE:
            code = values.get("code", "").strip()
            if not code:
                return html(200, _challenge_form(client, txn, "Enter the code."))
            responses[_FIELD_OF_CODE[name]] = code
        elif name == "SELECT_MFA_TYPE":
            responses["ANSWER"] = values.get("choice", "")
        elif name == "NEW_PASSWORD_REQUIRED":
            if values.get("new_password", "") != values.get("confirm_password", ""):
                return html(200, _challenge_form(client, txn, "The two passwords are not the same."))
            responses["NEW_PASSWORD"] = values.get("new_password", "")
            for attribute in _missing_attributes(txn):
                if values.get(f"attribute_{attribute}"):
                    responses[f"userAttributes.{attribute}"] = values[f"attribute_{attribute}"]
        elif name == "MFA_SETUP":
            code = values.get("code", "").strip()
            verified = auth.verify_software_token(svc, {"Session": session, "UserCode": code})
            txn.session = session = str(verified["Session"])
        reply = auth.managed_respond(svc, pool, client, name, session, responses)
    except PoolError as error:
        if error.keep_session:
            return html(200, _challenge_form(client, txn, login_pages.refusal(error)))
        txn.session = txn.challenge = txn.setup_secret = None
        txn.parameters = {}
        said = login_pages.refusal(error, headline_only=True)
        return html(200, password_form(pool, client, txn, f"{said} Sign in again."))
    return next_step(svc, pool, client, txn, reply)


def logout(svc: Service, req: WebRequest) -> WebResponse:
    """Sign the browser out (forget its session cookie), then to the logout_uri the client lists, or to the
    sign-in page again (redirect_uri + response_type)."""
    try:
        client_id, logout_uri = one(req.query, "client_id"), one(req.query, "logout_uri")
        redirect_uri = one(req.query, "redirect_uri")
    except ValueError as exc:
        raise PageError(400, "Invalid request", str(exc)) from None
    try:
        pool, client = svc.client(client_id or "")
    except PoolError:
        raise PageError(400, "Invalid request", "The app client does not exist.") from None
    if logout_uri is None and not redirect_uri:
        raise PageError(400, "Invalid request", "A sign-out needs a logout_uri (one of the app client's sign-out "
                        "URLs), or a redirect_uri and response_type to show the sign-in page again.")
    if logout_uri is None:
        parse_authorize(svc, req.query)  # sign in again: the same checks as /oauth2/authorize
        target = "/oauth2/authorize?" + urlencode([(k, v) for k, vs in req.query.items() for v in vs])
    elif logout_uri not in client.logout_urls:
        raise PageError(400, "Invalid request", "The logout_uri is not one of the app client's sign-out URLs.")
    else:
        target = logout_uri
    sessions = state_of(svc).browser_sessions
    session = sessions.get(req.cookies.get(SESSION_COOKIE, ""))
    if session is not None and session.pool_id == pool.id:
        del sessions[req.cookies[SESSION_COOKIE]]
    return redirect(target, [cookie(SESSION_COOKIE, "", 0)])


# --- /oauth2/token, /oauth2/userInfo, /oauth2/revoke --------------------------------------------------------


def _form_only(req: WebRequest) -> None:
    content_type = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise TokenError("invalid_request", "The body must be application/x-www-form-urlencoded.")


def client_authentication(req: WebRequest) -> tuple[str, str]:
    """The client id and secret a token request authenticates with: HTTP Basic (client_secret_basic), or
    client_id and client_secret in the body (client_secret_post), or client_id alone (no secret)."""
    given_id, given_secret = one(req.form, "client_id"), one(req.form, "client_secret")
    header = req.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except ValueError:
            raise TokenError("invalid_client", "The Authorization header is not valid Basic.", 401) from None
        basic_id, sep, basic_secret = decoded.partition(":")
        if not sep or (given_id is not None and given_id != basic_id):
            raise TokenError("invalid_client", "The Authorization header is not valid Basic.", 401)
        given_id, given_secret = basic_id, basic_secret
    if not given_id:
        raise TokenError("invalid_client", "The client is not authenticated.", 401)
    return given_id, given_secret or ""


def _client_of(svc: Service, req: WebRequest) -> tuple[PoolRecord, AppClient]:
    given_id, given_secret = client_authentication(req)
    try:
        pool, client = svc.client(given_id)
    except PoolError:
        raise TokenError("invalid_client", "Client authentication failed.", 401) from None
    if client.secret is not None and not hmac.compare_digest(given_secret.encode(), client.secret.encode()):
        raise TokenError("invalid_client", "Client authentication failed.", 401)
    return pool, client


def token(svc: Service, req: WebRequest) -> WebResponse:
    _form_only(req)
    try:
        grant = one(req.form, "grant_type")
        pool, client = _client_of(svc, req)
        if grant == "authorization_code":
            return json_answer(200, _code_grant(svc, req, pool, client))
        if grant == "refresh_token":
            return json_answer(200, _refresh_grant(svc, req, pool, client))
        if grant == "client_credentials":
            return json_answer(200, _client_credentials_grant(svc, req, pool, client))
    except ValueError as exc:
        raise TokenError("invalid_request", str(exc)) from None
    raise TokenError("unsupported_grant_type", "grant_type is authorization_code, refresh_token or client_credentials.")


def _oauth_tokens(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"access_token": result["AccessToken"]}
    if "IdToken" in result:
        out["id_token"] = result["IdToken"]
    if "RefreshToken" in result:
        out["refresh_token"] = result["RefreshToken"]
    out.update({"expires_in": result["ExpiresIn"], "token_type": "Bearer"})
    return out


def _code_grant(svc: Service, req: WebRequest, pool: PoolRecord, client: AppClient) -> dict[str, Any]:
    code_value, redirect_uri = one(req.form, "code"), one(req.form, "redirect_uri")
    verifier = one(req.form, "code_verifier")
    if not code_value or not redirect_uri:
        raise TokenError("invalid_request", "code and redirect_uri are required.")
    if "code" not in client.allowed_oauth_flows:
        raise TokenError("unauthorized_client", "The authorization code grant is not enabled for this client.")
    code = state_of(svc).codes.get(code_value)
    if code is None or code.client_id != client.id:
        raise TokenError("invalid_grant", "The authorization code is not valid.")
    if code.used:  # presented twice: the first exchange's tokens are revoked too (RFC 6749 section 4.1.2)
        if code.origin_jti:
            svc.tokens.revoke_family(code.origin_jti)
        raise TokenError("invalid_grant", "The authorization code was already used.")
    code.used = True
    if svc.now() >= code.expires_at:
        raise TokenError("invalid_grant", "The authorization code has expired.")
    if redirect_uri != code.redirect_uri:
        raise TokenError("invalid_grant", "redirect_uri is not the one of the authorization request.")
    if code.code_challenge is not None:
        if not verifier or _PKCE_VALUE.fullmatch(verifier) is None:
            raise TokenError("invalid_grant", "code_verifier is missing or malformed.")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not hmac.compare_digest(digest, code.code_challenge):
            raise TokenError("invalid_grant", "code_verifier does not match the code_challenge.")
    elif verifier is not None:
        raise TokenError("invalid_grant", "The authorization request had no code_challenge.")
    user = pool.get(code.username)
    if user is None or not user.enabled:
        raise TokenError("invalid_grant", "The user can no longer sign in.")
    scopes = code.scope.split()
    result = svc.tokens.authentication_result(
        issuer=svc.issuer(pool.id), client=client, user=user, now=svc.now(), auth_time=code.auth_time,
        sessions_per_user=pool.token_sessions_per_user, scope=code.scope, nonce=code.nonce,
        with_refresh_token=client.allows("REFRESH_TOKEN_AUTH"),
    )
    claims = svc.tokens.decode(result["AccessToken"]) or {}
    code.origin_jti = str(claims.get("origin_jti")) or None
    if "openid" not in scopes:
        result.pop("IdToken", None)
    return _oauth_tokens(result)


def _refresh_grant(svc: Service, req: WebRequest, pool: PoolRecord, client: AppClient) -> dict[str, Any]:
    refresh = one(req.form, "refresh_token")
    if not refresh:
        raise TokenError("invalid_request", "refresh_token is required.")
    if not client.allows("REFRESH_TOKEN_AUTH"):
        raise TokenError("unauthorized_client", "ALLOW_REFRESH_TOKEN_AUTH is not enabled for this client.")
    try:
        reply = auth.refresh_for_oauth(svc, pool, client, refresh)
    except PoolError as error:
        raise TokenError("invalid_grant", error.message) from None
    record = svc.tokens.peek_refresh(refresh)
    result = dict(reply["AuthenticationResult"])
    if record is not None and record.scope is not None and "openid" not in record.scope.split():
        result.pop("IdToken", None)
    return _oauth_tokens(result)


def _client_credentials_grant(svc: Service, req: WebRequest, pool: PoolRecord, client: AppClient) -> dict[str, Any]:
    if client.secret is None or "client_credentials" not in client.allowed_oauth_flows:
        raise TokenError("unauthorized_client", "The client_credentials grant is not enabled for this client.")
    scope = one(req.form, "scope")
    scopes = scope.split() if scope else list(client.allowed_oauth_scopes)
    if not scopes or any(s not in client.allowed_oauth_scopes for s in scopes):
        raise TokenError("invalid_scope", "A scope asked for is not allowed for this client.")
    return svc.tokens.client_credentials_token(issuer=svc.issuer(pool.id), client=client, scope=" ".join(scopes),
                                               now=svc.now())


def get_client_token(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """GetClientToken (cognito-idp, 2026-08): the client_credentials grant as an API call (ClientId, Secret,
    Scopes -> ClientAuthenticationResult), for a client with a secret and ALLOW_CLIENT_TOKEN_AUTH (its only
    explicit auth flow); the scopes are its allowed OAuth scopes."""
    pool, client = svc.client(required_str(p, "ClientId"))
    secret = optional_str(p, "Secret") or ""
    if client.secret is None or not hmac.compare_digest(secret.encode(), client.secret.encode()):
        raise PoolError("NotAuthorizedException", f"Unable to verify secret for client {client.id}")
    if CLIENT_TOKEN_AUTH not in client.explicit_auth_flows:
        raise PoolError("InvalidParameterException", f"{CLIENT_TOKEN_AUTH} flow not enabled for this client")
    scopes = p.get("Scopes")
    if scopes is None:
        scopes = list(client.allowed_oauth_scopes)
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes) or not 0 < len(scopes) <= 50:
        raise PoolError("InvalidParameterException", "Scopes is a list of 1 to 50 scope names.")
    if any(s not in client.allowed_oauth_scopes for s in scopes):
        raise PoolError("InvalidParameterException", "Invalid scope requested for this client.")
    answer = svc.tokens.client_credentials_token(issuer=svc.issuer(pool.id), client=client, scope=" ".join(scopes),
                                                 now=svc.now())
    return {"ClientAuthenticationResult": {"AccessToken": answer["access_token"], "ExpiresIn": answer["expires_in"],
                                           "TokenType": "Bearer"}}


#: userInfo: which attributes each scope shows (OpenID Connect Core 5.4).
_SCOPE_ATTRIBUTES = {"email": ("email", "email_verified"), "phone": ("phone_number", "phone_number_verified")}


def user_info(svc: Service, req: WebRequest) -> WebResponse:
    header = req.headers.get("authorization", "")
    if header[:7].lower() != "bearer ":
        raise TokenError("invalid_request", "An access token is required (Authorization: Bearer).", 401)
    try:
        claims = svc.tokens.access_claims(header[7:].strip(), None, svc.now())
        user = _user_of(svc, claims)
    except PoolError as error:
        raise TokenError("invalid_token", error.message, 401) from None
    scopes = str(claims.get("scope", "")).split()
    if "openid" not in scopes and ACCESS_SCOPE not in scopes:
        raise TokenError("insufficient_scope", "The access token has no openid scope.", 403)
    shown: dict[str, Any] = {"sub": user.sub}
    everything = ACCESS_SCOPE in scopes or "profile" in scopes
    for name, value in user.attributes.items():
        by_scope = any(name in names and scope in scopes for scope, names in _SCOPE_ATTRIBUTES.items())
        if by_scope or (everything and name not in ("sub",)):
            shown[name] = value
    shown["username"] = user.username
    return json_answer(200, shown)


def _user_of(svc: Service, claims: dict[str, Any]) -> User:
    issuer = str(claims.get("iss", ""))
    pool = svc.pools.get(issuer.rsplit("/", 1)[-1])
    if pool is None or issuer != svc.issuer(pool.id):
        raise PoolError("NotAuthorizedException", "Invalid Access Token")
    user = pool.get(str(claims.get("username", "")))
    if user is None or user.sub != claims.get("sub") or not user.enabled:
        raise PoolError("NotAuthorizedException", "Invalid Access Token")
    return user


def revoke(svc: Service, req: WebRequest) -> WebResponse:
    _form_only(req)
    try:
        value = one(req.form, "token")
        _, client = _client_of(svc, req)
    except ValueError as exc:
        raise TokenError("invalid_request", str(exc)) from None
    if not value:
        raise TokenError("invalid_request", "token is required.")
    try:
        revoke_token(svc, {"ClientId": client.id, "Token": value, "ClientSecret": client.secret or ""})
    except PoolError as error:
        codes = {"UnsupportedTokenTypeException": "unsupported_token_type",
                 "UnsupportedOperationException": "unsupported_token_type"}
        raise TokenError(codes.get(error.code, "invalid_request"), error.message) from None
    return json_answer(200, {})


def openid_configuration(svc: Service, pool_id: str) -> dict[str, Any]:
    """The pool's OpenID configuration: its issuer and keys, and its domain's endpoints (here the same server)."""
    issuer, domain = svc.issuer(pool_id), svc.endpoint_url
    return {
        "issuer": issuer, "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "authorization_endpoint": f"{domain}/oauth2/authorize", "token_endpoint": f"{domain}/oauth2/token",
        "userinfo_endpoint": f"{domain}/oauth2/userInfo", "revocation_endpoint": f"{domain}/oauth2/revoke",
        "end_session_endpoint": f"{domain}/logout",
        "id_token_signing_alg_values_supported": ["RS256"], "subject_types_supported": ["public"],
        "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    }
