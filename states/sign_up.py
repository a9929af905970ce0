"""SIGN_UP: a new account (the first state of a sign-up flow; not a Cognito challenge).

Asks for the password (twice) and the attributes the app names (``AuthFlow(sign_up_attributes=...)``; any
other key of the answer is sent as an attribute too), then sends SignUp. Cognito answers with the code's
CodeDeliveryDetails (the flow moves to CONFIRM_SIGN_UP, which asks for it), or with UserConfirmed when a
trigger confirmed the user already (the flow signs in at once). The password is kept in ``ctx.carry`` (this
flow object only, never a snapshot) for a sign-in with the password after the confirmation. A password the
pool's policy refuses is asked again; UsernameExistsException ends the flow.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states._account import PASSWORD, account_prompt, remember_delivery, sign_in_new_user
from authflow.states.base import Context, Exchange, Move, Request, State, answer_value

from authflow.labels import attribute_label
from authflow.prompts import Field, Prompt, PromptKind

NAME = "SIGN_UP"
#: ``ctx.memory`` key: the attribute names to ask for, comma-separated.
ATTRIBUTES = "sign_up_attributes"


def attribute_names(ctx: Context) -> tuple[str, ...]:
    return tuple(name for name in ctx.memory.get(ATTRIBUTES, "").split(",") if name)


def prompt(ctx: Context) -> Prompt:
    names = attribute_names(ctx)
    return account_prompt(
        ctx, PromptKind.SIGN_UP, NAME, f"Choose a password for the new account {ctx.username}",
        Field(name="password", label="Password", secret=True, confirm=True),
        *(Field(name=name, label=attribute_label(name)) for name in names),
        required_attributes=names,
    )


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    password = answer_value(answer, "password", "password")
    attributes = [{"Name": name, "Value": answer_value(answer, name, name)} for name in attribute_names(ctx)]
    attributes += [{"Name": k, "Value": str(v)} for k, v in answer.items()
                   if k not in ("password", *attribute_names(ctx))]
    reply = yield Request("SignUp", {"Username": ctx.username, "Password": password,
                                     "UserAttributes": attributes})
    ctx.carry[PASSWORD] = password
    if reply.get("UserConfirmed") is True:  # confirmed by a trigger: no code to ask
        session = reply.get("Session")
        return (yield from sign_in_new_user(ctx, session if isinstance(session, str) else None))
    remember_delivery(ctx, reply)
    return Move("code_sent")


STATES = (State(NAME, respond, prompt),)
