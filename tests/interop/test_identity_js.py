"""amazon-cognito-identity-js 6.3.21 (npm, in Node) against the local pool: its sign-in callbacks (SRP,
USER_PASSWORD_AUTH, TOTP, SMS, MFA selection, new password, custom challenges, MFA setup, remembered
devices) and the account operations behind its CognitoUser methods. One Node process runs them all
(js/identity_js_flows.mjs); each check is asserted here."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import NodeRunner
from .world import DEVICES, MAIN, env, interop_pool, value


@pytest.fixture(scope="module")
def identity(node: NodeRunner) -> dict[str, Any]:
    with interop_pool() as local:
        results = node("identity_js_flows.mjs", env=env(local), timeout=150)
        results["_pool"] = {
            "srp_exists": local.pool(MAIN).get("srp") is not None,
            "answered": [r.params.get("ChallengeName") for r in local.requests("RespondToAuthChallenge")
                         if r.status == 200],
            "account": dict(local.user("account", pool_id=MAIN).attributes),
            "devices": len(local.user("device", pool_id=DEVICES).devices),
        }
        return results


@pytest.mark.parametrize(("name", "user", "callbacks"), [
    ("srp", "srp", []),
    ("user_password_auth", "password", []),
    ("totp", "totp", ["totpRequired"]),
    ("sms", "sms", ["mfaRequired"]),
    ("select_mfa", "select", ["selectMFAType", "totpRequired"]),
    ("new_password", "newpassword", ["newPasswordRequired"]),
    ("custom_without_srp", "custom", ["customChallenge"]),
    ("custom_with_srp", "custom", ["customChallenge"]),
    ("totp_setup", "totpsetup", ["mfaSetup"]),
    ("device_first_sign_in", "device", ["totpRequired"]),
    ("device_srp_sign_in", "device", []),
])
def test_sign_in_flow(identity: dict[str, Any], name: str, user: str, callbacks: list[str]) -> None:
    assert value(identity, name) == {"seen": callbacks, "user": user}


def test_wrong_password_is_refused(identity: dict[str, Any]) -> None:
    assert identity["wrong_password"] == {"ok": False,
                                          "error": "NotAuthorizedException: Incorrect username or password."}


def test_custom_with_srp_checked_the_password_first(identity: dict[str, Any]) -> None:
    assert "PASSWORD_VERIFIER" in identity["_pool"]["answered"]
    assert "CUSTOM_CHALLENGE" in identity["_pool"]["answered"]


def test_get_user_attributes(identity: dict[str, Any]) -> None:
    before = value(identity, "get_user_attributes")
    assert (before["email"], before["email_verified"]) == ("account@example.com", "true")


def test_update_attributes_then_verify_the_email(identity: dict[str, Any]) -> None:
    assert value(identity, "update_attributes") == "SUCCESS"
    assert value(identity, "verify_email") == "SUCCESS"


def test_get_attribute_verification_code(identity: dict[str, Any]) -> None:
    assert value(identity, "attribute_verification_code") == {"CodeDeliveryDetails": {
        "Destination": "+*******0100", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}}
    assert value(identity, "verify_phone") == "SUCCESS"


def test_delete_attributes(identity: dict[str, Any]) -> None:
    assert value(identity, "delete_attributes") == "SUCCESS"
    after = value(identity, "attributes_after")
    assert (after["email"], after["email_verified"], after["phone_number_verified"]) == (
        "new@example.com", "true", "true")
    assert "name" not in after


def test_enable_and_disable_sms_mfa(identity: dict[str, Any]) -> None:
    assert value(identity, "enable_mfa") == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert value(identity, "disable_mfa") == []


def test_software_token_and_mfa_preference(identity: dict[str, Any]) -> None:
    assert value(identity, "software_token") == {"preferred": "SOFTWARE_TOKEN_MFA", "list": ["SOFTWARE_TOKEN_MFA"]}


def test_change_password(identity: dict[str, Any]) -> None:
    assert value(identity, "change_password") == "SUCCESS"


def test_refresh_session(identity: dict[str, Any]) -> None:
    assert value(identity, "refresh_session") == {"user": "account", "newToken": True}


def test_sign_out_revokes_the_refresh_token(identity: dict[str, Any]) -> None:
    assert value(identity, "revoke_token_sign_out") == "signed out"


def test_global_sign_out(identity: dict[str, Any]) -> None:
    assert identity["global_sign_out"] == {"ok": False,
                                           "error": "NotAuthorizedException: Access Token has been revoked"}


def test_delete_user(identity: dict[str, Any]) -> None:
    assert value(identity, "delete_user") == "SUCCESS"
    assert identity["_pool"]["srp_exists"] is False


def test_remember_device(identity: dict[str, Any]) -> None:
    (device,) = value(identity, "remember_device")
    assert device["dev:device_remembered_status"] == "remembered" and device["device_name"] == "nodejs"
    assert "DEVICE_PASSWORD_VERIFIER" in identity["_pool"]["answered"]


def test_forget_device(identity: dict[str, Any]) -> None:
    assert value(identity, "forget_device") == 0
    assert identity["_pool"]["devices"] == 0
