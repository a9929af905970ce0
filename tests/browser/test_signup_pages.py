"""Managed login's "Forgot your password?" and "Sign up" pages, without a browser: the forms posted over HTTP.
They run the pool's own operations, so their rules are the API's; and the app's authorize request (client,
redirect_uri, state, PKCE) survives every page, so the last one sends the browser to the app with a code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from authflow.localpool import LocalUserPool
from authflow.localpool.seed import DEMO_SEED_PATH
from tests.browser.helpers import (
    CALLBACK,
    CLOSED,
    CONFIDENTIAL,
    CONFIDENTIAL_SECRET,
    EMAIL_NAMES,
    FEDERATED_ONLY,
    HIDDEN,
    LOOPBACK,
    Reply,
    WebClient,
    exchange,
    pkce,
    signup_seed,
)

WRONG_CODE = "That code is not right. Check it and try again."  # authflow.labels' words, not Cognito's
NEW_PASSWORD = "Brand-N3w-Passw0rd!"


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(signup_seed()) as started:
        yield started


@pytest.fixture
def web(pool: LocalUserPool) -> WebClient:
    return WebClient(pool.endpoint_url)


def title(page: Reply) -> str:
    start = page.body.index("<title>") + len("<title>")
    return page.body[start:page.body.index("</title>")]


def link(page: Reply, label: str) -> str:
    from html import escape, unescape

    marker = f">{escape(label)}</a>"
    end = page.body.index(marker)
    start = page.body.rindex("href=\"", 0, end) + len("href=\"")
    return unescape(page.body[start:page.body.index("\"", start)])


def notice(page: Reply) -> str:
    from html import unescape

    start = page.body.index("id=\"notice\">") + len("id=\"notice\">")
    return unescape(page.body[start:page.body.index("<", start)])


def secondary(web: WebClient, page: Reply) -> Reply:
    """Press "Send a new code": the second form of the page, posting only the CSRF token."""
    from html import unescape

    found = re.findall(r'<form method="post" action="([^"]*)">', page.body)
    return web.post(unescape(found[-1]), {"_csrf": page.csrf()})


def back_at_the_app(answer: Reply, web: WebClient, verifier: str, client_id: str = "webclient0000000000000000a"
                    ) -> dict[str, Any]:
    """The answer sends the browser to the app with a code and the app's state; the code gives tokens."""
    assert answer.status == 302, answer.body
    assert answer.location.startswith(CALLBACK + "?"), answer.location
    values = answer.query()
    assert values["state"] == "st-123"
    tokens = exchange(web, values["code"], verifier, client_id=client_id)
    assert tokens.status == 200, tokens.body
    import json

    return dict(json.loads(tokens.body))


def username_of(token: str) -> str:
    import base64
    import json

    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["username"])


# --- the sign-in page's links -----------------------------------------------------------------------------------


def test_sign_in_page_links_keep_the_apps_request(web: WebClient) -> None:
    page, _ = web.login_page()
    for label, path in (("Forgot your password?", "/forgotPassword"), ("Sign up", "/signup")):
        target = urlsplit(link(page, label))
        assert target.path == path
        asked = {k: v[0] for k, v in parse_qs(target.query).items()}
        assert asked["client_id"] == "webclient0000000000000000a" and asked["redirect_uri"] == CALLBACK
        assert asked["state"] == "st-123" and asked["nonce"] == "n-456" and len(asked["code_challenge"]) == 43
        assert asked["code_challenge_method"] == "S256"


# --- Forgot your password? ----------------------------------------------------------------------------------------


