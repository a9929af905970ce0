"""Repeatable pictures: while the tests take the docs' screenshots, the local pool's codes and new TOTP secrets
come from a random generator seeded with the test's name, so a screen showing one (the authenticator setup's QR
code and key, a typed reset code) looks the same from run to run and a committed picture changes only when the
screen does.

Only the screenshot run does this, and only in the tests' own process: the product (``authflow.localpool.codes``)
always draws from ``secrets``.
"""

from __future__ import annotations

import random
import string

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
