"""Shared by the managed-login tests: a seed with OAuth app clients, and a browser without a browser (an HTTP
client with a cookie jar that does not follow redirects, so each hop can be looked at)."""

from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import re
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

API = "https://api.example.test"
CALLBACK = "https://app.example.test/callback"
LOOPBACK = "http://127.0.0.1/callback"
SIGNED_OUT = "https://app.example.test/signed-out"
MACHINE_SECRET = "machinesecret000000000000000000000000000000000000001"
CONFIDENTIAL_SECRET = "confidentialsecret0000000000000000000000000000000001"
OLIVIA_PASSWORD = "Olivia-Passw0rd!"


def seed() -> dict[str, Any]:
    users = [
        {"username": "alice", "password": "Alice-Passw0rd!",
         "attributes": {"name": "Alice", "email": "alice@example.com", "email_verified": "true",
                        "phone_number": "+15555550100"}},
        {"username": "tina", "password": "Tina-Passw0rd!", "attributes": {"name": "Tina"},
         "mfa": ["SOFTWARE_TOKEN_MFA"], "preferred_mfa": "SOFTWARE_TOKEN_MFA",
         "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
        {"username": "sam", "password": "Sam-Passw0rd!",
         "attributes": {"name": "Sam", "phone_number": "+15555550101", "phone_number_verified": "true"},
         "mfa": ["SMS_MFA"], "preferred_mfa": "SMS_MFA"},
        {"username": "emma", "password": "Emma-Passw0rd!",
         "attributes": {"name": "Emma", "email": "emma@example.com", "email_verified": "true"},
         "mfa": ["EMAIL_OTP"], "preferred_mfa": "EMAIL_OTP"},
        {"username": "max", "password": "Max-Passw0rd!",
         "attributes": {"name": "Max", "email": "max@example.com", "email_verified": "true",
                        "phone_number": "+15555550102", "phone_number_verified": "true"},
         "mfa": ["SMS_MFA", "EMAIL_OTP"]},
        {"username": "newton", "password": "Temp-Passw0rd!", "status": "FORCE_CHANGE_PASSWORD",
         "attributes": {"email": "newton@example.com", "email_verified": "true"}},
        {"username": "lou", "password": "Lou-Passw0rd!", "attributes": {"name": "Lou"}},
    ]
    return {"pools": [{
        "id": "us-east-1_Managed01", "name": "managed", "mfa": "OPTIONAL",
        "mfa_types": ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], "required_attributes": ["name"],
        "alias_attributes": ["email"],
        "resource_servers": [{"identifier": API, "name": "api", "scopes": [{"name": "read"}, {"name": "write"}]}],
        "identity_providers": [{
            "name": "LocalOIDC", "client_id": "oidc-client", "client_secret": "oidc-secret",
            "attribute_mapping": {"email": "email", "email_verified": "email_verified", "name": "name"},
            "users": [{"username": "olivia", "password": OLIVIA_PASSWORD,
                       "claims": {"sub": "olivia-1", "email": "olivia@example.org", "email_verified": True,
                                  "name": "Olivia"}}],
        }],
        "clients": [
            {"id": "webclient0000000000000000a", "name": "web app",
             "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
             "callback_urls": [CALLBACK, LOOPBACK], "logout_urls": [SIGNED_OUT],
             "allowed_oauth_flows": ["code"],
             "allowed_oauth_scopes": ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"],
             "supported_identity_providers": ["COGNITO", "LocalOIDC"]},
            {"id": "confidential00000000000000", "name": "server app", "secret": CONFIDENTIAL_SECRET,
             "explicit_auth_flows": ["ALLOW_REFRESH_TOKEN_AUTH"], "callback_urls": [CALLBACK],
             "allowed_oauth_flows": ["code"], "allowed_oauth_scopes": ["openid", "email"]},
            {"id": "machine000000000000000000a", "name": "machine", "secret": MACHINE_SECRET,
             "explicit_auth_flows": ["ALLOW_CLIENT_TOKEN_AUTH"], "allowed_oauth_flows": ["client_credentials"],
             "allowed_oauth_scopes": [f"{API}/read", f"{API}/write"]},
            {"id": "federatedonly000000000000a", "name": "federated only", "explicit_auth_flows": [],
             "callback_urls": [CALLBACK], "allowed_oauth_flows": ["code"], "allowed_oauth_scopes": ["openid"],
             "supported_identity_providers": ["LocalOIDC"]},
        ],
        "users": users,
    }]}


WEB = "webclient0000000000000000a"
CONFIDENTIAL = "confidential00000000000000"
MACHINE = "machine000000000000000000a"
FEDERATED_ONLY = "federatedonly000000000000a"


HIDDEN = "hiddenusers00000000000000a"
CLOSED = "closedpool000000000000000a"
EMAIL_NAMES = "emailnames000000000000000a"


