"""AWS Amplify JS v6 (aws-amplify 6.22.1 from npm, in Node) signs in and manages an account against the
local pool: every sign-in flow Amplify offers, and the operations behind its account APIs. One Node
process runs them all (js/amplify_flows.mjs); each check is asserted here."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import NodeRunner
from .world import DEVICES, MAIN, env, interop_pool, value


@pytest.fixture(scope="module")
def amplify(node: NodeRunner) -> dict[str, Any]:
    with interop_pool() as local:
        results = node("amplify_flows.mjs", env=env(local), timeout=150)
        results["_pool"] = {
            "account_exists": local.pool(MAIN).get("account") is not None,
            "answered": [r.params.get("ChallengeName") for r in local.requests("RespondToAuthChallenge")
                         if r.status == 200],
            "devices": {d.key: d.remembered for d in local.user("device", pool_id=DEVICES).devices.values()},
        }
        return results


def signed_in(results: dict[str, Any], name: str, user: str, steps: list[str]) -> None:
    assert value(results, name) == {"steps": [*steps, "DONE"], "user": user}


@pytest.mark.parametrize(("name", "user", "steps"), [
    ("srp", "srp", []),
    ("user_password_auth", "password", []),
    ("totp", "totp", ["CONFIRM_SIGN_IN_WITH_TOTP_CODE"]),
    ("sms", "sms", ["CONFIRM_SIGN_IN_WITH_SMS_CODE"]),
    ("email_mfa", "emailmfa", ["CONFIRM_SIGN_IN_WITH_EMAIL_CODE"]),
    ("new_password", "newpassword", ["CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"]),
    ("custom_without_srp", "custom", ["CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"] * 2),
    ("custom_with_srp", "custom", ["CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"]),
    ("user_auth_password_srp", "userauth", ["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
                                            "CONFIRM_SIGN_IN_WITH_PASSWORD"]),
    ("user_auth_email_otp", "userauth", ["CONFIRM_SIGN_IN_WITH_EMAIL_CODE"]),
    ("user_auth_sms_otp", "userauth", ["CONFIRM_SIGN_IN_WITH_SMS_CODE"]),
    ("user_auth_password_preferred", "userauth", []),
    ("email_setup", "emailsetup", ["CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION", "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
                                   "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"]),
    ("device_first_sign_in", "device", ["CONFIRM_SIGN_IN_WITH_TOTP_CODE"]),
    ("device_srp_sign_in", "device", []),
])
def test_sign_in_flow(amplify: dict[str, Any], name: str, user: str, steps: list[str]) -> None:
    signed_in(amplify, name, user, steps)


def test_wrong_password_is_refused(amplify: dict[str, Any]) -> None:
    assert amplify["wrong_password"] == {"ok": False,
                                         "error": "NotAuthorizedException: Incorrect username or password."}


def test_select_mfa_type(amplify: dict[str, Any]) -> None:
    result = value(amplify, "select_mfa")
    assert result["choices"] == ["SMS", "TOTP"]
    assert result["steps"] == ["CONTINUE_SIGN_IN_WITH_MFA_SELECTION", "CONFIRM_SIGN_IN_WITH_TOTP_CODE", "DONE"]
    assert result["user"] == "select"


def test_user_auth_offers_the_first_factors(amplify: dict[str, Any]) -> None:
    result = value(amplify, "user_auth_choices")
    assert result["choices"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert result["steps"] == ["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", "CONFIRM_SIGN_IN_WITH_PASSWORD", "DONE"]


def test_totp_setup_at_sign_in(amplify: dict[str, Any]) -> None:
    result = value(amplify, "totp_setup")
    assert result["steps"] == ["CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION", "CONTINUE_SIGN_IN_WITH_TOTP_SETUP", "DONE"]
    assert (result["user"], result["secretLength"]) == ("totpsetup", 32)


def test_refresh(amplify: dict[str, Any]) -> None:
    assert value(amplify, "refresh") == {"sameUser": True, "newToken": True, "sameSignIn": True}


def test_global_sign_out(amplify: dict[str, Any]) -> None:
    assert value(amplify, "sign_out_global") is None


def test_fetch_user_attributes(amplify: dict[str, Any]) -> None:
    attributes = value(amplify, "fetch_user_attributes")
    assert (attributes["email"], attributes["email_verified"]) == ("account@example.com", "true")


def test_changing_the_email_asks_for_a_code(amplify: dict[str, Any]) -> None:
    update = value(amplify, "update_email")
    assert update["email"] == {"isUpdated": False, "nextStep": {
        "updateAttributeStep": "CONFIRM_ATTRIBUTE_WITH_CODE",
        "codeDeliveryDetails": {"attributeName": "email", "deliveryMedium": "EMAIL", "destination": "n***@e***"}}}
    assert update["name"] == {"isUpdated": True, "nextStep": {"updateAttributeStep": "DONE"}}


def test_confirm_user_attribute(amplify: dict[str, Any]) -> None:
    assert value(amplify, "confirm_email") == {"email": "new@example.com", "verified": "true"}


def test_send_user_attribute_verification_code(amplify: dict[str, Any]) -> None:
    assert value(amplify, "send_phone_code") == {
        "destination": "+*******0100", "deliveryMedium": "SMS", "attributeName": "phone_number"}
    assert value(amplify, "confirm_phone") == "true"


def test_delete_user_attributes(amplify: dict[str, Any]) -> None:
    assert value(amplify, "delete_attributes") == [
        "email", "email_verified", "phone_number", "phone_number_verified", "sub"]


def test_set_up_totp_and_mfa_preference(amplify: dict[str, Any]) -> None:
    assert value(amplify, "setup_totp") == {"preferred": "TOTP", "enabled": ["SMS", "TOTP"]}


def test_update_password(amplify: dict[str, Any]) -> None:
    assert value(amplify, "update_password") == "changed"


def test_delete_user(amplify: dict[str, Any]) -> None:
    assert value(amplify, "delete_user") is None
    assert amplify["_pool"]["account_exists"] is False


def test_remember_device(amplify: dict[str, Any]) -> None:
    (device,) = value(amplify, "remember_device")
    assert device["remembered"] == "remembered" and device["id"].startswith("us-east-1_")
    assert "DEVICE_PASSWORD_VERIFIER" in amplify["_pool"]["answered"]


def test_forget_device(amplify: dict[str, Any]) -> None:
    assert value(amplify, "forget_device") == 0
    assert amplify["_pool"]["devices"] == {}
