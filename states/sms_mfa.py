"""SMS_MFA: a code Cognito sent by text message, as the second factor.

ChallengeParameters: CODE_DELIVERY_DELIVERY_MEDIUM (SMS), CODE_DELIVERY_DESTINATION (masked number).
ChallengeResponses: SMS_MFA_CODE.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states._code import code_response, delivered_code_prompt
from authflow.states.base import DELIVERED_CODE, Challenge

from authflow.errors import AuthflowError
from authflow.prompts import Prompt

NAME = "SMS_MFA"


def prompt(challenge: Challenge, error: AuthflowError | None = None, attempt: int = 1) -> Prompt:
    return delivered_code_prompt(challenge, "SMS", DELIVERED_CODE, error, attempt)


def responses(challenge: Challenge, answer: Mapping[str, str]) -> dict[str, str]:
    return code_response(answer, "SMS_MFA_CODE", "SMS code")
