"""NEW_PASSWORD_REQUIRED: the user signed in with a temporary password and must choose a new one.

ChallengeParameters: requiredAttributes (JSON array like ["userAttributes.name"]), userAttributes
(JSON object of the current attributes), USER_ID_FOR_SRP.
ChallengeResponses: NEW_PASSWORD, and ``userAttributes.<name>`` for each required attribute.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import (
    Challenge,
    Context,
    Exchange,
    State,
    answer_challenge,
    answer_value,
    ask,
    json_string_list,
    json_string_map,
)

from authflow.errors import MissingAnswerError
from authflow.labels import attribute_label
from authflow.prompts import Field, Prompt, PromptKind

NAME = "NEW_PASSWORD_REQUIRED"
PREFIX = "userAttributes."


def required_attributes(challenge: Challenge) -> tuple[str, ...]:
    """Required attribute names without the ``userAttributes.`` prefix."""
    names = json_string_list(challenge, "requiredAttributes", required=False)
    return tuple(n[len(PREFIX) :] if n.startswith(PREFIX) else n for n in names)


def prompt(ctx: Context) -> Prompt:
    challenge = ctx.challenge
    required = required_attributes(challenge)
    fields = (
        Field(name="new_password", label="New password", secret=True, confirm=True),
        *(Field(name=name, label=attribute_label(name)) for name in required),
    )
    message = "Choose a new password."
    if required:
        message += " Cognito also needs: " + ", ".join(required) + "."
    return ask(ctx, PromptKind.NEW_PASSWORD, message, *fields, required_attributes=required,
               user_attributes=json_string_map(challenge, "userAttributes"))


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    result = {"NEW_PASSWORD": answer_value(answer, "new_password", "new password")}
    for name in required_attributes(ctx.challenge):
        value = answer.get(name)
        if value is None or not str(value).strip():
            raise MissingAnswerError(f"Cognito requires the attribute {name!r}")
        result[PREFIX + name] = str(value).strip()
    return answer_challenge(ctx, result)


STATES = (State(NAME, respond, prompt),)
