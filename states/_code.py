"""Shared shape of the one-time-code challenges (SMS_MFA, EMAIL_OTP, SMS_OTP, SOFTWARE_TOKEN_MFA)."""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import Context, answer_value, clean_code, code_field

from authflow.prompts import Prompt, PromptKind


def delivered_code_prompt(ctx: Context, what: str, pattern: str) -> Prompt:
    parameters = ctx.challenge.parameters
    destination = parameters.get("CODE_DELIVERY_DESTINATION")
    where = f" sent to {destination}" if destination else ""
    return Prompt(
        kind=PromptKind.CODE,
        challenge_name=ctx.challenge.name,
        fields=(code_field(pattern, label=f"{what} code"),),
        message=f"Enter the {what} code{where}.",
        username=ctx.username,
        destination=destination,
        delivery_medium=parameters.get("CODE_DELIVERY_DELIVERY_MEDIUM"),
        parameters=dict(parameters),
        error=ctx.error,
        attempt=ctx.attempt,
    )


def code_response(answer: Mapping[str, str], response_key: str, what: str) -> dict[str, str]:
    return {response_key: clean_code(answer_value(answer, "code", what))}
