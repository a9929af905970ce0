"""CUSTOM_CHALLENGE: a challenge defined by the pool's Lambda triggers (CUSTOM_AUTH).

ChallengeParameters: whatever the Create Auth Challenge trigger made public.
ChallengeResponses: ANSWER. A wrong answer is decided by the pool: a new challenge or a failure.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import Challenge, answer_value

from authflow.errors import AuthflowError
from authflow.prompts import Field, Prompt, PromptKind

NAME = "CUSTOM_CHALLENGE"


def prompt(challenge: Challenge, error: AuthflowError | None = None, attempt: int = 1) -> Prompt:
    question = challenge.parameters.get("question") or challenge.parameters.get("QUESTION")
    return Prompt(
        kind=PromptKind.CUSTOM_ANSWER,
        challenge_name=NAME,
        fields=(Field(name="answer", label=question or "Answer"),),
        message=question or "The user pool asks a custom challenge.",
        username=challenge.username,
        parameters=dict(challenge.parameters),
        error=error,
        attempt=attempt,
    )


def responses(challenge: Challenge, answer: Mapping[str, str]) -> dict[str, str]:
    return {"ANSWER": answer_value(answer, "answer", "answer")}
