"""The account states (states/sign_up.py, confirm_sign_up.py, reset_password.py) as pure code: the
requests each sends for an answer and a reply, with no server."""

from __future__ import annotations

from typing import Any

import pytest
from authflow.states import awaiting_password, confirm_sign_up, reset_password, sign_up
from authflow.states._account import PASSWORD
from authflow.states.base import Challenge, Follow, Move

from authflow.errors import (
    ExpiredCodeError,
    InvalidParameterError,
    PasswordResetRequiredError,
    UserNotConfirmedError,
)
from authflow.prompts import PromptKind
from tests.unit.test_states import context, run_exchange

DELIVERY = {"CodeDeliveryDetails": {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}}


def ctx(**overrides: Any) -> Any:
    return context(Challenge("start", username="nina", user_id="nina"), session=None, **overrides)


def test_sign_up_sends_the_password_and_attributes_and_remembers_where_the_code_went() -> None:
    c = ctx(memory={sign_up.ATTRIBUTES: "email"})
    assert [f.name for f in sign_up.prompt(c).fields] == ["password", "email"]
    requests, outcome = run_exchange(sign_up.respond(c, {"password": "Pw-1", "email": "n@example.com",
                                                         "name": "Nina"}), DELIVERY)
    assert [(r.operation, dict(r.parameters)) for r in requests] == [("SignUp", {
        "Username": "nina", "Password": "Pw-1",
        "UserAttributes": [{"Name": "email", "Value": "n@example.com"}, {"Name": "name", "Value": "Nina"}]})]
    assert outcome == Move("code_sent")
    assert c.carry[PASSWORD] == "Pw-1"
    prompt = confirm_sign_up.prompt(c)
    assert prompt.resend is not None
    assert (prompt.kind, prompt.challenge_name, prompt.destination, dict(prompt.resend.answer)) == (
        PromptKind.CODE, "CONFIRM_SIGN_UP", "n***@e***", {"resend": "yes"})


def test_confirmation_signs_in_with_the_session_without_the_password() -> None:
    c = ctx(carry={PASSWORD: "Pw-1"})
    requests, outcome = run_exchange(confirm_sign_up.respond(c, {"code": "123 456"}), {"Session": "S2"},
                                     {"AuthenticationResult": {"AccessToken": "a"}})
    assert [r.operation for r in requests] == ["ConfirmSignUp", "InitiateAuth"]
    assert requests[0].parameters == {"Username": "nina", "ConfirmationCode": "123456"}
    assert requests[1].parameters == {"AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": "nina"}, "Session": "S2"}
    assert isinstance(outcome, Follow)


def test_without_user_auth_the_password_signs_in_or_is_asked() -> None:
    for carry, expected in (({PASSWORD: "Pw-1"}, "InitiateAuth"), ({}, None)):
        c = ctx(carry=dict(carry))
        exchange = confirm_sign_up.respond(c, {"code": "123456"})
        assert next(exchange).operation == "ConfirmSignUp"
        assert exchange.send({"Session": "S2"}).operation == "InitiateAuth"
        refusal = InvalidParameterError("USER_AUTH flow not enabled for this client")
        if expected is None:
            with pytest.raises(StopIteration) as end:
                exchange.throw(refusal)
            assert end.value.value == Move("need_password")
        else:
            request = exchange.throw(refusal)
            assert request.parameters["AuthFlow"] == "USER_SRP_AUTH" and "SRP_A" in request.parameters["AuthParameters"]
            assert c.carry["password"] == "Pw-1"  # for PASSWORD_VERIFIER


def test_an_expired_code_sends_a_new_one_then_asks_again() -> None:
    c = ctx()
    exchange = confirm_sign_up.respond(c, {"code": "123456"})
    next(exchange)
    assert exchange.throw(ExpiredCodeError("expired")).operation == "ResendConfirmationCode"
    with pytest.raises(ExpiredCodeError):
        exchange.send(DELIVERY)
    assert c.memory["code_destination"] == "n***@e***"
    assert "expired" in confirm_sign_up.prompt(ctx(error=ExpiredCodeError("x"))).message


def test_resend_is_an_answer() -> None:
    requests, outcome = run_exchange(confirm_sign_up.respond(ctx(), {"resend": "yes"}), DELIVERY)
    assert [r.operation for r in requests] == ["ResendConfirmationCode"] and outcome == Move("code_sent")


def test_reset_then_sign_in_with_the_new_password() -> None:
    c = ctx(auth_flow="USER_PASSWORD_AUTH")
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


def test_refusals_that_the_account_can_recover_from() -> None:
    c = ctx()
    assert awaiting_password.refused(c, UserNotConfirmedError("x")) == "user_not_confirmed"
    assert awaiting_password.refused(c, PasswordResetRequiredError("x")) == "password_reset_required"
    prompt = reset_password.required_prompt(ctx(error=PasswordResetRequiredError("x")))
    assert (prompt.kind, prompt.choices) == (PromptKind.RESET_REQUIRED, ("RESET_PASSWORD",))


def test_after_a_reset_a_user_auth_flow_signs_in_with_a_password_factor() -> None:
    c = ctx(auth_flow="USER_AUTH")
    exchange = reset_password.confirm(c, {"code": "123456", "new_password": "New-1"})
    assert next(exchange).operation == "ConfirmForgotPassword"
    request = exchange.send({})
    assert request.parameters["AuthFlow"] == "USER_AUTH"
    assert request.parameters["AuthParameters"]["PREFERRED_CHALLENGE"] == "PASSWORD_SRP"
