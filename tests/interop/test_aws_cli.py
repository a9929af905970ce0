"""The AWS CLI (``aws cognito-idp ... --no-sign-request --endpoint-url``, awscli from PyPI) against the
local pool: the sign-in flows a person can drive by hand (password, every MFA challenge, new password,
custom challenge, USER_AUTH choices, MFA setup, refresh) and a signed-in user's operations. Sessions and
refresh tokens are passed as separate arguments, as people write them (a leading "-" would break that)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyotp
import pytest

from authflow import srp
from authflow.localpool import LocalUserPool
from authflow.secret_hash import secret_hash

from .world import DEVICES, MAIN, NEW_PASSWORD, PASSWORD, SETUP, TOTP_SECRET, interop_pool

AWS = Path(sys.executable).with_name("aws")


class CliError(Exception):
    """``aws`` exited non-zero: ``code`` is the Cognito error code it printed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@pytest.fixture(scope="module")
def local() -> Any:
    assert AWS.exists(), "the AWS CLI is installed by the test extra (pip install -e '.[test]')"
    with interop_pool() as pool:
        yield pool


def aws(local: LocalUserPool, operation: str, *args: str, **params: Any) -> dict[str, Any]:
    """Run ``aws cognito-idp <operation>``; keyword parameters become ``--kebab-case`` options (dicts and
    lists as JSON). Returns the JSON output; raises CliError with the error code on failure."""
    argv = [str(AWS), "cognito-idp", operation, "--no-sign-request", "--endpoint-url", local.endpoint_url,
            "--region", "us-east-1", "--output", "json", *args]
    for name, value in params.items():
        argv += ["--" + name.replace("_", "-"), value if isinstance(value, str) else json.dumps(value)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=environment)
    if proc.returncode != 0:
        text = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
        if "An error occurred (" in text:
            code = text.split("An error occurred (", 1)[1].split(")", 1)[0]
            raise CliError(code, text.split(": ", 1)[-1])
        raise CliError("CliFailure", text)
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


def start(local: LocalUserPool, username: str, flow: str = "USER_PASSWORD_AUTH", client: str = "interopmain",
          **auth: str) -> dict[str, Any]:
    parameters = {"USERNAME": username, **({"PASSWORD": PASSWORD} if flow == "USER_PASSWORD_AUTH" else {}), **auth}
    return aws(local, "initiate-auth", client_id=client, auth_flow=flow, auth_parameters=parameters)


def respond(local: LocalUserPool, previous: dict[str, Any], client: str = "interopmain",
            challenge: str | None = None, **responses: str) -> dict[str, Any]:
    return aws(local, "respond-to-auth-challenge", client_id=client,
               challenge_name=challenge or previous["ChallengeName"], session=previous["Session"],
               challenge_responses=responses)


def username_of(local: LocalUserPool, answer: dict[str, Any]) -> str:
    return str(local.access_token_claims(answer["AuthenticationResult"]["AccessToken"])["username"])


def test_user_password_auth(local: LocalUserPool) -> None:
    assert username_of(local, start(local, "password")) == "password"
    with pytest.raises(CliError) as excinfo:
        aws(local, "initiate-auth", client_id="interopmain", auth_flow="USER_PASSWORD_AUTH",
            auth_parameters={"USERNAME": "password", "PASSWORD": "Wrong-passw0rd!"})
    assert (excinfo.value.code, excinfo.value.message) == ("NotAuthorizedException", "Incorrect username or password.")


def test_totp(local: LocalUserPool) -> None:
    challenge = start(local, "totp")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    answer = respond(local, challenge, USERNAME="totp", SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(TOTP_SECRET).now())
    assert username_of(local, answer) == "totp"


@pytest.mark.parametrize(("username", "challenge", "key"), [
    ("sms", "SMS_MFA", "SMS_MFA_CODE"), ("emailmfa", "EMAIL_OTP", "EMAIL_OTP_CODE")])
def test_code_by_sms_or_email(local: LocalUserPool, username: str, challenge: str, key: str) -> None:
    started = start(local, username)
    assert started["ChallengeName"] == challenge
    assert started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] in ("SMS", "EMAIL")
    answer = respond(local, started, USERNAME=username, **{key: local.last_code(username, pool_id=MAIN)})
    assert username_of(local, answer) == username


