"""The login pages and the whole browser sign-in in a real browser: headless Chromium (Debian's), driven by
Selenium. One pool and one browser for the module.

Each page is checked for layout (nothing wider than the window, no text cut off inside its box) and
screenshotted; with ``AUTHFLOW_SCREENSHOTS=<folder>`` the screenshots are kept there (docs/browser/ holds them).
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from authflow.browser import BrowserSignIn
from authflow.errors import BrowserTimeoutError
from authflow.localpool import LocalUserPool
from authflow.tokencache import internal_username
from tests.browser.chromium import chromium
from tests.browser.helpers import CALLBACK, OLIVIA_PASSWORD, WEB, pkce, seed, signup_seed
from tests.helpers.cli import REPO, credential_free_env
from tests.helpers.screenshots import repeatable_secrets

LAYOUT_PROBLEMS = """
const problems = [];
if (document.documentElement.scrollWidth > window.innerWidth) problems.push('page wider than the window');
for (const el of document.querySelectorAll('h1, p, label, button, code, option, input')) {
  if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible')
    problems.push('cut off: ' + el.tagName + ' ' + (el.id || el.textContent.slice(0, 30)));
  const box = el.getBoundingClientRect();
  if (box.right > window.innerWidth + 1) problems.push('outside the window: ' + el.tagName);
}
const inputs = [...document.querySelectorAll('form input:not([type=hidden]), form select')]
  .filter(el => el.getClientRects().length);
