"""states/reset_password.py: ForgotPassword, ConfirmForgotPassword, then the sign-in with the new password."""

from __future__ import annotations

from authflow.states import reset_password
from authflow.states.base import Move

from authflow.prompts import PromptKind
from tests.helpers.states import DELIVERY, account_context, run_exchange


def test_reset_then_sign_in_with_the_new_password() -> None:
    c = account_context(auth_flow="USER_PASSWORD_AUTH")
    requests, outcome = run_exchange(reset_password.forgot_on_arrival(c, {}), DELIVERY)
    assert [r.operation for r in requests] == ["ForgotPassword"] and outcome == Move("reset_code_sent")
    prompt = reset_password.confirm_prompt(c)
    assert (prompt.kind, prompt.challenge_name, [f.name for f in prompt.fields]) == (
        PromptKind.RESET_PASSWORD, "RESET_PASSWORD", ["code", "new_password"])
    requests, outcome = run_exchange(reset_password.confirm(c, {"code": "123456", "new_password": "New-1"}), {},
                                     {"AuthenticationResult": {"AccessToken": "a"}})
    assert [(r.operation, r.parameters.get("AuthFlow")) for r in requests] == [
        ("ConfirmForgotPassword", None), ("InitiateAuth", "USER_PASSWORD_AUTH")]
    assert requests[1].parameters["AuthParameters"] == {"USERNAME": "nina", "PASSWORD": "New-1"}


def test_after_a_reset_a_user_auth_flow_signs_in_with_a_password_factor() -> None:
    c = account_context(auth_flow="USER_AUTH")
    exchange = reset_password.confirm(c, {"code": "123456", "new_password": "New-1"})
    assert next(exchange).operation == "ConfirmForgotPassword"
    request = exchange.send({})
    assert request.parameters["AuthFlow"] == "USER_AUTH"
    assert request.parameters["AuthParameters"]["PREFERRED_CHALLENGE"] == "PASSWORD_SRP"
