"""awaiting_password: the password is needed before the next call (the engine's own state).

Reached from ``start`` when the flow begins with the password, or from SELECT_CHALLENGE after choosing
PASSWORD or PASSWORD_SRP. The answer is sent as InitiateAuth (PASSWORD, or SRP_A for an SRP flow) or as
SELECT_CHALLENGE's answer (ANSWER with PASSWORD or SRP_A). For SRP, the password and the ephemeral are left
for PASSWORD_VERIFIER (a ``password_verifier.SrpHandOff``); :func:`prepare` makes the ephemeral as soon as
the flow waits for the password, while it is typed. A refused password in a flow that starts with it is asked again
(a fresh InitiateAuth follows); after SELECT_CHALLENGE the Session is spent and the sign-in fails.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states import select_challenge
from authflow.states.base import Context, Exchange, Follow, Request, State, answer_challenge, answer_value, ask
from authflow.states.password_verifier import SrpHandOff

from authflow.errors import (
    AuthflowError,
    IncorrectCredentialsError,
    PasswordResetRequiredError,
    UserNotConfirmedError,
)
from authflow.prompts import Field, Prompt, PromptKind
from authflow.srp import ClientEphemeral

NAME = "awaiting_password"
EARLY_EPHEMERAL = "early_ephemeral"  # made by prepare(), used by the first answer only
PASSWORD = Field(name="password", label="Password", secret=True)


def prompt(ctx: Context) -> Prompt:
    # Named after the first factor chosen in SELECT_CHALLENGE, if any; no challenge's parameters.
    return ask(ctx, PromptKind.PASSWORD, f"Password for {ctx.username}", PASSWORD,
               challenge_name=ctx.memory.get("first_factor"), parameters={})


def sends_password(ctx: Context) -> bool:
    """Whether the password itself is sent (PASSWORD, USER_PASSWORD_AUTH) rather than proven by SRP."""
    factor = ctx.memory.get("first_factor")
    if factor:
        return factor == "PASSWORD"
    return ctx.auth_flow == "USER_PASSWORD_AUTH" or ctx.preferred_challenge == "PASSWORD"


def prepare(ctx: Context) -> None:
    """Before the password is known: make SRP's ephemeral (A = g^a) now, so answering costs less."""
    if not sends_password(ctx):
        ctx.carry[EARLY_EPHEMERAL] = ctx.new_ephemeral()


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    password = answer_value(answer, "password", "password")
    plain = sends_password(ctx)
    early = ctx.carry.pop(EARLY_EPHEMERAL, None)
    ephemeral = None if plain else early if isinstance(early, ClientEphemeral) else ctx.new_ephemeral()
    if ephemeral is not None:
        SrpHandOff(password, ephemeral).leave(ctx)
    factor = ctx.memory.get("first_factor")
    if factor:  # chosen in SELECT_CHALLENGE: its answer carries the password or SRP_A
        responses = select_challenge.responses(
            factor, password=password if plain else None, srp_a=ephemeral.srp_a if ephemeral else None
        )
        return (yield from answer_challenge(ctx, responses, name=select_challenge.NAME))
    parameters = {"USERNAME": ctx.username}
    if ephemeral is None:
        parameters["PASSWORD"] = password
    else:
        parameters["SRP_A"] = ephemeral.srp_a
        if ctx.auth_flow == "CUSTOM_AUTH":
            parameters["CHALLENGE_NAME"] = "SRP_A"
    if ctx.preferred_challenge:
        parameters["PREFERRED_CHALLENGE"] = ctx.preferred_challenge
    reply = yield Request("InitiateAuth", {"AuthFlow": ctx.auth_flow, "AuthParameters": parameters})
    return Follow(reply)


def refused(ctx: Context, error: AuthflowError) -> str | None:
    if isinstance(error, IncorrectCredentialsError) and "first_factor" not in ctx.memory:
        return "password_refused"
    # The account is not ready: recover in place (states/confirm_sign_up.py, states/reset_password.py).
    if isinstance(error, UserNotConfirmedError):
        return "user_not_confirmed"
    if isinstance(error, PasswordResetRequiredError):
        return "password_reset_required"
    return None


STATES = (State(NAME, respond, prompt, refused, prepare),)
