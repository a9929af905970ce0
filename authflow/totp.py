"""TOTP codes (RFC 6238) from a base32 secret as an authenticator app computes them.

Code generation takes a secret as it is: an authenticator app accepts any base32 secret, and so does
Cognito (AssociateSoftwareToken hands out 32 characters, but a secret of 16 characters, 80 bits, is common
in the wild). pyotp 2.12 and later refuse secrets under 112 bits when a ``TOTP`` object is built, a policy
for *new* secrets; this module applies none, computes HOTP (RFC 4226) with ``hmac`` directly and is checked
against RFC 6238's published vectors (tests/unit/data/rfc6238-vectors.json).

A malformed secret is an :class:`~authflow.errors.InvalidTotpSecretError` naming where the secret came
from (``source``), never carrying the secret itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

from authflow.errors import InvalidTotpSecretError

#: Cognito's TOTP: HMAC-SHA-1, 6 digits, 30-second steps.
STEP = 30
#: The name an authenticator app shows beside a secret set up through authflow when the app (``totp_issuer``) or
#: the command (``--totp-issuer``, AUTHFLOW_TOTP_ISSUER) names none: a name, not the pool's id.
DEFAULT_TOTP_ISSUER = "authflow"
DIGITS = 6

_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def secret_bytes(secret: object, source: str = "the TOTP secret") -> bytes:
    """The key a base32 ``secret`` stands for. Spaces and hyphens (as apps show secrets in groups), lower
    case and missing ``=`` padding are accepted; anything else raises InvalidTotpSecretError."""
    if not isinstance(secret, str):
        raise InvalidTotpSecretError(f"{source} is not a base32 TOTP secret (it is not text)")
    cleaned = secret.replace(" ", "").replace("-", "").upper().rstrip("=")
    if not cleaned:
        raise InvalidTotpSecretError(f"{source} is empty: a TOTP secret is base32 text (A-Z and 2-7)")
    if not _BASE32.issuperset(cleaned):
        raise InvalidTotpSecretError(f"{source} is not a base32 TOTP secret (only A-Z and 2-7 are allowed)")
    try:
        if len(cleaned) % 8 in (1, 3, 6):  # no whole number of bytes has such a base32 length
            raise binascii.Error
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except binascii.Error:
        raise InvalidTotpSecretError(
            f"{source} is not a base32 TOTP secret (its length, {len(cleaned)} characters, is not one base32 "
            "can have)"
        ) from None


def check_secret(secret: object, source: str = "the TOTP secret") -> str:
    """``secret`` itself when it is a usable base32 secret (see :func:`secret_bytes`)."""
    secret_bytes(secret, source)
    assert isinstance(secret, str)
    return secret


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 HOTP of ``counter`` under ``key``: dynamic truncation, ``digits`` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), _DIGESTS[digest]).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_at(secret: str, counter: int, source: str = "the TOTP secret") -> str:
    """The 6-digit code of time step ``counter`` (``unix time // 30``) for base32 ``secret``."""
    return hotp(secret_bytes(secret, source), counter)


def code_now(secret: str, now: float, source: str = "the TOTP secret") -> str:
    """The code an authenticator app shows at unix time ``now``."""
    return code_at(secret, int(now // STEP), source)
