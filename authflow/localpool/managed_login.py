"""Managed login's router: which module answers each path of a pool's domain, each answer one transaction
of the pool's store. The endpoints are in :mod:`~authflow.localpool.oauth` (the authorization-code flow, the
login pages' steps, tokens, userInfo, revoke, logout), :mod:`~authflow.localpool.signup_pages` ("Forgot your
password?" and "Sign up") and :mod:`~authflow.localpool.oidc_provider` (the
built-in federated provider); ``/oauth2/authorize`` sends a browser to one or the other."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from authflow.localpool import login_pages, oidc_provider, signup_pages
from authflow.localpool.codec import decode, encode
from authflow.localpool.errors import PoolError
from authflow.localpool.oauth import (
    PageError,
    RedirectError,
    TokenError,
    WebRequest,
    WebResponse,
    browser_session,
    finish,
    html,
    json_answer,
    login_page,
    logout,
    parse_authorize,
    redirect,
    revoke,
    state_of,
    token,
    user_info,
    with_query,
)
from authflow.localpool.oauth_state import ManagedLoginState
from authflow.localpool.store import StoreError

if TYPE_CHECKING:
    from authflow.localpool.service import Service

log = logging.getLogger("authflow.localpool")


def authorize(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, request = parse_authorize(svc, req.query)
    session = browser_session(svc, req, pool)
    if session is not None and request.prompt != "login":
        return finish(svc, pool, client, request, session.username, session.auth_time)
    if request.prompt == "none":
        raise RedirectError(request.redirect_uri, "login_required", "No signed-in browser session.", request.state)
    if request.identity_provider not in (None, "COGNITO"):
        return oidc_provider.start(svc, req, pool, request)
    return redirect("/login?" + request.query())
# --- the routing table ----------------------------------------------------------------------------------

Route = Callable[["Service", WebRequest], WebResponse]

ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/oauth2/authorize"): authorize,
    ("GET", "/login"): login_page,
    ("POST", "/login"): signup_pages.sign_in_post,
    ("GET", "/forgotPassword"): signup_pages.forgot_password_page,
    ("POST", "/forgotPassword"): signup_pages.forgot_password_post,
    ("POST", "/confirmForgotPassword"): signup_pages.confirm_forgot_password_post,
    ("GET", "/signup"): signup_pages.sign_up_page,
    ("POST", "/signup"): signup_pages.sign_up_post,
    ("POST", "/confirmUser"): signup_pages.confirm_sign_up_post,
    ("POST", "/resendCode"): signup_pages.resend_code_post,
    ("POST", "/oauth2/token"): token,
    ("GET", "/oauth2/userInfo"): user_info,
    ("POST", "/oauth2/userInfo"): user_info,
    ("POST", "/oauth2/revoke"): revoke,
    ("GET", "/logout"): logout,
}
_PATHS = {path for _, path in ROUTES} | {"/oauth2/idpresponse"}


def handles(path: str) -> bool:
    return path in _PATHS or path.startswith("/_local/oidc/")


def route(svc: Service, req: WebRequest) -> WebResponse:
    """Answer one managed-login request, as one transaction of the pool's store (what the pages change, a
    lockout count, a new password, a federated user, the tokens issued, is saved before the answer leaves,
    also when the answer is an error); never raises."""
    try:
        with svc.transaction():
            saved = _load(svc)
            answer = _answer_request(svc, req)
            _save(svc, saved)
            return answer
    except StoreError:
        log.exception("%s %s: the pool's database cannot be used", req.method, req.path)
    except Exception:
        log.exception("%s %s failed inside the local user pool", req.method, req.path)
    return html(500, login_pages.error_page("Server error", "The local user pool failed; see its log."))


#: Where a database keeps the managed-login state (one JSON value; see ManagedLoginState).
STATE_VALUE = "managed_login"


def _load(svc: Service) -> str | None:
    """With a database: the state as saved (another process may have changed it); its text, to see changes."""
    get_value = getattr(svc.store, "get_value", None)
    if not svc.store.durable or get_value is None:
        return None
    data = get_value(STATE_VALUE)
    if data is not None:
        svc.managed_login = decode(ManagedLoginState, data)
    return json.dumps(data, sort_keys=True)


def _save(svc: Service, saved: str | None) -> None:
    if saved is None:
        return
    state_of(svc).prune(svc.now())
    data = encode(state_of(svc))
    if json.dumps(data, sort_keys=True) != saved:
        svc.store.set_value(STATE_VALUE, data)


def _answer_request(svc: Service, req: WebRequest) -> WebResponse:
    """The answer, an error one included (raising only for a bug: the transaction then saves nothing)."""
    try:
        if req.path.startswith("/_local/oidc/") or req.path == "/oauth2/idpresponse":
            return oidc_provider.route(svc, req)
        handler = ROUTES.get((req.method, req.path))
        if handler is None:
            if req.path.startswith("/oauth2/") and req.path != "/oauth2/authorize":
                raise TokenError("invalid_request", f"{req.method} is not accepted here.", 405)
            raise PageError(405, "Method not allowed", f"{req.method} is not accepted here.")
        return handler(svc, req)
    except PageError as error:
        return html(error.status, login_pages.error_page(error.title, error.message, error.back))
    except RedirectError as error:
        values = {"error": error.error, "error_description": error.description}
        if error.state is not None:
            values["state"] = error.state
        return redirect(with_query(error.redirect_uri, values))
    except TokenError as error:
        headers = [("WWW-Authenticate", f"Bearer error=\"{error.error}\"")] if error.status in (401, 403) else []
        if error.error == "invalid_client":
            headers = [("WWW-Authenticate", "Basic")]
        return json_answer(error.status, {"error": error.error, "error_description": error.description}, headers)
    except PoolError as error:  # a client deleted meanwhile, a malformed stored value
        return html(400, login_pages.error_page("Invalid request", error.message))
