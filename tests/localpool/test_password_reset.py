"""Password reset as Cognito does it, through boto3 (docs/protocol.md, "Password reset"): the code goes only to a
verified phone number or email address (the phone first when both are), a user with a temporary password cannot
reset it, a reset brings a RESET_REQUIRED user back to CONFIRMED without touching the attributes' verification,
and the new password signs in at once with no further challenge. With PreventUserExistenceErrors ENABLED, a
disabled user, a user with nowhere verified and a user with a temporary password are answered as a name nobody
has: a simulated CodeDeliveryDetails and nothing sent; ConfirmForgotPassword without a code asked for is
ExpiredCodeException, and for a disabled user CodeMismatchException."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from tests.localpool.helpers import admin_idp, error, idp, password_auth

PASSWORD = "Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd!"
CANNOT_RESET = ("NotAuthorizedException", "User password cannot be reset in the current state.")
NO_RECOVERY = ("InvalidParameterException",
               "Cannot reset password for the user as there is no registered/verified email or phone_number")


@pytest.fixture
def local_pool(local_pool: LocalUserPool) -> LocalUserPool:
    """The test pool with alice, whose email address is verified."""
    local_pool.add_user("alice", PASSWORD, attributes={"email": "alice@example.com", "email_verified": "true"})
    return local_pool


def reset(pool: LocalUserPool, username: str, client_id: str | None = None) -> dict[str, str]:
    client = client_id or pool.client_id
    details = idp(pool).forgot_password(ClientId=client, Username=username)["CodeDeliveryDetails"]
    idp(pool).confirm_forgot_password(ClientId=client, Username=username, Password=NEW_PASSWORD,
                                      ConfirmationCode=pool.last_code(username, purpose="RESET_PASSWORD"))
    return dict(details)


def test_a_reset_required_user_is_confirmed_and_signs_in_at_once(local_pool: LocalUserPool) -> None:
    admin_idp(local_pool).admin_reset_user_password(UserPoolId=local_pool.pool_id, Username="alice")
    assert local_pool.user("alice").status == "RESET_REQUIRED"
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    assert error(excinfo)[0] == "PasswordResetRequiredException"
    before = dict(local_pool.user("alice").attributes)
    reset(local_pool, "alice")
    assert local_pool.user("alice").status == "CONFIRMED"
    assert local_pool.user("alice").attributes == before  # the reset changes no attribute (nor *_verified)
    signed_in = password_auth(idp(local_pool), local_pool.client_id, "alice", NEW_PASSWORD)
    assert "ChallengeName" not in signed_in and signed_in["AuthenticationResult"]["AccessToken"]


def test_the_code_goes_only_to_a_verified_attribute_the_phone_first(local_pool: LocalUserPool) -> None:
    local_pool.add_user("bob", "Passw0rd!", attributes={"email": "bob@example.com", "email_verified": "false"})
    local_pool.clear_outbox()
    with pytest.raises(ClientError) as excinfo:  # an address never verified receives no reset code
        idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="bob")
    assert error(excinfo) == NO_RECOVERY
    assert local_pool.outbox() == []
    local_pool.update_user("bob", attributes={"email_verified": "true", "phone_number": "+15555550123",
                                              "phone_number_verified": "true"})
    details = idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="bob")["CodeDeliveryDetails"]
    assert details == {"Destination": "+*******0123", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    local_pool.update_user("bob", attributes={"phone_number_verified": "false"})
    details = idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="bob")["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"


def test_a_temporary_password_cannot_be_reset(local_pool: LocalUserPool) -> None:
    admin_idp(local_pool).admin_create_user(
        UserPoolId=local_pool.pool_id, Username="carol", TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "carol@example.com"}, {"Name": "email_verified", "Value": "true"}])
    local_pool.clear_outbox()
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="carol")
    assert error(excinfo) == CANNOT_RESET
    assert local_pool.outbox() == [] and local_pool.user("carol").status == "FORCE_CHANGE_PASSWORD"


def test_with_hidden_users_nobody_special_is_told_apart(local_pool: LocalUserPool) -> None:
    hidden = local_pool.add_client(name="hidden", prevent_user_existence_errors="ENABLED").id
    local_pool.add_user("dave", "Passw0rd!", attributes={"email": "dave@example.com", "email_verified": "false"})
    local_pool.add_user("erin", "Passw0rd!", attributes={"email": "erin@example.com", "email_verified": "true"})
    local_pool.update_user("erin", enabled=False)
    admin_idp(local_pool).admin_create_user(UserPoolId=local_pool.pool_id, Username="fay", MessageAction="SUPPRESS",
                                            TemporaryPassword="Temp-Passw0rd!")
    local_pool.clear_outbox()
    for name in ("dave", "erin", "fay", "nobody"):
        details = idp(local_pool).forgot_password(ClientId=hidden, Username=name)["CodeDeliveryDetails"]
        assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
        resent = idp(local_pool).forgot_password(ClientId=hidden, Username=name)["CodeDeliveryDetails"]
        assert resent == details  # the same simulated place each time
    assert local_pool.outbox() == []  # nothing went anywhere
    for name in ("dave", "fay"):  # no code was asked for these: ExpiredCodeException
        with pytest.raises(ClientError) as excinfo:
            idp(local_pool).confirm_forgot_password(ClientId=hidden, Username=name, ConfirmationCode="123456",
                                                    Password=NEW_PASSWORD)
        assert error(excinfo)[0] == "ExpiredCodeException"
    for name in ("erin", "nobody"):  # a disabled user as a name nobody has
        with pytest.raises(ClientError) as excinfo:
            idp(local_pool).confirm_forgot_password(ClientId=hidden, Username=name, ConfirmationCode="123456",
                                                    Password=NEW_PASSWORD)
        assert error(excinfo)[0] == "CodeMismatchException"
    resent = idp(local_pool).resend_confirmation_code(ClientId=hidden, Username="erin")["CodeDeliveryDetails"]
    assert resent["DeliveryMedium"] == "EMAIL" and local_pool.outbox() == []
    # the LEGACY client still says what is wrong
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="dave")
    assert error(excinfo) == NO_RECOVERY
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="fay")
    assert error(excinfo) == CANNOT_RESET


def test_a_hidden_users_reset_still_works_for_a_real_user(local_pool: LocalUserPool) -> None:
    hidden = local_pool.add_client(name="hidden", prevent_user_existence_errors="ENABLED",
                                   explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]).id
    details = reset(local_pool, "alice", hidden)
    assert details == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    with pytest.raises(ClientError) as excinfo:  # the code is used up: as if none had been asked for
        idp(local_pool).confirm_forgot_password(ClientId=hidden, Username="alice", Password="An0ther-Passw0rd!",
                                                ConfirmationCode="123456")
    assert error(excinfo)[0] == "ExpiredCodeException"
    assert password_auth(idp(local_pool), hidden, "alice", NEW_PASSWORD)["AuthenticationResult"]


def test_an_unknown_name_in_a_phone_only_pool_is_simulated_by_sms(local_pool: LocalUserPool) -> None:
    pool = local_pool.add_pool(auto_verified_attributes=["phone_number"], prevent_user_existence_errors="ENABLED")
    client = local_pool.add_client(pool_id=pool.id).id
    details = idp(local_pool).forgot_password(ClientId=client, Username="nobody")["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "SMS" and details["AttributeName"] == "phone_number"
    assert details["Destination"].startswith("+") and details["Destination"][-4:].isdigit()


def test_a_reset_ends_no_other_session(local_pool: LocalUserPool) -> None:
    """Cognito does not sign a user out elsewhere when the password is reset (people ask for it:
    aws-amplify/amplify-js#6559; GlobalSignOut does that): a refresh token from before still refreshes."""
    before = password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)["AuthenticationResult"]
    reset(local_pool, "alice")
    refreshed = idp(local_pool).initiate_auth(ClientId=local_pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                              AuthParameters={"REFRESH_TOKEN": before["RefreshToken"]})
    assert refreshed["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as excinfo:  # the old password is gone, though
        password_auth(idp(local_pool), local_pool.client_id, "alice", PASSWORD)
    assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_weak_new_password_is_worded_as_cognito_words_it_here(local_pool: LocalUserPool) -> None:
    """ConfirmForgotPassword says "Password does not conform to policy: ..."; SignUp says "Password did not
    conform with policy: ..." (docs/protocol.md gives the sources of both)."""
    idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="alice")
    code = local_pool.last_code("alice", purpose="RESET_PASSWORD")
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).confirm_forgot_password(ClientId=local_pool.client_id, Username="alice", Password="short",
                                                ConfirmationCode=code)
    assert error(excinfo) == ("InvalidPasswordException",
                              "Password does not conform to policy: Password not long enough")
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).sign_up(ClientId=local_pool.client_id, Username="zoe", Password="short")
    assert error(excinfo) == ("InvalidPasswordException",
                              "Password did not conform with policy: Password not long enough")
