"""Repeatable pictures: while the tests take the docs' screenshots, the local pool's codes and new TOTP secrets
come from a random generator seeded with the test's name, so a screen showing one (the authenticator setup's QR
code and key, a typed reset code) looks the same from run to run and a committed picture changes only when the
screen does. A "working" bar is grabbed at the start of its animation (:func:`still_grab`) for the same reason.

Only the screenshot run does this, and only in the tests' own process: the product (``authflow.localpool.codes``)
always draws from ``secrets``.
"""

from __future__ import annotations

import random
import string
from typing import Any

import pytest

#: Every module that took ``new_code`` or ``new_totp_secret`` by name from ``authflow.localpool.codes``.
CODE_USERS = ("authflow.localpool.auth", "authflow.localpool.attributes", "authflow.localpool.users")
SECRET_USERS = ("authflow.localpool.auth", "authflow.localpool.builders")
BASE32 = string.ascii_uppercase + "234567"


def repeatable_secrets(monkeypatch: pytest.MonkeyPatch, seed: str) -> None:
    """Make the in-process local pool's codes and TOTP secrets a fixed sequence for ``seed``."""
    generator = random.Random(seed)

    def new_code() -> str:
        return f"{generator.randrange(10**6):06d}"

    def new_totp_secret() -> str:
        return "".join(generator.choice(BASE32) for _ in range(32))

    for module in CODE_USERS:
        monkeypatch.setattr(f"{module}.new_code", new_code)
    for module in SECRET_USERS:
        monkeypatch.setattr(f"{module}.new_totp_secret", new_totp_secret)


def still_grab(widget: Any) -> Any:
    """``widget.grab()`` with every style animation under it (Fusion's busy progress bar moves by the clock)
    held at its start, then let go: the picture does not depend on when it was taken."""
    from PySide6.QtCore import QAbstractAnimation, QObject

    moving = [child for child in widget.findChildren(QObject) if isinstance(child, QAbstractAnimation)
              and child.state() == QAbstractAnimation.State.Running]
    for animation in moving:
        animation.pause()
        animation.setCurrentTime(0)
    try:
        return widget.grab()
    finally:
        for animation in moving:
            animation.resume()
