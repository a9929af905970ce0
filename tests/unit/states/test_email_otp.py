"""states/email_otp.py: a code Cognito sent by email, as MFA or as a passwordless first factor."""

from __future__ import annotations

from authflow.states import email_otp

from authflow.prompts import PromptKind
from tests.helpers.states import assert_code_challenge, challenge, context


def test_code_challenge() -> None:
    assert_code_challenge(email_otp, "EMAIL_OTP_CODE", PromptKind.CODE)


def test_a_code_sent_by_email_even_when_cognito_does_not_name_the_medium() -> None:
    prompt = email_otp.prompt(context(challenge("EMAIL_OTP", CODE_DELIVERY_DESTINATION="a***@e***")))
    assert (prompt.delivery_medium, prompt.destination) == ("EMAIL", "a***@e***")
    assert "a***@e***" in prompt.message
    assert prompt.fields[0].pattern == r"^[0-9]{6,8}$"  # eight digits in some passwordless setups
