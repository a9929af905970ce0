"""Remembered devices: confirm after sign-in, then DEVICE_SRP_AUTH replaces MFA; refresh with DEVICE_KEY."""

from __future__ import annotations

import dataclasses

import pyotp
import pytest

from authflow import AuthFlow, IncorrectCredentialsError, NotAuthorizedError, ScriptedHandler, TotpCodes, UserPool
from authflow.devices import Device
from authflow.localpool import LocalUserPool
from tests.engine.helpers import PASSWORD, claims, user_pool

POOL = "us-east-1_DevicePool1"


@pytest.fixture(params=["opt_in", "always"])
def device_pool(local_pool: LocalUserPool, request: pytest.FixtureRequest) -> UserPool:
    local_pool.add_pool(id=POOL, mfa="OPTIONAL", mfa_types=["SOFTWARE_TOKEN_MFA"], device_tracking=request.param,
                        clients=[{"name": "c", "secret": True, "explicit_auth_flows": [
                            "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}])
    return user_pool(local_pool, pool_id=POOL)


@pytest.fixture
def secret(local_pool: LocalUserPool, device_pool: UserPool) -> str:
    value = pyotp.random_base32(32)
    local_pool.add_user("dora", PASSWORD, pool_id=POOL, mfa=["SOFTWARE_TOKEN_MFA"],
                        preferred_mfa="SOFTWARE_TOKEN_MFA", totp_secret=value)
    return value


def remember(pool: UserPool, secret: str, codes: TotpCodes) -> tuple[Device, str]:
    flow = AuthFlow(pool, "dora", remember_device=True, device_name="laptop")
    tokens = flow.run(ScriptedHandler(password=PASSWORD, totp_secret=secret, totp_codes=codes))
    assert tokens.new_device_metadata and flow.device_error is None
    assert flow.device is not None and flow.device.device_key == tokens.new_device_metadata["DeviceKey"]
    assert flow.device.device_password not in repr(flow.device)
    return flow.device, tokens.refresh_token or ""


def test_a_remembered_device_skips_mfa(local_pool: LocalUserPool, device_pool: UserPool, secret: str,
                                       totp_codes: TotpCodes) -> None:
    device, _ = remember(device_pool, secret, totp_codes)
    operations = [r.operation for r in local_pool.requests()]
    assert "ConfirmDevice" in operations
    local_pool.clear_requests()

    flow = AuthFlow(device_pool, "dora", device=device)
    tokens = flow.run(ScriptedHandler(password=PASSWORD))  # no TOTP secret: MFA must not be asked
    assert claims(tokens.access_token)["username"] == "dora"
    assert flow.history == ["start", "awaiting_password", "PASSWORD_VERIFIER", "DEVICE_SRP_AUTH",
                            "DEVICE_PASSWORD_VERIFIER", "authenticated"]
    sent = [r.params for r in local_pool.requests()]
    assert sent[0]["AuthParameters"]["DEVICE_KEY"] == device.device_key
    assert all(p["ChallengeResponses"]["DEVICE_KEY"] == device.device_key for p in sent[1:])
    assert all(device.device_password not in str(p) for p in sent)  # proven, never sent


def test_refresh_with_a_tracked_device_needs_its_key(local_pool: LocalUserPool, device_pool: UserPool, secret: str,
                                                     totp_codes: TotpCodes) -> None:
    device, refresh_token = remember(device_pool, secret, totp_codes)
    refreshed = device_pool.refresh(refresh_token, username="dora", device_key=device.device_key)
    assert claims(refreshed.access_token)["username"] == "dora"
    with pytest.raises(NotAuthorizedError, match="Invalid Refresh Token"):
        device_pool.refresh(refresh_token, username="dora")


def test_a_wrong_device_password_is_refused(local_pool: LocalUserPool, device_pool: UserPool, secret: str,
                                            totp_codes: TotpCodes) -> None:
    device, _ = remember(device_pool, secret, totp_codes)
    forged = dataclasses.replace(device, device_password="not-the-device-password")
    with pytest.raises(IncorrectCredentialsError):
        AuthFlow(device_pool, "dora", device=forged).run(ScriptedHandler(password=PASSWORD))


def test_a_forgotten_device_falls_back_to_mfa(local_pool: LocalUserPool, device_pool: UserPool, secret: str,
                                             totp_codes: TotpCodes) -> None:
    device, _ = remember(device_pool, secret, totp_codes)
    tokens = AuthFlow(device_pool, "dora", device=device).run(ScriptedHandler(password=PASSWORD))
    device_pool.forget_device(tokens.access_token, device.device_key)
    local_pool.clear_requests()
    flow = AuthFlow(device_pool, "dora", device=device)
    again = flow.run(ScriptedHandler(password=PASSWORD, totp_secret=secret, totp_codes=totp_codes))
    assert claims(again.access_token)["username"] == "dora"
    assert "SOFTWARE_TOKEN_MFA" in flow.history and "DEVICE_SRP_AUTH" not in flow.history
    first, second = local_pool.requests("InitiateAuth")[:2]
    assert first.error_code == "ResourceNotFoundException" and "DEVICE_KEY" in first.params["AuthParameters"]
    assert second.error_code is None and "DEVICE_KEY" not in second.params["AuthParameters"]
    assert flow.device is None
