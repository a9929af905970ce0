"""CONFIRM_SIGN_UP: the code that confirms a new account, then the sign-in (not a Cognito challenge).

Reached after SIGN_UP (the code was just sent), from ``start`` in a flow that confirms an earlier sign-up,
after RESEND_CONFIRMATION_CODE (ResendConfirmationCode, answered without asking), or in the middle of a
sign-in that Cognito refused with UserNotConfirmedException (recovery in place: the prompt's ``error`` is
that refusal). The prompt is a CODE prompt named CONFIRM_SIGN_UP, with where the code went; it offers
a new code (``Prompt.resend``: answer ``{"resend": "yes"}``, the same question comes back). The answer goes
to ConfirmSignUp.
A wrong code asks again; an expired one sends a new code at once and asks for it. Once confirmed, the user
is signed in with ConfirmSignUp's Session (InitiateAuth USER_AUTH) where the app client allows it, else
with the password (known from SIGN_UP, or asked).
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states._account import (
    RESEND,
    account_prompt,
    remember_delivery,
    sign_in_new_user,
    wants_resend,
    where,
)
from authflow.states.base import (
    DELIVERED_CODE,
    Context,
    Exchange,
    Move,
    Request,
    State,
    answer_value,
    clean_code,
    code_field,
)

from authflow.errors import ExpiredCodeError, UserNotConfirmedError
from authflow.prompts import Prompt, PromptKind

NAME = "CONFIRM_SIGN_UP"
RESEND_NAME = "RESEND_CONFIRMATION_CODE"


def prompt(ctx: Context) -> Prompt:
    if isinstance(ctx.error, UserNotConfirmedError):
        message = f"{ctx.username} has not confirmed the account yet: enter the confirmation code{where(ctx)}"
    elif isinstance(ctx.error, ExpiredCodeError):
        message = f"That code has expired: enter the new code{where(ctx)}"
    else:
        message = f"Enter the confirmation code{where(ctx)}"
    return account_prompt(ctx, PromptKind.CODE, NAME, message + " (or ask for a new one).",
                          code_field(DELIVERED_CODE, label="Confirmation code"), resend=RESEND)


def resend(ctx: Context) -> Exchange:
    reply = yield Request("ResendConfirmationCode", {"Username": ctx.username})
    remember_delivery(ctx, reply)
    return Move("code_sent")


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    if wants_resend(answer):
        return (yield from resend(ctx))
    code = clean_code(answer_value(answer, "code", "confirmation code"))
    try:
        reply = yield Request("ConfirmSignUp", {"Username": ctx.username, "ConfirmationCode": code})
    except ExpiredCodeError:
        yield from resend(ctx)  # a new code is on its way; the refusal asks for it
        raise
    session = reply.get("Session")
    return (yield from sign_in_new_user(ctx, session if isinstance(session, str) else None))


def resend_on_arrival(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    return (yield from resend(ctx))


STATES = (State(NAME, respond, prompt), State(RESEND_NAME, resend_on_arrival))
