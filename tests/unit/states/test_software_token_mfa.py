"""states/software_token_mfa.py: a code from the person's authenticator app (a TOTP_CODE prompt)."""

from __future__ import annotations

from authflow.states import software_token_mfa

from authflow.prompts import PromptKind
from tests.helpers.states import assert_code_challenge, challenge, context


def test_code_challenge() -> None:
    assert_code_challenge(software_token_mfa, "SOFTWARE_TOKEN_MFA_CODE", PromptKind.TOTP_CODE)


def test_an_authenticator_code_is_never_a_delivered_one() -> None:
    prompt = software_token_mfa.prompt(context(challenge("SOFTWARE_TOKEN_MFA")))
    assert (prompt.kind, prompt.delivery_medium, prompt.destination, prompt.resend) == (
        PromptKind.TOTP_CODE, None, None, None)
    assert prompt.fields[0].pattern == r"^[0-9]{6}$"
    assert "authenticator app" in prompt.message