def test_forgot_password_wrong_code_policy_then_back_at_the_app(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page()
    forgot = web.get(link(page, "Forgot your password?"))
    assert forgot.status == 200 and title(forgot) == "Forgot your password?"
    reset = web.submit(forgot, username="rita")
    assert title(reset) == "Reset your password" and reset.error() is None
    assert notice(reset) == "We sent a code by email to r***@e***. Enter it below to reset your password."
    code = pool.last_code("rita", purpose="RESET_PASSWORD")
    wrong = web.submit(reset, code="000000" if code != "000000" else "111111", password=NEW_PASSWORD,
                       confirm_password=NEW_PASSWORD)
    assert wrong.error() == WRONG_CODE and title(wrong) == "Reset your password"
    weak = web.submit(wrong, code=code, password="short", confirm_password="short")
    assert weak.error() == (  # not SignUp's words
        "The new password was refused. Password does not conform to policy: Password not long enough.")
    differ = web.submit(weak, code=code, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD + "x")
    assert differ.error() == "The two passwords are not the same."
    assert NEW_PASSWORD not in differ.body  # a password is never written back into a page
    tokens = back_at_the_app(web.submit(differ, code=code, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD),
                             web, verifier)
    assert username_of(tokens["access_token"]) == "rita"
    # the new password is the password now
    again, verifier = web.login_page(prompt="login")
    back_at_the_app(web.submit(again, username="rita", password=NEW_PASSWORD), web, verifier)


def test_expired_code_and_send_a_new_one(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page()
    reset = web.submit(web.get(link(page, "Forgot your password?")), username="ross")
    old = pool.last_code("ross", purpose="RESET_PASSWORD")
    pool.clock.advance(3601)
    try:
        expired = web.submit(reset, code=old, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    finally:
        pool.clock.advance(-3601)
    assert expired.error() == "That code has expired or was already used. Enter a new code."
    resent = secondary(web, expired)
    assert title(resent) == "Reset your password" and resent.error() is None
    new = pool.last_code("ross", purpose="RESET_PASSWORD")
    assert len(pool.outbox("ross", purpose="RESET_PASSWORD")) == 2
    stale = web.submit(resent, code=old, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert stale.error() == WRONG_CODE or old == new
    back_at_the_app(web.submit(stale, code=new, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD), web, verifier)


def test_unknown_user_is_told_where_the_client_allows_it(web: WebClient) -> None:
    page, _ = web.login_page()
    answer = web.submit(web.get(link(page, "Forgot your password?")), username="nobody-here")
    assert title(answer) == "Forgot your password?" and answer.error() == "Username/client id combination not found."


def test_unknown_user_is_not_revealed_where_the_client_hides_users(pool: LocalUserPool, web: WebClient) -> None:
    pool.clear_outbox()
    pages = {}
    for name in ("rita", "nobody-here"):
        browser = WebClient(pool.endpoint_url)
        page, _ = browser.login_page(client_id=HIDDEN)
        reset = browser.submit(browser.get(link(page, "Forgot your password?")), username=name)
        assert title(reset) == "Reset your password" and reset.error() is None, name
        assert notice(reset).startswith("We sent a code by email to ") and "***@" in notice(reset)
        wrong = browser.submit(reset, code="12345678", password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
        assert wrong.error() == WRONG_CODE, name
        body = wrong.body.replace(notice(reset), "").replace(wrong.csrf(), "")
        pages[name] = re.sub(r"code_challenge=[^&\"]*", "", body)
    # the two pages differ in nothing but the masked address, the form's token and this sign-in's PKCE
    known, unknown = pages["rita"], pages["nobody-here"]
    assert known == unknown.replace("nobody-here", "rita")
    assert [m.username for m in pool.outbox()] == ["rita"]  # only a real user got a code


def test_user_without_an_address_and_a_confidential_client(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    answer = web.submit(web.get(link(page, "Forgot your password?")), username="lou")
    assert answer.error() == ("Cannot reset password for the user as there is no registered/verified email or "
                              "phone_number")
    # a client with a secret: the pages send the SECRET_HASH the pool requires
    confidential = WebClient(pool.endpoint_url)
    page, verifier = confidential.login_page(client_id=CONFIDENTIAL, scope="openid email")
    reset = confidential.submit(confidential.get(link(page, "Forgot your password?")), username="alice")
    assert title(reset) == "Reset your password" and reset.error() is None
    code = pool.last_code("alice", purpose="RESET_PASSWORD")
    done = confidential.submit(reset, code=code, password="Alice-Passw0rd!2", confirm_password="Alice-Passw0rd!2")
    assert done.status == 302 and done.location.startswith(CALLBACK + "?code=")
    values = done.query()
    tokens = exchange(confidential, values["code"], verifier, client_id=CONFIDENTIAL, secret=CONFIDENTIAL_SECRET)
    assert tokens.status == 200, tokens.body
    assert CONFIDENTIAL_SECRET not in reset.body + done.body


def test_reset_of_a_user_with_mfa_asks_for_the_code_before_the_app(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page()
    reset = web.submit(web.get(link(page, "Forgot your password?")), username="emma")
    code = pool.last_code("emma", purpose="RESET_PASSWORD")
    mfa = web.submit(reset, code=code, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert mfa.status == 200 and title(mfa) == "Enter the code we sent"
    back_at_the_app(web.submit(mfa, code=pool.last_code("emma", purpose="EMAIL_OTP")), web, verifier)


# --- Sign up -------------------------------------------------------------------------------------------------------


def test_sign_up_confirm_and_back_at_the_app(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page()
    form = web.get(link(page, "Sign up"))
    assert form.status == 200 and title(form) == "Sign up"
    for name in ("username", "attribute_name", "attribute_email", "password", "confirm_password"):
        assert f'name="{name}"' in form.body, name
    assert "At least 8 characters, with a lowercase letter, an uppercase letter, a number and a symbol." in form.body
    typed = {"username": "sue", "attribute_email": "sue@example.com"}
    missing = web.submit(form, **typed, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    # Cognito's message, one line per missing attribute
    assert missing.error() == "Attributes did not conform to the schema: name: The attribute is required\n"
    assert 'value="sue@example.com"' in missing.body  # what was typed stays, except the passwords
    typed["attribute_name"] = "Sue <b>&</b>"
    weak = web.submit(missing, **typed, password="alllowercase", confirm_password="alllowercase")
    assert weak.error() == "Password did not conform with policy: Password must have uppercase characters"
    assert "Sue &lt;b&gt;&amp;&lt;/b&gt;" in weak.body and "<b>" not in weak.body
    taken = web.submit(weak, **{**typed, "username": "alice"}, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert taken.error() == "User already exists"
    confirm = web.submit(taken, **typed, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert title(confirm) == "Confirm your account"
    assert notice(confirm) == "We sent a code by email to s***@e***. Enter it below to confirm your account."
    assert pool.user("sue").status == "UNCONFIRMED"
    first = pool.last_code("sue", purpose="CONFIRM_SIGN_UP")
    wrong = web.submit(confirm, code="000000" if first != "000000" else "111111")
    assert wrong.error() == WRONG_CODE
    resent = secondary(web, wrong)
    assert title(resent) == "Confirm your account" and resent.error() is None
    code = pool.last_code("sue", purpose="CONFIRM_SIGN_UP")
    tokens = back_at_the_app(web.submit(resent, code=code), web, verifier)
    assert username_of(tokens["access_token"]) == "sue"
    assert pool.user("sue").status == "CONFIRMED"
    assert pool.user("sue").attributes["email_verified"] == "true"


def test_sign_up_confirmation_code_expires(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    confirm = web.submit(web.get(link(page, "Sign up")), username="tom", attribute_name="Tom",
                         attribute_email="tom@example.com", password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    code = pool.last_code("tom", purpose="CONFIRM_SIGN_UP")
    pool.clock.advance(24 * 3600 + 60)
    try:
        expired = web.submit(confirm, code=code)
    finally:
        pool.clock.advance(-(24 * 3600 + 60))
    assert expired.error() == "That code has expired or was already used. Enter a new code."


def test_self_sign_up_off(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page(client_id=CLOSED, scope="openid email")
    assert "Forgot your password?" in page.body and ">Sign up<" not in page.body
    _, challenge = pkce()
    query = urlencode({"response_type": "code", "client_id": CLOSED, "redirect_uri": CALLBACK, "state": "s",
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    closed = web.get("/signup?" + query)
    assert closed.status == 403 and closed.error() == ("SignUp is not permitted for this user pool: ask an "
                                                       "administrator for an account.")
    assert "location" not in closed.headers and link(closed, "Back to sign in").startswith("/login?")
    posted = web.post("/signup?" + query, {"_csrf": page.csrf(), "username": "intruder", "password": NEW_PASSWORD,
                                           "confirm_password": NEW_PASSWORD})
    assert posted.status == 403
    with pytest.raises(KeyError):
        pool.user("intruder", pool_id="us-east-1_Closed001")


def test_sign_up_where_the_email_is_the_username(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page(client_id=EMAIL_NAMES, scope="openid email")
    assert '<label for="username">Email</label><input type="email"' in page.body  # the sign-in page says so too
    forgot = web.get(link(page, "Forgot your password?"))
    assert "Enter your email and we will send you a code" in forgot.body
    form = web.get(link(page, "Sign up"))
    assert '<label for="username">Email</label><input type="email"' in form.body
    assert 'name="attribute_email"' not in form.body  # the username is the email
    confirm = web.submit(form, username="zed@example.com", password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert notice(confirm) == "We sent a code by email to z***@e***. Enter it below to confirm your account."
    code = pool.last_code("zed@example.com", purpose="CONFIRM_SIGN_UP", pool_id="us-east-1_EmailName1")
    tokens = back_at_the_app(web.submit(confirm, code=code), web, verifier, client_id=EMAIL_NAMES)
    user = pool.user("zed@example.com", pool_id="us-east-1_EmailName1")
    assert username_of(tokens["access_token"]) == user.username and user.attributes["email_verified"] == "true"


def test_sign_up_without_an_address_waits_for_an_administrator(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    made = web.submit(web.get(link(page, "Sign up")), username="noah", attribute_name="Noah",
                      password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert title(made) == "Sign in" and made.error() is None
    assert notice(made) == "Your account was created. An administrator must confirm it before you can sign in."
    assert pool.user("noah").status == "UNCONFIRMED" and pool.outbox("noah") == []
    refused = web.submit(made, username="noah", password=NEW_PASSWORD)  # no code can be sent: the pool's error
    assert refused.error() == "User is not confirmed."


def test_demo_pool_sign_up_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the demo seed makes its passkey user's file in the working directory
    with LocalUserPool(DEMO_SEED_PATH) as demo:  # authflow local-pool's pool
        demo_web = WebClient(demo.endpoint_url)
        _, challenge = pkce()
        query = urlencode({"response_type": "code", "client_id": demo.client_id, "redirect_uri": LOOPBACK,
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        form = demo_web.get("/signup?" + query)
        assert form.status == 200, form.body
        for name, required in (("username", True), ("attribute_name", True), ("attribute_email", False),
                               ("attribute_phone_number", False)):
            element = re.search(f'<input [^>]*name="{name}"[^>]*>', form.body)
            assert element is not None, name
            assert element.group(0).endswith(" required>") == required, name


def test_too_many_codes_asked_for(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    confirm = web.submit(web.get(link(page, "Sign up")), username="vic", attribute_name="Vic",
                         attribute_email="vic@example.com", password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    answers = [confirm]
    for _ in range(5):
        answers.append(secondary(web, answers[-1]))
    assert [a.error() for a in answers[:5]] == [None] * 5  # SignUp's code and four more in the hour
    assert answers[5].error() == "Attempt limit exceeded, please try after some time."
    assert title(answers[5]) == "Confirm your account"
    assert len(pool.outbox("vic", purpose="CONFIRM_SIGN_UP")) == 5


# --- from the sign-in page: an account that needs its own step -------------------------------------------------------


def test_unconfirmed_user_with_the_right_password_is_asked_for_the_code(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page()
    # Cognito says UserNotConfirmedException whatever the password (docs/protocol.md): the pages go on to
    # the confirmation even after a wrong one
    assert title(web.submit(page, username="una", password="not-Una-Passw0rd!")) == "Confirm your account"
    page, verifier = web.login_page()
    confirm = web.submit(page, username="una", password="Una-Passw0rd!")
    assert title(confirm) == "Confirm your account"
    assert notice(confirm) == "We sent a code by email to u***@e***. Enter it below to confirm your account."
    tokens = back_at_the_app(web.submit(confirm, code=pool.last_code("una", purpose="CONFIRM_SIGN_UP")), web,
                             verifier)
    assert username_of(tokens["access_token"]) == "una" and pool.user("una").status == "CONFIRMED"


def test_user_whose_password_was_reset_gets_a_code_and_a_new_password(pool: LocalUserPool, web: WebClient) -> None:
    page, verifier = web.login_page()
    reset = web.submit(page, username="reese", password="whatever")
    assert title(reset) == "Reset your password"
    assert notice(reset) == ("Password reset required for the user. We sent a code by email to r***@e***. Enter it "
                             "below to reset your password.")
    code = pool.last_code("reese", purpose="RESET_PASSWORD")
    tokens = back_at_the_app(web.submit(reset, code=code, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD),
                             web, verifier)
    assert username_of(tokens["access_token"]) == "reese" and pool.user("reese").status == "CONFIRMED"


def test_the_pages_with_a_database(tmp_path: Path) -> None:
    """With --data (and so --workers), a reset under way is kept in the database between requests."""
    with LocalUserPool(signup_seed(), data=tmp_path / "pool.db") as durable:
        web = WebClient(durable.endpoint_url)
        page, verifier = web.login_page()
        reset = web.submit(web.get(link(page, "Forgot your password?")), username="rita")
        code = durable.last_code("rita", purpose="RESET_PASSWORD")
        back_at_the_app(web.submit(reset, code=code, password=NEW_PASSWORD, confirm_password=NEW_PASSWORD), web,
                        verifier)
    with LocalUserPool(signup_seed(), data=tmp_path / "pool.db") as again:  # the new password was saved
        web = WebClient(again.endpoint_url)
        page, verifier = web.login_page()
        back_at_the_app(web.submit(page, username="rita", password=NEW_PASSWORD), web, verifier)


# --- bad input -------------------------------------------------------------------------------------------------------


def test_forms_need_their_sign_in_and_their_step(pool: LocalUserPool, web: WebClient) -> None:
    page, _ = web.login_page()
    forgot = web.get(link(page, "Forgot your password?"))
    assert web.post("/forgotPassword", {"_csrf": "forged", "username": "rita"}).status == 403
    assert WebClient(pool.endpoint_url).post("/forgotPassword", {"_csrf": forgot.csrf()}).status == 400  # no cookie
    for path in ("/confirmForgotPassword", "/confirmUser", "/resendCode"):  # no reset or sign-up under way
        early = web.post(path, {"_csrf": forgot.csrf(), "code": "123456", "password": NEW_PASSWORD,
                                "confirm_password": NEW_PASSWORD})
        assert early.status == 400 and title(early) == "Start again", path
    empty = web.submit(forgot, username="  ")
    assert empty.error() == "Enter your username."
    marked = web.submit(forgot, username="<script>x</script>")
    assert "<script>x" not in marked.body and "&lt;script&gt;x&lt;/script&gt;" in marked.body
    assert web.get("/forgotPassword?client_id=nope").status == 400
    _, challenge = pkce()
    federated = urlencode({"response_type": "code", "client_id": FEDERATED_ONLY, "redirect_uri": CALLBACK,
                           "code_challenge": challenge, "code_challenge_method": "S256", "scope": "openid"})
    for path in ("/forgotPassword", "/signup"):  # an app that signs in with a federated provider only
        only = web.get(f"{path}?{federated}")
        assert only.status == 400 and only.error() == "This app signs in with a federated provider only.", path
    assert web.get("/confirmUser").status == 405
