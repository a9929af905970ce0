"""SOFTWARE_TOKEN_MFA: a code from the person's authenticator app (TOTP): a TOTP_CODE prompt.

ChallengeParameters: none that the client needs.
ChallengeResponses: SOFTWARE_TOKEN_MFA_CODE (exactly six digits).
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import (
    TOTP_CODE,
    Context,
    Exchange,
    State,
    answer_challenge,
    answer_value,
    ask,
    clean_code,
    code_field,
)

from authflow.prompts import Prompt, PromptKind

NAME = "SOFTWARE_TOKEN_MFA"


def prompt(ctx: Context) -> Prompt:
    return ask(ctx, PromptKind.TOTP_CODE, "Enter the 6-digit code from your authenticator app.",
               code_field(TOTP_CODE, label="Authenticator code"))


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    code = clean_code(answer_value(answer, "code", "authenticator code"))
    return answer_challenge(ctx, {"SOFTWARE_TOKEN_MFA_CODE": code})


STATES = (State(NAME, respond, prompt),)
