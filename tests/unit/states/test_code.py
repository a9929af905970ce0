"""states/_code.py: what the delivered-code challenges share (the CODE prompt with where the code went; the cleaned
code)."""

from __future__ import annotations

from authflow.states import sms_mfa

from tests.helpers.states import challenge, context


def test_delivered_code_prompt_says_where_it_went() -> None:
    prompt = sms_mfa.prompt(context(challenge("SMS_MFA", CODE_DELIVERY_DESTINATION="+*******0100",
                                              CODE_DELIVERY_DELIVERY_MEDIUM="SMS")))
    assert prompt.destination == "+*******0100"
    assert prompt.delivery_medium == "SMS"
    assert "+*******0100" in prompt.message
