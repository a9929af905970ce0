"""Setup and admin operations over HTTP (the same calls work against moto), SignUp, ForgotPassword."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import admin_idp, error, idp, password_auth, respond

PASSWORD = "Passw0rd!"


def setup_pool(admin: BaseClient) -> tuple[str, str]:
    """A pool, a client and a user, by admin calls only (what a test suite shares with moto)."""
    pool_id = admin.create_user_pool(
        PoolName="setup", Policies={"PasswordPolicy": {"MinimumLength": 8}},
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": False}],
    )["UserPool"]["Id"]
    client_id = admin.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    admin.admin_create_user(UserPoolId=pool_id, Username="setup-user", MessageAction="SUPPRESS",
                            TemporaryPassword="Temp-Passw0rd!",
                            UserAttributes=[{"Name": "email", "Value": "setup@example.com"}])
    admin.admin_set_user_password(UserPoolId=pool_id, Username="setup-user", Password=PASSWORD, Permanent=True)
    return pool_id, client_id


@pytest.fixture(params=["local", "moto"])
def admin_endpoint(request: pytest.FixtureRequest) -> Iterator[BaseClient]:
    if request.param == "local":
        with LocalUserPool() as pool:
            yield admin_idp(pool)
        return
    import moto.server as moto_server  # the test extra has it: missing, this fails, never skips
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                           aws_access_key_id="x", aws_secret_access_key="x",
                           config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=10))
    finally:
        server.stop()


def test_same_setup_runs_here_and_on_moto(admin_endpoint: BaseClient) -> None:
    pool_id, client_id = setup_pool(admin_endpoint)
    result = admin_endpoint.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                          AuthParameters={"USERNAME": "setup-user", "PASSWORD": PASSWORD})
    assert "AccessToken" in result["AuthenticationResult"]
    user = admin_endpoint.admin_get_user(UserPoolId=pool_id, Username="setup-user")
    assert user["UserStatus"] == "CONFIRMED"


@pytest.fixture
def admin(local_pool: LocalUserPool) -> BaseClient:
    return admin_idp(local_pool)


def test_create_user_pool_and_client(local_pool: LocalUserPool, admin: BaseClient) -> None:
    pool = admin.create_user_pool(
        PoolName="made-over-http", MfaConfiguration="OFF", AliasAttributes=["email"],
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False},
                  "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True}],
    )["UserPool"]
    assert pool["Id"].startswith("us-east-1_") and pool["Name"] == "made-over-http"
    described = admin.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert described["AliasAttributes"] == ["email"]
    client = admin.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="web", GenerateSecret=True, AuthSessionValidity=5,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=15, IdTokenValidity=15, TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes"},
    )["UserPoolClient"]
    assert client["ClientSecret"] and client["AccessTokenValidity"] == 900
    model = local_pool.app_client(client["ClientId"])
    assert model.auth_session_validity == 300 and model.secret == client["ClientSecret"]
    assert admin.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])[
        "UserPoolClient"]["ClientId"] == client["ClientId"]


def test_auth_session_validity_bounds(local_pool: LocalUserPool, admin: BaseClient) -> None:
    with pytest.raises(ClientError) as excinfo:
        admin.create_user_pool_client(UserPoolId=local_pool.pool_id, ClientName="x", AuthSessionValidity=20)
    assert error(excinfo)[0] == "InvalidParameterException"


def test_explicit_auth_flows_of_a_created_client_are_enforced(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.add_user("alice", PASSWORD)
    client_id = admin.create_user_pool_client(
        UserPoolId=local_pool.pool_id, ClientName="srp-only", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"],
    )["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp(local_pool), client_id, "alice", PASSWORD)
    assert error(excinfo)[1] == "USER_PASSWORD_AUTH flow not enabled for this client"


def test_set_user_pool_mfa_config(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.add_user("alice", PASSWORD)
    config = admin.set_user_pool_mfa_config(UserPoolId=local_pool.pool_id, MfaConfiguration="ON",
                                            SoftwareTokenMfaConfiguration={"Enabled": True})
    assert config["MfaConfiguration"] == "ON" and config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert admin.get_user_pool_mfa_config(UserPoolId=local_pool.pool_id)["MfaConfiguration"] == "ON"
    challenge = password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]


def test_admin_create_user_with_temporary_password(local_pool: LocalUserPool, admin: BaseClient) -> None:
    created = admin.admin_create_user(UserPoolId=local_pool.pool_id, Username="newbie",
                                      TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS",
                                      UserAttributes=[{"Name": "email", "Value": "newbie@example.com"}])["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD" and created["Enabled"] is True
    assert local_pool.outbox("newbie") == []
    challenge = password_auth(idp(local_pool), local_pool.client_id, "newbie", "Temp-Passw0rd!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = respond(idp(local_pool), local_pool.client_id, challenge, {"USERNAME": "newbie", "NEW_PASSWORD": PASSWORD})
    assert "AuthenticationResult" in done


def test_admin_create_user_sends_a_temporary_password(local_pool: LocalUserPool, admin: BaseClient) -> None:
    admin.admin_create_user(UserPoolId=local_pool.pool_id, Username="mailed", DesiredDeliveryMediums=["EMAIL"],
                            UserAttributes=[{"Name": "email", "Value": "mailed@example.com"}])
    (message,) = local_pool.outbox("mailed", purpose="TEMPORARY_PASSWORD")
    assert message.medium == "EMAIL" and message.destination == "mailed@example.com"
    challenge = password_auth(idp(local_pool), local_pool.client_id, "mailed", message.code)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_admin_create_user_refusals(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.add_user("taken", PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        admin.admin_create_user(UserPoolId=local_pool.pool_id, Username="taken", MessageAction="SUPPRESS")
    assert error(excinfo) == ("UsernameExistsException", "User account already exists")
    with pytest.raises(ClientError) as excinfo:
        admin.admin_create_user(UserPoolId=local_pool.pool_id, Username="weak", TemporaryPassword="weakweak")
    assert error(excinfo)[0] == "InvalidPasswordException"
    with pytest.raises(ClientError) as excinfo:
        admin.admin_create_user(UserPoolId="us-east-1_NoSuchOne", Username="x")
    assert error(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_NoSuchOne does not exist.")


def test_admin_set_user_password(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.add_user("alice", PASSWORD)
    admin.admin_set_user_password(UserPoolId=local_pool.pool_id, Username="alice", Password="Other-Passw0rd!",
                                  Permanent=False)
    challenge = password_auth(idp(local_pool), local_pool.client_id, "alice", "Other-Passw0rd!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    admin.admin_set_user_password(UserPoolId=local_pool.pool_id, Username="alice", Password=PASSWORD,
                                  Permanent=True)
    assert "AuthenticationResult" in password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        admin.admin_set_user_password(UserPoolId=local_pool.pool_id, Username="alice", Password="short",
                                      Permanent=True)
    assert error(excinfo)[0] == "InvalidPasswordException"


def test_admin_get_and_update_user(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.add_user("alice", PASSWORD, attributes={"email": "a@example.com", "email_verified": "true"},
                        mfa=["EMAIL_OTP"], preferred_mfa="EMAIL_OTP")
    user = admin.admin_get_user(UserPoolId=local_pool.pool_id, Username="alice")
    assert user["Username"] == "alice" and user["UserStatus"] == "CONFIRMED" and user["Enabled"]
    assert user["PreferredMfaSetting"] == "EMAIL_OTP" and user["UserMFASettingList"] == ["EMAIL_OTP"]
    admin.admin_update_user_attributes(UserPoolId=local_pool.pool_id, Username="alice",
                                       UserAttributes=[{"Name": "email", "Value": "b@example.com"}])
    attributes = {a["Name"]: a["Value"] for a in
                  admin.admin_get_user(UserPoolId=local_pool.pool_id, Username="alice")["UserAttributes"]}
    assert attributes["email"] == "b@example.com" and attributes["email_verified"] == "false"
    with pytest.raises(ClientError) as excinfo:
        admin.admin_get_user(UserPoolId=local_pool.pool_id, Username="nobody")
    assert error(excinfo) == ("UserNotFoundException", "User does not exist.")


def test_admin_disable_enable_delete(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.add_user("alice", PASSWORD)
    tokens = password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)["AuthenticationResult"]
    admin.admin_disable_user(UserPoolId=local_pool.pool_id, Username="alice")
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    assert error(excinfo)[1] == "User is disabled."
    with pytest.raises(ClientError):
        idp(local_pool).get_user(AccessToken=tokens["AccessToken"])
    admin.admin_enable_user(UserPoolId=local_pool.pool_id, Username="alice")
    assert "AuthenticationResult" in password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    admin.admin_delete_user(UserPoolId=local_pool.pool_id, Username="alice")
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    assert error(excinfo)[0] == "UserNotFoundException"


def test_reset_password_and_confirm_forgot_password(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.add_user("alice", PASSWORD, attributes={"email": "a@example.com", "email_verified": "true"})
    admin.admin_reset_user_password(UserPoolId=local_pool.pool_id, Username="alice")
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    assert error(excinfo)[0] == "PasswordResetRequiredException"
    code = local_pool.last_code("alice", purpose="RESET_PASSWORD")
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).confirm_forgot_password(ClientId=local_pool.client_id, Username="alice",
                                                ConfirmationCode="000000" if code != "000000" else "111111",
                                                Password="Reset-Passw0rd!")
    assert error(excinfo)[0] == "CodeMismatchException"
    idp(local_pool).confirm_forgot_password(ClientId=local_pool.client_id, Username="alice",
                                            ConfirmationCode=code, Password="Reset-Passw0rd!")
    assert "AuthenticationResult" in password_auth(idp(local_pool), local_pool.client_id, "alice", "Reset-Passw0rd!")


def test_sign_up_and_confirm(local_pool: LocalUserPool) -> None:
    local_pool.pool().auto_verified_attributes = ["email"]
    client = idp(local_pool)
    signed_up = client.sign_up(ClientId=local_pool.client_id, Username="sue", Password=PASSWORD,
                               UserAttributes=[{"Name": "email", "Value": "sue@example.com"}])
    assert signed_up["UserConfirmed"] is False and signed_up["UserSub"]
    assert signed_up["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    with pytest.raises(ClientError) as excinfo:
        password_auth(client, local_pool.client_id, "sue", PASSWORD)
    assert error(excinfo)[0] == "UserNotConfirmedException"
    code = local_pool.last_code("sue", purpose="CONFIRM_SIGN_UP")
    with pytest.raises(ClientError) as excinfo:
        client.confirm_sign_up(ClientId=local_pool.client_id, Username="sue",
                               ConfirmationCode="000000" if code != "000000" else "111111")
    assert error(excinfo)[0] == "CodeMismatchException"
    client.confirm_sign_up(ClientId=local_pool.client_id, Username="sue", ConfirmationCode=code)
    assert local_pool.user("sue").verified("email")
    assert "AuthenticationResult" in password_auth(client, local_pool.client_id, "sue", PASSWORD)


def test_list_users(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.add_user("alice", PASSWORD, attributes={"email": "alice@example.com"})
    local_pool.add_user("bob", PASSWORD, attributes={"email": "bob@example.org"})
    names = [u["Username"] for u in admin.list_users(UserPoolId=local_pool.pool_id)["Users"]]
    assert names == ["alice", "bob"]
    filtered = admin.list_users(UserPoolId=local_pool.pool_id, Filter='email ^= "bob"')["Users"]
    assert [u["Username"] for u in filtered] == ["bob"]


def test_admin_initiate_auth_with_admin_user_password_auth(local_pool: LocalUserPool, admin: BaseClient) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("alice", PASSWORD, attributes={"phone_number": "+15555550100"}, mfa=["SMS_MFA"])
    client = local_pool.add_client(explicit_auth_flows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])

    def start(password: str) -> dict:
        return admin.admin_initiate_auth(UserPoolId=local_pool.pool_id, ClientId=client.id,
                                         AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": "alice", "PASSWORD": password})

    with pytest.raises(ClientError) as excinfo:
        start("Wrong-passw0rd")
    assert error(excinfo)[1] == "Incorrect username or password."
    challenge = start(PASSWORD)
    assert challenge["ChallengeName"] == "SMS_MFA"
    done = admin.admin_respond_to_auth_challenge(
        UserPoolId=local_pool.pool_id, ClientId=client.id, ChallengeName="SMS_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "SMS_MFA_CODE": local_pool.last_code("alice")})
    assert "AccessToken" in done["AuthenticationResult"]
    # The flow must be enabled, and InitiateAuth does not take it.
    with pytest.raises(ClientError) as excinfo:
        admin.admin_initiate_auth(UserPoolId=local_pool.pool_id, ClientId=local_pool.client_id,
                                  AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert error(excinfo)[1] == "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client"
    with pytest.raises(ClientError) as excinfo:
        admin.admin_initiate_auth(UserPoolId="us-east-1_Other0000", ClientId=client.id,
                                  AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice"})
    assert error(excinfo)[0] == "ResourceNotFoundException"
