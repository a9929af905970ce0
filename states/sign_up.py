"""SIGN_UP: a new account (the first state of a sign-up flow; not a Cognito challenge).

Asks for the password (twice) and the attributes the app names (``AuthFlow(sign_up_attributes=...)``; any
other key of the answer is sent as an attribute too), then sends SignUp. Cognito answers with the code's
CodeDeliveryDetails (the flow moves to CONFIRM_SIGN_UP, which asks for it), or with UserConfirmed when a
trigger confirmed the user already (the flow signs in at once). The password is kept in ``ctx.carry`` (this
flow object only, never a snapshot) for a sign-in with the password after the confirmation. A password the
pool's policy refuses is asked again; UsernameExistsException ends the flow.

Which attributes the pool requires cannot be asked of Cognito without AWS credentials (DescribeUserPool is
signed), so they are learned from its refusal, "Attributes did not conform to the schema: name: The
attribute is required": each attribute it names is asked for too (:func:`refused`), the password already
chosen is kept (this flow object only), and SignUp is sent again. A value Cognito refuses for its format
("Invalid phone number format.", "Invalid email address format.") is asked again the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from authflow.states._account import PASSWORD, account_prompt, remember_delivery, sign_in_new_user
from authflow.states.base import Context, Exchange, Move, Request, State, answer_value, retry_when_retryable

from authflow.errors import AuthflowError, InvalidParameterError, NoConfirmationCodeError
from authflow.labels import attribute_label
from authflow.prompts import Field, Prompt, PromptKind

NAME = "SIGN_UP"
#: ``ctx.memory`` key: the attribute names to ask for, comma-separated.
ATTRIBUTES = "sign_up_attributes"


#: ``ctx.carry`` key: the password of a SignUp that Cognito refused for a missing attribute (asked no more).
CHOSEN = "sign_up_password"
#: An attribute Cognito's refusal says the pool requires (one per line when several are missing).
_REQUIRED = re.compile(r"([\w:.-]+): The attribute is required")
#: Cognito's refusal of a value's format (InvalidParameterException) -> the attribute it is about.
_BAD_FORMAT = {"invalid phone number format": "phone_number", "invalid email address format": "email"}


def attribute_names(ctx: Context) -> tuple[str, ...]:
    return tuple(name for name in ctx.memory.get(ATTRIBUTES, "").split(",") if name)


def required_by_refusal(error: AuthflowError) -> tuple[str, ...]:
    """The attributes an InvalidParameterException of SignUp says are required (none for another error)."""
    if not isinstance(error, InvalidParameterError) or "did not conform to the schema" not in error.message:
        return ()
    return tuple(dict.fromkeys(_REQUIRED.findall(error.message)))


def badly_formatted(error: AuthflowError) -> tuple[str, ...]:
    """The attribute whose value an InvalidParameterException of SignUp refuses for its format (none else)."""
    if not isinstance(error, InvalidParameterError):
        return ()
    text = error.message.lower()
    return tuple(name for wording, name in _BAD_FORMAT.items() if wording in text)


def prompt(ctx: Context) -> Prompt:
    names = attribute_names(ctx)
    if CHOSEN in ctx.carry:  # asked again for the attributes Cognito wants: the password stands
        message = f"The user pool needs more about the new account {ctx.username}"
        fields = [Field(name=name, label=attribute_label(name)) for name in names]
    else:
        message = f"Choose a password for the new account {ctx.username}"
        fields = [Field(name="password", label="Password", secret=True, confirm=True),
                  *(Field(name=name, label=attribute_label(name)) for name in names)]
    return account_prompt(ctx, PromptKind.SIGN_UP, NAME, message, *fields, required_attributes=names)


def refused(ctx: Context, error: AuthflowError) -> str | None:
    """A SignUp refused for attributes the pool requires, or for a value's format: ask for them (keeping the
    password); else ask again what may be retried (a password the policy refuses), or end."""
    missing = required_by_refusal(error) or badly_formatted(error)
    if missing:  # asked (again), e.g. a phone number not in the +15555550100 form
        ctx.memory[ATTRIBUTES] = ",".join(dict.fromkeys((*attribute_names(ctx), *missing)))
        return "retry"
    ctx.carry.pop(CHOSEN, None)  # e.g. a password the policy refuses: it is asked again
    return retry_when_retryable(ctx, error)


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    chosen = ctx.carry.get(CHOSEN)
    password = answer_value(answer, "password", "password") if not isinstance(chosen, str) else chosen
    ctx.carry[CHOSEN] = password
    attributes = [{"Name": name, "Value": answer_value(answer, name, name)} for name in attribute_names(ctx)]
    attributes += [{"Name": k, "Value": str(v)} for k, v in answer.items()
                   if k not in ("password", *attribute_names(ctx))]
    reply = yield Request("SignUp", {"Username": ctx.username, "Password": password,
                                     "UserAttributes": attributes})
    ctx.carry[PASSWORD] = password
    if reply.get("UserConfirmed") is True:  # confirmed by a trigger: no code to ask
        session = reply.get("Session")
        return (yield from sign_in_new_user(ctx, session if isinstance(session, str) else None))
    if not isinstance(reply.get("CodeDeliveryDetails"), Mapping):  # no code exists: none to ask for
        raise NoConfirmationCodeError(
            f"the account {ctx.username} was created but is not confirmed, and Cognito sent no confirmation code "
            "(the pool verifies neither email nor phone number automatically, or the account has neither): an "
            "administrator confirms it (AdminConfirmSignUp)")
    remember_delivery(ctx, reply)
    return Move("code_sent")


STATES = (State(NAME, respond, prompt, refused),)
