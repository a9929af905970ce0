"""USER_PASSWORD_AUTH and the user states every flow shares: unknown, disabled, unconfirmed, reset required,
lockout, aliases, app-client flow enforcement."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import error, idp, password_auth

PASSWORD = "Passw0rd!"


@pytest.fixture
def alice(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.add_user("alice", PASSWORD, attributes={"email": "alice@example.com", "email_verified": "true"})
    return local_pool


def sign_in_error(pool: LocalUserPool, username: str, password: str = PASSWORD,
                  client_id: str | None = None) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp(pool), client_id or pool.client_id, username, password)
    return error(excinfo)


def test_right_password_gives_tokens(alice: LocalUserPool) -> None:
    result = password_auth(idp(alice), alice.client_id, "alice", PASSWORD)["AuthenticationResult"]
    assert set(result) == {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600


def test_wrong_password(alice: LocalUserPool) -> None:
    assert sign_in_error(alice, "alice", "Wrong-passw0rd") == (
        "NotAuthorizedException", "Incorrect username or password.")


def test_missing_password_is_invalid_parameter(alice: LocalUserPool) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp(alice).initiate_auth(ClientId=alice.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "alice"})
    assert error(excinfo) == ("InvalidParameterException", "Missing required parameter PASSWORD")


def test_unknown_user_legacy(alice: LocalUserPool) -> None:
    assert sign_in_error(alice, "bob") == ("UserNotFoundException", "User does not exist.")


def test_unknown_user_with_prevent_user_existence_errors(alice: LocalUserPool) -> None:
    client = alice.add_client(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"],
                              prevent_user_existence_errors="ENABLED")
    assert sign_in_error(alice, "bob", client_id=client.id) == (
        "NotAuthorizedException", "Incorrect username or password.")


def test_disabled_user(alice: LocalUserPool) -> None:
    alice.update_user("alice", enabled=False)
    assert sign_in_error(alice, "alice") == ("NotAuthorizedException", "User is disabled.")


def test_unconfirmed_user_right_password(alice: LocalUserPool) -> None:
    alice.update_user("alice", status="UNCONFIRMED")
    assert sign_in_error(alice, "alice") == ("UserNotConfirmedException", "User is not confirmed.")


def test_unconfirmed_user_wrong_password_is_still_told_to_confirm(alice: LocalUserPool) -> None:
    """Cognito answers UserNotConfirmedException whatever the password (amplify-flutter#3407, an Amplify
    maintainer; amazon-cognito-identity-js#288, an AWS engineer: intended, so apps can send people to confirm)."""
    alice.update_user("alice", status="UNCONFIRMED")
    assert sign_in_error(alice, "alice", "Wrong-passw0rd") == ("UserNotConfirmedException", "User is not confirmed.")
    assert alice.user("alice").failed_password_attempts == 0  # the password was never looked at


def test_reset_required_user(alice: LocalUserPool) -> None:
    alice.update_user("alice", status="RESET_REQUIRED")
    assert sign_in_error(alice, "alice") == (
        "PasswordResetRequiredException", "Password reset required for the user")


def test_lockout_after_five_failures_then_recovers(alice: LocalUserPool) -> None:
    for _ in range(5):
        assert sign_in_error(alice, "alice", "Wrong-passw0rd")[1] == "Incorrect username or password."
    # Even the right password is refused while the lockout lasts.
    assert sign_in_error(alice, "alice") == ("NotAuthorizedException", "Password attempts exceeded")
    alice.clock.advance(2)
    assert "AuthenticationResult" in password_auth(idp(alice), alice.client_id, "alice", PASSWORD)
    # A success resets the count: one more failure does not lock.
    assert sign_in_error(alice, "alice", "Wrong-passw0rd")[1] == "Incorrect username or password."
    assert "AuthenticationResult" in password_auth(idp(alice), alice.client_id, "alice", PASSWORD)


def test_lockout_grows_with_each_extra_failure(alice: LocalUserPool) -> None:
    alice.clock.freeze()                             # the windows are seconds: a loaded machine must not move them
    for _ in range(5):
        sign_in_error(alice, "alice", "Wrong-passw0rd")
    alice.clock.advance(2)
    sign_in_error(alice, "alice", "Wrong-passw0rd")  # 6th failure: 2 s lockout
    alice.clock.advance(1.5)
    assert sign_in_error(alice, "alice")[1] == "Password attempts exceeded"
    alice.clock.advance(1)
    assert "AuthenticationResult" in password_auth(idp(alice), alice.client_id, "alice", PASSWORD)


def test_sign_in_with_verified_email_alias(alice: LocalUserPool) -> None:
    alice.pool().alias_attributes = ["email"]
    result = password_auth(idp(alice), alice.client_id, "ALICE@example.com", PASSWORD)
    assert "AuthenticationResult" in result


def test_unverified_email_alias_is_not_a_sign_in_name(alice: LocalUserPool) -> None:
    alice.pool().alias_attributes = ["email"]
    alice.update_user("alice", attributes={"email_verified": "false"})
    assert sign_in_error(alice, "alice@example.com")[0] == "UserNotFoundException"


def test_no_alias_without_alias_attributes(alice: LocalUserPool) -> None:
    assert sign_in_error(alice, "alice@example.com")[0] == "UserNotFoundException"


def test_email_as_username_pool() -> None:
    with LocalUserPool({"pools": [{
        "username_attributes": ["email"],
        "clients": [{"explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}],
        "users": [{"username": "carol@example.com", "password": PASSWORD}],
    }]}) as pool:
        user = pool.user("carol@example.com")
        assert user.username == user.sub != "carol@example.com"
        assert "AuthenticationResult" in password_auth(idp(pool), pool.client_id, "carol@example.com", PASSWORD)


def test_usernames_are_case_insensitive_by_default(alice: LocalUserPool) -> None:
    assert "AuthenticationResult" in password_auth(idp(alice), alice.client_id, "ALICE", PASSWORD)


def test_flow_not_enabled_for_client(alice: LocalUserPool) -> None:
    client = alice.add_client(explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert sign_in_error(alice, "alice", client_id=client.id) == (
        "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")


def test_client_defaults_are_srp_custom_and_refresh(alice: LocalUserPool) -> None:
    client = alice.add_client()
    assert client.explicit_auth_flows == {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert sign_in_error(alice, "alice", client_id=client.id)[1] == (
        "USER_PASSWORD_AUTH flow not enabled for this client")


def test_unknown_client(alice: LocalUserPool) -> None:
    assert sign_in_error(alice, "alice", client_id="nosuchclient") == (
        "ResourceNotFoundException", "User pool client nosuchclient does not exist.")


def test_user_without_known_password_cannot_sign_in(local_pool: LocalUserPool) -> None:
    local_pool.add_user("nopass")
    assert sign_in_error(local_pool, "nopass", PASSWORD)[1] == "Incorrect username or password."
