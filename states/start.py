"""start: nothing sent yet (the engine's own state, not a Cognito challenge; answered without asking).

Flows that begin with the password (USER_SRP_AUTH, USER_PASSWORD_AUTH, USER_AUTH preferring a password
factor, CUSTOM_AUTH started with SRP) move to ``awaiting_password``; the others send InitiateAuth with just
USERNAME (and PREFERRED_CHALLENGE) and follow Cognito's first challenge. A flow that begins with the
account instead (``AuthFlow(begin=...)``: sign_up, confirm_sign_up, resend_code, forgot_password) moves
there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from authflow.states import select_challenge, sign_up
from authflow.states.base import Context, Exchange, Follow, Move, Request, State

NAME = "start"
#: The AuthFlow values a sign-in starts with (REFRESH_TOKEN_AUTH is UserPool.refresh).
AUTH_FLOWS = ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "CUSTOM_AUTH")
#: PREFERRED_CHALLENGE values of USER_AUTH.
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
#: What a flow may begin with instead of signing in (it signs in afterwards): the event of the table
#: that leads to states/sign_up.py, states/confirm_sign_up.py or states/reset_password.py.
BEGINNINGS = ("sign_up", "confirm_sign_up", "resend_code", "forgot_password")
#: ``ctx.memory`` key: the event a flow begins with when it does not begin by signing in.
BEGIN = "begin"


def initial_memory(begin: str | None, sign_up_attributes: Sequence[str] = ()) -> dict[str, str]:
    """A new flow's ``memory``: what it begins with (one of BEGINNINGS, or None to sign in) and the
    attributes SIGN_UP asks for."""
    if begin is not None and begin not in BEGINNINGS:
        raise ValueError(f"begin must be one of {', '.join(BEGINNINGS)}")
    memory = {BEGIN: begin} if begin else {}
    if sign_up_attributes:
        memory[sign_up.ATTRIBUTES] = ",".join(sign_up_attributes)
    return memory


def password_first(ctx: Context) -> bool:
    if ctx.auth_flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
        return True
    if ctx.auth_flow == "USER_AUTH":
        return ctx.preferred_challenge in select_challenge.NEEDS_PASSWORD
    return ctx.auth_flow == "CUSTOM_AUTH" and ctx.custom_srp


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    begin = ctx.memory.get(BEGIN)
    if begin:
        return Move(begin)
    if password_first(ctx):
        return Move("need_password")
    parameters = {"USERNAME": ctx.username}
    if ctx.preferred_challenge:
        parameters["PREFERRED_CHALLENGE"] = ctx.preferred_challenge
    reply = yield Request("InitiateAuth", {"AuthFlow": ctx.auth_flow, "AuthParameters": parameters})
    return Follow(reply)


STATES = (State(NAME, respond),)
