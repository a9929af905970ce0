"""The Qt dialog's tests run on Qt's offscreen platform (a virtual screen: no display needed).

``AUTHFLOW_SAVE_SCREENSHOTS=1`` makes them save each screen they reach to ``docs/qt/`` (the README's
pictures).
"""

from __future__ import annotations

import os
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.exceptions import TimeoutError

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before pytest-qt makes the QApplication

from PySide6.QtCore import QPoint, Qt, QThreadPool
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QDialog, QLineEdit, QRadioButton, QWidget

from authflow.localpool import LocalUserPool
from authflow.qt import DialogResult, PasswordPage, Screen, SignInDialog, SignInWidget, UsernameScreen
from authflow.transport import UserPool
from tests.helpers.screenshots import repeatable_secrets, still_grab

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "qt"
MFA_POOL = ("us-east-1_MfaOnly01", "authflowdemomfaclient00001")  # the demo seed's MFA-required pool


class WatchedPool(UserPool):
    """A UserPool that records on which thread each Cognito call was made."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, bool]] = []  # (operation, made on the UI thread)

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((operation, threading.current_thread() is threading.main_thread()))
        return super().call(operation, **kwargs)


def saving_screenshots() -> bool:
    return os.environ.get("AUTHFLOW_SAVE_SCREENSHOTS") == "1"


@pytest.fixture(autouse=True)
def repeatable_pictures(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """While saving the screenshots: the local pool's codes and TOTP secrets repeat from run to run."""
    if saving_screenshots():
        repeatable_secrets(monkeypatch, request.node.nodeid)


@pytest.fixture
def fake_keyring(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An in-memory system keyring (the ``keyring`` package's three functions)."""
    store: dict[str, str] = {}
    module = types.ModuleType("keyring")
    module.set_password = lambda service, name, value: store.__setitem__((service, name), value)  # type: ignore[attr-defined]
    module.get_password = lambda service, name: store.get((service, name))  # type: ignore[attr-defined]
    module.delete_password = lambda service, name: store.pop((service, name))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", module)
    return store


@pytest.fixture
def demo() -> Iterator[LocalUserPool]:
    with LocalUserPool("demo") as local:
        yield local


def watched(local: LocalUserPool, pool_id: str | None = None, client_id: str | None = None, *,
            endpoint_url: str | None = None) -> WatchedPool:
    """A WatchedPool of ``local``'s pool (through ``endpoint_url``, a proxy in front of it, when given)."""
    return WatchedPool(pool_id or local.pool_id, client_id or local.client_id,
                       endpoint_url=endpoint_url or local.endpoint_url)


class Driver:
    """Works the dialog the way a person does: types into fields, clicks buttons, waits for screens."""

    def __init__(self, qtbot: Any, dialog: SignInDialog) -> None:
        self.qtbot, self.dialog = qtbot, dialog

    @property
    def widget(self) -> SignInWidget:
        return self.dialog.widget

    @property
    def page(self) -> Screen:
        return self.widget.page

    def wait_for(self, screen: type[Screen], timeout: int = 10_000) -> Screen:
        try:
            self.qtbot.waitUntil(lambda: not self.widget.busy and isinstance(self.page, screen), timeout=timeout)
        except TimeoutError as exc:
            page = self.page
            raise AssertionError(f"still on {type(page).__name__}: {page.error.text()!r}") from exc
        return self.page

    def field(self, name: str) -> QLineEdit:
        line = self.page.findChild(QLineEdit, name)
        assert line is not None, f"no field {name!r} on {type(self.page).__name__}"
        return line

    def type(self, name: str, text: str) -> None:
        line = self.field(name)
        line.clear()
        self.qtbot.keyClicks(line, text)

    def click(self, name: str, parent: QWidget | None = None) -> None:
        button = (parent or self.dialog).findChild(QAbstractButton, name)
        assert button is not None, f"no button {name!r}"
        # A radio button or check box reacts on its mark and label, not on the empty rest of its row.
        at = QPoint(8, button.height() // 2) if isinstance(button, (QRadioButton, QCheckBox)) else QPoint()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=at if not at.isNull() else button.rect().center())

    def submit(self) -> None:
        self.qtbot.mouseClick(self.widget.submit_button, Qt.MouseButton.LeftButton)

    def text(self, name: str) -> str:
        label = self.page.findChild(QWidget, name)
        assert label is not None
        return str(label.text())  # type: ignore[attr-defined]

    def snap(self, name: str) -> None:
        """Save the dialog as it looks now, when AUTHFLOW_SAVE_SCREENSHOTS=1."""
        if saving_screenshots():
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.qtbot.wait(50)  # let the layout settle
            assert still_grab(self.dialog).save(str(SCREENSHOTS / f"{name}.png"))


def sign_in_to_code(d: Driver, username: str, password: str) -> None:
    """The first two screens: the username, then the password (submitted)."""
    d.wait_for(UsernameScreen)
    d.type("username", username)
    d.submit()
    d.wait_for(PasswordPage)
    d.type("password", password)
    d.submit()


def signed_in(d: Driver, local: LocalUserPool, username: str) -> DialogResult:
    """Waits for the dialog to be accepted; its result holds tokens the pool issued to ``username``."""
    d.qtbot.waitUntil(lambda: d.dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    result = d.dialog.result_value
    assert isinstance(result, DialogResult)
    assert local.access_token_claims(result.tokens.access_token)["username"] == username
    return result


@pytest.fixture
def open_dialog(qtbot: Any) -> Iterator[Any]:
    """Opens a SignInDialog on a WatchedPool; at the end, checks that no Cognito call ran on the UI thread."""
    pools: list[WatchedPool] = []

    def open_(pool: WatchedPool, **options: Any) -> Driver:
        pools.append(pool)
        dialog = SignInDialog(pool, **options)
        qtbot.addWidget(dialog)
        dialog.show()
        return Driver(qtbot, dialog)

    yield open_
    assert QThreadPool.globalInstance().waitForDone(10_000)  # no call still running when the pool stops
    calls = [call for pool in pools for call in pool.calls]
    assert calls and not [operation for operation, on_ui in calls if on_ui], "a Cognito call ran on the UI thread"
