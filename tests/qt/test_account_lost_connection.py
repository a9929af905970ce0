"""The account dialog when the pool goes away at a question: it stays on that page saying Cognito cannot be
reached (the new authenticator's QR code and secret still shown, nothing associated anew), and the answer goes
through once the pool is back (same address, same state)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QLabel

from authflow import Account, ScriptedHandler, sign_in
from authflow.labels import LOST_CONNECTION
from authflow.localpool import LocalUserPool
from authflow.qt import TotpSetupPage
from authflow.qt_account import AccountDialog, ChangePasswordPage, CurrentPasswordPage, OverviewScreen
from tests.helpers.restart import (
    ACCOUNT_CLIENT_ID,
    ACCOUNT_PASSWORD,
    ACCOUNT_POOL_ID,
    ACCOUNT_SEED,
    DroppingProxy,
    picture_port,
    start_pool,
)

from .conftest import Driver, WatchedPool

NEW_PASSWORD = "Brand-New-Passw0rd!"


@pytest.fixture
def local() -> Iterator[LocalUserPool]:
    pool = start_pool(ACCOUNT_SEED, picture_port(9281))  # the authenticator's picture shows the endpoint
    yield pool
    pool.close()


@pytest.fixture
def dialog(qtbot: Any, local: LocalUserPool) -> Iterator[Driver]:
    pool = WatchedPool(ACCOUNT_POOL_ID, ACCOUNT_CLIENT_ID, endpoint_url=local.endpoint_url)
    tokens = sign_in(pool, "ada", ScriptedHandler(password=ACCOUNT_PASSWORD))
    pool.calls.clear()
    window = AccountDialog(Account(pool, tokens))
    qtbot.addWidget(window)
    window.show()
    yield Driver(qtbot, window)  # type: ignore[arg-type]
    assert QThreadPool.globalInstance().waitForDone(10_000)
    assert pool.calls and not [op for op, on_ui in pool.calls if on_ui], "a Cognito call ran on the UI thread"


def overview(d: Driver) -> OverviewScreen:
    d.qtbot.waitUntil(lambda: not d.widget.busy and isinstance(d.page, OverviewScreen)
                      and d.page.info is not None, timeout=10_000)
    page = d.page
    assert isinstance(page, OverviewScreen)
    return page


def refused(d: Driver) -> None:
    d.qtbot.waitUntil(lambda: not d.widget.busy and d.page.error.isVisible(), timeout=20_000)


def test_the_authenticator_page_stays_while_the_pool_is_away(dialog: Driver, local: LocalUserPool) -> None:
    d = dialog
    overview(d)
    d.click("set_up_totp")
    page = d.wait_for(TotpSetupPage)
    secret = page.prompt.secret_code or ""
    endpoint = local.endpoint_url
    local.stop()  # the Python API keeps the users and the associated secret; start() serves them again
    d.type("code", "123456")  # any code: it cannot reach the pool (and the picture repeats from run to run)
    d.submit()
    refused(d)
    assert d.page is page, "the dialog left the authenticator page"
    assert page.error.text() == f"Cannot reach {endpoint}: try again."
    qr = page.findChild(QLabel, "qr")
    assert qr is not None and qr.isVisible() and d.widget.submit_button.isEnabled()
    d.snap("account-totp-unreachable")

    local.start()
    local.clear_requests()
    d.type("code", pyotp.TOTP(secret).now())
    d.submit()
    overview(d)
    assert local.user("ada").totp_secret == secret
    assert "AssociateSoftwareToken" not in [r.operation for r in local.requests()]


def test_the_new_password_page_stays_while_the_pool_is_away(dialog: Driver, local: LocalUserPool) -> None:
    d = dialog
    overview(d)
    d.click("change_password")
    d.wait_for(CurrentPasswordPage)
    d.type("password", ACCOUNT_PASSWORD)
    d.submit()
    page = d.wait_for(ChangePasswordPage)
    local.stop()
    d.type("new_password", NEW_PASSWORD)
    d.type("confirm", NEW_PASSWORD)
    d.submit()
    refused(d)
    assert d.page is page and page.error.text().endswith("try again.")
    local.start()
    d.submit()  # what was typed is still there
    assert overview(d).message.text() == "Your password is changed."
    user = local.user("ada")
    assert user.password is not None and user.password.check(NEW_PASSWORD)


def test_a_password_whose_reply_was_lost_is_said_to_have_been_used(qtbot: Any, local: LocalUserPool) -> None:
    proxy = DroppingProxy(local.endpoint_url)
    try:
        pool = WatchedPool(ACCOUNT_POOL_ID, ACCOUNT_CLIENT_ID, endpoint_url=proxy.endpoint_url)
        window = AccountDialog(Account(pool, sign_in(pool, "ada", ScriptedHandler(password=ACCOUNT_PASSWORD))))
        qtbot.addWidget(window)
        window.show()
        d = Driver(qtbot, window)  # type: ignore[arg-type]
        overview(d)
        d.click("change_password")
        d.wait_for(CurrentPasswordPage)
        d.type("password", ACCOUNT_PASSWORD)
        d.submit()
        d.wait_for(ChangePasswordPage)
        d.type("new_password", NEW_PASSWORD)
        d.type("confirm", NEW_PASSWORD)
        proxy.drop_next("ChangePassword")  # the pool changes it; the answer is lost, the client's retry refused
        d.submit()
        page = d.wait_for(CurrentPasswordPage)
        said = page.error.text()
        assert said.startswith(LOST_CONNECTION) and "current password is then the new one" in said
        assert ACCOUNT_PASSWORD not in said and NEW_PASSWORD not in said
        d.type("password", NEW_PASSWORD)
        d.submit()
        assert overview(d).message.text() == "Your password is changed."
        assert QThreadPool.globalInstance().waitForDone(10_000)
    finally:
        proxy.close()
    assert proxy.dropped == ["ChangePassword"]
