"""states/awaiting_password.py: the password sent (InitiateAuth, PASSWORD or SRP_A), and the refusals the account
can recover from."""

from __future__ import annotations

from typing import Any

import pytest
from authflow.states import awaiting_password, reset_password
from authflow.states.base import Challenge
from authflow.states.password_verifier import SrpHandOff

from authflow.errors import PasswordResetRequiredError, UserNotConfirmedError
from authflow.prompts import PromptKind
from tests.helpers.states import account_context, context, run_exchange


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"auth_flow": "USER_SRP_AUTH"}, {"SRP_A"}),
        ({"auth_flow": "USER_PASSWORD_AUTH"}, {"PASSWORD"}),
        ({"auth_flow": "CUSTOM_AUTH", "custom_srp": True}, {"SRP_A", "CHALLENGE_NAME"}),
        ({"auth_flow": "USER_AUTH", "preferred_challenge": "PASSWORD"}, {"PASSWORD", "PREFERRED_CHALLENGE"}),
    ],
)
def test_awaiting_password_sends_initiate_auth(options: dict[str, Any], expected: set[str]) -> None:
    ctx = context(Challenge("awaiting_password"), **options)
    requests, _ = run_exchange(awaiting_password.respond(ctx, {"password": "pw"}), {})
    [request] = requests
    assert request.operation == "InitiateAuth" and request.parameters["AuthFlow"] == options["auth_flow"]
    assert set(request.parameters["AuthParameters"]) == {"USERNAME", *expected}
    # For SRP the password and ephemeral wait in carry for PASSWORD_VERIFIER; never otherwise.
    assert [type(value) for value in ctx.carry.values()] == ([SrpHandOff] if "SRP_A" in expected else [])
    if "SRP_A" in expected:
        handed = SrpHandOff.take(ctx)
        assert handed.password == "pw" and handed.ephemeral.srp_a == request.parameters["AuthParameters"]["SRP_A"]
        assert "pw" not in repr(handed)


def test_refusals_that_the_account_can_recover_from() -> None:
    c = account_context()
    assert awaiting_password.refused(c, UserNotConfirmedError("x")) == "user_not_confirmed"
    assert awaiting_password.refused(c, PasswordResetRequiredError("x")) == "password_reset_required"
    prompt = reset_password.required_prompt(account_context(error=PasswordResetRequiredError("x")))
    assert (prompt.kind, prompt.choices) == (PromptKind.RESET_REQUIRED, ("RESET_PASSWORD",))
