"""What the account states share (sign-up, its confirmation, password reset): where a code went, and
signing in once the account is ready."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from authflow.states import awaiting_password, select_challenge
from authflow.states.base import Context, Exchange, Follow, Move, Reply, Request, ask

from authflow.errors import InvalidParameterError
from authflow.prompts import RESEND_ANSWER, Field, Prompt, PromptKind, Resend

#: ``ctx.memory`` keys: where the last code went (CodeDeliveryDetails), for the prompt that asks it.
DESTINATION = "code_destination"
MEDIUM = "code_medium"
#: ``ctx.carry`` key: the password chosen at sign-up (this flow object only, never in a snapshot).
PASSWORD = "account_password"
#: Offered with a code prompt (``Prompt.resend``): its answer (``{"resend": "yes"}``) asks for a new code.
RESEND = Resend()


def remember_delivery(ctx: Context, reply: Reply) -> None:
    """Keep CodeDeliveryDetails (Destination, masked by Cognito, and DeliveryMedium) for the prompt."""
    details = reply.get("CodeDeliveryDetails")
    if not isinstance(details, Mapping):
        return
    for key, name in ((DESTINATION, "Destination"), (MEDIUM, "DeliveryMedium")):
        value = details.get(name)
        if isinstance(value, str) and value:
            ctx.memory[key] = value


def where(ctx: Context) -> str:
    """" sent to <destination>" for a prompt's message, or nothing when Cognito did not say."""
    destination = ctx.memory.get(DESTINATION)
    return f" sent to {destination}" if destination else ""


def account_prompt(ctx: Context, kind: PromptKind, name: str, message: str, *fields: Field,
                   **details: Any) -> Prompt:
    """A prompt of an account state: named ``name`` (whatever challenge the sign-in was at), with where
    the last code went."""
    return ask(ctx, kind, message, *fields, challenge_name=name, parameters={},
               destination=ctx.memory.get(DESTINATION), delivery_medium=ctx.memory.get(MEDIUM), **details)


def wants_resend(answer: Mapping[str, str]) -> bool:
    """Whether ``answer`` asks for a new code (RESEND_ANSWER; "1", "true" and "resend" are taken too)."""
    (key, _), = RESEND_ANSWER.items()
    return str(answer.get(key, "")).strip().lower() in ("1", "yes", "true", "resend")


def sign_in_with_password(ctx: Context, password: str | None, *, user_auth: bool = True) -> Exchange:
    """Sign in as the flow does with a password (``awaiting_password``): at once when the password is
    known, else by asking for it. A USER_AUTH flow prefers a password factor (PASSWORD_SRP unless it
    prefers PASSWORD); where the client has no USER_AUTH (``user_auth=False``) it signs in with SRP."""
    if password is None:
        return Move("need_password")
    if ctx.auth_flow != "USER_AUTH":
        how = ctx
    elif not user_auth:
        how = replace(ctx, auth_flow="USER_SRP_AUTH", preferred_challenge=None)
    elif ctx.preferred_challenge not in select_challenge.NEEDS_PASSWORD:
        how = replace(ctx, preferred_challenge="PASSWORD_SRP")
    else:
        how = ctx
    return (yield from awaiting_password.respond(how, {"password": password}))


def sign_in_new_user(ctx: Context, session: str | None) -> Exchange:
    """Sign a just-confirmed user in: with the Session ConfirmSignUp returned (InitiateAuth USER_AUTH, no
    password sent) where the app client allows USER_AUTH; else with the password."""
    if session:
        try:
            reply = yield Request("InitiateAuth", {
                "AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": ctx.username}, "Session": session,
            })
        except InvalidParameterError as exc:
            if "not enabled" not in exc.message:
                raise
        else:
            return Follow(reply)
    password = ctx.carry.pop(PASSWORD, None)
    return (yield from sign_in_with_password(ctx, password if isinstance(password, str) else None,
                                             user_auth=session is None))
