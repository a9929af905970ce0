"""states/confirm_sign_up.py: ConfirmSignUp, a new code on request or when the code has expired, then the sign-in."""

from __future__ import annotations

import pytest
from authflow.states import confirm_sign_up
from authflow.states._account import PASSWORD
from authflow.states.base import Follow, Move
from authflow.states.password_verifier import SrpHandOff

from authflow.errors import ExpiredCodeError, InvalidParameterError
from tests.helpers.states import DELIVERY, account_context, run_exchange


def test_confirmation_signs_in_with_the_session_without_the_password() -> None:
    c = account_context(carry={PASSWORD: "Pw-1"})
    requests, outcome = run_exchange(confirm_sign_up.respond(c, {"code": "123 456"}), {"Session": "S2"},
                                     {"AuthenticationResult": {"AccessToken": "a"}})
    assert [r.operation for r in requests] == ["ConfirmSignUp", "InitiateAuth"]
    assert requests[0].parameters == {"Username": "nina", "ConfirmationCode": "123456"}
    assert requests[1].parameters == {"AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": "nina"}, "Session": "S2"}
    assert isinstance(outcome, Follow)


def test_without_user_auth_the_password_signs_in_or_is_asked() -> None:
    for carry, expected in (({PASSWORD: "Pw-1"}, "InitiateAuth"), ({}, None)):
        c = account_context(carry=dict(carry))
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
            assert SrpHandOff.take(c).password == "Pw-1"  # for PASSWORD_VERIFIER


def test_an_expired_code_sends_a_new_one_then_asks_again() -> None:
    c = account_context()
    exchange = confirm_sign_up.respond(c, {"code": "123456"})
    next(exchange)
    assert exchange.throw(ExpiredCodeError("expired")).operation == "ResendConfirmationCode"
    with pytest.raises(ExpiredCodeError):
        exchange.send(DELIVERY)
    assert c.memory["code_destination"] == "n***@e***"
    assert "expired" in confirm_sign_up.prompt(account_context(error=ExpiredCodeError("x"))).message


def test_resend_is_an_answer() -> None:
    requests, outcome = run_exchange(confirm_sign_up.respond(account_context(), {"resend": "yes"}), DELIVERY)
    assert [r.operation for r in requests] == ["ResendConfirmationCode"] and outcome == Move("code_sent")
