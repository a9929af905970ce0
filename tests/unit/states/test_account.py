"""states/_account.py: what the account states share: where the last code went, the answer that asks for a
new code, and signing in once the account is ready."""

from __future__ import annotations

import pytest
from authflow.states import _account
from authflow.states.password_verifier import SrpHandOff

from authflow.prompts import RESEND_ANSWER, PromptKind
from tests.helpers.states import DELIVERY, account_context, run_exchange


def test_where_the_last_code_went_is_kept_for_the_prompt() -> None:
    c = account_context()
    assert _account.where(c) == ""
    _account.remember_delivery(c, DELIVERY)
    assert _account.where(c) == " sent to n***@e***"
    prompt = _account.account_prompt(c, PromptKind.CODE, "CONFIRM_SIGN_UP", "Enter the code")
    assert (prompt.challenge_name, prompt.destination, prompt.delivery_medium, dict(prompt.parameters)) == (
        "CONFIRM_SIGN_UP", "n***@e***", "EMAIL", {})
    _account.remember_delivery(c, {"CodeDeliveryDetails": "not an object"})  # a malformed reply changes nothing
    assert _account.where(c) == " sent to n***@e***"


@pytest.mark.parametrize(("answer", "wants"), [
    (dict(RESEND_ANSWER), True), ({"resend": "1"}, True), ({"resend": "TRUE"}, True), ({"resend": "resend"}, True),
    ({"resend": "no"}, False), ({"code": "123456"}, False), ({}, False),
])
def test_the_answer_that_asks_for_a_new_code(answer: dict[str, str], wants: bool) -> None:
    assert _account.wants_resend(answer) is wants
    assert dict(_account.RESEND.answer) == dict(RESEND_ANSWER)


def test_signing_in_with_the_password_prefers_srp() -> None:
    c = account_context(auth_flow="USER_AUTH")
    requests, _ = run_exchange(_account.sign_in_with_password(c, "Pw-1"), {})
    assert requests[0].parameters["AuthParameters"]["PREFERRED_CHALLENGE"] == "PASSWORD_SRP"
    assert SrpHandOff.take(c).password == "Pw-1"  # for PASSWORD_VERIFIER
    requests, outcome = run_exchange(_account.sign_in_with_password(account_context(), None))
    assert requests == [] and outcome.event == "need_password"  # type: ignore[union-attr]
