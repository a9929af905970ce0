"""authflow.totp: RFC 6238's published vectors, secrets of any usable length (pyotp >= 2.12 refuses those
under 112 bits for new secrets; an authenticator app does not), and a typed error for a malformed one."""

from __future__ import annotations

import base64
import json
from importlib.metadata import version
from pathlib import Path

import pyotp
import pytest

from authflow import totp
from authflow.errors import InvalidTotpSecretError, UsageError

VECTORS = json.loads((Path(__file__).parent / "data" / "rfc6238-vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_rfc6238_vectors(digest: str) -> None:
    key = VECTORS["seeds"][digest].encode("ascii")
    for row in VECTORS["vectors"]:
        assert totp.hotp(key, row["time"] // 30, digits=8, digest=digest) == row[digest], row["time"]
        # Cognito's 6 digits are the last 6 of the 8 (the same truncated value modulo 10^6)
        assert totp.hotp(key, row["time"] // 30, digest=digest) == row[digest][-6:]


def test_rfc6238_sha1_through_base32() -> None:
    secret = base64.b32encode(VECTORS["seeds"]["sha1"].encode("ascii")).decode()
    for row in VECTORS["vectors"]:
        assert totp.code_now(secret, row["time"]) == row["sha1"][-6:]


def test_short_secret_works_where_pyotp_refuses_it() -> None:
    short = "JBSWY3DPEHPK3PXP"  # 16 characters, 80 bits: common in the wild
    assert len(totp.secret_bytes(short)) == 10
    code = totp.code_at(short, 1_000_000)
    assert len(code) == 6 and code.isdigit()
    # the same code an app computes: HOTP over the 10-byte key
    assert code == totp.hotp(base64.b32decode(short), 1_000_000)
    if tuple(int(x) for x in version("pyotp").split(".")[:2]) >= (2, 12):
        with pytest.raises(ValueError, match="112 bits"):
            pyotp.TOTP(short)


def test_normal_secret_matches_pyotp() -> None:
    secret = pyotp.random_base32(32)
    for counter in (0, 1, 56_000_000, 8_000_000_000 // 30):
        assert totp.code_at(secret, counter) == pyotp.TOTP(secret).at(counter * 30)


def test_grouped_lowercase_unpadded_secrets() -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    expected = totp.code_at(secret, 42)
    for variant in ("jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp", "JBSWY3DP-EHPK3PXP-JBSWY3DP-EHPK3PXP",
                    secret + "======="[:0]):
        assert totp.code_at(variant, 42) == expected
    assert totp.code_at("MZXQ", 42) == totp.hotp(b"fo", 42)  # unpadded "MZXQ====" (2 bytes)


@pytest.mark.parametrize("bad", ["", "   ", "JBSWY3DP!HPK3PXP", "JBSWY3DPEHPK3PX0", "A", "ABC", "ABCDEF",
                                 "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "JBSWY3DP\nEHPK3PXP"])
def test_malformed_secret_is_a_typed_error_naming_its_source(bad: str) -> None:
    with pytest.raises(InvalidTotpSecretError) as caught:
        totp.code_at(bad, 1, source="AUTHFLOW_TOTP_SECRET")
    error = caught.value
    assert isinstance(error, UsageError) and isinstance(error, ValueError)
    assert error.code == "InvalidTotpSecret"
    assert str(error).startswith("InvalidTotpSecret: AUTHFLOW_TOTP_SECRET ")
    if len(bad.strip()) > 4:
        assert bad not in str(error)


def test_not_text_is_a_typed_error() -> None:
    with pytest.raises(InvalidTotpSecretError, match="--users entry 3"):
        totp.check_secret(12345, "--users entry 3")
