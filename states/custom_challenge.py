"""CUSTOM_CHALLENGE: a challenge defined by the pool's Lambda triggers (CUSTOM_AUTH).

ChallengeParameters: whatever the Create Auth Challenge trigger made public.
ChallengeResponses: ANSWER. A wrong answer is decided by the pool: a new challenge or a failure.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import Context, Exchange, State, answer_challenge, answer_value, ask

from authflow.errors import ProtocolError
from authflow.prompts import Field, Prompt, PromptKind

NAME = "CUSTOM_CHALLENGE"


def prompt(ctx: Context) -> Prompt:
    question = ctx.challenge.parameters.get("question") or ctx.challenge.parameters.get("QUESTION")
    return ask(ctx, PromptKind.CUSTOM_ANSWER, question or "The user pool asks a custom challenge.",
               Field(name="answer", label=question or "Answer"))


#: Custom challenges answered in one sign-in before the engine gives up on a pool that never decides.
MAX_ROUNDS = 25


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    rounds = int(ctx.memory.get("custom_rounds", "0")) + 1
    if rounds > MAX_ROUNDS:
        raise ProtocolError(f"the user pool asked more than {MAX_ROUNDS} custom challenges in one sign-in")
    ctx.memory["custom_rounds"] = str(rounds)
    return answer_challenge(ctx, {"ANSWER": answer_value(answer, "answer", "answer")})


STATES = (State(NAME, respond, prompt),)
