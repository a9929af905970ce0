"""SELECT_MFA_TYPE: the user has several MFA methods and no preferred one; pick one for this sign-in.

ChallengeParameters: MFAS_CAN_CHOOSE (JSON array, e.g. ["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]).
ChallengeResponses: ANSWER (one of them); Cognito then sends that MFA challenge.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import (
    Challenge,
    Context,
    Exchange,
    State,
    answer_challenge,
    choice_prompt,
    chosen,
    json_string_list,
)

from authflow.prompts import Prompt, PromptKind

NAME = "SELECT_MFA_TYPE"


def choices(challenge: Challenge) -> tuple[str, ...]:
    return json_string_list(challenge, "MFAS_CAN_CHOOSE")


def prompt(ctx: Context) -> Prompt:
    return choice_prompt(PromptKind.MFA_CHOICE, ctx, "MFA method", "Choose how to confirm it is you: ",
                         choices(ctx.challenge))


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    return answer_challenge(ctx, {"ANSWER": chosen(answer, choices(ctx.challenge), "the MFA method")})


STATES = (State(NAME, respond, prompt),)
