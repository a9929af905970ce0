"""states/sign_up.py: SignUp with the password and the attributes, and where the code went."""

from __future__ import annotations

from authflow.states import confirm_sign_up, sign_up
from authflow.states._account import PASSWORD
from authflow.states.base import Move

from authflow.prompts import PromptKind
from tests.helpers.states import DELIVERY, account_context, run_exchange


def test_sign_up_sends_the_password_and_attributes_and_remembers_where_the_code_went() -> None:
    c = account_context(memory={sign_up.ATTRIBUTES: "email"})
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
