"""SELECT_CHALLENGE: choice-based sign-in (USER_AUTH) lets the person pick a first factor.

Cognito lists the choices in the top-level ``AvailableChallenges``.
ChallengeResponses: ANSWER, plus PASSWORD for ANSWER=PASSWORD or SRP_A for ANSWER=PASSWORD_SRP;
ANSWER=EMAIL_OTP / SMS_OTP makes Cognito send a code (next challenge EMAIL_OTP / SMS_OTP); ANSWER=WEB_AUTHN
makes it send the passkey request options (next challenge WEB_AUTHN), as Amplify does. A password
factor is sent with the password, so choosing one moves to ``awaiting_password`` (which sends the answer).
"""

from __future__ import annotations

from collections.abc import Mapping

from authflow.states.base import Challenge, Context, Exchange, Move, State, answer_challenge, choice_prompt, chosen

from authflow.errors import UnsupportedChallengeError
from authflow.prompts import Prompt, PromptKind

NAME = "SELECT_CHALLENGE"

#: First factors this client can complete, in the order a person is offered them.
SUPPORTED = ("WEB_AUTHN", "PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP")
#: First factors that need the password before the answer can be sent.
NEEDS_PASSWORD = frozenset({"PASSWORD", "PASSWORD_SRP"})


def choices(challenge: Challenge) -> tuple[str, ...]:
    available = set(challenge.available_challenges)
    options = tuple(c for c in SUPPORTED if c in available)
    if not options:
        offered = ", ".join(challenge.available_challenges) or "nothing"
        raise UnsupportedChallengeError(
            f"SELECT_CHALLENGE offers {offered}; this client supports {', '.join(SUPPORTED)}",
            challenge_name=NAME,
        )
    return options


def prompt(ctx: Context) -> Prompt:
    return choice_prompt(PromptKind.FIRST_FACTOR, ctx, "Sign in with", "Choose how to sign in: ",
                         choices(ctx.challenge))


def choose(challenge: Challenge, answer: Mapping[str, str]) -> str:
    return chosen(answer, choices(challenge), "the first factor")


def responses(factor: str, *, password: str | None = None, srp_a: str | None = None) -> dict[str, str]:
    """The answer for a chosen first factor (the password or SRP_A where the factor needs one)."""
    result = {"ANSWER": factor}
    if factor == "PASSWORD":
        if password is None:
            raise ValueError("PASSWORD needs the password")
        result["PASSWORD"] = password
    elif factor == "PASSWORD_SRP":
        if srp_a is None:
            raise ValueError("PASSWORD_SRP needs SRP_A")
        result["SRP_A"] = srp_a
    return result


def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
    factor = choose(ctx.challenge, answer)
    if factor in NEEDS_PASSWORD:
        ctx.memory["first_factor"] = factor
        return Move("need_password")
    return (yield from answer_challenge(ctx, responses(factor)))


STATES = (State(NAME, respond, prompt),)
