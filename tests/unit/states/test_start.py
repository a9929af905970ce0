"""states/start.py: a flow that begins with the password waits for it; the others initiate at once."""

from __future__ import annotations

from authflow.states import start
from authflow.states.base import Challenge, Move

from tests.helpers.states import context, run_exchange


def test_start_moves_to_the_password_or_initiates() -> None:
    requests, outcome = run_exchange(start.respond(context(Challenge("start")), {}))
    assert requests == [] and outcome == Move("need_password")
    ctx = context(Challenge("start"), auth_flow="USER_AUTH", preferred_challenge="EMAIL_OTP")
    requests, _ = run_exchange(start.respond(ctx, {}), {})
    assert dict(requests[0].parameters["AuthParameters"]) == {"USERNAME": "alice@example.com",
                                                              "PREFERRED_CHALLENGE": "EMAIL_OTP"}
