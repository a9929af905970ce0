"""states/sms_otp.py: a code Cognito sent by text message as a passwordless first factor."""

from __future__ import annotations

from authflow.states import sms_otp

from authflow.prompts import PromptKind
from tests.helpers.states import assert_code_challenge, challenge, context


def test_code_challenge() -> None:
    assert_code_challenge(sms_otp, "SMS_OTP_CODE", PromptKind.CODE)


def test_the_delivery_as_cognito_gave_it() -> None:
    prompt = sms_otp.prompt(context(challenge("SMS_OTP", CODE_DELIVERY_DESTINATION="+*******0199",
                                              CODE_DELIVERY_DELIVERY_MEDIUM="SMS")))
    assert (prompt.kind, prompt.delivery_medium, prompt.destination) == (PromptKind.CODE, "SMS", "+*******0199")
    assert prompt.resend is None  # Cognito sends no new code within a Session
