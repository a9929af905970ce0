"""``authflow account`` and its changes as scripts run them (no terminal, AUTHFLOW_* answers) against the local
pool: the account printed as the contract says, each change then the account, one line and the contract's exit
code for each mistake, nothing changed before a missing answer is found."""

from __future__ import annotations

import json
import shlex
import stat
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pyotp
import pytest

from authflow.localpool import LocalUserPool
from authflow.tokencache import CacheKey, TokenCache
from tests.helpers.cli import assert_no_secret, assert_one_line_error, credential_free_env, run_cli
from tests.helpers.token_cli import PASSWORD as ALICE_PASSWORD
from tests.helpers.token_cli import Setup

PASSWORD = "Account-Passw0rd!"
NEW_PASSWORD = "Account-Passw0rd-2!"
#: Prints the newest code the pool sent $AUTHFLOW_USERNAME for $AUTHFLOW_CHALLENGE (VERIFY_ATTRIBUTE).
CODE_SCRIPT = """
import json, os, sys, urllib.parse, urllib.request
query = urllib.parse.urlencode({"username": os.environ["AUTHFLOW_USERNAME"],
                                "purpose": os.environ["AUTHFLOW_CHALLENGE"]})
print(json.load(urllib.request.urlopen(sys.argv[1] + "/_local/outbox?" + query))[-1]["code"])
"""


@pytest.fixture
def env(local_pool: LocalUserPool, tmp_path: Path) -> dict[str, str]:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.pool().mfa_types = {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    local_pool.pool().auto_verified_attributes = ["email"]
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true"})
    script = tmp_path / "code.py"
    script.write_text(CODE_SCRIPT)
    return credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": local_pool.pool_id, "AUTHFLOW_CLIENT_ID": local_pool.client_id,
        "AUTHFLOW_ENDPOINT_URL": local_pool.endpoint_url, "AUTHFLOW_USERNAME": "ada", "AUTHFLOW_PASSWORD": PASSWORD,
        "AUTHFLOW_CODE_COMMAND": f"{shlex.quote(sys.executable)} {script} {local_pool.endpoint_url}",
    })


