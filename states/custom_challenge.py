"""CUSTOM_CHALLENGE: a challenge defined by the pool's Lambda triggers (CUSTOM_AUTH).

ChallengeParameters: whatever the Create Auth Challenge trigger made public.
ChallengeResponses: ANSWER. A wrong answer is decided by the pool: a new challenge or a failure.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import Context, Exchange, State, answer_challenge, answer_value, ask

from authflow.prompts import Field, Prompt, PromptKind

NAME = "CUSTOM_CHALLENGE"


def prompt(ctx: Context) -> Prompt:
    question = ctx.challenge.parameters.get("question") or ctx.challenge.parameters.get("QUESTION")
    return ask(ctx, PromptKind.CUSTOM_ANSWER, question or "The user pool asks a custom challenge.",
               Field(name="answer", label=question or "Answer"))


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    return answer_challenge(ctx, {"ANSWER": answer_value(answer, "answer", "answer")})


STATES = (State(NAME, respond, prompt),)
