"""Your own suite, testing code that needs Cognito tokens, offline:  pytest examples/test_with_plugin.py

The fixtures come from authflow's pytest plugin (installed with authflow).
"""

from __future__ import annotations

import base64
import json


def username_in(token: str) -> str:
    """What an API behind Cognito would read from the access token (after verifying it)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["username"]


def test_a_totp_user_gets_a_token_my_api_accepts(make_cognito_user, cognito_sign_in) -> None:  # type: ignore[no-untyped-def]
    user = make_cognito_user(mfa="SOFTWARE_TOKEN_MFA")
    tokens = cognito_sign_in(user)
    assert username_in(tokens.access_token) == user.username


def test_an_sms_user_too(make_cognito_user, cognito_sign_in) -> None:  # type: ignore[no-untyped-def]
    user = make_cognito_user(mfa="SMS_MFA")
    assert username_in(cognito_sign_in(user).access_token) == user.username
