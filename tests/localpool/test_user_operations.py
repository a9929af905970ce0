"""A signed-in user's own operations added for the SDKs (issue 11): attributes and their verification,
SetUserSettings, GetUserAuthFactors, ListUserSessions / RevokeUserSession."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import TARGET, error, idp, password_auth, post

PASSWORD = "Passw0rd!"


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.pool().auto_verified_attributes = ["email"]
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.pool().mfa_types = {"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    local_pool.add_user("alice", PASSWORD, attributes={
        "email": "alice@example.com", "email_verified": "true", "phone_number": "+15555550100", "name": "Alice"})
    return local_pool


def post_json(pool: LocalUserPool, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A request as any HTTP client may send it (boto3 would refuse a null Value before sending)."""
    return post(pool, TARGET + operation, json.dumps(body).encode())


def signed_in(pool: LocalUserPool) -> tuple[Any, str]:
    client = idp(pool)
    return client, password_auth(client, pool.client_id, "alice", PASSWORD)["AuthenticationResult"]["AccessToken"]


def attributes(client: Any, token: str) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in client.get_user(AccessToken=token)["UserAttributes"]}


def test_changing_an_auto_verified_email_sends_a_code_to_the_new_address(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    answer = client.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "email", "Value": "new@example.com"}, {"Name": "name", "Value": "Alice B"}])
    assert answer["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    (message,) = pool.outbox("alice", purpose="VERIFY_ATTRIBUTE")
    assert message.destination == "new@example.com"
    assert attributes(client, token)["email_verified"] == "false"
    with pytest.raises(ClientError) as excinfo:
        client.verify_user_attribute(AccessToken=token, AttributeName="email", Code="000000"
                                     if message.code != "000000" else "111111")
    assert error(excinfo) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    client.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message.code)
    now = attributes(client, token)
    assert (now["email"], now["email_verified"], now["name"]) == ("new@example.com", "true", "Alice B")


def test_a_pool_that_does_not_auto_verify_sends_nothing(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    answer = client.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "phone_number", "Value": "+15555550199"}])
    assert answer["CodeDeliveryDetailsList"] == []
    assert pool.outbox("alice", purpose="VERIFY_ATTRIBUTE") == []
    assert attributes(client, token)["phone_number_verified"] == "false"


def test_get_user_attribute_verification_code_then_verify(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    details = client.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")
    assert details["CodeDeliveryDetails"] == {
        "Destination": "+*******0100", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    client.verify_user_attribute(AccessToken=token, AttributeName="phone_number",
                                 Code=pool.last_code("alice", purpose="VERIFY_ATTRIBUTE"))
    assert attributes(client, token)["phone_number_verified"] == "true"


def test_a_code_is_for_the_value_it_was_sent_to_and_expires(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    client.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    code = pool.last_code("alice")
    client.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "b@example.com"}])
    pool.clear_outbox()
    with pytest.raises(ClientError) as excinfo:      # a newer code went to the new address
        client.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert error(excinfo)[0] == "CodeMismatchException"
    pool.clock.advance(24 * 3600 + 1)
    client, token = signed_in(pool)
    client.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    pool.clock.advance(24 * 3600 + 1)
    client, token = signed_in(pool)
    with pytest.raises(ClientError) as excinfo:
        client.verify_user_attribute(AccessToken=token, AttributeName="email", Code=pool.last_code("alice"))
    assert error(excinfo) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")


