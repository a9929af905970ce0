"""The flows moto supports, run against moto in server mode: a second, independent server.

moto is lax (it accepts any SRP proof and any SMS code: docs/protocol.md, "moto"), so these
tests prove wire compatibility with another implementation, not correctness; the local pool does that.
Users are created with the same admin calls a real pool takes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from authflow import AuthFlow, PromptKind, ScriptedHandler, UserPool, sign_in
from tests.engine.helpers import PASSWORD, claims
from tests.helpers.cli import assert_one_line_error, credential_free_env, run_cli


@pytest.fixture
def moto(moto_endpoint: str) -> Any:
    return boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=moto_endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def new_pool(moto: Any, *, secret: bool = False) -> tuple[str, str, str | None]:
    pool_id = moto.create_user_pool(PoolName="authflow")["UserPool"]["Id"]
    client = moto.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", GenerateSecret=secret,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return pool_id, client["ClientId"], client.get("ClientSecret")


def new_user(moto: Any, pool_id: str, username: str, *, temporary: bool = False) -> None:
    moto.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=PASSWORD,
                           MessageAction="SUPPRESS")
    if not temporary:
        moto.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


@pytest.mark.parametrize("auth_flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
@pytest.mark.parametrize("secret", [False, True])
def test_plain_user_on_moto(moto: Any, moto_endpoint: str, auth_flow: str, secret: bool) -> None:
    pool_id, client_id, client_secret = new_pool(moto, secret=secret)
    new_user(moto, pool_id, "alice")
    pool = UserPool(pool_id, client_id, client_secret, endpoint_url=moto_endpoint)
    tokens = sign_in(pool, "alice", ScriptedHandler(password=PASSWORD), auth_flow=auth_flow)
    assert claims(tokens.access_token)["username"] == "alice"
    refreshed = pool.refresh(tokens.refresh_token or "", username="alice")
    assert claims(refreshed.access_token)["username"] == "alice"


def test_new_password_required_on_moto(moto: Any, moto_endpoint: str) -> None:
    pool_id, client_id, _ = new_pool(moto)
    new_user(moto, pool_id, "newbie", temporary=True)
    pool = UserPool(pool_id, client_id, endpoint_url=moto_endpoint)
    flow = AuthFlow(pool, "newbie")
    step = flow.start(password=PASSWORD)
    assert step.prompt is not None and step.prompt.kind is PromptKind.NEW_PASSWORD
    step = flow.respond({"new_password": "N3w-Passw0rd!"})
    assert step.done
    assert claims(sign_in(pool, "newbie", ScriptedHandler(password="N3w-Passw0rd!")).access_token)["username"] \
        == "newbie"


def test_sms_mfa_on_moto(moto: Any, moto_endpoint: str) -> None:
    pool_id, client_id, _ = new_pool(moto)
    new_user(moto, pool_id, "sam")
    moto.admin_update_user_attributes(UserPoolId=pool_id, Username="sam",
                                      UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}])
    moto.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="sam",
                                       SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    pool = UserPool(pool_id, client_id, endpoint_url=moto_endpoint)
    asked: list[str | None] = []

    def code(prompt: Any) -> str:
        asked.append(prompt.challenge_name)
        return "123456"  # moto accepts any SMS code

    tokens = sign_in(pool, "sam", ScriptedHandler(password=PASSWORD, code=code), auth_flow="USER_PASSWORD_AUTH")
    assert asked == ["SMS_MFA"]
    assert claims(tokens.access_token)["username"] == "sam"


def test_account_changes_on_moto(moto: Any, moto_endpoint: str) -> None:
    """The account handle's calls that moto serves: reads (what moto lacks is None, not an error), a password
    change, a new authenticator app, attributes and global sign-out (moto answers DeleteUser with a 500)."""
    from authflow import Account
    from authflow.errors import NotAuthorizedError

    pool_id, client_id, _ = new_pool(moto)
    new_user(moto, pool_id, "ada")
    pool = UserPool(pool_id, client_id, endpoint_url=moto_endpoint)
    account = Account(pool, sign_in(pool, "ada", ScriptedHandler(password=PASSWORD)), username="ada")
    info = account.info()
    assert info.username == "ada" and info.mfa.enabled == ()
    new_password = PASSWORD + "-2"
    account.change_password().run(ScriptedHandler(password=PASSWORD, new_password=new_password))
    sign_in(pool, "ada", ScriptedHandler(password=new_password), auth_flow="USER_PASSWORD_AUTH")
    secrets: list[str] = []
    account.set_up_totp("phone").run(ScriptedHandler(totp_secret_out=secrets.append))
    assert secrets and account.mfa().enabled == ("SOFTWARE_TOKEN_MFA",)
    account.update_attributes({"name": "Ada"}, verify=False).run()
    assert account.attributes()["name"] == "Ada"
    refresh_token = account.tokens.refresh_token or ""
    account.global_sign_out().run()
    with pytest.raises(NotAuthorizedError):
        pool.refresh(refresh_token, username="ada")


def test_account_command_on_moto(moto: Any, moto_endpoint: str, tmp_path: Path) -> None:
    """``authflow account`` (the contract's commands) against moto: the account printed with only the keys of what
    moto serves (it lacks GetUserAuthFactors, ListDevices and ListWebAuthnCredentials), a new authenticator app,
    a method turned off, a password change; TOTP MFA turned on before any authenticator is Cognito's error (moto
    words it as Cognito does) with what to do next."""
    pool_id, client_id, _ = new_pool(moto)
    new_user(moto, pool_id, "ada")
    env = credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": pool_id, "AUTHFLOW_CLIENT_ID": client_id, "AUTHFLOW_ENDPOINT_URL": moto_endpoint,
        "AUTHFLOW_USERNAME": "ada", "AUTHFLOW_PASSWORD": PASSWORD})

    def account(*args: str) -> dict[str, Any]:
        done = run_cli(["account", *args, "--non-interactive"], env)
        assert done.returncode == 0, done.stderr
        shown: dict[str, Any] = json.loads(done.stdout)
        return shown

    shown = account()
    assert sorted(shown) == ["Attributes", "MFA", "Username"]
    assert shown["Username"] == "ada" and shown["MFA"] == {"Enabled": [], "Preferred": None, "PasskeyMFA": None}
    early = run_cli(["account", "mfa", "enable", "totp", "--non-interactive"], env)
    assert early.returncode == 1
    assert_one_line_error(early, contains="(InvalidParameterException). No authenticator app is set up yet: add one "
                                          "with `authflow account mfa totp`")
    shown = account("mfa", "totp", "--totp-secret-out", str(tmp_path / "ada.totp"))
    assert shown["MFA"] == {"Enabled": ["SOFTWARE_TOKEN_MFA"], "Preferred": "SOFTWARE_TOKEN_MFA", "PasskeyMFA": None}
    assert (tmp_path / "ada.totp").read_text()
    assert account("mfa", "disable", "totp")["MFA"]["Enabled"] == []
    env["AUTHFLOW_NEW_PASSWORD"] = PASSWORD + "-2"
    account("password")
    sign_in(UserPool(pool_id, client_id, endpoint_url=moto_endpoint), "ada",
            ScriptedHandler(password=PASSWORD + "-2"), auth_flow="USER_PASSWORD_AUTH")


def test_an_operation_moto_lacks_is_not_blamed_on_the_endpoint(moto: Any, moto_endpoint: str, tmp_path: Path) -> None:
    """moto answers DeleteUser with a bare HTTP 500 after answering the sign-in and GetUser as Cognito does: the line
    says that this endpoint is the right one and failed on DeleteUser, not "check --endpoint-url" (which sent people
    looking for a wrong URL). Nothing is forgotten: the account is still there."""
    pool_id, client_id, _ = new_pool(moto)
    new_user(moto, pool_id, "ada")
    env = credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": pool_id, "AUTHFLOW_CLIENT_ID": client_id, "AUTHFLOW_ENDPOINT_URL": moto_endpoint,
        "AUTHFLOW_USERNAME": "ada", "AUTHFLOW_PASSWORD": PASSWORD})
    done = run_cli(["account", "delete", "--yes", "--non-interactive"], env)
    assert done.returncode == 1
    assert_one_line_error(done, contains="the endpoint answered DeleteUser with HTTP 500")
    assert "answered earlier calls as Cognito does, so it is the right one: it failed on DeleteUser" in done.stderr
    assert "Check --endpoint-url" not in done.stderr and "HTTP 500 500" not in done.stderr
    assert moto.admin_get_user(UserPoolId=pool_id, Username="ada")["Username"] == "ada"
