"""The built-in demo seed: every demo user reaches the scenario it is there for."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from authflow.localpool import LocalUserPool

from .helpers import idp, password_auth


@pytest.fixture(scope="module")
def demo() -> Iterator[LocalUserPool]:
    with LocalUserPool("demo") as pool:
        yield pool


def user(demo: LocalUserPool, name: str) -> dict:
    return next(u for u in demo.demo_users() if u["username"] == name)


def first_answer(demo: LocalUserPool, name: str) -> dict:
    row = user(demo, name)
    return password_auth(idp(demo), row["client_id"], name, row["password"])


@pytest.mark.parametrize(("name", "challenge"), [
    ("tina", "SOFTWARE_TOKEN_MFA"), ("sam", "SMS_MFA"), ("emma", "EMAIL_OTP"), ("max", "SELECT_MFA_TYPE"),
    ("newton", "NEW_PASSWORD_REQUIRED"), ("sean", "MFA_SETUP"),
])
def test_demo_user_reaches_its_challenge(demo: LocalUserPool, name: str, challenge: str) -> None:
    assert first_answer(demo, name)["ChallengeName"] == challenge


def test_alice_signs_straight_in(demo: LocalUserPool) -> None:
    assert "AuthenticationResult" in first_answer(demo, "alice")


def test_newton_must_give_a_name(demo: LocalUserPool) -> None:
    params = first_answer(demo, "newton")["ChallengeParameters"]
    assert json.loads(params["requiredAttributes"]) == ["userAttributes.name"]


def test_sean_can_set_up_totp_or_email(demo: LocalUserPool) -> None:
    params = first_answer(demo, "sean")["ChallengeParameters"]
    assert json.loads(params["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]


def test_max_chooses_among_three(demo: LocalUserPool) -> None:
    params = first_answer(demo, "max")["ChallengeParameters"]
    assert json.loads(params["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]


def test_uma_chooses_her_first_factor(demo: LocalUserPool) -> None:
    first = idp(demo).initiate_auth(ClientId=demo.client_id, AuthFlow="USER_AUTH",
                                    AuthParameters={"USERNAME": "uma"})
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]


def test_tina_secret_is_the_printed_one(demo: LocalUserPool) -> None:
    assert demo.user("tina").totp_secret == user(demo, "tina")["totp_secret"] == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
