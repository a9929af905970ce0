"""examples/desktop_qt.py: sign in with the dialog, see who is signed in, sign out."""

from __future__ import annotations

import argparse
import importlib.util
import time
from typing import Any

import pyotp
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from authflow import NotAuthorizedError
from authflow.qt import CodePage
from authflow.qt_account import OverviewScreen
from tests.helpers.examples import DESKTOP_QT, demo_passwords

from .conftest import SCREENSHOTS, Driver, saving_screenshots, sign_in_to_code

EXAMPLE = DESKTOP_QT


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location("desktop_qt", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_app_signs_in_shows_who_and_signs_out(qtbot: Any) -> None:
    example = load_example()
    args = argparse.Namespace(pool_id=None)
    with example.user_pool(args) as (pool, hint):  # the local user pool's demo users
        # with its messages panel, as a stranger runs it (at a fixed time in the picture: it repeats from run to run)
        fixed = saving_screenshots()
        read = example.local_messages(pool.endpoint_url, now=lambda: 1_800_000_000.0 if fixed else time.time())
        window = example.MainWindow(pool, hint=hint, sign_up_attributes=("name", "email"), messages=read)
        qtbot.addWidget(window)
        window.show()
        assert window.status.text() == "Not signed in."
        assert "tina / Tina-Passw0rd!" in window.hint.text()
        qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
        d = Driver(qtbot, window.dialog)
        assert window.dialog.findChild(QPushButton, "sign_up") is not None  # "No account yet? Create one"
        sign_in_to_code(d, "tina", "Tina-Passw0rd!")
        d.wait_for(CodePage)
        d.type("code", pyotp.TOTP("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").now())
        d.submit()
        qtbot.waitUntil(lambda: window.tokens is not None, timeout=10_000)
        assert window.status.text() == "Signed in as <b>Tina Totp</b> (tina)."
        assert window.button.text() == "Sign out"
        qtbot.waitUntil(lambda: "tina's authenticator app shows" in window.messages.text(), timeout=10_000)
        assert window.messages.isVisible()
        if saving_screenshots():
            assert window.grab().save(str(SCREENSHOTS / "example-signed-in.png"))

        # The account dialog, offered once signed in: tina's authenticator app is there.
        qtbot.mouseClick(window.account_button, Qt.MouseButton.LeftButton)
        account = window.account_dialog
        qtbot.waitUntil(lambda: isinstance(account.widget.page, OverviewScreen)
                        and account.widget.page.info is not None, timeout=10_000)
        mfa = account.widget.page.findChild(QLabel, "value_mfa")
        assert mfa is not None and mfa.text() == "authenticator app"
        account.close()

        access = window.tokens.access_token
        qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.status.text() == "Signed out.", timeout=10_000)
        assert window.tokens is None and window.button.text() == "Sign in…"
        with pytest.raises(NotAuthorizedError):  # revoked at the pool, not only forgotten here
            pool.get_user(access)


def test_on_the_local_pool_the_example_shows_the_codes_it_sent(qtbot: Any) -> None:
    """SMS and email codes cannot be read off a phone here: the example shows the local pool's outbox (and tina's
    authenticator code), and says where the pool listens."""
    example = load_example()
    args = argparse.Namespace(pool_id=None)
    with example.user_pool(args) as (pool, hint):
        assert pool.endpoint_url in hint
        window = example.MainWindow(pool, hint=hint, messages=example.local_messages(pool.endpoint_url))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: "tina's authenticator app shows" in window.messages.text(), timeout=10_000)
        qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
        d = Driver(qtbot, window.dialog)
        sign_in_to_code(d, "sam", "Sam-Passw0rd!")
        d.wait_for(CodePage)
        qtbot.waitUntil(lambda: "SMS to" in window.messages.text() and "for sam: " in window.messages.text(),
                        timeout=10_000)
        code = window.messages.text().rsplit("for sam: ", 1)[1].split()[0]
        d.type("code", code)
        d.submit()
        qtbot.waitUntil(lambda: window.tokens is not None, timeout=10_000)


def test_the_demo_hint_keeps_each_user_and_password_on_one_line(qtbot: Any) -> None:
    """The window's hint lists the demo users: at the window's size no password is broken across lines (the
    label wrapped "Tina-" / "Passw0rd!" before), and no Markdown backticks show."""
    from PySide6.QtGui import QFontMetrics

    example = load_example()
    with example.user_pool(argparse.Namespace(pool_id=None)) as (pool, hint):
        window = example.MainWindow(pool, hint=hint)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        label = window.hint
        metrics = QFontMetrics(label.font())
        for password in demo_passwords():
            line = next(line for line in label.text().split("\n") if password in line)
            assert metrics.horizontalAdvance(line) <= label.contentsRect().width(), (line, label.width())
        assert "`" not in label.text()


def test_the_demo_hint_names_every_demo_user_of_the_pool(qtbot: Any) -> None:
    """The hint lists each user of the demo seed's pool (and its provider's), not five of them: emma, max, uma
    and pia were missing, though the window shows their codes."""
    example = load_example()
    with example.user_pool(argparse.Namespace(pool_id=None)) as (_pool, hint):
        listed = [line.strip().split(" (")[0] for line in hint.split("\n") if " / " in line]
        assert listed == demo_passwords()
        assert "  emma / Emma-Passw0rd! (a code by email, below)" in hint.split("\n")
        assert "  max / Max-Passw0rd! (a choice of MFA method)" in hint.split("\n")


@pytest.mark.parametrize("scale", [1.0, 1.5], ids=["default-font", "font-x1.5"])
def test_the_window_grows_to_show_the_hint_and_every_message(qtbot: Any, qapp: Any, scale: float) -> None:
    """Signed out, with the demo hint and a full messages panel (four messages and tina's code), at the default
    font and at 1.5x: no label gets less height than its wrapped text needs (the hint's first and last lines were
    cut off at 1.5x once four messages had come)."""
    from PySide6.QtGui import QFont

    example = load_example()
    messages = "Messages from the local pool (nothing is really sent):\n" + "\n".join(
        f"EMAIL to someone{n}@example.com for someone{n}: 12345{n}" for n in range(4)
    ) + "\ntina's authenticator app shows 123456 now."
    original = QFont(qapp.font())
    bigger = QFont(original)
    bigger.setPointSizeF(original.pointSizeF() * scale)
    qapp.setFont(bigger)
    try:
        with example.user_pool(argparse.Namespace(pool_id=None)) as (pool, hint):
            window = example.MainWindow(pool, hint=hint, messages=lambda: messages)
            qtbot.addWidget(window)
            window.show()
            qtbot.waitExposed(window)
            qtbot.waitUntil(lambda: window.messages.text() == messages, timeout=10_000)
            qtbot.wait(100)  # the layout settles
            for label in (window.status, window.hint, window.messages):
                needed = label.heightForWidth(label.width())
                assert label.height() >= needed, (label.text()[:40], label.height(), needed)
    finally:
        qapp.setFont(original)
