"""authflow.browser against the local pool: the loopback redirect, the code exchange, the id token checks,
the paste-back mode, the token cache, and what goes wrong (a wrong state, a closed browser, a busy port, a
malformed paste). The "browser" here is an HTTP client that fills in the login form (tests/browser/
test_chromium.py does the same in headless Chromium)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from authflow.browser import BrowserSignIn, code_from_redirect, pkce_pair, verify_jwt
from authflow.client_credentials import machine_token
from authflow.errors import (
    BrowserTimeoutError,
    IdTokenError,
    OAuthError,
    PasteError,
    RedirectPortBusyError,
    SignInCancelled,
    StateMismatchError,
)
from authflow.localpool import LocalUserPool
from authflow.refresh import cached_or_refreshed
from authflow.tokencache import CacheKey, TokenCache, internal_username
from authflow.transport import UserPool
from tests.browser.helpers import (
    API,
    MACHINE,
    MACHINE_SECRET,
    SIGNED_OUT,
    WEB,
    WebClient,
    robot,
    seed,
)


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed()) as started:
        yield started


def login(pool: LocalUserPool, **settings: object) -> BrowserSignIn:
    values: dict[str, object] = {"domain": pool.endpoint_url, "pool_id": pool.pool_id, "client_id": WEB,
                                 "endpoint_url": pool.endpoint_url, "timeout": 20.0,
                                 "scopes": ("openid", "email", "profile", "aws.cognito.signin.user.admin")}
    values.update(settings)
    return BrowserSignIn(**values)  # type: ignore[arg-type]


def test_sign_in_through_the_loopback_redirect_then_cache_and_refresh(pool: LocalUserPool, tmp_path: Path) -> None:
    signer = login(pool, open_browser=robot(pool))
    tokens = signer.sign_in()
    assert tokens.id_token and tokens.refresh_token and tokens.expires_in == 3600
    assert internal_username(tokens) == "alice"
    cache = TokenCache(tmp_path)
    key = CacheKey(pool.pool_id, WEB, "alice", pool.endpoint_url)
    cache.store(key, replace(tokens, issued_at=time.time() - 7200))  # expired: the cache refreshes it
    transport = UserPool(pool.pool_id, WEB, endpoint_url=pool.endpoint_url)
    refreshed = cached_or_refreshed(cache, key, transport, leeway=30)
    assert refreshed is not None and refreshed.access_token != tokens.access_token
    assert refreshed.refresh_token == tokens.refresh_token
    cached = cache.load(key)
    assert not refreshed.expired() and cached is not None and cached.access_token == refreshed.access_token
    # the refresh_token grant at the domain works as well, and revocation ends it
    assert signer.refresh(str(tokens.refresh_token)).access_token
    signer.revoke(str(tokens.refresh_token))
    with pytest.raises(OAuthError) as refused:
        signer.refresh(str(tokens.refresh_token))
    assert refused.value.code == "invalid_grant"
    assert signer.logout_url(SIGNED_OUT).startswith(pool.endpoint_url + "/logout?client_id=")


def test_fixed_redirect_port(pool: LocalUserPool) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    seen: list[str] = []
    signer = login(pool, open_browser=robot(pool), redirect_port=port)
    signer.sign_in(on_url=seen.append)
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback" in seen[0]
    query = parse_qs(urlsplit(seen[0]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]


def test_federated_provider_straight_away(pool: LocalUserPool) -> None:
    tokens = login(pool, open_browser=robot(pool, provider=True), identity_provider="LocalOIDC").sign_in()
    assert internal_username(tokens) == "LocalOIDC_olivia-1"


def test_a_wrong_state_is_refused(pool: LocalUserPool) -> None:
    def tamper(url: str) -> str:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["state"] = "someone-else"
        return parts._replace(query=urlencode(query)).geturl()

    with pytest.raises(StateMismatchError):
        login(pool, open_browser=robot(pool, tamper=tamper)).sign_in()


def test_an_error_redirect_is_a_typed_error(pool: LocalUserPool) -> None:
    with pytest.raises(OAuthError) as refused:
        login(pool, open_browser=robot(pool), scopes=("openid", f"{API}/read")).sign_in()
    assert refused.value.code == "invalid_scope"


def test_a_closed_browser_times_out_clearly(pool: LocalUserPool) -> None:
    with pytest.raises(BrowserTimeoutError) as late:
        login(pool, open_browser=lambda url: True, timeout=0.5).sign_in()
    assert "no answer from the browser within 0.5 s" in str(late.value)


def test_cancel_stops_the_wait(pool: LocalUserPool) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    with pytest.raises(SignInCancelled):
        login(pool, open_browser=lambda url: True).sign_in(cancel=cancel)


def test_a_busy_port_is_a_usage_error(pool: LocalUserPool) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(RedirectPortBusyError) as refused:
            login(pool, redirect_port=busy.getsockname()[1]).sign_in()
    assert "in use" in str(refused.value)


def test_paste_back_with_the_url_or_the_bare_code(pool: LocalUserPool) -> None:
    def pasted(answer: str) -> Callable[[], str]:
        return lambda: answer

    shown: list[str] = []

    def through_pages(url: str) -> str:
        web = WebClient(pool.endpoint_url)
        page = web.get(web.get(url).location)
        return web.submit(page, username="alice", password="Alice-Passw0rd!").location

    signer = login(pool, redirect_port=8765)
    redirected: dict[str, str] = {}
    tokens = signer.sign_in_pasted(lambda: redirected["url"],
                                   lambda url: (shown.append(url), redirected.update(url=through_pages(url))))
    assert tokens.access_token and shown[0].startswith(pool.endpoint_url + "/oauth2/authorize?")
    bare = signer.sign_in_pasted(lambda: parse_qs(urlsplit(redirected["url"]).query)["code"][0],
                                 lambda url: redirected.update(url=through_pages(url)))
    assert bare.access_token
    for junk in ("", "   ", "http://127.0.0.1:8765/callback?state=x", "not a code!", "%%%=&&"):
        with pytest.raises((PasteError, StateMismatchError)):
            signer.sign_in_pasted(pasted(junk), lambda url: None)


def test_paste_mistakes_are_told_and_asked_again(pool: LocalUserPool) -> None:
    """With on_mistake, a paste that is not this sign-in's answer is told to it and read asked again; the
    sign-in's own error redirect (its state) ends it."""
    signer = login(pool, redirect_port=8766)
    told: list[str] = []
    answers: list[str] = []

    def show(url: str) -> None:
        web = WebClient(pool.endpoint_url)
        good = web.submit(web.get(web.get(url).location), username="alice", password="Alice-Passw0rd!").location
        state = parse_qs(urlsplit(url).query)["state"][0]
        answers.extend(["junk!", "http://127.0.0.1:8766/callback?code=x&state=other", "wrongcode",
                        f"http://127.0.0.1:8766/callback?state={state}", good])

    tokens = signer.sign_in_pasted(lambda: answers.pop(0), show, on_mistake=lambda e: told.append(e.code))
    assert tokens.access_token and not answers
    assert told == ["MalformedPaste", "StateMismatch", "MalformedPaste", "MalformedPaste"]

    def refused_here(url: str) -> None:
        state = parse_qs(urlsplit(url).query)["state"][0]
        answers.append(f"http://127.0.0.1:8766/callback?error=access_denied&error_description=no&state={state}")

    with pytest.raises(OAuthError) as denied:
        signer.sign_in_pasted(lambda: answers.pop(0), refused_here, on_mistake=lambda e: told.append(e.code))
    assert denied.value.code == "access_denied" and not denied.value.retryable and len(told) == 4
    # without on_mistake (a script's stdin), a bare code the pool refuses is that refusal, as before
    with pytest.raises(OAuthError) as refused:
        signer.sign_in_pasted(lambda: "wrongcode", lambda url: None)
    assert refused.value.code == "invalid_grant"


