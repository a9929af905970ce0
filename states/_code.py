"""Shared shape of the challenges whose code Cognito delivers (SMS_MFA, EMAIL_OTP, SMS_OTP)."""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import Context, answer_value, ask, clean_code, code_field

from authflow.prompts import Prompt, PromptKind


def delivered_code_prompt(ctx: Context, what: str, pattern: str, medium: str) -> Prompt:
    """A CODE prompt for a code Cognito sent by ``medium`` (SMS or EMAIL: the challenge's own, used when
    CODE_DELIVERY_DELIVERY_MEDIUM is absent), with the masked destination when Cognito gave it."""
    destination = ctx.challenge.parameters.get("CODE_DELIVERY_DESTINATION")
    where = f" sent to {destination}" if destination else ""
    return ask(ctx, PromptKind.CODE, f"Enter the {what} code{where}.", code_field(pattern, label=f"{what} code"),
               destination=destination,
               delivery_medium=ctx.challenge.parameters.get("CODE_DELIVERY_DELIVERY_MEDIUM") or medium)


def code_response(answer: Mapping[str, str], response_key: str, what: str) -> dict[str, str]:
    return {response_key: clean_code(answer_value(answer, "code", what))}