def test_attribute_errors(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    with pytest.raises(ClientError) as excinfo:
        client.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "shoe_size", "Value": "9"}])
    assert error(excinfo) == ("InvalidParameterException",
                              "Invalid user attributes: user.shoe_size: Attribute does not exist in the schema.")
    with pytest.raises(ClientError) as excinfo:
        client.get_user_attribute_verification_code(AccessToken=token, AttributeName="name")
    assert error(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        client.verify_user_attribute(AccessToken="not-a-token", AttributeName="email", Code="123456")
    assert error(excinfo) == ("NotAuthorizedException", "Invalid Access Token")


def test_delete_user_attributes(pool: LocalUserPool) -> None:
    pool.pool().required_attributes = ["email"]
    client, token = signed_in(pool)
    client.delete_user_attributes(AccessToken=token, UserAttributeNames=["name", "phone_number"])
    assert set(attributes(client, token)) == {"sub", "email", "email_verified"}
    with pytest.raises(ClientError) as excinfo:
        client.delete_user_attributes(AccessToken=token, UserAttributeNames=["email"])
    assert error(excinfo) == ("InvalidParameterException",
                              "Attributes did not conform to the schema: email: The attribute is required")
    with pytest.raises(ClientError) as excinfo:
        client.delete_user_attributes(AccessToken=token, UserAttributeNames=["sub"])
    assert error(excinfo)[0] == "InvalidParameterException"


def test_set_user_settings_switches_sms_mfa(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    client.set_user_settings(AccessToken=token, MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
    user = client.get_user(AccessToken=token)
    assert user["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert user["UserMFASettingList"] == ["SMS_MFA"]
    assert password_auth(client, pool.client_id, "alice", PASSWORD)["ChallengeName"] == "SMS_MFA"
    client.set_user_settings(AccessToken=token, MFAOptions=[])
    assert "UserMFASettingList" not in client.get_user(AccessToken=token)
    with pytest.raises(ClientError) as excinfo:
        client.set_user_settings(AccessToken=token, MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "email"}])
    assert error(excinfo)[0] == "InvalidParameterException"


def test_get_user_auth_factors(pool: LocalUserPool) -> None:
    pool.pool().allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP"]
    pool.update_user("alice", mfa=["EMAIL_OTP"], preferred_mfa="EMAIL_OTP")
    client = idp(pool)
    challenge = password_auth(client, pool.client_id, "alice", PASSWORD)
    token = client.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": pool.last_code("alice")},
    )["AuthenticationResult"]["AccessToken"]
    factors = client.get_user_auth_factors(AccessToken=token)
    assert factors["Username"] == "alice"
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]
    # Only AuthFactorType's values (the service model's enum): PASSWORD_SRP is a challenge name, not a factor.
    enum = client.meta.service_model.shape_for("AuthFactorType").enum
    assert set(factors["ConfiguredUserAuthFactors"]) <= set(enum) and "PASSWORD_SRP" not in enum
    assert (factors["PreferredMfaSetting"], factors["UserMFASettingList"]) == ("EMAIL_OTP", ["EMAIL_OTP"])


def test_list_and_revoke_user_sessions(pool: LocalUserPool) -> None:
    client, first = signed_in(pool)
    _, second = signed_in(pool)
    sessions = client.list_user_sessions(AccessToken=second)["Sessions"]
    assert len(sessions) == 2 and [s["IsCurrentSession"] for s in sessions] == [False, True]
    assert {s["ClientId"] for s in sessions} == {pool.client_id}
    with pytest.raises(ClientError) as excinfo:
        client.revoke_user_session(AccessToken=second, SessionId=sessions[1]["SessionId"])
    assert error(excinfo)[0] == "InvalidParameterException"
    client.revoke_user_session(AccessToken=second, SessionId=sessions[0]["SessionId"])
    with pytest.raises(ClientError) as excinfo:
        client.get_user(AccessToken=first)
    assert error(excinfo) == ("NotAuthorizedException", "Access Token has been revoked")
    assert [s["IsCurrentSession"] for s in client.list_user_sessions(AccessToken=second)["Sessions"]] == [True]
    with pytest.raises(ClientError) as excinfo:
        client.revoke_user_session(AccessToken=second, SessionId=sessions[0]["SessionId"])
    assert error(excinfo)[0] == "ResourceNotFoundException"


def test_five_wrong_codes_use_up_a_verification_code(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    client.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    right = pool.last_code("alice", purpose="VERIFY_ATTRIBUTE")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ClientError) as excinfo:
            client.verify_user_attribute(AccessToken=token, AttributeName="email", Code=wrong)
        assert error(excinfo)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as excinfo:
        client.verify_user_attribute(AccessToken=token, AttributeName="email", Code=right)
    assert error(excinfo) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    client.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    client.verify_user_attribute(AccessToken=token, AttributeName="email",
                                 Code=pool.last_code("alice", purpose="VERIFY_ATTRIBUTE"))


def test_sub_cannot_be_changed_or_emptied(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    for value in ("", "another"):
        with pytest.raises(ClientError) as excinfo:
            client.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "sub", "Value": value}])
        assert error(excinfo) == ("InvalidParameterException", "Cannot modify the non-mutable attribute sub")
    assert attributes(client, token)["sub"] == pool.user("alice").sub


def test_attribute_values_must_be_strings(pool: LocalUserPool) -> None:
    client, token = signed_in(pool)
    status, body = post_json(pool, "UpdateUserAttributes",
                             {"AccessToken": token, "UserAttributes": [{"Name": "name", "Value": None}]})
    assert (status, body["__type"]) == (400, "InvalidParameterException")
    assert attributes(client, token)["name"] == "Alice"
