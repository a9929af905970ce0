"""Device tracking: NewDeviceMetadata, ConfirmDevice, remembered devices skip MFA through DEVICE_SRP_AUTH /
DEVICE_PASSWORD_VERIFIER, refresh needs the device key (section 4)."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from authflow import srp
from authflow.localpool import LocalUserPool

from .helpers import DEVICE_PASSWORD, confirm_device, device_sign_in, error, idp, password_auth, respond, srp_auth

PASSWORD = DEVICE_PASSWORD


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.pool().device_tracking = "always"
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("alice", PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"])
    return local_pool


def first_sign_in(pool: LocalUserPool) -> dict:
    challenge = password_auth(idp(pool), pool.client_id, "alice", PASSWORD)
    assert challenge["ChallengeName"] == "SMS_MFA"
    done = respond(idp(pool), pool.client_id, challenge, {"USERNAME": "alice", "SMS_MFA_CODE": pool.last_code("alice")})
    return done["AuthenticationResult"]


def test_new_device_metadata(pool: LocalUserPool) -> None:
    metadata = first_sign_in(pool)["NewDeviceMetadata"]
    assert re.fullmatch(r"us-east-1_[0-9a-f-]{36}", metadata["DeviceKey"])
    assert metadata["DeviceGroupKey"]


def test_no_device_metadata_without_tracking(local_pool: LocalUserPool) -> None:
    local_pool.add_user("bob", PASSWORD)
    assert "NewDeviceMetadata" not in password_auth(idp(local_pool), local_pool.client_id, "bob", PASSWORD)[
        "AuthenticationResult"]


def test_confirm_device_then_remembered_device_skips_mfa(pool: LocalUserPool) -> None:
    key, group, password, necessary = confirm_device(pool, first_sign_in(pool))
    assert necessary is False
    result = device_sign_in(pool, key, group, password)["AuthenticationResult"]
    assert "AccessToken" in result and "NewDeviceMetadata" not in result
    assert len(pool.outbox("alice")) == 1  # no second SMS


def test_wrong_device_secret_is_refused(pool: LocalUserPool) -> None:
    key, group, _, _ = confirm_device(pool, first_sign_in(pool))
    with pytest.raises(ClientError) as excinfo:
        device_sign_in(pool, key, group, "not-the-device-password")
    assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")


def test_opt_in_device_needs_update_device_status(pool: LocalUserPool) -> None:
    pool.pool().device_tracking = "opt_in"
    first = first_sign_in(pool)
    key, group, password, necessary = confirm_device(pool, first)
    assert necessary is True
    # Not remembered yet: MFA as usual.
    assert srp_auth(idp(pool), pool, "alice", PASSWORD, DEVICE_KEY=key)["ChallengeName"] == "SMS_MFA"
    idp(pool).update_device_status(AccessToken=first["AccessToken"], DeviceKey=key,
                                   DeviceRememberedStatus="remembered")
    assert "AuthenticationResult" in device_sign_in(pool, key, group, password)
    device = idp(pool).get_device(AccessToken=first["AccessToken"], DeviceKey=key)["Device"]
    attributes = {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}
    assert attributes["device_name"] == "laptop"
    assert [d["DeviceKey"] for d in idp(pool).list_devices(AccessToken=first["AccessToken"])["Devices"]] == [key]


def test_unknown_device_key(pool: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        srp_auth(idp(pool), pool, "alice", PASSWORD, DEVICE_KEY="us-east-1_00000000-0000-0000-0000-000000000000")
    assert error(excinfo) == ("ResourceNotFoundException", "Device does not exist.")


def test_forgotten_device_is_unknown(pool: LocalUserPool) -> None:
    first = first_sign_in(pool)
    key, _, _, _ = confirm_device(pool, first)
    idp(pool).forget_device(AccessToken=first["AccessToken"], DeviceKey=key)
    with pytest.raises(ClientError) as excinfo:
        srp_auth(idp(pool), pool, "alice", PASSWORD, DEVICE_KEY=key)
    assert error(excinfo)[1] == "Device does not exist."


def test_refresh_with_device_tracking_needs_the_confirmed_device_key(pool: LocalUserPool) -> None:
    first = first_sign_in(pool)
    key = first["NewDeviceMetadata"]["DeviceKey"]

    def refresh(**extra: str) -> dict:
        return idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                       AuthParameters={"REFRESH_TOKEN": first["RefreshToken"], **extra})

    with pytest.raises(ClientError) as excinfo:
        refresh(DEVICE_KEY=key)  # not confirmed yet
    assert error(excinfo) == ("NotAuthorizedException", "Invalid Refresh Token")
    confirm_device(pool, first)
    with pytest.raises(ClientError) as excinfo:
        refresh()
    assert error(excinfo)[1] == "Invalid Refresh Token"
    assert "AccessToken" in refresh(DEVICE_KEY=key)["AuthenticationResult"]


def test_device_challenge_answered_for_another_device_is_refused(pool: LocalUserPool) -> None:
    key = confirm_device(pool, first_sign_in(pool))[0]
    other = confirm_device(pool, first_sign_in(pool))[0]
    challenge = srp_auth(idp(pool), pool, "alice", PASSWORD, DEVICE_KEY=key)
    with pytest.raises(ClientError) as excinfo:
        respond(idp(pool), pool.client_id, challenge,
                {"USERNAME": "alice", "DEVICE_KEY": other, "SRP_A": srp.ClientEphemeral().srp_a})
    assert error(excinfo)[0] == "NotAuthorizedException"


def test_confirm_device_twice(pool: LocalUserPool) -> None:
    first = first_sign_in(pool)
    key, group, _, _ = confirm_device(pool, first)
    _, verifier, salt = srp.generate_device_verifier(group, key)
    with pytest.raises(ClientError) as excinfo:
        idp(pool).confirm_device(AccessToken=first["AccessToken"], DeviceKey=key,
                                 DeviceSecretVerifierConfig={"PasswordVerifier": verifier, "Salt": salt})
    assert error(excinfo)[0] == "DeviceKeyExistsException"


def test_pycognito_device_sign_in(pool: LocalUserPool) -> None:
    key, group, password, _ = confirm_device(pool, first_sign_in(pool))
    aws = AWSSRP(username="alice", password=PASSWORD, pool_id=pool.pool_id, client_id=pool.client_id,
                 client=idp(pool), device_key=key, device_group_key=group, device_password=password)
    assert "AccessToken" in aws.authenticate_user()["AuthenticationResult"]
