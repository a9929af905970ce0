"""SOFTWARE_TOKEN_MFA: a code from the person's authenticator app (TOTP).

ChallengeParameters: none that the client needs.
ChallengeResponses: SOFTWARE_TOKEN_MFA_CODE (exactly six digits).
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import TOTP_CODE, Challenge, answer_value, clean_code, code_field

from authflow.errors import AuthflowError
from authflow.prompts import Prompt, PromptKind

NAME = "SOFTWARE_TOKEN_MFA"


def prompt(challenge: Challenge, error: AuthflowError | None = None, attempt: int = 1) -> Prompt:
    return Prompt(
        kind=PromptKind.CODE,
        challenge_name=NAME,
        fields=(code_field(TOTP_CODE, label="Authenticator code"),),
        message="Enter the 6-digit code from your authenticator app.",
        username=challenge.username,
        parameters=dict(challenge.parameters),
        error=error,
        attempt=attempt,
    )


def responses(challenge: Challenge, answer: Mapping[str, str]) -> dict[str, str]:
    return {"SOFTWARE_TOKEN_MFA_CODE": clean_code(answer_value(answer, "code", "authenticator code"))}
