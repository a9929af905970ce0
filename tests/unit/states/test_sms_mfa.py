"""states/sms_mfa.py: a code Cognito sent by text message, as the second factor."""

from __future__ import annotations

from authflow.states import sms_mfa

from authflow.prompts import PromptKind
from tests.helpers.states import assert_code_challenge, challenge, context


def test_code_challenge() -> None:
    assert_code_challenge(sms_mfa, "SMS_MFA_CODE", PromptKind.CODE)


def test_a_code_sent_by_text_message_even_when_cognito_does_not_name_the_medium() -> None:
    prompt = sms_mfa.prompt(context(challenge("SMS_MFA", CODE_DELIVERY_DESTINATION="+*******0100")))
    assert (prompt.delivery_medium, prompt.destination) == ("SMS", "+*******0100")