def account(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = run_cli(["account", *args, "--non-interactive"], env)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_read_then_password_and_attributes(local_pool: LocalUserPool, env: dict[str, str]) -> None:
    shown = account([], env)  # signs in first (nothing cached), then reads
    assert shown == {"Username": "ada", "Attributes": shown["Attributes"],
                     "MFA": {"Enabled": [], "Preferred": None, "PasskeyMFA": None},
                     "AuthFactors": ["PASSWORD", "EMAIL_OTP"], "Devices": [], "Passkeys": []}
    assert shown["Attributes"]["email"] == "ada@example.com"
    local_pool.clear_requests()
    account([], env)  # the cached token: no sign-in
    assert "InitiateAuth" not in [r.operation for r in local_pool.requests()]

    missing = run_cli(["account", "password", "--non-interactive"], env)
    assert missing.returncode == 2
    assert_one_line_error(missing, contains="asked for a new password, and none was given (MissingAnswer). Set "
                                            "AUTHFLOW_NEW_PASSWORD")  # not "the sign-in asks": this is no sign-in
    assert local_pool.requests("ChangePassword") == []  # asked before anything was sent
    done = run_cli(["account", "password", "--non-interactive"], {**env, "AUTHFLOW_NEW_PASSWORD": "short"})
    assert done.returncode == 1
    assert_one_line_error(done, contains="InvalidPasswordException")
    changed = run_cli(["account", "password", "--non-interactive"], {**env, "AUTHFLOW_NEW_PASSWORD": NEW_PASSWORD})
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["Username"] == "ada"
    assert_no_secret([changed.stdout, changed.stderr], [PASSWORD, NEW_PASSWORD])
    assert local_pool.user("ada").password is not None and local_pool.user("ada").password.check(NEW_PASSWORD)

    updated = account(["attributes", "set", "email=ada@new.example", "name=Ada"], env)
    assert updated["Attributes"]["email"] == "ada@new.example"
    assert updated["Attributes"]["email_verified"] == "true"  # the code came from AUTHFLOW_CODE_COMMAND
    assert account(["attributes", "delete", "name"], env)["Attributes"].get("name") is None
    bad = run_cli(["account", "attributes", "set", "name", "--non-interactive"], env)
    assert bad.returncode == 2
    assert_one_line_error(bad, contains="NAME=VALUE")


def test_authenticator_app_and_passkey_mfa(local_pool: LocalUserPool, env: dict[str, str], tmp_path: Path) -> None:
    refused = run_cli(["account", "mfa", "totp", "--non-interactive"], env)
    assert refused.returncode == 2
    assert_one_line_error(refused, contains="--totp-secret-out")
    assert local_pool.requests("AssociateSoftwareToken") == []  # nothing was associated

    secret_file = tmp_path / "totp-secret"
    shown = account(["mfa", "totp", "--totp-secret-out", str(secret_file), "--device-name", "CI phone"], env)
    assert shown["MFA"] == {"Enabled": ["SOFTWARE_TOKEN_MFA"], "Preferred": "SOFTWARE_TOKEN_MFA", "PasskeyMFA": None}
    secret = secret_file.read_text()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600 and local_pool.user("ada").totp_secret == secret
    assert local_pool.user("ada").totp_device_name == "CI phone"
    pyotp.TOTP(secret).now()  # a base32 secret, and nothing else, in the file

    local_pool.pool().web_authn.relying_party_id = "localhost"
    local_pool.pool().web_authn.factor_configuration = "MULTI_FACTOR_WITH_USER_VERIFICATION"
    assert account(["mfa", "enable", "email"], env)["MFA"]["Enabled"] == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
    assert account(["mfa", "prefer", "email"], env)["MFA"]["Preferred"] == "EMAIL_OTP"
    account(["mfa", "passkey", "on"], env)
    assert local_pool.user("ada").webauthn_mfa is True
    sent = local_pool.requests("SetUserMFAPreference")[-1].params
    assert sent["EmailMfaSettings"] == {"Enabled": True, "PreferredMfa": True}
    account(["mfa", "disable", "totp"], env)
    alone = run_cli(["account", "mfa", "disable", "email", "--non-interactive"], env)
    assert alone.returncode == 1
    assert_one_line_error(alone, contains="PasskeyMfaRefused")
    bad = run_cli(["account", "mfa", "enable", "carrier-pigeon", "--non-interactive"], env)
    assert bad.returncode == 2 and "sms" in bad.stderr


def test_revoked_sign_in_then_delete(local_pool: LocalUserPool, env: dict[str, str], tmp_path: Path) -> None:
    account([], env)
    reset = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=local_pool.endpoint_url,
                         aws_access_key_id="admin", aws_secret_access_key="admin")
    reset.admin_user_global_sign_out(UserPoolId=local_pool.pool_id, Username="ada")  # signed out everywhere
    local_pool.clear_requests()
    assert account([], env)["Username"] == "ada"  # the cached tokens are revoked: signed in again
    assert [r.operation for r in local_pool.requests()][:2] == ["GetUser", "InitiateAuth"]
    asked = run_cli(["account", "delete", "--non-interactive"], env)
    assert asked.returncode == 2
    assert_one_line_error(asked, contains="--yes")
    done = run_cli(["account", "delete", "--yes", "--non-interactive"], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    with pytest.raises(KeyError):
        local_pool.user("ada")
    cache = TokenCache(Path(env["AUTHFLOW_CACHE_DIR"]))
    assert cache.load(CacheKey(local_pool.pool_id, local_pool.client_id, "ada", local_pool.endpoint_url)) is None


def test_devices(local_pool: LocalUserPool, env: dict[str, str]) -> None:
    local_pool.pool().device_tracking = "always"
    (device,) = account([], env)["Devices"]  # this sign-in's device
    key = device["DeviceKey"]
    assert account(["devices", "forget-not", key], env)["Devices"][0]["Remembered"] is False
    assert account(["devices", "remember", key], env)["Devices"][0]["Remembered"] is True
    neither = run_cli(["account", "devices", "forget", "--non-interactive"], env)
    assert neither.returncode == 2
    assert_one_line_error(neither, contains="DEVICE_KEY or --current")
    assert account(["devices", "forget", "--current"], env)["Devices"] == []
    unknown = run_cli(["account", "devices", "forget", key, "--non-interactive"], env)
    assert unknown.returncode == 1
    assert_one_line_error(unknown, contains="ResourceNotFoundException")
    assert "`authflow account` lists the account's devices with their DeviceKey" in unknown.stderr  # where to look
    for command in (["forget", "nope"], ["remember", "nope"]):
        made_up = run_cli(["account", "devices", *command, "--non-interactive"], env)
        assert made_up.returncode == 1
        assert_one_line_error(made_up, contains="device does not exist")
        assert "`authflow account` lists" in made_up.stderr


def test_verify_later_in_a_script_says_this_command_sent_no_code(local_pool: LocalUserPool,
                                                                 env: dict[str, str]) -> None:
    """Without --resend nothing is sent first, and Cognito does not say whether an earlier code is pending: a code
    from the code command is tried; none, or a wrong one, fails saying that this command sent none and that
    --resend sends one (not "run again with a new code", which would loop)."""
    user = local_pool.add_user("bea", PASSWORD, attributes={"email": "bea@example.com", "email_verified": "false"})
    assert user.username == "bea"
    bea = {**env, "AUTHFLOW_USERNAME": "bea"}
    without = {k: v for k, v in bea.items() if k != "AUTHFLOW_CODE_COMMAND"}
    done = run_cli(["account", "attributes", "verify", "email", "--non-interactive"], without)
    assert done.returncode == 2
    assert_one_line_error(done, contains="no code to verify email was given, and this command sent none")
    assert "add --resend to send a new one" in done.stderr
    wrong = run_cli(["account", "attributes", "verify", "email", "--non-interactive"],
                    {**bea, "AUTHFLOW_CODE_COMMAND": "echo 000000"})
    assert wrong.returncode == 1
    assert_one_line_error(wrong, contains="(CodeMismatchException). This command sent no code: add --resend")
    assert local_pool.requests("GetUserAttributeVerificationCode") == []  # nothing was sent by either
    shown = account(["attributes", "verify", "email", "--resend"], bea)  # the code command reads the new code
    assert shown["Attributes"]["email_verified"] == "true"
    assert len(local_pool.requests("GetUserAttributeVerificationCode")) == 1
    again = run_cli(["account", "attributes", "verify", "email", "--non-interactive"], bea)
    assert again.returncode == 0 and "email is verified already" in again.stderr
    assert json.loads(again.stdout)["Attributes"]["email_verified"] == "true"


def test_email_mfa_and_a_new_address_in_a_script_say_what_to_do(local_pool: LocalUserPool,
                                                                 env: dict[str, str]) -> None:
    """What a script cannot answer is said with the way to answer it: email MFA for an account without an address
    (set it first), and an address changed without its code (verify it later), nothing half-done silently."""
    local_pool.add_user("nell", PASSWORD, attributes={"name": "Nell"})
    nell = {**env, "AUTHFLOW_USERNAME": "nell"}
    for action in ("enable", "prefer"):
        done = run_cli(["account", "mfa", action, "email", "--non-interactive"], nell)
        assert done.returncode == 2
        assert_one_line_error(done, contains="the account has no email address to send MFA codes to (MissingAnswer). "
                                             "Set one first with `authflow account attributes set email=ADDRESS`")
    assert local_pool.requests("SetUserMFAPreference") == [] and local_pool.requests("UpdateUserAttributes") == []
    no_code = {k: v for k, v in nell.items() if k != "AUTHFLOW_CODE_COMMAND"}
    done = run_cli(["account", "attributes", "set", "email=nell@example.org", "--non-interactive"], no_code)
    assert done.returncode == 2  # the contract: a missing answer in --non-interactive (the code) is exit 2
    assert_one_line_error(done, contains="(AttributeNotVerified). The new value stands, unverified: verify it later "
                                         "with `authflow account attributes verify email`")
    assert local_pool.user("nell").attributes["email"] == "nell@example.org"
    account(["attributes", "verify", "email"], nell)  # the code sent by UpdateUserAttributes, from the command
    shown = account(["mfa", "prefer", "email"], nell)  # not on yet: turned on, then preferred
    assert shown["MFA"] == {"Enabled": ["EMAIL_OTP"], "Preferred": "EMAIL_OTP", "PasskeyMFA": None}


def test_expired_cached_access_token_is_refreshed(local_pool: LocalUserPool, tmp_path: Path) -> None:
    """``authflow account`` with a cached access token that has expired refreshes it as ``authflow token`` does
    (no password asked: none in the env), prints the account, and caches the renewed tokens (0600)."""
    setup = Setup(local_pool, tmp_path, access_token_validity_seconds=3, id_token_validity_seconds=3)
    first = setup.login()
    time.sleep(3.5)
    setup.client.access_token_validity = setup.client.id_token_validity = 3600  # the renewed tokens last
    done = setup.run("account", "--non-interactive")
    assert done.returncode == 0, done.stderr
    account = json.loads(done.stdout)
    assert account["Username"] == "alice" and account["Attributes"]["email"] == "alice@example.com"
    assert setup.flows() == ["USER_SRP_AUTH", "GetTokensFromRefreshToken"]
    (entry,) = setup.cache_files()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    cached = json.loads(entry.read_text())["result"]
    assert cached["AccessToken"] != first["AccessToken"] and cached["RefreshToken"] == first["RefreshToken"]
    (get_user,) = local_pool.requests("GetUser")
    assert get_user.status == 200 and get_user.params["AccessToken"] == cached["AccessToken"]
    assert_no_secret([done.stdout, done.stderr], [ALICE_PASSWORD, cached["AccessToken"], cached["RefreshToken"]])
