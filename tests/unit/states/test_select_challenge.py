"""states/select_challenge.py: the first factors offered (in order), their answers, and a password factor waiting
for the password."""

from __future__ import annotations

import pytest
from authflow.states import awaiting_password, select_challenge
from authflow.states.base import Challenge, Move

from authflow.errors import UnsupportedChallengeError
from authflow.prompts import PromptKind
from tests.helpers.states import context, run_exchange


def test_select_challenge_offers_supported_factors_in_order() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob",
                   available_challenges=("WEB_AUTHN", "EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"))
    prompt = select_challenge.prompt(context(ch))
    assert prompt.kind is PromptKind.FIRST_FACTOR
    assert prompt.choices == ("WEB_AUTHN", "PASSWORD_SRP", "PASSWORD", "EMAIL_OTP")
    assert select_challenge.choose(ch, {"choice": "EMAIL_OTP"}) == "EMAIL_OTP"
    assert select_challenge.responses("EMAIL_OTP") == {"ANSWER": "EMAIL_OTP"}
    assert select_challenge.responses("PASSWORD", password="pw") == {"ANSWER": "PASSWORD", "PASSWORD": "pw"}
    assert select_challenge.responses("PASSWORD_SRP", srp_a="abc") == {"ANSWER": "PASSWORD_SRP", "SRP_A": "abc"}


def test_select_challenge_with_only_passkeys_offers_the_passkey() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob", available_challenges=("WEB_AUTHN",))
    assert select_challenge.prompt(context(ch)).choices == ("WEB_AUTHN",)
    assert select_challenge.responses("WEB_AUTHN") == {"ANSWER": "WEB_AUTHN"}


def test_select_challenge_offering_nothing_known_is_unsupported() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob", available_challenges=("SOMETHING_NEW",))
    with pytest.raises(UnsupportedChallengeError):
        select_challenge.prompt(context(ch))


def test_select_challenge_password_factors_wait_for_the_password() -> None:
    ch = Challenge("SELECT_CHALLENGE", {}, "bob", "bob", available_challenges=("PASSWORD_SRP", "EMAIL_OTP"))
    ctx = context(ch)
    requests, outcome = run_exchange(select_challenge.respond(ctx, {"choice": "PASSWORD_SRP"}))
    assert requests == [] and outcome == Move("need_password") and ctx.memory == {"first_factor": "PASSWORD_SRP"}
    requests, _ = run_exchange(awaiting_password.respond(ctx, {"password": "pw"}), {})
    assert requests[0].parameters["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(requests[0].parameters["ChallengeResponses"]) == {"USERNAME", "ANSWER", "SRP_A"}
    requests, _ = run_exchange(select_challenge.respond(context(ch), {"choice": "EMAIL_OTP"}), {})
    assert requests[0].parameters["ChallengeResponses"] == {"USERNAME": "bob", "ANSWER": "EMAIL_OTP"}
