"""The command line in a pool that tracks devices: a sign-in's new device is confirmed and kept beside the
tokens (0600), so that `authflow token` refreshes them (Cognito refuses to refresh the tokens of a device that
was never confirmed, and each expiry meant a new sign-in); the kept device goes with the next sign-in, which
skips MFA once the device is remembered (by the pool, or by `authflow account devices remember`)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pyotp
import pytest

from authflow.localpool import LocalUserPool
from tests.helpers.cli import credential_free_env, run_cli

POOL = "us-east-1_CliDevices1"
PASSWORD = "Device-Passw0rd!"


@pytest.fixture(params=["always", "opt_in"])
def env(local_pool: LocalUserPool, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    local_pool.add_pool(id=POOL, mfa="OPTIONAL", mfa_types=["SOFTWARE_TOKEN_MFA"], device_tracking=request.param,
                        clients=[{"id": "clidevicesclient", "explicit_auth_flows": [
                            "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}])
    secret = pyotp.random_base32(32)
    local_pool.add_user("dev", PASSWORD, pool_id=POOL, mfa=["SOFTWARE_TOKEN_MFA"],
                        preferred_mfa="SOFTWARE_TOKEN_MFA", totp_secret=secret)
    return credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": POOL, "AUTHFLOW_CLIENT_ID": "clidevicesclient",
        "AUTHFLOW_ENDPOINT_URL": local_pool.endpoint_url, "AUTHFLOW_USERNAME": "dev",
        "AUTHFLOW_CONFIG": str(tmp_path / "absent.toml"), "AUTHFLOW_TOTP_SECRET": secret,
    })


def operations(local: LocalUserPool) -> list[str]:
    return [r.operation for r in local.requests()]


def test_a_new_device_is_confirmed_kept_and_refreshes(local_pool: LocalUserPool, env: dict[str, str]) -> None:
    signed_in = run_cli(["login", "--non-interactive"], {**env, "AUTHFLOW_PASSWORD": PASSWORD})
    assert signed_in.returncode == 0, signed_in.stderr
    assert signed_in.stderr == ""
    assert operations(local_pool).count("ConfirmDevice") == 1
    assert "UpdateDeviceStatus" not in operations(local_pool)  # confirmed, not remembered by authflow itself
    kept = list(Path(env["AUTHFLOW_CACHE_DIR"]).rglob("*.device.json"))
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    (device,) = local_pool.user("dev", pool_id=POOL).devices.values()
    assert device.name and device.name.startswith("authflow on ")
    assert device.key in kept[0].read_text()

    # Tokens that must be renewed, and no password to sign in again with: only a refresh can give them.
    local_pool.clear_requests()
    refreshed = run_cli(["token", "--leeway", "86400", "--non-interactive"], env)
    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stderr == ""
    (call,) = local_pool.requests()
    assert sent_device_key(call.operation, call.params) == device.key


def sent_device_key(operation: str, params: dict[str, Any]) -> str | None:
    """The device key a refresh carried (GetTokensFromRefreshToken, or InitiateAuth's REFRESH_TOKEN_AUTH)."""
    if operation == "GetTokensFromRefreshToken":
        return params.get("DeviceKey")
    assert operation == "InitiateAuth" and params["AuthFlow"] == "REFRESH_TOKEN_AUTH", operation
    return params["AuthParameters"].get("DEVICE_KEY")


def test_the_kept_device_skips_mfa_once_remembered(local_pool: LocalUserPool, env: dict[str, str]) -> None:
    with_password = {**env, "AUTHFLOW_PASSWORD": PASSWORD}
    assert run_cli(["login", "--non-interactive"], with_password).returncode == 0
    (device,) = local_pool.user("dev", pool_id=POOL).devices.values()
    if not device.remembered:  # a pool that leaves it to the user: the user says so
        remembered = run_cli(["account", "devices", "remember", device.key, "--non-interactive"], env)
        assert remembered.returncode == 0, remembered.stderr
    no_code = {k: v for k, v in with_password.items() if k != "AUTHFLOW_TOTP_SECRET"}
    local_pool.clear_requests()
    again = run_cli(["login", "--non-interactive", "--output", "json"], no_code)
    assert again.returncode == 0, again.stderr  # no TOTP secret given: the device answered instead of MFA
    sent = local_pool.requests()
    assert sent[0].params["AuthParameters"]["DEVICE_KEY"] == device.key
    assert "ConfirmDevice" not in [r.operation for r in sent]  # the same device, not a new one
    assert len(local_pool.user("dev", pool_id=POOL).devices) == 1
    password = run_cli(["token", "--leeway", "86400", "--non-interactive"], env)  # its refresh carries the key
    assert password.returncode == 0, password.stderr
