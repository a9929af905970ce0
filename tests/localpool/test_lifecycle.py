"""The local pool's side of the account lifecycle, spoken to through boto3: ConfirmSignUp's Session
(one USER_AUTH sign-in of that user, within its validity), ResendConfirmationCode, codes that expire,
and refresh-token rotation per app client (GetTokensFromRefreshToken, grace period, reuse)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from authflow.secret_hash import secret_hash
from tests.localpool.helpers import admin_idp, error, idp, password_auth

PASSWORD = "Corr3ct-Horse!"


def sign_up(pool: LocalUserPool, username: str, client_id: str | None = None, secret: str | None = None) -> str:
    """SignUp ``username``; returns the confirmation code the pool sent."""
    client_id = client_id or pool.client_id
    extra = {"SecretHash": secret_hash(username, client_id, secret)} if secret else {}
    reply = idp(pool).sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                              UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}], **extra)
    assert reply["UserConfirmed"] is False
    assert reply["CodeDeliveryDetails"] == {"Destination": f"{username[0]}***@e***", "DeliveryMedium": "EMAIL",
                                            "AttributeName": "email"}
    return pool.last_code(username, purpose="CONFIRM_SIGN_UP")


def confirm(pool: LocalUserPool, username: str, code: str) -> str:
    session: str = idp(pool).confirm_sign_up(ClientId=pool.client_id, Username=username,
                                             ConfirmationCode=code)["Session"]
    return session


def user_auth(pool: LocalUserPool, username: str, session: str) -> dict[str, Any]:
    reply: dict[str, Any] = idp(pool).initiate_auth(ClientId=pool.client_id, AuthFlow="USER_AUTH",
                                                    AuthParameters={"USERNAME": username}, Session=session)
    return reply


def test_confirm_sign_up_session_signs_the_user_in_once(local_pool: LocalUserPool) -> None:
    session = confirm(local_pool, "nina", sign_up(local_pool, "nina"))
    result = user_auth(local_pool, "nina", session)["AuthenticationResult"]
    assert local_pool.access_token_claims(result["AccessToken"])["username"] == "nina"
    assert result["RefreshToken"]
    with pytest.raises(ClientError) as excinfo:
        user_auth(local_pool, "nina", session)
    assert error(excinfo) == ("NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def test_confirm_sign_up_session_is_for_that_user_only_and_expires(local_pool: LocalUserPool) -> None:
    nina = confirm(local_pool, "nina", sign_up(local_pool, "nina"))
    omar = confirm(local_pool, "omar", sign_up(local_pool, "omar"))
    with pytest.raises(ClientError) as excinfo:
        user_auth(local_pool, "omar", nina)
    assert error(excinfo) == ("NotAuthorizedException", "Invalid session for the user.")
    other = local_pool.add_client(explicit_auth_flows=["ALLOW_USER_AUTH"])
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).initiate_auth(ClientId=other.id, AuthFlow="USER_AUTH",
                                      AuthParameters={"USERNAME": "omar"}, Session=omar)
    assert error(excinfo)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).initiate_auth(ClientId=local_pool.client_id, AuthFlow="USER_SRP_AUTH",
                                      AuthParameters={"USERNAME": "omar", "SRP_A": "ab"}, Session=omar)
    assert error(excinfo)[0] == "InvalidParameterException"
    local_pool.clock.advance(local_pool.app_client().auth_session_validity + 1)
    with pytest.raises(ClientError) as excinfo:
        user_auth(local_pool, "omar", omar)
    assert error(excinfo) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_resend_confirmation_code_replaces_the_code(local_pool: LocalUserPool) -> None:
    first = sign_up(local_pool, "nina")
    reply = idp(local_pool).resend_confirmation_code(ClientId=local_pool.client_id, Username="nina")
    assert reply["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    second = local_pool.last_code("nina", purpose="CONFIRM_SIGN_UP")
    assert len(local_pool.outbox("nina", purpose="CONFIRM_SIGN_UP")) == 2
    if first != second:
        with pytest.raises(ClientError) as excinfo:
            confirm(local_pool, "nina", first)
        assert error(excinfo)[0] == "CodeMismatchException"
    confirm(local_pool, "nina", second)
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).resend_confirmation_code(ClientId=local_pool.client_id, Username="nina")
    assert error(excinfo) == ("InvalidParameterException", "User is already confirmed.")
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).resend_confirmation_code(ClientId=local_pool.client_id, Username="nobody")
    assert error(excinfo) == ("UserNotFoundException", "Username/client id combination not found.")


def test_resend_confirmation_code_needs_the_secret_hash(local_pool: LocalUserPool) -> None:
    client = local_pool.add_client(secret=True)
    sign_up(local_pool, "nina", client.id, client.secret)
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).resend_confirmation_code(ClientId=client.id, Username="nina")
    assert error(excinfo)[0] == "NotAuthorizedException"
    assert "SECRET_HASH was not received" in error(excinfo)[1]
    idp(local_pool).resend_confirmation_code(ClientId=client.id, Username="nina",
                                             SecretHash=secret_hash("nina", client.id, str(client.secret)))


def test_codes_expire(local_pool: LocalUserPool) -> None:
    code = sign_up(local_pool, "nina")
    local_pool.clock.advance(24 * 3600 + 1)
    with pytest.raises(ClientError) as excinfo:
        confirm(local_pool, "nina", code)
    assert error(excinfo) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    idp(local_pool).resend_confirmation_code(ClientId=local_pool.client_id, Username="nina")
    confirm(local_pool, "nina", local_pool.last_code("nina", purpose="CONFIRM_SIGN_UP"))
    idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="nina")
    reset = local_pool.last_code("nina", purpose="RESET_PASSWORD")
    local_pool.clock.advance(3601)
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).confirm_forgot_password(ClientId=local_pool.client_id, Username="nina",
                                                ConfirmationCode=reset, Password="N3w-Password!")
    assert error(excinfo)[0] == "ExpiredCodeException"


# --- refresh-token rotation --------------------------------------------------------------------------


def rotating_client(pool: LocalUserPool, grace: int) -> Any:
    return pool.add_client(secret=True, refresh_token_rotation=True, retry_grace_period_seconds=grace,
                           explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


def refresh(pool: LocalUserPool, client: Any, token: str) -> dict[str, Any]:
    result: dict[str, Any] = idp(pool).get_tokens_from_refresh_token(
        RefreshToken=token, ClientId=client.id, ClientSecret=client.secret, ClientMetadata={"app": "test"}
    )["AuthenticationResult"]
    return result


def test_rotation_hands_out_a_new_refresh_token_and_retires_the_old(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    client = rotating_client(local_pool, grace=10)
    first = password_auth(idp(local_pool), client.id, "alice", PASSWORD, client.secret)["AuthenticationResult"]
    second = refresh(local_pool, client, first["RefreshToken"])
    assert second["RefreshToken"] not in (None, first["RefreshToken"])
    retry = refresh(local_pool, client, first["RefreshToken"])  # inside the grace period: a client-side retry
    assert retry["RefreshToken"] != second["RefreshToken"]
    local_pool.clock.advance(11)
    with pytest.raises(ClientError) as excinfo:
        refresh(local_pool, client, first["RefreshToken"])
    assert error(excinfo)[0] == "RefreshTokenReuseException"
    third = refresh(local_pool, client, second["RefreshToken"])
    assert local_pool.access_token_claims(third["AccessToken"])["username"] == "alice"
    with pytest.raises(ClientError) as excinfo:  # rotation is GetTokensFromRefreshToken's alone
        idp(local_pool).initiate_auth(
            ClientId=client.id, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": third["RefreshToken"],
                            "SECRET_HASH": secret_hash("alice", client.id, str(client.secret))})
    assert error(excinfo)[0] == "InvalidParameterException"


def test_rotation_without_grace_retires_at_once(local_pool: LocalUserPool) -> None:
    local_pool.add_user("alice", PASSWORD)
    client = rotating_client(local_pool, grace=0)
    first = password_auth(idp(local_pool), client.id, "alice", PASSWORD, client.secret)["AuthenticationResult"]
    refresh(local_pool, client, first["RefreshToken"])
    with pytest.raises(ClientError) as excinfo:
        refresh(local_pool, client, first["RefreshToken"])
    assert error(excinfo)[0] == "RefreshTokenReuseException"


def test_rotation_and_short_lifetimes_set_over_http(local_pool: LocalUserPool) -> None:
    made = admin_idp(local_pool).create_user_pool_client(
        UserPoolId=local_pool.pool_id, ClientName="rotating", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                                                 "ALLOW_REFRESH_TOKEN_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 5},
        AccessTokenValidity=30, TokenValidityUnits={"AccessToken": "seconds"},
    )["UserPoolClient"]
    assert made["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 5}
    local_pool.add_user("alice", PASSWORD)
    result = password_auth(idp(local_pool), made["ClientId"], "alice", PASSWORD)["AuthenticationResult"]
    assert result["ExpiresIn"] == 30
    rotated = idp(local_pool).get_tokens_from_refresh_token(RefreshToken=result["RefreshToken"],
                                                            ClientId=made["ClientId"])["AuthenticationResult"]
    assert rotated["RefreshToken"] != result["RefreshToken"]


def test_a_sign_up_with_nowhere_to_send_a_code_is_confirmed_only_by_an_administrator(
        local_pool: LocalUserPool) -> None:
    """As Cognito: SignUp without an email address or phone number creates the user, unconfirmed, and answers
    without CodeDeliveryDetails (no code exists); ResendConfirmationCode refuses ("Auto verification not turned
    on"); SignUp again is UsernameExistsException; AdminConfirmSignUp confirms, and the user signs in."""
    reply = idp(local_pool).sign_up(ClientId=local_pool.client_id, Username="zed", Password=PASSWORD)
    assert reply["UserConfirmed"] is False and "CodeDeliveryDetails" not in reply
    assert local_pool.user("zed").status == "UNCONFIRMED" and local_pool.outbox("zed") == []
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).resend_confirmation_code(ClientId=local_pool.client_id, Username="zed")
    assert error(excinfo) == ("InvalidParameterException", "Cannot resend codes. Auto verification not turned on.")
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).sign_up(ClientId=local_pool.client_id, Username="zed", Password=PASSWORD,
                                UserAttributes=[{"Name": "email", "Value": "zed@example.com"}])
    assert error(excinfo)[0] == "UsernameExistsException"
    admin_idp(local_pool).admin_confirm_sign_up(UserPoolId=local_pool.pool_id, Username="zed")
    assert local_pool.user("zed").status == "CONFIRMED"
    assert password_auth(idp(local_pool), local_pool.client_id, "zed", PASSWORD)["AuthenticationResult"]["AccessToken"]


