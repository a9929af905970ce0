"""The passwords of the account-lifecycle tests (sign-up, reset) and rita, a user with TOTP MFA and an email
address for codes."""

from __future__ import annotations

import pyotp

from authflow.localpool import LocalUserPool

PASSWORD = "Sign-Up-Passw0rd!"


NEW_PASSWORD = "Brand-New-Passw0rd!"


def mfa_user(local: LocalUserPool, status: str = "CONFIRMED") -> str:
    """rita, with TOTP MFA and an email address for codes; returns her TOTP secret."""
    secret = pyotp.random_base32()
    local.pool().mfa_configuration = "OPTIONAL"
    local.add_user("rita", PASSWORD, attributes={"email": "rita@example.com", "email_verified": "true"},
                   mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA", totp_secret=secret, status=status)
    return secret
