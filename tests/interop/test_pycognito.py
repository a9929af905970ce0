"""pycognito (PyPI) against the local pool: SRP sign-in with its own SRP code and token verification
against the pool's JWKS, TOTP and SMS MFA, a new password, SECRET_HASH, refresh, attribute verification,
TOTP set-up, password change, sign-out, deletion and remembered-device SRP.

pycognito's own ConfirmDevice / UpdateDeviceStatus / ForgetDevice post to the hard-coded AWS address, so
the device is confirmed here with pycognito's verifier (generate_hash_device) through boto3, and pycognito
then signs in with it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pyotp
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP, generate_hash_device
from pycognito.exceptions import (
    ForceChangePasswordException,
    SMSMFAChallengeException,
    SoftwareTokenMFAChallengeException,
)

from authflow.localpool import LocalUserPool

from .world import DEVICES, MAIN, NEW_PASSWORD, PASSWORD, TOTP_SECRET, interop_pool


@pytest.fixture(scope="module")
def local() -> Iterator[LocalUserPool]:
    with interop_pool() as pool:
        yield pool


def boto(local: LocalUserPool) -> Any:
    return boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=local.endpoint_url,
                        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))


def cognito(local: LocalUserPool, username: str, pool_id: str = MAIN, client_id: str = "interopmain",
            **extra: Any) -> Cognito:
    return Cognito(pool_id, client_id, username=username, boto3_client_kwargs={
        "endpoint_url": local.endpoint_url,
        "config": Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})}, **extra)


def test_srp_sign_in_and_token_verification(local: LocalUserPool) -> None:
    user = cognito(local, "srp")
    user.authenticate(PASSWORD)
    assert user.id_claims["cognito:username"] == "srp" and user.access_claims["username"] == "srp"
    assert user.verify_token(user.id_token, "id_token", "id")["token_use"] == "id"
    assert len(user.get_keys()["keys"]) == 2        # pycognito picks the key by the token's kid
    assert user.check_token(renew=False) is False    # valid, not expired


def test_wrong_password(local: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        cognito(local, "password").authenticate("Wrong-passw0rd!")
    assert excinfo.value.response["Error"]["Message"] == "Incorrect username or password."


def test_totp_mfa(local: LocalUserPool) -> None:
    user = cognito(local, "totp")
    with pytest.raises(SoftwareTokenMFAChallengeException):
        user.authenticate(PASSWORD)
    user.respond_to_software_token_mfa_challenge(pyotp.TOTP(TOTP_SECRET).now())
    assert user.access_claims["username"] == "totp"


def test_sms_mfa(local: LocalUserPool) -> None:
    user = cognito(local, "sms")
    with pytest.raises(SMSMFAChallengeException):
        user.authenticate(PASSWORD)
    user.respond_to_sms_mfa_challenge(local.last_code("sms", purpose="SMS_MFA"))
    assert user.access_claims["username"] == "sms"


def test_new_password(local: LocalUserPool) -> None:
    user = cognito(local, "newpassword")
    with pytest.raises(ForceChangePasswordException):
        user.authenticate(PASSWORD)
    user.new_password_challenge(PASSWORD, NEW_PASSWORD)
    cognito(local, "newpassword").authenticate(NEW_PASSWORD)


def test_client_secret(local: LocalUserPool) -> None:
    client = local.add_client(pool_id=MAIN, secret=True, explicit_auth_flows=["ALLOW_USER_SRP_AUTH",
                                                                             "ALLOW_REFRESH_TOKEN_AUTH"])
    user = cognito(local, "password", client_id=client.id, client_secret=client.secret)
    user.authenticate(PASSWORD)
    user.renew_access_token()
    assert user.access_claims["client_id"] == client.id
    with pytest.raises(ClientError) as excinfo:
        cognito(local, "password", client_id=client.id).authenticate(PASSWORD)
    assert "SECRET_HASH was not received" in excinfo.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def account(local: LocalUserPool) -> Cognito:
    user = cognito(local, "account")
    user.authenticate(PASSWORD)
    return user


def test_get_user(account: Cognito) -> None:
    profile = account.get_user()
    assert (profile.email, profile.email_verified) == ("account@example.com", True)


def test_update_profile_then_validate_the_new_email(local: LocalUserPool, account: Cognito) -> None:
    account.update_profile({"email": "new@example.com", "name": "Acc"})
    assert account.get_user().email_verified is False
    account.validate_verification(local.last_code("account", purpose="VERIFY_ATTRIBUTE"), "email")
    profile = account.get_user()
    assert (profile.email, profile.email_verified, profile.name) == ("new@example.com", True, "Acc")


def test_send_verification(local: LocalUserPool, account: Cognito) -> None:
    account.send_verification("phone_number")
    account.validate_verification(local.last_code("account", purpose="VERIFY_ATTRIBUTE"), "phone_number")
    assert account.get_user().phone_number_verified is True


def test_renew_access_token(account: Cognito) -> None:
    old_access = account.access_token
    account.renew_access_token()
    assert account.access_token != old_access and account.access_claims["username"] == "account"


def test_software_token_and_mfa_preference(local: LocalUserPool, account: Cognito) -> None:
    secret = account.associate_software_token()
    assert account.verify_software_token(pyotp.TOTP(secret).now(), "phone") is True
    account.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")
    assert local.user("account", pool_id=MAIN).preferred_mfa == "SOFTWARE_TOKEN_MFA"


def test_change_password(local: LocalUserPool, account: Cognito) -> None:
    account.change_password(PASSWORD, NEW_PASSWORD)
    record = local.user("account", pool_id=MAIN).password
    assert record is not None and record.check(NEW_PASSWORD)


def test_logout(local: LocalUserPool, account: Cognito) -> None:
    token = account.access_token
    account.logout()
    with pytest.raises(ClientError) as excinfo:
        boto(local).get_user(AccessToken=token)
    assert excinfo.value.response["Error"]["Message"] == "Access Token has been revoked"


def test_delete_user(local: LocalUserPool) -> None:
    user = cognito(local, "refresh")
    user.authenticate(PASSWORD)
    user.delete_user()
    assert local.pool(MAIN).get("refresh") is None


def test_remembered_device_srp(local: LocalUserPool) -> None:
    client = boto(local)
    srp = AWSSRP("device", PASSWORD, DEVICES, "interopdevices", client=client)
    challenge = client.initiate_auth(ClientId="interopdevices", AuthFlow="USER_SRP_AUTH",
                                     AuthParameters=srp.get_auth_params())
    answer = client.respond_to_auth_challenge(
        ClientId="interopdevices", ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params()))
    tokens = client.respond_to_auth_challenge(
        ClientId="interopdevices", ChallengeName="SOFTWARE_TOKEN_MFA", Session=answer["Session"],
        ChallengeResponses={"USERNAME": "device", "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(TOTP_SECRET).now()},
    )["AuthenticationResult"]
    metadata = tokens["NewDeviceMetadata"]
    password, config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    client.confirm_device(AccessToken=tokens["AccessToken"], DeviceKey=metadata["DeviceKey"],
                          DeviceSecretVerifierConfig=config, DeviceName="pycognito")
    client.update_device_status(AccessToken=tokens["AccessToken"], DeviceKey=metadata["DeviceKey"],
                                DeviceRememberedStatus="remembered")
    device_srp = AWSSRP("device", PASSWORD, DEVICES, "interopdevices", client=client,
                        device_key=metadata["DeviceKey"], device_group_key=metadata["DeviceGroupKey"],
                        device_password=password)
    result = device_srp.authenticate_user()["AuthenticationResult"]
    assert local.access_token_claims(result["AccessToken"])["username"] == "device"
    answered = [r.params["ChallengeName"] for r in local.requests("RespondToAuthChallenge") if r.status == 200]
    assert answered[-2:] == ["DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
