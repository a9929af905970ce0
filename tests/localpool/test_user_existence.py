"""PreventUserExistenceErrors in sign-up confirmation and password recovery, and AllowAdminCreateUserOnly,
through boto3: with ENABLED, ForgotPassword and ResendConfirmationCode for a name nobody has answer as if a
code went out (nothing is sent), ConfirmForgotPassword and ConfirmSignUp answer as a wrong code does; with
LEGACY they say UserNotFoundException. A pool that only lets administrators create users refuses SignUp."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from tests.localpool.helpers import admin_idp, error, idp

WRONG_CODE = ("CodeMismatchException", "Invalid verification code provided, please try again.")


@pytest.fixture
def hidden(local_pool: LocalUserPool) -> str:
    """An app client of the pool with PreventUserExistenceErrors ENABLED."""
    return local_pool.add_client(name="hidden", prevent_user_existence_errors="ENABLED").id


def test_forgot_password_for_nobody_answers_like_a_delivery_when_users_are_hidden(
    local_pool: LocalUserPool, hidden: str
) -> None:
    local_pool.clear_outbox()
    for name, expected in (
        ("nobody", None),
        ("nobody@example.org", {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}),
        ("+15555550199", {"Destination": "+*******0199", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}),
    ):
        first = idp(local_pool).forgot_password(ClientId=hidden, Username=name)["CodeDeliveryDetails"]
        again = idp(local_pool).forgot_password(ClientId=hidden, Username=name)["CodeDeliveryDetails"]
        assert first == again  # the same made-up place each time, as a real user's would be
        if expected is not None:
            assert first == expected
        else:
            assert first["DeliveryMedium"] == "EMAIL" and first["Destination"].endswith("***")
        resent = idp(local_pool).resend_confirmation_code(ClientId=hidden, Username=name)["CodeDeliveryDetails"]
        assert resent == first
    assert local_pool.outbox() == []  # nothing was sent to anyone


def test_codes_for_nobody_are_wrong_codes_when_users_are_hidden(local_pool: LocalUserPool, hidden: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).confirm_forgot_password(ClientId=hidden, Username="nobody", ConfirmationCode="123456",
                                                Password="Corr3ct-Horse!")
    assert error(excinfo) == WRONG_CODE
    with pytest.raises(ClientError) as excinfo:  # the policy is checked first, as for a real user
        idp(local_pool).confirm_forgot_password(ClientId=hidden, Username="nobody", ConfirmationCode="123456",
                                                Password="short")
    assert error(excinfo)[0] == "InvalidPasswordException"
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).confirm_sign_up(ClientId=hidden, Username="nobody", ConfirmationCode="123456")
    assert error(excinfo) == WRONG_CODE


def test_legacy_clients_still_say_the_user_does_not_exist(local_pool: LocalUserPool) -> None:
    calls = (
        lambda: idp(local_pool).forgot_password(ClientId=local_pool.client_id, Username="nobody"),
        lambda: idp(local_pool).confirm_forgot_password(ClientId=local_pool.client_id, Username="nobody",
                                                        ConfirmationCode="123456", Password="Corr3ct-Horse!"),
        lambda: idp(local_pool).confirm_sign_up(ClientId=local_pool.client_id, Username="nobody",
                                                ConfirmationCode="123456"),
        lambda: idp(local_pool).resend_confirmation_code(ClientId=local_pool.client_id, Username="nobody"),
    )
    for call in calls:  # the code operations' own message (Amplify UI's end-to-end tests see it for ForgotPassword)
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error(excinfo) == ("UserNotFoundException", "Username/client id combination not found.")


def test_allow_admin_create_user_only_refuses_sign_up(local_pool: LocalUserPool) -> None:
    admin = admin_idp(local_pool)
    pool_id = admin.create_user_pool(PoolName="closed", AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
                                     AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    described = admin.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    client_id = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).sign_up(ClientId=client_id, Username="walter", Password="Corr3ct-Horse!",
                                UserAttributes=[{"Name": "email", "Value": "walter@example.com"}])
    assert error(excinfo) == ("NotAuthorizedException", "SignUp is not permitted for this user pool")
    admin.admin_create_user(UserPoolId=pool_id, Username="walter")  # an administrator still can
    # the default pool lets people sign up
    assert admin.describe_user_pool(UserPoolId=local_pool.pool_id)["UserPool"]["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": False}


def test_sign_up_names_every_required_attribute_missing(local_pool: LocalUserPool) -> None:
    """Cognito lists each missing required attribute on a line of its own ("Attributes did not conform to the
    schema: phone_number: The attribute is required"), so a client can ask for all of them at once."""
    pool = local_pool.add_pool(required_attributes=["email", "phone_number", "name"],
                               auto_verified_attributes=["phone_number"])
    client = local_pool.add_client(pool_id=pool.id).id
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).sign_up(ClientId=client, Username="walter", Password="Corr3ct-Horse!",
                                UserAttributes=[{"Name": "email", "Value": "walter@example.com"}])
    assert error(excinfo) == ("InvalidParameterException", "Attributes did not conform to the schema: "
                              "phone_number: The attribute is required\nname: The attribute is required\n")
    assert local_pool.pool(pool.id).find("walter") is None  # nothing was created


def test_sign_up_with_a_taken_email_as_username_names_the_address(local_pool: LocalUserPool) -> None:
    """A pool whose usernames are email addresses: a second SignUp with the same address is
    UsernameExistsException "An account with the given email already exists." (a plain username taken:
    "User already exists")."""
    pool = local_pool.add_pool(username_attributes=["email"], auto_verified_attributes=["email"])
    client = local_pool.add_client(pool_id=pool.id).id
    idp(local_pool).sign_up(ClientId=client, Username="walter@example.com", Password="Corr3ct-Horse!")
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).sign_up(ClientId=client, Username="walter@example.com", Password="Corr3ct-Horse!")
    assert error(excinfo) == ("UsernameExistsException", "An account with the given email already exists.")
    idp(local_pool).sign_up(ClientId=local_pool.client_id, Username="walter", Password="Corr3ct-Horse!")
    with pytest.raises(ClientError) as excinfo:
        idp(local_pool).sign_up(ClientId=local_pool.client_id, Username="walter", Password="Corr3ct-Horse!")
    assert error(excinfo) == ("UsernameExistsException", "User already exists")
