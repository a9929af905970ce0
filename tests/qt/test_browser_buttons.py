"""The sign-in dialog's browser paths (authflow.qt): "Continue with <provider>" and "Sign in with the
browser" open the browser (here: an HTTP client that fills in the pages) and wait; Cancel stops the wait."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from authflow.browser import BrowserSignIn
from authflow.localpool import LocalUserPool
from authflow.qt import BrowserWaitScreen, SignInDialog, SignInWidget, UsernameScreen
from authflow.tokencache import CacheKey, TokenCache
from authflow.transport import UserPool
from tests.browser.helpers import WEB, robot, seed


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed()) as started:
        yield started


def dialog_for(qtbot: Any, pool: LocalUserPool, open_browser: Any, **options: Any) -> SignInDialog:
    signer = BrowserSignIn(domain=pool.endpoint_url, pool_id=pool.pool_id, client_id=WEB,
                           endpoint_url=pool.endpoint_url, open_browser=open_browser, timeout=30)
    dialog = SignInDialog(UserPool(pool.pool_id, WEB, endpoint_url=pool.endpoint_url), browser=signer,
                          providers=("LocalOIDC",), **options)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def button(widget: SignInWidget, name: str) -> QPushButton:
    found = widget.findChild(QPushButton, name)
    assert found is not None, name
    return found


def test_continue_with_a_provider(qtbot: Any, pool: LocalUserPool, tmp_path: Path) -> None:
    cache = TokenCache(tmp_path)
    dialog = dialog_for(qtbot, pool, robot(pool, provider=True), token_cache=cache)
    widget = dialog.widget
    assert button(widget, "provider_LocalOIDC").text() == "Continue with LocalOIDC"
    assert button(widget, "provider_LocalOIDC").height() > 10 and button(widget, "browser_sign_in").height() > 10
    keep = os.environ.get("AUTHFLOW_SCREENSHOTS")
    if keep:
        assert dialog.grab().save(str(Path(keep) / "qt-dialog.png"))
    with qtbot.waitSignal(widget.signed_in, timeout=30_000) as signed:
        qtbot.mouseClick(button(widget, "provider_LocalOIDC"), Qt.MouseButton.LeftButton)
        assert isinstance(widget.page, BrowserWaitScreen), widget.page.error.text()
        assert "sign in with LocalOIDC there" in widget.page.message.text()
    result = signed.args[0]
    assert result.username == "LocalOIDC_olivia-1" and result.tokens.id_token
    cached = cache.load(CacheKey(pool.pool_id, WEB, "LocalOIDC_olivia-1", pool.endpoint_url))
    assert cached is not None and cached.access_token == result.tokens.access_token


def test_sign_in_with_the_browser(qtbot: Any, pool: LocalUserPool) -> None:
    dialog = dialog_for(qtbot, pool, robot(pool, username="alice", password="Alice-Passw0rd!"))
    widget = dialog.widget
    with qtbot.waitSignal(widget.signed_in, timeout=30_000) as signed:
        qtbot.mouseClick(button(widget, "browser_sign_in"), Qt.MouseButton.LeftButton)
    assert signed.args[0].username == "alice"


def test_cancel_stops_waiting_and_closes_the_listener(qtbot: Any, pool: LocalUserPool) -> None:
    opened: list[str] = []
    dialog = dialog_for(qtbot, pool, lambda url: opened.append(url) or True)  # the person never signs in
    widget = dialog.widget
    qtbot.mouseClick(button(widget, "browser_sign_in"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    port = int(opened[0].split("redirect_uri=http%3A%2F%2F127.0.0.1%3A")[1].split("%2F")[0])
    with qtbot.waitSignal(widget.cancelled, timeout=5_000):
        qtbot.mouseClick(button(widget, "cancel"), Qt.MouseButton.LeftButton)

    def listener_closed() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) != 0

    qtbot.waitUntil(listener_closed, timeout=5_000)


def test_back_returns_to_the_first_screen(qtbot: Any, pool: LocalUserPool) -> None:
    opened: list[str] = []
    dialog = dialog_for(qtbot, pool, lambda url: opened.append(url) or True)
    widget = dialog.widget
    qtbot.mouseClick(button(widget, "browser_sign_in"), Qt.MouseButton.LeftButton)
    assert isinstance(widget.page, BrowserWaitScreen)
    qtbot.mouseClick(button(widget, "back"), Qt.MouseButton.LeftButton)
    assert isinstance(widget.page, UsernameScreen) and not widget.result


def test_the_waiting_screen_has_one_way_back_and_no_dead_button(qtbot: Any, pool: LocalUserPool,
                                                                  tmp_path: Path) -> None:
    opened: list[str] = []
    dialog = dialog_for(qtbot, pool, lambda url: opened.append(url) or True)  # the person has not signed in yet
    widget = dialog.widget
    qtbot.mouseClick(button(widget, "browser_sign_in"), Qt.MouseButton.LeftButton)
    page = widget.page
    assert isinstance(page, BrowserWaitScreen)
    qtbot.waitUntil(lambda: bool(opened) and widget.submit_button.isEnabled(), timeout=10_000)

    def shown() -> dict[str, QPushButton]:
        return {b.text(): b for b in dialog.findChildren(QPushButton) if b.isVisibleTo(dialog)}

    keep = os.environ.get("AUTHFLOW_SCREENSHOTS")
    if keep:
        assert dialog.grab().save(str(Path(keep) / "qt-browser-wait.png"))
    buttons = shown()
    assert sorted(buttons) == ["Back", "Cancel", "Open the browser again"]  # one way back, not two
    assert all(b.isEnabled() for b in buttons.values()), [t for t, b in buttons.items() if not b.isEnabled()]
    # each does something: the browser again at the same sign-in page (the same wait), then back
    qtbot.mouseClick(buttons["Open the browser again"], Qt.MouseButton.LeftButton)
    assert opened == [opened[0], opened[0]] and widget.page is page and not page.error.text()
    qtbot.mouseClick(buttons["Back"], Qt.MouseButton.LeftButton)
    assert isinstance(widget.page, UsernameScreen) and not widget.result
    port = int(opened[0].split("redirect_uri=http%3A%2F%2F127.0.0.1%3A")[1].split("%2F")[0])

    def listener_closed() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) != 0

    qtbot.waitUntil(listener_closed, timeout=5_000)  # Back stopped the wait


def test_the_example_app_offers_the_browser_and_the_provider(qtbot: Any) -> None:
    import argparse
    import importlib.util
    from dataclasses import replace

    from tests.helpers.examples import DESKTOP_QT as EXAMPLE

    spec = importlib.util.spec_from_file_location("desktop_qt_browser", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    args = argparse.Namespace(pool_id=None)
    with example.user_pool(args) as (pool, hint):  # the demo seed: its client allows managed login
        browser, providers = example.browser_for(args, pool)
        assert providers == ("LocalOIDC",) and "olivia / Olivia-Passw0rd!" in hint
        window = example.MainWindow(pool, hint=hint, providers=providers,
                                    browser=replace(browser, open_browser=robot(pool, provider=True), timeout=30))
        qtbot.addWidget(window)
        window.show()
        qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.dialog is not None and window.dialog.isVisible(), timeout=5_000)
        qtbot.mouseClick(button(window.dialog.widget, "provider_LocalOIDC"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Olivia Oidc" in window.status.text(), timeout=30_000)
        assert "LocalOIDC_olivia-0001" in window.status.text()
