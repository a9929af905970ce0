"""The docs' screenshots repeat from run to run: while they are saved, a new TOTP secret (the authenticator setup's
QR code and key) and the codes the local pool sends come from a generator seeded with the test's name. Outside
that run the pool's secrets stay random."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QProgressBar

from authflow.localpool import LocalUserPool
from tests.helpers.screenshots import repeatable_secrets, still_grab
from tests.localpool.helpers import idp, password_auth

PASSWORD = "Pictures-Passw0rd!"


def new_secret_and_code() -> tuple[str, str]:
    """In a fresh pool: the secret AssociateSoftwareToken gives, and the code ForgotPassword sends."""
    with LocalUserPool() as local:
        local.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true"})
        client = idp(local)
        access = password_auth(client, local.client_id, "ada", PASSWORD)["AuthenticationResult"]["AccessToken"]
        secret = str(client.associate_software_token(AccessToken=access)["SecretCode"])
        client.forgot_password(ClientId=local.client_id, Username="ada")
        return secret, local.last_code("ada", purpose="RESET_PASSWORD")


def test_the_same_test_gets_the_same_secret_and_code(monkeypatch: pytest.MonkeyPatch) -> None:
    repeatable_secrets(monkeypatch, "tests/qt/test_dialog.py::a_test")
    first = new_secret_and_code()
    repeatable_secrets(monkeypatch, "tests/qt/test_dialog.py::a_test")
    assert new_secret_and_code() == first
    secret, code = first
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert len(code) == 6 and code.isdigit()
    repeatable_secrets(monkeypatch, "tests/qt/test_dialog.py::another_test")
    assert new_secret_and_code()[0] != secret


def test_without_it_the_pool_draws_new_secrets() -> None:
    assert new_secret_and_code()[0] != new_secret_and_code()[0]


def test_a_working_bar_is_pictured_the_same_whenever_it_is_grabbed(qtbot: Any) -> None:
    """busy.png showed Fusion's moving bar wherever the clock had it; held at its start it repeats (and it moves on
    afterwards)."""
    bar = QProgressBar()
    bar.setRange(0, 0)  # "working", as the dialog's
    bar.setTextVisible(False)
    bar.resize(300, 8)
    qtbot.addWidget(bar)
    bar.show()
    qtbot.wait(100)
    first = still_grab(bar).toImage()
    qtbot.wait(700)
    assert still_grab(bar).toImage() == first
    qtbot.waitUntil(lambda: bar.grab().toImage() != first, timeout=5_000)  # held only for the picture: it moves on