def test_the_confirmation_code_goes_only_where_the_pool_verifies_automatically(local_pool: LocalUserPool) -> None:
    """As Cognito: the sign-up code goes to an attribute in AutoVerifiedAttributes (the phone number when both
    are); a pool that verifies neither sends none, even to a user with an email address: an administrator
    confirms (and ConfirmSignUp marks nothing verified)."""
    client = idp(local_pool)
    both = [{"Name": "email", "Value": "ann@example.com"}, {"Name": "phone_number", "Value": "+15555550123"}]
    local_pool.pool().auto_verified_attributes = []
    reply = client.sign_up(ClientId=local_pool.client_id, Username="ann", Password=PASSWORD, UserAttributes=both)
    assert "CodeDeliveryDetails" not in reply and local_pool.outbox("ann") == []
    with pytest.raises(ClientError) as excinfo:
        client.resend_confirmation_code(ClientId=local_pool.client_id, Username="ann")
    assert error(excinfo) == ("InvalidParameterException", "Cannot resend codes. Auto verification not turned on.")
    local_pool.pool().auto_verified_attributes = ["email", "phone_number"]
    reply = client.sign_up(ClientId=local_pool.client_id, Username="bob", Password=PASSWORD, UserAttributes=both)
    assert reply["CodeDeliveryDetails"]["AttributeName"] == "phone_number"
    assert reply["CodeDeliveryDetails"]["DeliveryMedium"] == "SMS"
    reply = client.sign_up(ClientId=local_pool.client_id, Username="cy", Password=PASSWORD,
                           UserAttributes=both[:1])  # no phone number: the email address it also verifies
    assert reply["CodeDeliveryDetails"]["AttributeName"] == "email"
    local_pool.pool().auto_verified_attributes = ["phone_number"]
    reply = client.sign_up(ClientId=local_pool.client_id, Username="dee", Password=PASSWORD,
                           UserAttributes=both[:1])  # only an email address, which the pool does not verify
    assert "CodeDeliveryDetails" not in reply and local_pool.outbox("dee") == []
