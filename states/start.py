"""start: nothing sent yet (the engine's own state, not a Cognito challenge; answered without asking).

Flows that begin with the password (USER_SRP_AUTH, USER_PASSWORD_AUTH, USER_AUTH preferring a password
factor, CUSTOM_AUTH started with SRP) move to ``awaiting_password``; the others send InitiateAuth with just
USERNAME (and PREFERRED_CHALLENGE) and follow Cognito's first challenge.
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states import select_challenge
from authflow.states.base import Context, Exchange, Follow, Move, Request, State

NAME = "start"
#: The AuthFlow values a sign-in starts with (REFRESH_TOKEN_AUTH is UserPool.refresh).
AUTH_FLOWS = ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "CUSTOM_AUTH")
#: PREFERRED_CHALLENGE values of USER_AUTH.
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")


def password_first(ctx: Context) -> bool:
    if ctx.auth_flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
        return True
    if ctx.auth_flow == "USER_AUTH":
        return ctx.preferred_challenge in select_challenge.NEEDS_PASSWORD
    return ctx.auth_flow == "CUSTOM_AUTH" and ctx.custom_srp


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    if password_first(ctx):
        return Move("need_password")
    parameters = {"USERNAME": ctx.username}
    if ctx.preferred_challenge:
        parameters["PREFERRED_CHALLENGE"] = ctx.preferred_challenge
    reply = yield Request("InitiateAuth", {"AuthFlow": ctx.auth_flow, "AuthParameters": parameters})
    return Follow(reply)


STATES = (State(NAME, respond),)
