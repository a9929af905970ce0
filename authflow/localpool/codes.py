"""Codes, TOTP secrets and SECRET_HASH: the small secrets every group of operations checks or makes."""

from __future__ import annotations

import hmac
import secrets

import pyotp

from authflow import totp
from authflow.localpool.errors import PoolError
from authflow.localpool.model import AppClient
from authflow.secret_hash import secret_hash


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def new_totp_secret() -> str:
    """A 32-character base32 secret, as AssociateSoftwareToken returns."""
    return pyotp.random_base32(32)


def totp_step(secret: str, code: str, now: float) -> int | None:
    """The time step (RFC 6238: SHA-1, 6 digits, 30 s) whose code is ``code``, trying now and one step
    either side, newest first; None when none matches."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None  # fullwidth or Arabic-Indic digits are digits to str.isdigit, and no code
    key = totp.secret_bytes(secret, "the user's TOTP secret")
    current = int(now // 30)
    for step in (current + 1, current, current - 1):
        if hmac.compare_digest(totp.hotp(key, step), code):
            return step
    return None


def check_secret_hash(client: AppClient, username: str, given: str | None) -> None:
    """SECRET_HASH over ``username`` (what was typed at InitiateAuth, the internal name afterwards)."""
    if client.secret is None:
        return
    if not given:
        raise PoolError(
            "NotAuthorizedException",
            f"Client {client.id} is configured with secret but SECRET_HASH was not received",
            keep_session=True,
        )
    expected = secret_hash(username, client.id, client.secret)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise PoolError(
            "NotAuthorizedException", f"Unable to verify secret hash for client {client.id}", keep_session=True
        )
