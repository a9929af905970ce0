"""How the account handle reads Cognito's replies (pure code): MFA settings, passkey MFA and auth factors."""

from __future__ import annotations

import pytest

from authflow.account import MfaSettings, _factors, _mfa_settings
from authflow.errors import MalformedResponseError


def test_passkey_mfa_is_unknown_unless_listed() -> None:
    """UserMFASettingList is documented as SMS_MFA, EMAIL_OTP and SOFTWARE_TOKEN_MFA only: its absence of WEB_AUTHN
    says nothing about passkey MFA (None, never False); a pool that lists WEB_AUTHN says it is on."""
    assert _mfa_settings({"UserMFASettingList": ["SOFTWARE_TOKEN_MFA"], "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"}) \
        == MfaSettings(("SOFTWARE_TOKEN_MFA",), "SOFTWARE_TOKEN_MFA", None)
    assert _mfa_settings({}) == MfaSettings((), None, None)
    assert _mfa_settings({"UserMFASettingList": ["EMAIL_OTP", "WEB_AUTHN"]}) == MfaSettings(("EMAIL_OTP",), None, True)


def test_malformed_replies_are_typed_errors() -> None:
    with pytest.raises(MalformedResponseError):
        _mfa_settings({"UserMFASettingList": "SMS_MFA"})
    with pytest.raises(MalformedResponseError):
        _factors({"ConfiguredUserAuthFactors": [1]})
    assert _factors({"ConfiguredUserAuthFactors": ["PASSWORD", "WEB_AUTHN"]}) == ("PASSWORD", "WEB_AUTHN")
