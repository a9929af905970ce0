"""SMS_MFA: a code Cognito sent by text message, as the second factor.

ChallengeParameters: CODE_DELIVERY_DELIVERY_MEDIUM (SMS), CODE_DELIVERY_DESTINATION (masked number).
ChallengeResponses: SMS_MFA_CODE.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states._code import code_response, delivered_code_prompt
from authflow.states.base import DELIVERED_CODE, Context, Exchange, State, answer_challenge

from authflow.prompts import Prompt

NAME = "SMS_MFA"


def prompt(ctx: Context) -> Prompt:
    return delivered_code_prompt(ctx, "SMS", DELIVERED_CODE, "SMS")


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    return answer_challenge(ctx, code_response(answer, "SMS_MFA_CODE", "SMS code"))


STATES = (State(NAME, respond, prompt),)