def test_code_from_redirect_reads_errors_and_states() -> None:
    from authflow.browser import AuthorizationRequest

    request = AuthorizationRequest(url="u", redirect_uri="r", state="good", nonce="n", code_verifier="v")
    assert code_from_redirect("http://127.0.0.1:1/callback?code=abc&state=good", request) == "abc"
    assert code_from_redirect("code=abc&state=good", request) == "abc"
    with pytest.raises(OAuthError) as denied:
        code_from_redirect("http://127.0.0.1/callback?error=access_denied&error_description=no&state=good", request)
    assert denied.value.code == "access_denied"
    with pytest.raises(StateMismatchError):
        code_from_redirect("http://127.0.0.1/callback?code=abc&state=bad", request)
    with pytest.raises(OAuthError) as twice:
        code_from_redirect("http://127.0.0.1/callback?code=abc&code=def&state=good", request)
    assert twice.value.code == "invalid_request" and twice.value.retryable
    for another in ("http://127.0.0.1/callback?error=access_denied&state=old", "/callback?error=access_denied"):
        with pytest.raises(StateMismatchError) as not_ours:  # an error redirect of another sign-in
            code_from_redirect(another, request)
        assert not_ours.value.retryable
    with pytest.raises(OAuthError) as bare:  # this sign-in's error, with no description
        code_from_redirect("http://127.0.0.1/callback?error=login_required&state=good", request)
    assert bare.value.code == "login_required" and "refused" in bare.value.message and not bare.value.retryable
    verifier, challenge = pkce_pair()
    assert len(verifier) == 43 and len(challenge) == 43 and verifier != challenge