def test_client_with_a_secret_needs_secret_hash(local: LocalUserPool) -> None:
    client = local.add_client(pool_id=MAIN, secret=True, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    assert client.secret is not None
    with pytest.raises(CliError) as excinfo:
        start(local, "sms", client=client.id)
    assert excinfo.value.message == f"Client {client.id} is configured with secret but SECRET_HASH was not received"
    hashed = secret_hash("sms", client.id, client.secret)
    started = start(local, "sms", client=client.id, SECRET_HASH=hashed)
    answer = respond(local, started, client=client.id, USERNAME="sms", SECRET_HASH=hashed,
                     SMS_MFA_CODE=local.last_code("sms", pool_id=MAIN))
    assert username_of(local, answer) == "sms"


def test_select_mfa_type(local: LocalUserPool) -> None:
    started = start(local, "select")
    assert started["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(started["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    totp = respond(local, started, USERNAME="select", ANSWER="SOFTWARE_TOKEN_MFA")
    assert totp["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    answer = respond(local, totp, USERNAME="select", SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(TOTP_SECRET).now())
    assert username_of(local, answer) == "select"


def test_new_password_required(local: LocalUserPool) -> None:
    started = start(local, "newpassword")
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = respond(local, started, USERNAME="newpassword", NEW_PASSWORD=NEW_PASSWORD)
    assert username_of(local, answer) == "newpassword"


def test_custom_challenge(local: LocalUserPool) -> None:
    started = start(local, "custom", flow="CUSTOM_AUTH")
    assert (started["ChallengeName"], started["ChallengeParameters"]["question"]) == ("CUSTOM_CHALLENGE", "2 + 3?")
    retry = respond(local, started, USERNAME="custom", ANSWER="4")
    assert retry["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert username_of(local, respond(local, retry, USERNAME="custom", ANSWER="5")) == "custom"


def test_user_auth_choices(local: LocalUserPool) -> None:
    started = start(local, "userauth", flow="USER_AUTH")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    code = respond(local, started, USERNAME="userauth", ANSWER="EMAIL_OTP")
    assert code["ChallengeName"] == "EMAIL_OTP"
    answer = respond(local, code, USERNAME="userauth", EMAIL_OTP_CODE=local.last_code("userauth", purpose="EMAIL_OTP"))
    assert username_of(local, answer) == "userauth"
    direct = start(local, "userauth", flow="USER_AUTH", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert username_of(local, direct) == "userauth"


def test_mfa_setup_with_a_session(local: LocalUserPool) -> None:
    started = start(local, "totpsetup", client="interopsetup")
    assert started["ChallengeName"] == "MFA_SETUP"
    associated = aws(local, "associate-software-token", session=started["Session"])
    verified = aws(local, "verify-software-token", session=associated["Session"],
                   user_code=pyotp.TOTP(associated["SecretCode"]).now())
    assert verified["Status"] == "SUCCESS"
    answer = respond(local, {"ChallengeName": "MFA_SETUP", "Session": verified["Session"]}, client="interopsetup",
                     USERNAME="totpsetup")
    assert username_of(local, answer) == "totpsetup"
    assert local.user("totpsetup", pool_id=SETUP).totp_secret == associated["SecretCode"]


def test_refresh_token_auth(local: LocalUserPool) -> None:
    tokens = start(local, "refresh")["AuthenticationResult"]
    refreshed = aws(local, "initiate-auth", client_id="interopmain", auth_flow="REFRESH_TOKEN_AUTH",
                    auth_parameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert username_of(local, refreshed) == "refresh"
    assert "RefreshToken" not in refreshed["AuthenticationResult"]


def test_get_tokens_from_refresh_token(local: LocalUserPool) -> None:
    tokens = start(local, "refresh")["AuthenticationResult"]
    again = aws(local, "get-tokens-from-refresh-token", client_id="interopmain", refresh_token=tokens["RefreshToken"])
    assert username_of(local, again) == "refresh"


def test_global_sign_out(local: LocalUserPool) -> None:
    tokens = start(local, "refresh")["AuthenticationResult"]
    aws(local, "global-sign-out", access_token=tokens["AccessToken"])
    with pytest.raises(CliError) as excinfo:
        aws(local, "get-user", access_token=tokens["AccessToken"])
    assert (excinfo.value.code, excinfo.value.message) == ("NotAuthorizedException", "Access Token has been revoked")


def test_revoke_token(local: LocalUserPool) -> None:
    tokens = start(local, "refresh")["AuthenticationResult"]
    aws(local, "revoke-token", client_id="interopmain", token=tokens["RefreshToken"])
    with pytest.raises(CliError) as excinfo:
        aws(local, "get-tokens-from-refresh-token", client_id="interopmain", refresh_token=tokens["RefreshToken"])
    assert excinfo.value.code == "NotAuthorizedException"


@pytest.fixture(scope="module")
def account(local: LocalUserPool) -> str:
    return str(start(local, "account")["AuthenticationResult"]["AccessToken"])


def attributes_of(local: LocalUserPool, token: str) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in aws(local, "get-user", access_token=token)["UserAttributes"]}


def test_update_user_attributes_sends_a_code_for_a_new_email(local: LocalUserPool, account: str) -> None:
    updated = aws(local, "update-user-attributes", access_token=account,
                  user_attributes=[{"Name": "email", "Value": "new@example.com"}, {"Name": "name", "Value": "Acc"}])
    assert updated["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    assert local.outbox("account", purpose="VERIFY_ATTRIBUTE")[-1].destination == "new@example.com"


def test_get_user_attribute_verification_code_and_verify(local: LocalUserPool, account: str) -> None:
    sent = aws(local, "get-user-attribute-verification-code", access_token=account, attribute_name="email")
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    aws(local, "verify-user-attribute", access_token=account, attribute_name="email",
        code=local.last_code("account", purpose="VERIFY_ATTRIBUTE"))
    assert attributes_of(local, account)["email_verified"] == "true"


def test_verify_user_attribute_with_a_wrong_code(local: LocalUserPool, account: str) -> None:
    with pytest.raises(CliError) as excinfo:
        aws(local, "verify-user-attribute", access_token=account, attribute_name="phone_number", code="12345x")
    assert excinfo.value.code == "CodeMismatchException"


def test_delete_user_attributes(local: LocalUserPool, account: str) -> None:
    aws(local, "delete-user-attributes", access_token=account, user_attribute_names=["phone_number"])
    assert "phone_number" not in attributes_of(local, account)


@pytest.fixture(scope="module")
def emailmfa(local: LocalUserPool) -> str:
    started = start(local, "emailmfa", flow="USER_AUTH", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert started["ChallengeName"] == "EMAIL_OTP"       # the password, then email MFA
    answer = respond(local, started, USERNAME="emailmfa", EMAIL_OTP_CODE=local.last_code("emailmfa", pool_id=MAIN))
    return str(answer["AuthenticationResult"]["AccessToken"])


def test_get_user_auth_factors(local: LocalUserPool, emailmfa: str) -> None:
    factors = aws(local, "get-user-auth-factors", access_token=emailmfa)
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]
    assert (factors["Username"], factors["PreferredMfaSetting"]) == ("emailmfa", "EMAIL_OTP")


def test_set_user_mfa_preference(local: LocalUserPool, emailmfa: str) -> None:
    aws(local, "set-user-mfa-preference", access_token=emailmfa, email_mfa_settings={"Enabled": False})
    assert "UserMFASettingList" not in aws(local, "get-user", access_token=emailmfa)


def test_set_user_settings_needs_a_phone_number(local: LocalUserPool, emailmfa: str) -> None:
    with pytest.raises(CliError) as excinfo:
        aws(local, "set-user-settings", access_token=emailmfa,
            mfa_options=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
    assert (excinfo.value.code, excinfo.value.message) == ("InvalidParameterException",
                                                           "User does not have a phone number.")


def test_change_password(local: LocalUserPool, emailmfa: str) -> None:
    aws(local, "change-password", access_token=emailmfa, previous_password=PASSWORD, proposed_password=NEW_PASSWORD)
    record = local.user("emailmfa", pool_id=MAIN).password
    assert record is not None and record.check(NEW_PASSWORD)


@pytest.fixture(scope="module")
def device(local: LocalUserPool) -> dict[str, str]:
    """The device user signed in (TOTP) with its device confirmed through the CLI."""
    challenge = start(local, "device", client="interopdevices")
    result = respond(local, challenge, client="interopdevices", USERNAME="device",
                     SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(TOTP_SECRET).now())["AuthenticationResult"]
    metadata = result["NewDeviceMetadata"]
    _, verifier, salt = srp.generate_device_verifier(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    confirmed = aws(local, "confirm-device", access_token=result["AccessToken"], device_key=metadata["DeviceKey"],
                    device_secret_verifier_config={"PasswordVerifier": verifier, "Salt": salt}, device_name="cli")
    assert confirmed["UserConfirmationNecessary"] is True
    return {"token": result["AccessToken"], "key": metadata["DeviceKey"]}


def test_update_device_status_and_list_devices(local: LocalUserPool, device: dict[str, str]) -> None:
    aws(local, "update-device-status", access_token=device["token"], device_key=device["key"],
        device_remembered_status="remembered")
    (listed,) = aws(local, "list-devices", access_token=device["token"])["Devices"]
    attributes = {a["Name"]: a["Value"] for a in listed["DeviceAttributes"]}
    assert (attributes["device_name"], attributes["dev:device_remembered_status"]) == ("cli", "remembered")


def test_get_device(local: LocalUserPool, device: dict[str, str]) -> None:
    got = aws(local, "get-device", access_token=device["token"], device_key=device["key"])
    assert got["Device"]["DeviceKey"] == device["key"]


def test_forget_device(local: LocalUserPool, device: dict[str, str]) -> None:
    aws(local, "forget-device", access_token=device["token"], device_key=device["key"])
    assert aws(local, "list-devices", access_token=device["token"])["Devices"] == []


def test_delete_user(local: LocalUserPool, device: dict[str, str]) -> None:
    aws(local, "delete-user", access_token=device["token"])
    assert local.pool(DEVICES).get("device") is None
