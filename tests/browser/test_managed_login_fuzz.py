"""Hypothesis against the managed-login endpoints: whatever the query or the form, the pool answers without a
500, and a redirect only ever goes to a URL the app client lists (or to the pool's own pages)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authflow.localpool import LocalUserPool
from tests.browser.helpers import CALLBACK, CONFIDENTIAL, FEDERATED_ONLY, MACHINE, SIGNED_OUT, WEB, WebClient, seed

NAMES = ["response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
         "code_challenge_method", "identity_provider", "prompt", "logout_uri", "grant_type", "code",
         "code_verifier", "refresh_token", "client_secret", "token", "username", "password", "_csrf", "choice",
         "confirm_password", "attribute_name", "attribute_email"]
VALUES = st.one_of(
    st.sampled_from([WEB, CONFIDENTIAL, MACHINE, FEDERATED_ONLY, CALLBACK, SIGNED_OUT, "code", "token", "S256",
                     "plain", "openid", "openid email", "LocalOIDC", "COGNITO", "login", "none",
                     "authorization_code", "client_credentials", "refresh_token", "http://127.0.0.1:9/callback",
                     "https://evil.example/", "a" * 43, ""]),
    st.text(max_size=40),
)
PARAMS = st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=8)
PATHS = ["/oauth2/authorize", "/login", "/forgotPassword", "/confirmForgotPassword", "/signup", "/confirmUser",
         "/resendCode", "/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke", "/logout",
         "/oauth2/idpresponse", "/_local/oidc/us-east-1_Managed01/LocalOIDC/authorize",
         "/_local/oidc/us-east-1_Managed01/LocalOIDC/token"]


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed()) as started:
        yield started


def allowed_redirect(location: str, pool: LocalUserPool) -> bool:
    if location.startswith(("/login?", "/oauth2/authorize?")):
        return True
    parts = urlsplit(location)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if base in (CALLBACK, SIGNED_OUT) or location.startswith(pool.endpoint_url + "/_local/oidc/"):
        return True
    return parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.path == "/callback"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), method=st.sampled_from(["GET", "POST"]), query=PARAMS, form=PARAMS)
def test_no_500_and_redirects_only_where_listed(
    pool: LocalUserPool, path: str, method: str, query: dict[str, str], form: dict[str, str]
) -> None:
    web = WebClient(pool.endpoint_url)
    url = path + ("?" + urlencode(query) if query else "")
    answer = web.request(method, url, form if method == "POST" else None)
    assert answer.status < 500, (method, url, form, answer.body[:300])
    if answer.status in (301, 302, 303, 307, 308):
        assert allowed_redirect(answer.location, pool), (method, url, answer.location)


USERS = st.sampled_from(["alice", "tina", "sam", "max", "newton", "nobody", "alice@example.com", "", "<b>"])
ANSWERS = st.fixed_dictionaries({}, optional={
    "username": USERS, "password": st.sampled_from(["Alice-Passw0rd!", "Tina-Passw0rd!", "Max-Passw0rd!",
                                                     "Temp-Passw0rd!", "wrong", ""]),
    "code": st.text(alphabet="0123456789a", max_size=8), "choice": st.sampled_from(["SMS_MFA", "EMAIL_OTP", "X"]),
    "new_password": st.sampled_from(["New-Passw0rd!", "weak", ""]), "confirm_password": st.sampled_from(
        ["New-Passw0rd!", "weak", ""]), "attribute_name": st.text(max_size=10),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(ANSWERS, min_size=1, max_size=4))
def test_pages_answer_any_sequence_of_forms(pool: LocalUserPool, steps: list[dict[str, str]]) -> None:
    """A real sign-in page, then any answers in a row: each answer is a page, a redirect to the app, or an
    error page; never a 500 and never a redirect elsewhere."""
    from tests.browser.helpers import Reply

    web = WebClient(pool.endpoint_url)
    page: Reply = web.login_page()[0]
    for answer in steps:
        if page.status != 200 or 'name="_csrf"' not in page.body:
            break
        page = web.submit(page, **answer)
        assert page.status < 500, (answer, page.body[:300])
        if page.status == 302:
            assert allowed_redirect(page.location, pool), page.location
            break
