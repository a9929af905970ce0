"""Shared shape of the one-time-code challenges (SMS_MFA, EMAIL_OTP, SMS_OTP, SOFTWARE_TOKEN_MFA)."""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import Challenge, answer_value, clean_code, code_field

from authflow.errors import AuthflowError
from authflow.prompts import Prompt, PromptKind


def delivered_code_prompt(
    challenge: Challenge, what: str, pattern: str, error: AuthflowError | None, attempt: int
) -> Prompt:
    destination = challenge.parameters.get("CODE_DELIVERY_DESTINATION")
    medium = challenge.parameters.get("CODE_DELIVERY_DELIVERY_MEDIUM")
    where = f" sent to {destination}" if destination else ""
    return Prompt(
        kind=PromptKind.CODE,
        challenge_name=challenge.name,
        fields=(code_field(pattern, label=f"{what} code"),),
        message=f"Enter the {what} code{where}.",
        username=challenge.username,
        destination=destination,
        delivery_medium=medium,
        parameters=dict(challenge.parameters),
        error=error,
        attempt=attempt,
    )


def code_response(answer: Mapping[str, str], response_key: str, what: str) -> dict[str, str]:
    return {response_key: clean_code(answer_value(answer, "code", what))}
