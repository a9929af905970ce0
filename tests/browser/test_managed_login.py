"""Managed login on the local pool, without a browser: the forms posted over HTTP, each redirect looked at."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import boto3
import pyotp
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from authflow.browser import verify_jwt
from authflow.localpool import LocalUserPool
from tests.browser.helpers import (
    API,
    CALLBACK,
    CONFIDENTIAL,
    CONFIDENTIAL_SECRET,
    FEDERATED_ONLY,
    MACHINE,
    MACHINE_SECRET,
    OLIVIA_PASSWORD,
    SIGNED_OUT,
    WEB,
    WebClient,
    exchange,
    pkce,
    seed,
)


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed()) as started:
        yield started


@pytest.fixture
def web(pool: LocalUserPool) -> WebClient:
    return WebClient(pool.endpoint_url)


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def cognito(pool: LocalUserPool) -> object:
    return boto3.client("cognito-idp", endpoint_url=pool.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": 1}))


def sign_in(web: WebClient, username: str, password: str, **extra: str) -> tuple[object, str]:
    page, verifier = web.login_page(**extra)
    return web.submit(page, username=username, password=password), verifier


# --- /oauth2/authorize: what is an error page, what goes back to the app ------------------------------------


def test_unknown_client_and_unlisted_callback_are_error_pages_never_redirects(web: WebClient) -> None:
    _, challenge = pkce()
    base = {"response_type": "code", "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"}
    unknown = web.get("/oauth2/authorize?" + urlencode({**base, "client_id": "nope", "redirect_uri": CALLBACK}))
    assert unknown.status == 400 and "location" not in unknown.headers
    assert unknown.error() == "The app client does not exist."
    for uri in ("https://evil.example/callback", CALLBACK + "/x", "http://127.0.0.1:5000/other",
                "http://localhost:5000/callback"):
        answer = web.get("/oauth2/authorize?" + urlencode({**base, "client_id": WEB, "redirect_uri": uri}))
        assert answer.status == 400 and "location" not in answer.headers, uri
        assert "callback URLs" in (answer.error() or "")
    # the login page checks the same way
    assert web.get("/login?" + urlencode({**base, "client_id": WEB, "redirect_uri": "https://evil.example/"})
                   ).status == 400


def test_errors_after_the_callback_check_go_back_to_the_app_with_the_state(web: WebClient) -> None:
    _, challenge = pkce()
    good = {"response_type": "code", "client_id": WEB, "redirect_uri": CALLBACK, "state": "xyz",
            "code_challenge": challenge, "code_challenge_method": "S256"}
    cases = [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid https://api.example.test/read"}, "invalid_scope"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"identity_provider": "Nobody"}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),
    ]
    for change, error in cases:
        answer = web.get("/oauth2/authorize?" + urlencode({**good, **change}))
        assert answer.status == 302, (change, answer.body)
        assert answer.location.startswith(CALLBACK + "?")
        assert answer.query()["error"] == error and answer.query()["state"] == "xyz", change
    no_pkce = {k: v for k, v in good.items() if not k.startswith("code_challenge")}
    answer = web.get("/oauth2/authorize?" + urlencode(no_pkce))
    assert answer.query()["error"] == "invalid_request" and "PKCE" in answer.query()["error_description"]
    # a client with a secret may go without PKCE
    confidential = web.get("/oauth2/authorize?" + urlencode({**no_pkce, "client_id": CONFIDENTIAL,
                                                             "scope": "openid"}))
    assert confidential.status == 302 and confidential.location.startswith("/login?")
    repeated = web.get("/oauth2/authorize?" + urlencode(good) + "&state=again")
    assert repeated.status == 400  # the state is read before the redirect is known good: a page


def test_loopback_callback_without_a_port_accepts_any_port(web: WebClient) -> None:
    _, challenge = pkce()
    answer = web.get("/oauth2/authorize?" + urlencode({
        "response_type": "code", "client_id": WEB, "redirect_uri": "http://127.0.0.1:49152/callback",
        "code_challenge": challenge, "code_challenge_method": "S256"}))
    assert answer.status == 302 and answer.location.startswith("/login?")


# --- the pages: password, MFA, new password, lockout, CSRF ---------------------------------------------------


def test_password_sign_in_code_tokens_userinfo_refresh_and_revoke(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page()
    assert page.status == 200 and "web app" in page.body
    assert "Continue with LocalOIDC" in page.body
    done = web.submit(page, username="alice@example.com", password="Alice-Passw0rd!")  # an alias works
    assert done.status == 302 and done.location.startswith(CALLBACK + "?")
    assert done.query()["state"] == "st-123"
    reply = exchange(web, done.query()["code"], verifier)
    assert reply.status == 200, reply.body
    tokens = json.loads(reply.body)
    assert set(tokens) == {"access_token", "id_token", "refresh_token", "expires_in", "token_type"}
    id_claims = verify_jwt(tokens["id_token"], pool.jwks())
    assert id_claims["nonce"] == "n-456" and id_claims["aud"] == WEB and id_claims["iss"] == pool.issuer()
    assert id_claims["cognito:username"] == "alice"
    access = claims(tokens["access_token"])
    assert access["scope"] == "openid email profile aws.cognito.signin.user.admin"
    info = web.request("GET", "/oauth2/userInfo", headers={"Authorization": "Bearer " + tokens["access_token"]})
    assert info.status == 200
    assert json.loads(info.body)["email"] == "alice@example.com"
    assert json.loads(info.body)["username"] == "alice"
    # the admin scope lets the access token call the user's own API operations
    assert cognito(pool).get_user(AccessToken=tokens["access_token"])["Username"] == "alice"  # type: ignore[attr-defined]
    refreshed = web.post("/oauth2/token", {"grant_type": "refresh_token", "client_id": WEB,
                                           "refresh_token": tokens["refresh_token"]})
    assert refreshed.status == 200, refreshed.body
    again = json.loads(refreshed.body)
    assert "refresh_token" not in again and claims(again["access_token"])["scope"] == access["scope"]
    assert web.post("/oauth2/revoke", {"token": tokens["refresh_token"], "client_id": WEB}).status == 200
    after = web.post("/oauth2/token", {"grant_type": "refresh_token", "client_id": WEB,
                                       "refresh_token": tokens["refresh_token"]})
    assert after.status == 400 and json.loads(after.body)["error"] == "invalid_grant"
    gone = web.request("GET", "/oauth2/userInfo", headers={"Authorization": "Bearer " + tokens["access_token"]})
    assert gone.status == 401 and json.loads(gone.body)["error"] == "invalid_token"


def test_scopes_shape_the_tokens_and_userinfo(pool: LocalUserPool, web: WebClient) -> None:
    done, verifier = sign_in(web, "alice", "Alice-Passw0rd!", scope="openid email")
    tokens = json.loads(exchange(web, done.query()["code"], verifier).body)  # type: ignore[attr-defined]
    info = json.loads(web.request("GET", "/oauth2/userInfo",
                                  headers={"Authorization": "Bearer " + tokens["access_token"]}).body)
    assert info["email"] == "alice@example.com" and "phone_number" not in info and "name" not in info
    with pytest.raises(ClientError) as refused:  # no aws.cognito.signin.user.admin: not for the user API
        cognito(pool).get_user(AccessToken=tokens["access_token"])  # type: ignore[attr-defined]
    assert refused.value.response["Error"]["Message"] == "Access Token does not have required scopes"
    web2 = WebClient(pool.endpoint_url)
    done, verifier = sign_in(web2, "alice", "Alice-Passw0rd!", scope="email")
    without_openid = json.loads(exchange(web2, done.query()["code"], verifier).body)  # type: ignore[attr-defined]
    assert "id_token" not in without_openid


def test_wrong_password_message_and_lockout(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    answer = web.submit(page, username="lou", password="wrong-Passw0rd!")
    assert answer.status == 200 and answer.error() == "Incorrect username or password."
    assert 'value="lou"' in answer.body  # the username stays, the password does not
    for _ in range(4):
        answer = web.submit(answer, username="lou", password="wrong-Passw0rd!")
    answer = web.submit(answer, username="lou", password="Lou-Passw0rd!")
    assert answer.error() == "Password attempts exceeded"
    pool.clock.advance(3)  # the first lockout lasts 1 s
    done = web.submit(answer, username="lou", password="Lou-Passw0rd!")
    assert done.status == 302 and "code=" in done.location


def test_totp_step_retries_a_wrong_code(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page()
    mfa = web.submit(page, username="tina", password="Tina-Passw0rd!")
    assert mfa.status == 200 and "authenticator app" in mfa.body
    wrong = web.submit(mfa, code="000000" if pool.totp_code("tina") != "000000" else "111111")
    # the wizard's and the Qt dialog's words for a wrong code (authflow.labels), not Cognito's message
    assert wrong.error() == "That code is not right. Check it and try again."
    done = web.submit(wrong, code=pool.totp_code("tina"))
    assert done.status == 302
    assert json.loads(exchange(web, done.query()["code"], verifier).body)["access_token"]


@pytest.mark.parametrize(("username", "password", "purpose"), [
    ("sam", "Sam-Passw0rd!", "SMS_MFA"), ("emma", "Emma-Passw0rd!", "EMAIL_OTP"),
])
def test_sms_and_email_codes(pool: LocalUserPool, web: WebClient, username: str, password: str, purpose: str) -> None:
    page, _ = web.login_page()
    step = web.submit(page, username=username, password=password)
    assert "We sent a code to" in step.body and "@" not in step.body.split("We sent a code to")[1][:3]
    done = web.submit(step, code=pool.last_code(username, purpose=purpose))
    assert done.status == 302 and "code=" in done.location


def test_select_mfa_type_then_the_code(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    choose = web.submit(page, username="max", password="Max-Passw0rd!")
    assert "Choose how to verify" in choose.body and 'value="EMAIL_OTP"' in choose.body
    step = web.submit(choose, choice="EMAIL_OTP")
    done = web.submit(step, code=pool.last_code("max", purpose="EMAIL_OTP"))
    assert done.status == 302


def test_new_password_required_asks_the_missing_attribute(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    step = web.submit(page, username="newton", password="Temp-Passw0rd!")
    assert "Choose a new password" in step.body and 'name="attribute_name"' in step.body
    mismatch = web.submit(step, new_password="New-Passw0rd!", confirm_password="Other-Passw0rd!", attribute_name="N")
    assert mismatch.error() == "The two passwords are not the same."
    weak = web.submit(mismatch, new_password="weak", confirm_password="weak", attribute_name="Newton")
    assert (weak.error() or "").startswith(  # the words of authflow.labels, then the pool's policy
        "The new password was refused. Password does not conform to policy")
    done = web.submit(weak, new_password="New-Passw0rd!", confirm_password="New-Passw0rd!", attribute_name="Newton")
    assert done.status == 302
    assert pool.user("newton").status == "CONFIRMED" and pool.user("newton").attributes["name"] == "Newton"


def test_forms_refuse_a_missing_or_foreign_csrf_token_and_origin(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    action = page.form_action()
    forged = web.post(action, {"_csrf": "forged", "username": "alice", "password": "Alice-Passw0rd!"})
    assert forged.status == 403
    missing = web.post(action, {"username": "alice", "password": "Alice-Passw0rd!"})
    assert missing.status == 403
    foreign = web.post(action, {"_csrf": page.csrf(), "username": "alice", "password": "Alice-Passw0rd!"},
                       headers={"Origin": "https://evil.example"})
    assert foreign.status == 403
    stranger = WebClient(pool.endpoint_url)  # another browser: no sign-in cookie
    assert stranger.post(action, {"_csrf": page.csrf(), "username": "alice"}).status == 400
    assert web.submit(page, username="alice", password="Alice-Passw0rd!").status == 302


def test_markup_in_values_is_escaped(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page(state='"><script>alert(1)</script>')
    assert "<script>" not in page.body and "&lt;script&gt;" in page.body
    answer = web.submit(page, username='<b>x</b>"', password="x")
    assert "<b>x</b>" not in answer.body and "&lt;b&gt;" in answer.body


# --- /oauth2/token: codes, verifiers, clients ---------------------------------------------------------------


def test_code_is_single_use_and_a_second_use_revokes_the_first_tokens(pool: LocalUserPool, web: WebClient) -> None:
    done, verifier = sign_in(web, "alice", "Alice-Passw0rd!")
    code = done.query()["code"]  # type: ignore[attr-defined]
    first = json.loads(exchange(web, code, verifier).body)
    again = exchange(web, code, verifier)
    assert again.status == 400 and json.loads(again.body)["error"] == "invalid_grant"
    refresh = web.post("/oauth2/token", {"grant_type": "refresh_token", "client_id": WEB,
                                         "refresh_token": first["refresh_token"]})
    assert json.loads(refresh.body)["error"] == "invalid_grant"


def test_expired_code_wrong_verifier_wrong_redirect(pool: LocalUserPool, web: WebClient) -> None:
    done, verifier = sign_in(web, "alice", "Alice-Passw0rd!")
    pool.clock.advance(301)
    assert json.loads(exchange(web, done.query()["code"], verifier).body)["error_description"] == (  # type: ignore[attr-defined]
        "The authorization code has expired.")
    done, verifier = sign_in(web, "alice", "Alice-Passw0rd!", prompt="login")
    wrong, _ = pkce()
    answer = exchange(web, done.query()["code"], wrong)  # type: ignore[attr-defined]
    assert json.loads(answer.body)["error"] == "invalid_grant" and "code_verifier" in answer.body
    done, verifier = sign_in(web, "alice", "Alice-Passw0rd!", prompt="login")
    assert json.loads(exchange(web, done.query()["code"], None).body)["error"] == "invalid_grant"  # type: ignore[attr-defined]
    done, verifier = sign_in(web, "alice", "Alice-Passw0rd!", prompt="login")
    moved = exchange(web, done.query()["code"], verifier, redirect_uri="http://127.0.0.1/callback")  # type: ignore[attr-defined]
    assert json.loads(moved.body)["error"] == "invalid_grant"


def test_token_endpoint_refuses_bad_requests_with_rfc6749_errors(web: WebClient) -> None:
    plain = web.request("POST", "/oauth2/token", None)
    assert plain.status == 400 and json.loads(plain.body)["error"] == "invalid_request"
    unknown = web.post("/oauth2/token", {"grant_type": "password", "client_id": WEB})
    assert json.loads(unknown.body)["error"] == "unsupported_grant_type"
    anonymous = web.post("/oauth2/token", {"grant_type": "client_credentials"})
    assert anonymous.status == 401 and json.loads(anonymous.body)["error"] == "invalid_client"
    bad_secret = web.post("/oauth2/token", {"grant_type": "client_credentials", "client_id": MACHINE,
                                            "client_secret": "wrong"})
    assert bad_secret.status == 401
    garbage = web.post("/oauth2/token", {"grant_type": "client_credentials"},
                       headers={"Authorization": "Basic !!!"})
    assert garbage.status == 401
    assert web.get("/oauth2/token").status == 405


def test_confidential_client_authenticates_with_basic(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page(client_id=CONFIDENTIAL, scope="openid email")
    done = web.submit(page, username="alice", password="Alice-Passw0rd!")
    refused = exchange(web, done.query()["code"], None, client_id=CONFIDENTIAL, secret="wrong")
    assert refused.status == 401
    page, verifier = web.login_page(client_id=CONFIDENTIAL, scope="openid email", prompt="login")
    done = web.submit(page, username="alice", password="Alice-Passw0rd!")
    answer = exchange(web, done.query()["code"], verifier, client_id=CONFIDENTIAL, secret=CONFIDENTIAL_SECRET)
    assert answer.status == 200 and "id_token" in json.loads(answer.body)


def test_client_credentials_with_custom_scopes(pool: LocalUserPool, web: WebClient) -> None:
    basic = "Basic " + base64.b64encode(f"{MACHINE}:{MACHINE_SECRET}".encode()).decode()
    answer = web.post("/oauth2/token", {"grant_type": "client_credentials", "scope": f"{API}/read"},
                      headers={"Authorization": basic})
    body = json.loads(answer.body)
    assert answer.status == 200 and set(body) == {"access_token", "expires_in", "token_type"}
    token = claims(body["access_token"])
    assert token["scope"] == f"{API}/read" and token["sub"] == MACHINE and token["token_use"] == "access"
    everything = json.loads(web.post("/oauth2/token", {"grant_type": "client_credentials"},
                                     headers={"Authorization": basic}).body)
    assert claims(everything["access_token"])["scope"] == f"{API}/read {API}/write"
    bad = web.post("/oauth2/token", {"grant_type": "client_credentials", "scope": "openid"},
                   headers={"Authorization": basic})
    assert json.loads(bad.body)["error"] == "invalid_scope"
    public = web.post("/oauth2/token", {"grant_type": "client_credentials", "client_id": WEB})
    assert json.loads(public.body)["error"] == "unauthorized_client"
    with pytest.raises(ClientError) as refused:  # a machine token is not a user's
        cognito(pool).get_user(AccessToken=body["access_token"])  # type: ignore[attr-defined]
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_get_client_token_operation(pool: LocalUserPool) -> None:
    client = cognito(pool)
    reply = client.get_client_token(ClientId=MACHINE, Secret=MACHINE_SECRET, Scopes=[f"{API}/write"])  # type: ignore[attr-defined]
    result = reply["ClientAuthenticationResult"]
    assert result["TokenType"] == "Bearer" and claims(result["AccessToken"])["scope"] == f"{API}/write"
    for kwargs, code in (({"Secret": "w" * 24}, "NotAuthorizedException"),
                         ({"Secret": MACHINE_SECRET, "Scopes": ["openid"]}, "InvalidParameterException")):
        with pytest.raises(ClientError) as refused:
            client.get_client_token(ClientId=MACHINE, **kwargs)  # type: ignore[attr-defined]
        assert refused.value.response["Error"]["Code"] == code


# --- the signed-in browser, logout, discovery ---------------------------------------------------------------


def test_signed_in_browser_skips_the_pages_until_logout(pool: LocalUserPool, web: WebClient) -> None:
    done, _ = sign_in(web, "alice", "Alice-Passw0rd!")
    assert done.status == 302  # type: ignore[attr-defined]
    _, challenge = pkce()
    authorize = "/oauth2/authorize?" + urlencode({
        "response_type": "code", "client_id": WEB, "redirect_uri": CALLBACK, "state": "again",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    straight = web.get(authorize)
    assert straight.location.startswith(CALLBACK) and straight.query()["state"] == "again"
    assert web.get(authorize + "&prompt=login").location.startswith("/login?")
    bad = web.get("/logout?" + urlencode({"client_id": WEB, "logout_uri": "https://evil.example/"}))
    assert bad.status == 400 and "location" not in bad.headers
    # neither where to go after nor a sign-in to show: the page says what is missing (it said that a
    # redirect_uri the request never gave was not on the list)
    nowhere = web.get("/logout?" + urlencode({"client_id": WEB}))
    assert nowhere.status == 400 and "A sign-out needs a logout_uri" in nowhere.body
    no_callback = web.get("/oauth2/authorize?" + urlencode({"response_type": "code", "client_id": WEB}))
    assert no_callback.status == 400 and "the request has no redirect_uri" in no_callback.body
    twice = web.get("/logout?" + urlencode([("client_id", WEB), ("redirect_uri", CALLBACK),
                                            ("redirect_uri", CALLBACK)]))
    assert twice.status == 400 and "redirect_uri is given more than once" in twice.body
    out = web.get("/logout?" + urlencode({"client_id": WEB, "logout_uri": SIGNED_OUT}))
    assert out.status == 302 and out.location == SIGNED_OUT
    assert web.get(authorize).location.startswith("/login?")
    none = web.get(authorize + "&prompt=none")
    assert none.query()["error"] == "login_required"


def test_openid_configuration_and_jwks(pool: LocalUserPool, web: WebClient) -> None:
    config = json.loads(web.get(f"/{pool.pool_id}/.well-known/openid-configuration").body)
    assert config["issuer"] == pool.issuer()
    assert config["authorization_endpoint"] == pool.endpoint_url + "/oauth2/authorize"
    assert config["token_endpoint"] == pool.endpoint_url + "/oauth2/token"
    assert config["code_challenge_methods_supported"] == ["S256"]
    keys = json.loads(web.get(f"/{pool.pool_id}/.well-known/jwks.json").body)["keys"]
    assert {k["kid"] for k in keys} == {k["kid"] for k in pool.jwks()["keys"]}


# --- federation through the built-in OIDC provider ----------------------------------------------------------


def test_federated_sign_in_makes_a_user_with_identities(pool: LocalUserPool, web: WebClient) -> None:
    verifier, challenge = pkce()
    start = web.get("/oauth2/authorize?" + urlencode({
        "response_type": "code", "client_id": WEB, "redirect_uri": CALLBACK, "state": "fed", "nonce": "fn",
        "identity_provider": "LocalOIDC", "code_challenge": challenge, "code_challenge_method": "S256",
        "scope": "openid email profile"}))
    assert start.status == 302 and "/_local/oidc/us-east-1_Managed01/LocalOIDC/authorize?" in start.location
    provider_page = web.get(start.location)
    assert "Sign in to LocalOIDC" in provider_page.body
    wrong = web.submit(provider_page, username="olivia", password="nope")
    assert wrong.error() == "Incorrect username or password."
    back = web.submit(wrong, username="olivia", password=OLIVIA_PASSWORD)
    assert back.status == 302 and back.location.startswith(pool.endpoint_url + "/oauth2/idpresponse?")
    done = web.get(back.location)
    assert done.status == 302 and done.query()["state"] == "fed"
    tokens = json.loads(exchange(web, done.query()["code"], verifier).body)
    id_claims = verify_jwt(tokens["id_token"], pool.jwks())
    assert id_claims["cognito:username"] == "LocalOIDC_olivia-1" and id_claims["nonce"] == "fn"
    assert id_claims["identities"][0]["providerName"] == "LocalOIDC"
    assert id_claims["identities"][0]["userId"] == "olivia-1"
    user = pool.user("LocalOIDC_olivia-1")
    assert user.status == "EXTERNAL_PROVIDER" and user.attributes["email"] == "olivia@example.org"
    assert json.loads(user.attributes["identities"])[0]["providerType"] == "OIDC"
    # the idpresponse is good once: replaying it is an error page
    replay = web.get(back.location)
    assert replay.status == 400


def test_federated_only_client_shows_only_the_provider(web: WebClient) -> None:
    page, _ = web.login_page(client_id=FEDERATED_ONLY, scope="openid")
    assert "Continue with LocalOIDC" in page.body and 'name="password"' not in page.body


def test_idp_response_refuses_a_foreign_state(pool: LocalUserPool, web: WebClient) -> None:
    answer = web.get("/oauth2/idpresponse?" + urlencode({"state": "forged", "code": "x"}))
    assert answer.status == 400
    provider = web.get(f"/_local/oidc/{pool.pool_id}/LocalOIDC/authorize?" + urlencode({
        "client_id": "other", "redirect_uri": "https://evil.example/"}))
    assert provider.status == 400


def test_nothing_here_answers_500(pool: LocalUserPool, web: WebClient) -> None:
    odd = ["/oauth2/authorize", "/oauth2/authorize?client_id=%ff%fe", "/login", "/logout",
           "/oauth2/userInfo", "/oauth2/idpresponse", "/_local/oidc/x", f"/_local/oidc/{pool.pool_id}/Nope/authorize",
           f"/_local/oidc/{pool.pool_id}/LocalOIDC/jwks.json", "/oauth2/revoke"]
    for path in odd:
        assert web.get(path).status < 500, path
    for path in ("/login", "/oauth2/token", "/oauth2/revoke", "/oauth2/userInfo", "/logout", "/oauth2/authorize",
                 f"/_local/oidc/{pool.pool_id}/LocalOIDC/token", f"/_local/oidc/{pool.pool_id}/LocalOIDC/authorize"):
        assert web.post(path, {"x": "\u00ff" * 3}).status < 500, path
        assert web.request("POST", path, None, {"Content-Type": "text/plain"}).status < 500, path


def test_mfa_setup_on_the_pages_when_the_pool_requires_mfa() -> None:
    required = seed()
    entry = required["pools"][0]
    entry.update(id="us-east-1_MfaOn0001", mfa="ON", mfa_types=["SOFTWARE_TOKEN_MFA"])
    entry["users"] = [{"username": "nora", "password": "Nora-Passw0rd!", "attributes": {"name": "Nora"}}]
    with LocalUserPool(required) as pool:
        web = WebClient(pool.endpoint_url)
        page, verifier = web.login_page()
        setup = web.submit(page, username="nora", password="Nora-Passw0rd!")
        assert "Set up an authenticator app" in setup.body
        secret = setup.body.split('id="secret">')[1].split("<")[0]
        wrong = web.submit(setup, code="000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
        assert wrong.error() == "The authenticator app's code was not accepted. Enter the code it shows now."
        assert "Set up an authenticator app" in wrong.body
        done = web.submit(wrong, code=pyotp.TOTP(secret).at(pool.clock.now()))
        assert done.status == 302 and "code=" in done.location, done.body
        assert pool.user("nora").totp_secret == secret
        tokens = json.loads(exchange(web, done.query()["code"], verifier).body)
        assert tokens["access_token"]
        # the next sign-in asks for the authenticator's code
        again, _ = web.login_page(prompt="login")
        assert "Authenticator code" in web.submit(again, username="nora", password="Nora-Passw0rd!").body


def test_client_secret_post_and_a_secret_in_both_places(pool: LocalUserPool, web: WebClient) -> None:
    body = web.post("/oauth2/token", {"grant_type": "client_credentials", "client_id": MACHINE,
                                      "client_secret": MACHINE_SECRET})
    assert body.status == 200
    basic = "Basic " + base64.b64encode(f"{WEB}:x".encode()).decode()
    mixed = web.post("/oauth2/token", {"grant_type": "client_credentials", "client_id": MACHINE},
                     headers={"Authorization": basic})
    assert mixed.status == 401  # two different clients named: refused


def test_create_user_pool_client_with_managed_login_settings(pool: LocalUserPool) -> None:
    client = cognito(pool)
    made = client.create_user_pool_client(  # type: ignore[attr-defined]
        UserPoolId=pool.pool_id, ClientName="made over the API", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"], CallbackURLs=[CALLBACK],
        LogoutURLs=[SIGNED_OUT], SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]
    described = client.describe_user_pool_client(  # type: ignore[attr-defined]
        UserPoolId=pool.pool_id, ClientId=made["ClientId"])["UserPoolClient"]
    assert described["CallbackURLs"] == [CALLBACK] and described["AllowedOAuthFlows"] == ["code"]
    assert described["AllowedOAuthFlowsUserPoolClient"] is True
    web = WebClient(pool.endpoint_url)
    page, _ = web.login_page(client_id=made["ClientId"], scope="openid email")
    assert page.status == 200 and "made over the API" in page.body
    for bad in ({"CallbackURLs": ["javascript:alert(1)"]}, {"AllowedOAuthScopes": ["nope"]},
                {"AllowedOAuthFlowsUserPoolClient": False}):
        with pytest.raises(ClientError) as refused:
            client.create_user_pool_client(UserPoolId=pool.pool_id, ClientName="bad", **{  # type: ignore[attr-defined]
                "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "CallbackURLs": [CALLBACK],
                "AllowedOAuthScopes": ["openid"], **bad})
        assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


def test_what_the_pages_change_is_saved_with_data(tmp_path: Path) -> None:
    """With a database (``--data``), the pages' changes are saved like the API's: a new password, a federated
    user, the refresh token of an exchange (with its scopes) all outlive the process."""
    data = tmp_path / "pool.db"
    with LocalUserPool(seed(), data=data) as pool:
        web = WebClient(pool.endpoint_url)
        page, verifier = web.login_page(scope="openid email")
        step = web.submit(page, username="newton", password="Temp-Passw0rd!")
        done = web.submit(step, new_password="New-Passw0rd!", confirm_password="New-Passw0rd!",
                          attribute_name="Newton")
        tokens = json.loads(exchange(web, done.query()["code"], verifier).body)
        _, challenge = pkce()
        start = web.get("/oauth2/authorize?" + urlencode({
            "response_type": "code", "client_id": WEB, "redirect_uri": CALLBACK, "identity_provider": "LocalOIDC",
            "code_challenge": challenge, "code_challenge_method": "S256", "prompt": "login"}))
        provider = web.get(start.location)
        back = web.submit(provider, username="olivia", password=OLIVIA_PASSWORD)
        assert web.get(back.location).status == 302
    with LocalUserPool(seed(), data=data) as again:
        assert again.user("newton").status == "CONFIRMED"
        assert again.user("LocalOIDC_olivia-1").status == "EXTERNAL_PROVIDER"
        web = WebClient(again.endpoint_url)
        refreshed = web.post("/oauth2/token", {"grant_type": "refresh_token", "client_id": WEB,
                                               "refresh_token": tokens["refresh_token"]})
        assert refreshed.status == 200, refreshed.body
        assert claims(json.loads(refreshed.body)["access_token"])["scope"] == "openid email"


def test_two_processes_on_one_database_share_the_sign_in(tmp_path: Path) -> None:
    """``--workers``: each request may reach another process. Here two servers share one database: the page
    from one, the password to the other, the code exchanged at the other, the signed-in browser known to both."""
    data = tmp_path / "pool.db"
    with LocalUserPool(seed(), data=data) as first, LocalUserPool(seed(), data=data, lock_data=False) as second:
        web = WebClient(first.endpoint_url)  # cookies are per host, not per port: both servers get them
        page, verifier = web.login_page()
        mfa = web.post(second.endpoint_url + page.form_action(),
                       {"_csrf": page.csrf(), "username": "tina", "password": "Tina-Passw0rd!"})
        assert "Authenticator code" in mfa.body, mfa.body
        done = web.post(first.endpoint_url + mfa.form_action(), {"_csrf": mfa.csrf(), "code": first.totp_code("tina")})
        assert done.status == 302 and "code=" in done.location
        second_web = WebClient(second.endpoint_url)
        answer = exchange(second_web, done.query()["code"], verifier)
        assert answer.status == 200, answer.body
        again = exchange(web, done.query()["code"], verifier)  # used once, at the other process
        assert json.loads(again.body)["error"] == "invalid_grant"
        # the browser is signed in at both: the next authorize at the other server sends a code at once
        _, challenge = pkce()
        straight = web.get(second.endpoint_url + "/oauth2/authorize?" + urlencode({
            "response_type": "code", "client_id": WEB, "redirect_uri": CALLBACK, "code_challenge": challenge,
            "code_challenge_method": "S256"}))
        assert straight.location.startswith(CALLBACK + "?code=")


def test_origin_is_the_host_the_browser_used(pool: LocalUserPool) -> None:
    web = WebClient(pool.endpoint_url.replace("127.0.0.1", "localhost"))
    page, _ = web.login_page()
    origin = f"http://localhost:{pool.port}"
    done = web.post(page.form_action(), {"_csrf": page.csrf(), "username": "alice", "password": "Alice-Passw0rd!"},
                    headers={"Origin": origin})
    assert done.status == 302


def test_get_client_token_needs_allow_client_token_auth_alone(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as refused:  # a client with a secret, but user flows only
        cognito(pool).get_client_token(ClientId=CONFIDENTIAL, Secret=CONFIDENTIAL_SECRET)  # type: ignore[attr-defined]
    assert "ALLOW_CLIENT_TOKEN_AUTH flow not enabled" in refused.value.response["Error"]["Message"]
    with pytest.raises(ValueError, match="the only explicit auth flow"):
        pool.add_client(name="both", secret=True,
                        explicit_auth_flows=["ALLOW_CLIENT_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"])
