"""states/mfa_setup.py: choosing the method, the authenticator app (associate, verify, answer) and email MFA."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from authflow.states import mfa_setup
from authflow.states.base import Follow, Move

from authflow.errors import (
    EnableSoftwareTokenMFAError,
    MalformedResponseError,
    MissingAnswerError,
    UnsupportedChallengeError,
)
from authflow.prompts import PromptKind
from tests.helpers.states import challenge, context, run_exchange


def test_mfa_setup_choices_and_totp_prompt() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]')
    assert mfa_setup.choices(ch) == ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    prompt = mfa_setup.totp_prompt(context(ch, memory={"totp_secret": secret}, totp_issuer="Demo Pool"))
    assert prompt.kind is PromptKind.TOTP_SETUP
    assert prompt.secret_code == secret
    assert secret not in repr(prompt)
    uri = urlparse(prompt.otpauth_uri or "")
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [secret]
    assert parse_qs(uri.query)["issuer"] == ["Demo Pool"]


def test_mfa_setup_accepts_email_mfa_spelling_and_refuses_sms_only() -> None:
    assert mfa_setup.choices(challenge("MFA_SETUP", MFAS_CAN_SETUP='["EMAIL_MFA"]')) == ("EMAIL_OTP",)
    with pytest.raises(UnsupportedChallengeError, match="phone number"):
        mfa_setup.choices(challenge("MFA_SETUP", MFAS_CAN_SETUP='["SMS_MFA"]'))


def test_mfa_setup_first_code_is_cleaned_like_every_other_code() -> None:
    assert mfa_setup.totp_code({"code": " 123-456 "}) == "123456"
    with pytest.raises(MissingAnswerError):
        mfa_setup.totp_code({"code": ""})


def test_mfa_setup_by_app_associates_then_verifies_then_answers() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]')
    ctx = context(ch)
    requests, outcome = run_exchange(mfa_setup.choose_method(ctx, {"choice": "SOFTWARE_TOKEN_MFA"}),
                                     {"SecretCode": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "Session": "S2"})
    assert [(r.operation, dict(r.parameters)) for r in requests] == [("AssociateSoftwareToken", {"Session": "S1"})]
    assert outcome == Move("choose_totp_setup") and ctx.memory == {"totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}
    assert mfa_setup.totp_prompt(ctx).secret_code == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    requests, outcome = run_exchange(mfa_setup.verify_totp(ctx, {"code": "123 456"}), {"Status": "SUCCESS"},
                                     {"AuthenticationResult": {}})
    assert [r.operation for r in requests] == ["VerifySoftwareToken", "RespondToAuthChallenge"]
    assert requests[0].parameters["UserCode"] == "123456"
    assert requests[1].parameters["ChallengeName"] == "MFA_SETUP"
    assert requests[1].parameters["ChallengeResponses"] == {"USERNAME": "alice"}
    assert isinstance(outcome, Follow)
    assert "123456" not in repr(requests[0])  # a request's parameters stay out of its repr


def test_mfa_setup_refusals_are_typed() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["SOFTWARE_TOKEN_MFA"]')
    with pytest.raises(MalformedResponseError, match="SecretCode"):
        run_exchange(mfa_setup.choose_method(context(ch), {"choice": "SOFTWARE_TOKEN_MFA"}), {"Session": "S2"})
    with pytest.raises(EnableSoftwareTokenMFAError):
        run_exchange(mfa_setup.verify_totp(context(ch), {"code": "123456"}), {"Status": "ERROR"})


def test_mfa_setup_by_email_asks_the_address_then_answers_with_it() -> None:
    ch = challenge("MFA_SETUP", MFAS_CAN_SETUP='["EMAIL_OTP"]')
    requests, outcome = run_exchange(mfa_setup.choose_method(context(ch), {"choice": "EMAIL_OTP"}))
    assert requests == [] and outcome == Move("choose_email_setup")
    requests, _ = run_exchange(mfa_setup.send_email(context(ch), {"email": "a@example.com"}), {})
    assert requests[0].parameters["ChallengeResponses"] == {"USERNAME": "alice", "EMAIL": "a@example.com"}
