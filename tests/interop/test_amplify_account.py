"""AWS Amplify JS v6 through the account lifecycle against the local pool (js/amplify_account.mjs): sign-up
with auto sign-in over USER_AUTH, a new code, forced refreshes on an app client that rotates refresh tokens
with no grace period (a refresh with a rotated-out token would be refused), password reset."""

from __future__ import annotations

import json
from typing import Any

import pytest

from authflow.localpool import LocalUserPool

from .conftest import NodeRunner

PASSWORD = "Amplify-Passw0rd!"
NEW_PASSWORD = "Amplify-Passw0rd-2!"
SEED: dict[str, Any] = {"pools": [{
    "auto_verified_attributes": ["email"], "allowed_first_auth_factors": ["PASSWORD"],
    "clients": [{"id": "amplifyaccount", "refresh_token_rotation": True, "retry_grace_period_seconds": 0,
                 "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
}]}


def test_amplify_sign_up_auto_sign_in_rotation_and_reset(node: NodeRunner) -> None:
    with LocalUserPool(SEED) as local:
        results = node("amplify_account.mjs", timeout=90, env={
            "POOL_ID": local.pool_id, "CLIENT_ID": "amplifyaccount", "ENDPOINT_URL": local.endpoint_url,
            "USERNAME": "amy", "PASSWORD": PASSWORD, "NEW_PASSWORD": NEW_PASSWORD})
        failed = {name: r["error"] for name, r in results.items() if not r["ok"]}
        assert not failed, failed
        value = {name: r["value"] for name, r in results.items()}
        assert value["sign_up"] == {"complete": False, "step": "CONFIRM_SIGN_UP", "destination": "a***@e***"}
        assert value["resend_sign_up_code"] == "a***@e***"
        assert value["confirm_sign_up"] == "COMPLETE_AUTO_SIGN_IN"
        assert value["auto_sign_in"] == {"signedIn": True, "user": "amy"}
        assert value["force_refresh_twice"] == {"distinct": 3, "user": "amy"}
        assert value["reset_password"] == {"step": "CONFIRM_RESET_PASSWORD_WITH_CODE", "destination": "a***@e***"}
        assert value["sign_in_with_new_password"] == {"signedIn": True, "user": "amy"}
        # autoSignIn: InitiateAuth USER_AUTH with ConfirmSignUp's Session; the password went only in SignUp.
        first = local.requests("InitiateAuth")[0]
        assert (first.params["AuthFlow"], bool(first.params.get("Session")), first.status) == ("USER_AUTH", True, 200)
        requests = local.requests()
        reset = next(i for i, r in enumerate(requests) if r.operation == "ForgotPassword")
        assert [r.operation for r in requests[:reset] if PASSWORD in json.dumps(r.params)] == ["SignUp"]
        # Rotation: each forced refresh used the refresh token the previous one handed out (grace 0).
        refreshes = local.requests("GetTokensFromRefreshToken")
        assert [r.status for r in refreshes] == [200, 200]
        assert refreshes[0].params["RefreshToken"] != refreshes[1].params["RefreshToken"]
        assert local.user("amy").status == "CONFIRMED"


def test_amplify_account_calls_and_authflow_agree(node: NodeRunner) -> None:
    """Amplify JS v6's account API changes an account (password, authenticator app, MFA preference, attributes and
    their verification, devices remembered and forgotten), signs out everywhere (the access token it held is then
    refused by the pool) and deletes another user; authflow's Account then reads the same account and deletes it."""
    from authflow import Account, ScriptedHandler, UserPool, sign_in
    from authflow.tokencache import jwt_claims

    seed: dict[str, Any] = {"pools": [{
        "mfa": "OPTIONAL", "mfa_types": ["SOFTWARE_TOKEN_MFA"], "auto_verified_attributes": ["email"],
        "device_tracking": "opt_in",
        "clients": [{"id": "amplifychanges"}],
        "users": [{"username": "cora", "password": PASSWORD,
                   "attributes": {"email": "cora@example.com", "email_verified": "true"}},
                  {"username": "dan", "password": PASSWORD}],
    }]}
    with LocalUserPool(seed) as local:
        out = node("amplify_account_changes.mjs", timeout=90, env={
            "POOL_ID": local.pool_id, "CLIENT_ID": "amplifychanges", "ENDPOINT_URL": local.endpoint_url,
            "USERNAME": "cora", "DELETE_USERNAME": "dan", "PASSWORD": PASSWORD,
            "NEW_PASSWORD": NEW_PASSWORD})
        results = out["results"]
        failed = {name: r["error"] for name, r in results.items() if not r["ok"]}
        assert not failed, failed
        value = {name: r["value"] for name, r in results.items()}
        assert value["set_up_totp"] == "otpauth:"
        assert value["update_mfa_preference"] == {"enabled": ["TOTP"], "preferred": "TOTP"}
        assert value["update_user_attributes"] == {"email": "CONFIRM_ATTRIBUTE_WITH_CODE", "nickname": "DONE"}
        assert value["resend_attribute_code"] == "c***@c***"
        assert value["confirm_user_attribute"] == {"email": "cora@changed.example", "verified": "true"}
        assert value["delete_user_attributes"] is None
        # Devices: Amplify confirmed its device at sign-in (the pool tracks them when the user says so).
        assert value["fetch_devices"] == [{"name": value["fetch_devices"][0]["name"], "remembered": "not_remembered"}]
        assert value["remember_device"] == [{"name": value["fetch_devices"][0]["name"], "remembered": "remembered"}]
        assert value["forget_device"] == []
        assert [r.status for r in local.requests("UpdateDeviceStatus")] == [200]
        assert [r.status for r in local.requests("ForgetDevice")] == [200] and local.user("cora").devices == {}
        assert value["sign_out_global"] == {"local": None, "status": 400, "error": "NotAuthorizedException",
                                            "message": "Access Token has been revoked"}
        assert [r.status for r in local.requests("GlobalSignOut")] == [200]
        assert value["delete_user"] is None
        with pytest.raises(KeyError):
            local.user("dan")

        pool = UserPool(local.pool_id, "amplifychanges", endpoint_url=local.endpoint_url)
        local.clock.advance(30)  # a TOTP window after the one Amplify's verification used
        code = local.totp_code("cora")
        tokens = sign_in(pool, "cora", ScriptedHandler(password=NEW_PASSWORD, code=lambda prompt: code))
        account = Account(pool, tokens)
        info = account.info()
        assert (info.mfa.enabled, info.mfa.preferred) == (("SOFTWARE_TOKEN_MFA",), "SOFTWARE_TOKEN_MFA")
        assert info.attributes["email"] == "cora@changed.example" and "nickname" not in info.attributes
        assert local.user("cora").totp_secret == out["secret"]
        assert local.user("cora").totp_device_name == "Amplify phone"
        assert jwt_claims(tokens.access_token)["username"] == "cora"
        account.delete("cora").run()
        assert [r.status for r in local.requests("DeleteUser")] == [200, 200]  # Amplify's (dan), authflow's