def test_id_token_checks(pool: LocalUserPool) -> None:
    signer = login(pool, open_browser=robot(pool))
    tokens = signer.sign_in()
    token = str(tokens.id_token)
    claims = signer.check_id_token(token, None)
    with pytest.raises(IdTokenError, match="nonce"):
        signer.check_id_token(token, "another nonce")
    with pytest.raises(IdTokenError, match="expired"):
        signer.check_id_token(token, None, now=float(claims["exp"]) + 120)
    with pytest.raises(IdTokenError, match="another app client"):
        login(pool, client_id="confidential00000000000000").check_id_token(token, None)
    with pytest.raises(IdTokenError, match="keys could not be read"):
        login(pool, pool_id="us-east-1_Other").check_id_token(token, None)
    head, body, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    with pytest.raises(IdTokenError, match="signature"):
        signer.check_id_token(f"{head}.{body}.{flipped}", None)
    with pytest.raises(IdTokenError, match="not a JWT"):
        signer.check_id_token("abc", None)
    with pytest.raises(IdTokenError, match="another app client"):  # an access token has no aud
        signer.check_id_token(tokens.access_token, None)


def test_an_id_token_issued_by_another_pool_is_refused(pool: LocalUserPool) -> None:
    """A sign-in set up for a second pool of the same server (whose keys sign its tokens too) but answered with
    the first pool's tokens (the app client is the first pool's): the signature holds, the issuer does not."""
    other = pool.add_pool(id="us-east-1_Another01", name="another")
    signer = login(pool, pool_id=other.id, open_browser=robot(pool))
    with pytest.raises(IdTokenError, match="issued by another pool"):
        signer.sign_in()
    token = str(login(pool, open_browser=robot(pool)).sign_in().id_token)
    assert verify_jwt(token, signer.jwks())["iss"] == f"{pool.endpoint_url}/{pool.pool_id}"  # signed alike


@pytest.mark.parametrize("through", ["domain", "GetClientToken"])
def test_machine_tokens_are_cached_until_five_minutes_before_expiry(
    pool: LocalUserPool, tmp_path: Path, through: str
) -> None:
    cache = TokenCache(tmp_path)
    where: dict[str, object] = (
        {"domain": pool.endpoint_url} if through == "domain"
        else {"pool": UserPool(pool.pool_id, MACHINE, endpoint_url=pool.endpoint_url)}
    )
    pool.clear_requests()

    def get(leeway: float = 300.0) -> str:
        return machine_token(cache, pool_id=pool.pool_id, client_id=MACHINE, client_secret=MACHINE_SECRET,
                             scopes=[f"{API}/read"], endpoint_url=pool.endpoint_url, leeway=leeway,
                             **where).access_token  # type: ignore[arg-type]

    first = get()
    assert get() == first  # cached
    assert get(leeway=3600) != first  # within 5 minutes of its expiry (here: leeway past it): a new one
    if through == "GetClientToken":
        assert len(pool.requests("GetClientToken")) == 2
    files = list((tmp_path / "tokens").iterdir())
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files if f.suffix == ".json")


def test_settings_and_a_browser_that_cannot_open(pool: LocalUserPool) -> None:
    from authflow.errors import UsageError

    with pytest.raises(UsageError):
        BrowserSignIn(domain="ftp://example.com", pool_id=pool.pool_id, client_id=WEB)
    with pytest.raises(UsageError):
        BrowserSignIn(domain=pool.endpoint_url, pool_id=pool.pool_id, client_id=WEB, redirect_port=70000)
    with pytest.raises(UsageError, match="paste-back"):
        login(pool, open_browser=lambda url: False).sign_in()
    assert "s3cr3t" not in repr(login(pool, client_secret="s3cr3t"))
