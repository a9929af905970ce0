"""Resetting a forgotten password, then signing in with the new one (not Cognito challenges).

FORGOT_PASSWORD (answered without asking) sends ForgotPassword: the first state of a reset flow.
PASSWORD_RESET_REQUIRED is the same request behind a question, for a sign-in that Cognito refused with
PasswordResetRequiredException (recovery in place: the prompt's ``error`` is that refusal): a person, GUI
or script agrees to reset (``{"choice": "RESET_PASSWORD"}``) before a code is sent.
CONFIRM_FORGOT_PASSWORD asks for the code (named RESET_PASSWORD, with where it went; ``Prompt.resend``:
``{"resend": "yes"}`` sends a new one) and the new password, sends ConfirmForgotPassword, then signs in with
the new password as the flow does (MFA included). A wrong code or a password the policy refuses asks again;
an expired code sends a new one at once and asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states._account import (
    RESEND,
    account_prompt,
    remember_delivery,
    sign_in_with_password,
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
    choice_field,
    chosen,
    clean_code,
    code_field,
)

from authflow.errors import ExpiredCodeError
from authflow.labels import choice_label
from authflow.prompts import Field, Prompt, PromptKind

FORGOT = "FORGOT_PASSWORD"
REQUIRED = "PASSWORD_RESET_REQUIRED"
CONFIRM = "CONFIRM_FORGOT_PASSWORD"
#: The ChallengeName of the code prompt (AUTHFLOW_CHALLENGE for AUTHFLOW_CODE_COMMAND).
CODE_NAME = "RESET_PASSWORD"
AGREE = "RESET_PASSWORD"


def forgot_password(ctx: Context) -> Exchange:
    reply = yield Request("ForgotPassword", {"Username": ctx.username})
    remember_delivery(ctx, reply)
    return Move("reset_code_sent")


def forgot_on_arrival(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    return (yield from forgot_password(ctx))


def required_prompt(ctx: Context) -> Prompt:
    return account_prompt(
        ctx, PromptKind.RESET_REQUIRED, REQUIRED,
        f"The password of {ctx.username} must be reset: a code will be sent to set a new one.",
        choice_field("Reset the password", (AGREE,)), choices=(AGREE,), choice_labels={AGREE: choice_label(AGREE)},
    )


def agree_to_reset(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    chosen(answer, (AGREE,), "the answer to PASSWORD_RESET_REQUIRED")
    return (yield from forgot_password(ctx))


def confirm_prompt(ctx: Context) -> Prompt:
    lead = "That code has expired: enter the new code" if isinstance(ctx.error, ExpiredCodeError) else (
        "Enter the password reset code")
    return account_prompt(
        ctx, PromptKind.RESET_PASSWORD, CODE_NAME, f"{lead}{where(ctx)} and a new password for {ctx.username}.",
        code_field(DELIVERED_CODE, label="Reset code"),
        Field(name="new_password", label="New password", secret=True, confirm=True),
        resend=RESEND,
    )


def confirm(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    if wants_resend(answer):
        return (yield from forgot_password(ctx))
    code = clean_code(answer_value(answer, "code", "reset code"))
    password = answer_value(answer, "new_password", "new password")
    try:
        yield Request("ConfirmForgotPassword", {"Username": ctx.username, "ConfirmationCode": code,
                                                "Password": password})
    except ExpiredCodeError:
        yield from forgot_password(ctx)  # a new code is on its way; the refusal asks for it
        raise
    return (yield from sign_in_with_password(ctx, password))


STATES = (
    State(FORGOT, forgot_on_arrival),
    State(REQUIRED, agree_to_reset, required_prompt),
    State(CONFIRM, confirm, confirm_prompt),
)