const widths = new Set(inputs.map(el => Math.round(el.getBoundingClientRect().width)));
if (widths.size > 1) problems.push('inputs of different widths: ' + [...widths].join(', '));
const card = document.querySelector('main');
if (card) {  // a card drawn with a border or rounded corners keeps a margin to the window's edges
  const style = getComputedStyle(card), box = card.getBoundingClientRect();
  const drawn = parseFloat(style.borderLeftWidth) > 0 || parseFloat(style.borderTopLeftRadius) > 0;
  if (drawn && (box.left < 8 || window.innerWidth - box.right < 8))
    problems.push("the card's border at the window's edge: " + Math.round(box.left) + ' px and '
                  + Math.round(window.innerWidth - box.right) + ' px from it');
}
return problems;
"""


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed()) as started:
        yield started


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def browser(driver: Any) -> Any:
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})  # every site's: a browser never signed in
    return driver


def authorize_url(pool: LocalUserPool, **extra: str) -> str:
    _, challenge = pkce()
    values = {"response_type": "code", "client_id": WEB, "redirect_uri": CALLBACK, "state": "s",
              "code_challenge": challenge, "code_challenge_method": "S256", "scope": "openid email profile", **extra}
    return f"{pool.endpoint_url}/oauth2/authorize?{urlencode(values)}"


def shoot(browser: Any, name: str, tmp_path: Path) -> None:
    """Check the page's layout and keep a screenshot (in AUTHFLOW_SCREENSHOTS too, when set)."""
    problems = browser.execute_script(LAYOUT_PROBLEMS)
    assert problems == [], (name, problems)
    path = tmp_path / f"{name}.png"
    # the whole page: a window as tall as the page for the picture (a long form is not cut off at the bottom)
    size = browser.get_window_size()
    extra = browser.execute_script("return document.documentElement.scrollHeight - window.innerHeight")
    if extra > 0:
        browser.set_window_size(size["width"], size["height"] + extra)
    try:
        assert browser.save_screenshot(str(path))
    finally:
        browser.set_window_size(size["width"], size["height"])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("AUTHFLOW_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def fill(browser: Any, **fields: str) -> None:
    from selenium.webdriver.common.by import By

    for name, value in fields.items():
        element = browser.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def submit(browser: Any) -> None:
    """Click the form's button and wait until the next page has replaced this one."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.ID, "submit").click()

    def replaced(_driver: Any) -> bool:
        try:
            page.is_enabled()
        except WebDriverException:  # stale, or (Chromium) "node does not belong to the document"
            return True
        return False

    WebDriverWait(browser, 20).until(replaced)


def text(browser: Any, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return str(browser.find_element(By.ID, element_id).text)


def test_login_pages_render_and_work(pool: LocalUserPool, browser: Any, tmp_path: Path) -> None:
    browser.get(authorize_url(pool))
    assert "/login?" in browser.current_url
    assert browser.title == "Sign in" and "Continue with LocalOIDC" in browser.page_source
    shoot(browser, "sign-in", tmp_path)
    fill(browser, username="lou", password="not-the-Passw0rd!")
    submit(browser)
    assert text(browser, "error") == "Incorrect username or password."
    shoot(browser, "wrong-password", tmp_path)
    fill(browser, username="tina", password="Tina-Passw0rd!")
    submit(browser)
    assert browser.title == "Authenticator code"
    shoot(browser, "authenticator-code", tmp_path)
    fill(browser, code=pool.totp_code("tina"))
    submit(browser)
    # the pool sends the browser to the app's callback (nothing listens there: only the address is looked at)
    assert browser.current_url.startswith(CALLBACK + "?code=")


def test_challenge_pages(pool: LocalUserPool, browser: Any, tmp_path: Path) -> None:
    browser.get(authorize_url(pool))
    fill(browser, username="max", password="Max-Passw0rd!")
    submit(browser)
    assert browser.title == "Choose how to verify"
    shoot(browser, "choose-mfa", tmp_path)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "choice")).select_by_value("SMS_MFA")
    submit(browser)
    assert "We sent a code to +*******0102." in text(browser, "notice")
    shoot(browser, "sms-code", tmp_path)
    fill(browser, code=pool.last_code("max", purpose="SMS_MFA"))
    submit(browser)
    assert browser.current_url.startswith(CALLBACK + "?code=")
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.get(authorize_url(pool))
    fill(browser, username="newton", password="Temp-Passw0rd!")
    submit(browser)
    assert browser.title == "Choose a new password"
    shoot(browser, "new-password", tmp_path)


def test_error_page_and_the_provider_page(pool: LocalUserPool, browser: Any, tmp_path: Path) -> None:
    browser.get(authorize_url(pool, redirect_uri="https://elsewhere.example/callback"))
    assert browser.title == "Invalid request" and "redirect_mismatch" in text(browser, "error")
    assert browser.current_url.startswith(pool.endpoint_url)  # never sent anywhere
    shoot(browser, "callback-mismatch", tmp_path)
    browser.get(authorize_url(pool, identity_provider="LocalOIDC"))
    assert browser.title == "Sign in to LocalOIDC"
    shoot(browser, "provider-sign-in", tmp_path)


def in_chromium(browser: Any, username: str, password: str, provider: bool = False) -> Any:
    """``open_browser`` for BrowserSignIn: Chromium loads the URL and signs in, on a thread of its own."""
    def open_browser(url: str) -> bool:
        def run() -> None:
            browser.get(url)
            if provider:
                fill(browser, username="olivia", password=OLIVIA_PASSWORD)
            else:
                fill(browser, username=username, password=password)
            submit(browser)

        threading.Thread(target=run, daemon=True).start()
        return True

    return open_browser


def signer(pool: LocalUserPool, browser: Any, **settings: Any) -> BrowserSignIn:
    settings.setdefault("timeout", 30)
    return BrowserSignIn(domain=pool.endpoint_url, pool_id=pool.pool_id, client_id=WEB, endpoint_url=pool.endpoint_url,
                         **settings)


def test_whole_browser_sign_in(pool: LocalUserPool, browser: Any, tmp_path: Path) -> None:
    tokens = signer(pool, browser, open_browser=in_chromium(browser, "alice", "Alice-Passw0rd!")).sign_in()
    assert internal_username(tokens) == "alice" and tokens.refresh_token
    assert text(browser, "message").startswith("You are signed in.")
    shoot(browser, "signed-in", tmp_path)
    # signed in already: the next sign-in needs no form at all
    again = signer(pool, browser, open_browser=lambda url: (threading.Thread(
        target=browser.get, args=(url,), daemon=True).start(), True)[1]).sign_in()
    assert internal_username(again) == "alice"


def test_whole_federated_sign_in(pool: LocalUserPool, browser: Any) -> None:
    tokens = signer(pool, browser, identity_provider="LocalOIDC",
                    open_browser=in_chromium(browser, "", "", provider=True)).sign_in()
    assert internal_username(tokens) == "LocalOIDC_olivia-1"


def test_closed_browser_times_out(pool: LocalUserPool, browser: Any) -> None:
    def open_and_close(url: str) -> bool:
        threading.Thread(target=browser.get, args=(url,), daemon=True).start()  # shown, never answered
        return True

    with pytest.raises(BrowserTimeoutError):
        signer(pool, browser, open_browser=open_and_close, timeout=2).sign_in()


# --- "Forgot your password?" and "Sign up", from the sign-in page to the app's tokens --------------------------------


@pytest.fixture(scope="module")
def signup_pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(signup_seed()) as started:
        yield started


def click(browser: Any, element_id: str) -> None:
    """Follow a link (or press a button that is not the form's submit) and wait for the next page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    element = browser.find_element(By.ID, element_id)
    element.click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(element))


class SignInThread:
    """``BrowserSignIn.sign_in()`` on a thread of its own, as the command waits for the browser; the test drives
    Chromium meanwhile, from the address the sign-in would have opened."""

    def __init__(self, pool: LocalUserPool, browser: Any) -> None:
        self.addresses: queue.Queue[str] = queue.Queue()
        self.login = signer(pool, browser, open_browser=lambda url: (self.addresses.put(url), True)[1])
        self.outcome: list[Any] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.outcome.append(self.login.sign_in())
        except Exception as exc:  # noqa: BLE001 - handed to the test, which raises it
            self.outcome.append(exc)

    def address(self) -> str:
        return self.addresses.get(timeout=20)

    def tokens(self) -> Any:
        self.thread.join(40)
        assert self.outcome, "the sign-in never came back"
        if isinstance(self.outcome[0], Exception):
            raise self.outcome[0]
        return self.outcome[0]


def test_forgot_password_in_chromium_back_at_the_app(signup_pool: LocalUserPool, browser: Any,
                                                      tmp_path: Path) -> None:
    waiting = SignInThread(signup_pool, browser)
    browser.get(waiting.address())
    assert browser.title == "Sign in"
    click(browser, "link-forgot-your-password")
    assert browser.title == "Forgot your password?"
    shoot(browser, "forgot-password", tmp_path)
    fill(browser, username="rita")
    submit(browser)
    assert browser.title == "Reset your password"
    assert text(browser, "notice") == "We sent a code by email to r***@e***. Enter it below to reset your password."
    fill(browser, code="00000000", password="Brand-N3w-Passw0rd!", confirm_password="Brand-N3w-Passw0rd!")
    submit(browser)
    assert text(browser, "error") == "That code is not right. Check it and try again."
    shoot(browser, "reset-password", tmp_path)
    fill(browser, code=signup_pool.last_code("rita", purpose="RESET_PASSWORD"), password="Brand-N3w-Passw0rd!",
         confirm_password="Brand-N3w-Passw0rd!")
    submit(browser)
    tokens = waiting.tokens()
    assert internal_username(tokens) == "rita" and tokens.id_token and tokens.refresh_token
    assert text(browser, "message").startswith("You are signed in.")


def test_sign_up_in_chromium_back_at_the_app(signup_pool: LocalUserPool, browser: Any, tmp_path: Path) -> None:
    waiting = SignInThread(signup_pool, browser)
    browser.get(waiting.address())
    click(browser, "link-sign-up")
    assert browser.title == "Sign up"
    fill(browser, username="sue", attribute_name="Sue", attribute_email="sue@example.com",
         password="weak", confirm_password="weak")
    submit(browser)
    assert text(browser, "error") == "Password did not conform with policy: Password not long enough"
    shoot(browser, "sign-up", tmp_path)
    fill(browser, password="Sue-Passw0rd!", confirm_password="Sue-Passw0rd!")
    submit(browser)
    assert browser.title == "Confirm your account"
    click(browser, "secondary-0")  # "Send a new code"
    assert browser.title == "Confirm your account"
    assert len(signup_pool.outbox("sue", purpose="CONFIRM_SIGN_UP")) == 2
    shoot(browser, "confirm-account", tmp_path)
    fill(browser, code=signup_pool.last_code("sue", purpose="CONFIRM_SIGN_UP"))
    submit(browser)
    tokens = waiting.tokens()
    assert internal_username(tokens) == "sue" and tokens.refresh_token
    assert signup_pool.user("sue").status == "CONFIRMED"


def test_sign_up_through_authflow_login_browser(signup_pool: LocalUserPool, browser: Any, tmp_path: Path) -> None:
    """``authflow login --browser`` opens the page (here: hands its address to Chromium); the person signs up
    there, confirms with the code, and the command prints the tokens."""
    address = tmp_path / "address"
    env = credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": signup_pool.pool_id, "AUTHFLOW_CLIENT_ID": WEB,
        "AUTHFLOW_ENDPOINT_URL": signup_pool.endpoint_url,
        "BROWSER": f"{sys.executable} -m tests.browser.address_browser %s", "ADDRESS_FILE": str(address)})
    command = subprocess.Popen(
        [sys.executable, "-m", "authflow", "login", "--browser", "--scope", "openid email profile"],
        env=env, cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not address.exists():
            assert command.poll() is None and time.monotonic() < deadline, "the command opened no browser"
            time.sleep(0.1)
        browser.get(address.read_text())
        click(browser, "link-sign-up")
        fill(browser, username="ned", attribute_name="Ned", attribute_email="ned@example.com",
             password="Ned-Passw0rd!", confirm_password="Ned-Passw0rd!")
        submit(browser)
        assert browser.title == "Confirm your account"
        fill(browser, code=signup_pool.last_code("ned", purpose="CONFIRM_SIGN_UP"))
        submit(browser)
        out, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
            command.communicate()
    assert command.returncode == 0, err
    tokens = json.loads(out)
    assert set(tokens) == {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    payload = tokens["AccessToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["username"] == "ned" and signup_pool.user("ned").status == "CONFIRMED"
    assert "Ned-Passw0rd!" not in out + err


# --- the demo pool's pages at a phone's width, as a stranger walks them ----------------------------------------------


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """The browser at a phone's width (375 px), back to its size afterwards."""
    size = browser.get_window_size()
    browser.set_window_size(375, 740)
    try:
        yield browser
    finally:
        browser.set_window_size(size["width"], size["height"])


def test_the_demo_pages_at_a_phones_width_and_the_code_in_the_outbox(phone: Any, tmp_path: Path) -> None:
    """Every input as wide as the others (the sign-up's phone number too), and an SMS code a stranger can find:
    the code page links to the local pool's outbox, where the code is."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser = phone
    with LocalUserPool("demo") as demo:
        callback = "http://127.0.0.1:9/callback"  # a loopback port: nothing listens, only the address is read
        _, challenge = pkce()
        browser.get(f"{demo.endpoint_url}/oauth2/authorize?" + urlencode({
            "response_type": "code", "client_id": demo.client_id, "redirect_uri": callback, "state": "s",
            "code_challenge": challenge, "code_challenge_method": "S256", "scope": "openid"}))
        shoot(browser, "phone-sign-in", tmp_path)
        click(browser, "link-sign-up")
        assert browser.find_element(By.NAME, "attribute_phone_number").get_attribute("type") == "tel"
        shoot(browser, "phone-sign-up", tmp_path)
        click(browser, "link-already-have-an-account-sign-in")
        fill(browser, username="sam", password="Sam-Passw0rd!")
        submit(browser)
        assert text(browser, "notice") == "We sent a code to +*******0100."
        assert "the code is in its outbox" in text(browser, "outbox")
        shoot(browser, "phone-sms-code", tmp_path)
        page = browser.current_window_handle
        browser.find_element(By.ID, "link-outbox").click()  # opens in a tab of its own: the code page stays
        WebDriverWait(browser, 20).until(lambda b: len(b.window_handles) == 2)
        browser.switch_to.window(next(h for h in browser.window_handles if h != page))
        WebDriverWait(browser, 20).until(lambda b: b.find_element(By.TAG_NAME, "body").text.startswith("["))
        sent = json.loads(browser.find_element(By.TAG_NAME, "body").text)
        browser.close()
        browser.switch_to.window(page)
        code = sent[-1]["code"]
        assert sent[-1]["username"] == "sam" and code == demo.last_code("sam")
        fill(browser, code=code)
        submit(browser)
        assert browser.current_url.startswith(callback + "?code=")


def test_setting_up_an_authenticator_shows_a_qr_code_to_scan(phone: Any, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the pool requires MFA, the set-up page shows the key as a QR code (a phone's authenticator app scans
    it; the page showed only the 32-letter key to type), at a phone's width too; the app's code then signs in."""
    import io

    import pyotp
    import zxingcpp
    from PIL import Image
    from selenium.webdriver.common.by import By

    browser = phone
    if os.environ.get("AUTHFLOW_SCREENSHOTS"):  # the docs' picture: the same key (and QR code) every run
        repeatable_secrets(monkeypatch, "phone-authenticator-setup")
    required = seed()
    entry = required["pools"][0]
    entry.update(id="us-east-1_MfaQr0001", mfa="ON", mfa_types=["SOFTWARE_TOKEN_MFA"])
    entry["users"] = [{"username": "nora", "password": "Nora-Passw0rd!", "attributes": {"name": "Nora"}}]
    with LocalUserPool(required) as mfa_pool:
        browser.get(authorize_url(mfa_pool))
        fill(browser, username="nora", password="Nora-Passw0rd!")
        submit(browser)
        assert browser.title == "Set up an authenticator app"
        shoot(browser, "phone-authenticator-setup", tmp_path)
        secret = text(browser, "secret")
        picture = Image.open(io.BytesIO(browser.find_element(By.ID, "qr").screenshot_as_png))
        assert [found.text for found in zxingcpp.read_barcodes(picture)] == [
            f"otpauth://totp/web%20app%3Anora?secret={secret}&issuer=web%20app"]
        fill(browser, code=pyotp.TOTP(secret).at(mfa_pool.clock.now()))
        submit(browser)
        assert browser.current_url.startswith(CALLBACK + "?code=")
        assert mfa_pool.user("nora").totp_secret == secret
