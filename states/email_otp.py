"""EMAIL_OTP: a code Cognito sent by email, as MFA or as a passwordless first factor (USER_AUTH).

ChallengeParameters: CODE_DELIVERY_DELIVERY_MEDIUM (EMAIL), CODE_DELIVERY_DESTINATION (masked address).
ChallengeResponses: EMAIL_OTP_CODE.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states._code import code_response, delivered_code_prompt
from authflow.states.base import DELIVERED_CODE, Challenge

from authflow.errors import AuthflowError
from authflow.prompts import Prompt

NAME = "EMAIL_OTP"


def prompt(challenge: Challenge, error: AuthflowError | None = None, attempt: int = 1) -> Prompt:
    return delivered_code_prompt(challenge, "email", DELIVERED_CODE, error, attempt)


def responses(challenge: Challenge, answer: Mapping[str, str]) -> dict[str, str]:
    return code_response(answer, "EMAIL_OTP_CODE", "email code")
