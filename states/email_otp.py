"""EMAIL_OTP: a code Cognito sent by email, as MFA or as a passwordless first factor (USER_AUTH).

ChallengeParameters: CODE_DELIVERY_DELIVERY_MEDIUM (EMAIL), CODE_DELIVERY_DESTINATION (masked address).
ChallengeResponses: EMAIL_OTP_CODE.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states._code import code_response, delivered_code_prompt
from authflow.states.base import DELIVERED_CODE, Context, Exchange, State, answer_challenge

from authflow.prompts import Prompt

NAME = "EMAIL_OTP"


def prompt(ctx: Context) -> Prompt:
    return delivered_code_prompt(ctx, "email", DELIVERED_CODE, "EMAIL")


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    return answer_challenge(ctx, code_response(answer, "EMAIL_OTP_CODE", "email code"))


STATES = (State(NAME, respond, prompt),)