def signup_seed() -> dict[str, Any]:
    """The seed, for sign-up and password reset: the pool verifies email (codes go there), two more users
    with an address, a client that hides whether users exist, and a second pool where only administrators
    create users."""
    data = seed()
    managed = data["pools"][0]
    managed["auto_verified_attributes"] = ["email"]
    managed["users"] += [
        {"username": "rita", "password": "Rita-Passw0rd!",
         "attributes": {"name": "Rita", "email": "rita@example.com", "email_verified": "true"}},
        {"username": "ross", "password": "Ross-Passw0rd!",
         "attributes": {"name": "Ross", "email": "ross@example.com", "email_verified": "true"}},
        {"username": "una", "password": "Una-Passw0rd!", "status": "UNCONFIRMED",
         "attributes": {"name": "Una", "email": "una@example.com"}},
        {"username": "reese", "password": "Reese-Passw0rd!", "status": "RESET_REQUIRED",
         "attributes": {"name": "Reese", "email": "reese@example.com", "email_verified": "true"}},
    ]
    web = dict(managed["clients"][0])
    managed["clients"].append({**web, "id": HIDDEN, "name": "hidden users", "prevent_user_existence_errors": "ENABLED"})
    data["pools"].append({
        "id": "us-east-1_Closed001", "name": "closed", "allow_admin_create_user_only": True,
        "users": [{"username": "carl", "password": "Carl-Passw0rd!",
                   "attributes": {"email": "carl@example.com", "email_verified": "true"}}],
        "clients": [{"id": CLOSED, "name": "closed app", "callback_urls": [CALLBACK],
                     "allowed_oauth_flows": ["code"], "allowed_oauth_scopes": ["openid", "email"]}],
    })
    data["pools"].append({
        "id": "us-east-1_EmailName1", "name": "email as username", "username_attributes": ["email"],
        "auto_verified_attributes": ["email"],
        "clients": [{"id": EMAIL_NAMES, "name": "email app", "callback_urls": [CALLBACK],
                     "allowed_oauth_flows": ["code"], "allowed_oauth_scopes": ["openid", "email"]}],
    })
    return data


def pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.location).query).items()}

    def csrf(self) -> str:
        found = re.search(r'name="_csrf" value="([^"]*)"', self.body)
        assert found, self.body
        return unescape(found.group(1))

    def form_action(self) -> str:
        found = re.search(r'<form method="post" action="([^"]*)"', self.body)
        assert found, self.body
        return unescape(found.group(1))

    def error(self) -> str | None:
        found = re.search(r'id="error">([^<]*)<', self.body)
        return unescape(found.group(1)) if found else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebClient:
    """A cookie-keeping HTTP client that stops at each redirect."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, url: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        data = urlencode(form).encode() if form is not None else None
        full = urljoin(self.base + "/", url)
        request = urllib.request.Request(full, data=data, method=method, headers=dict(headers or {}))
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self.opener.open(request, timeout=10) as answer:
                return Reply(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read().decode())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read().decode())

    def get(self, url: str) -> Reply:
        return self.request("GET", url)

    def post(self, url: str, form: dict[str, str], headers: dict[str, str] | None = None) -> Reply:
        return self.request("POST", url, form, headers)

    def login_page(self, client_id: str = WEB, redirect_uri: str = CALLBACK, **extra: str) -> tuple[Reply, str]:
        """Through /oauth2/authorize to the login page; returns it and the PKCE verifier."""
        verifier, challenge = pkce()
        values = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                  "state": "st-123", "nonce": "n-456", "code_challenge": challenge, "code_challenge_method": "S256",
                  "scope": "openid email profile aws.cognito.signin.user.admin", **extra}
        first = self.get("/oauth2/authorize?" + urlencode(values))
        assert first.status == 302, first.body
        page = self.get(first.location)
        return page, verifier

    def submit(self, page: Reply, **fields: str) -> Reply:
        return self.post(page.form_action(), {"_csrf": page.csrf(), **fields})


def exchange(client: WebClient, code: str, verifier: str | None, client_id: str = WEB,
             redirect_uri: str = CALLBACK, secret: str | None = None) -> Reply:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "client_id": client_id}
    if verifier is not None:
        form["code_verifier"] = verifier
    headers = {}
    if secret is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post("/oauth2/token", form, headers)


def robot(pool: Any, username: str = "alice", password: str = "Alice-Passw0rd!",
          tamper: Callable[[str], str] = lambda url: url, provider: bool = False) -> Callable[[str], bool]:
    """A browser that signs in on the pages and follows the redirect to the loopback listener (in a thread,
    as the system browser would)."""
    def open_browser(url: str) -> bool:
        def run() -> None:
            web = WebClient(pool.endpoint_url)
            answer = web.get(url)
            if "/callback?" in answer.location:
                pass  # an error sent straight back to the app
            elif provider:
                answer = web.get(answer.location)
                answer = web.get(web.submit(answer, username="olivia", password=OLIVIA_PASSWORD).location)
            else:
                page = web.get(answer.location)
                answer = web.submit(page, username=username, password=password)
            try:
                with urllib.request.urlopen(tamper(answer.location), timeout=10) as done:  # the loopback listener
                    done.read()
            except urllib.error.HTTPError as refused:  # the listener's error page (a wrong state, an error)
                refused.read()

        threading.Thread(target=run, daemon=True).start()
        return True

    return open_browser
