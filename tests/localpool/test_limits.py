"""Cognito's limits and rules on every input, each tried by a test that attempts to break it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from authflow.localpool.limits import (
    CODE_REQUEST_WINDOW,
    CODE_REQUESTS_PER_WINDOW,
    DEVICE_NAME_MAX,
    MAX_WRONG_CODES,
    PASSKEY_CREDENTIAL_MAX,
)
from authflow.passkeys import SoftwarePasskey

from .helpers import error, idp, password_auth, respond

PASSWORD = "Passw0rd!"


# --- TOTP codes written in other scripts' digits ---------------------------------------------------


#: Six digits to str.isdigit, but none of them ASCII: fullwidth, Arabic-Indic, one mixed in, superscripts.
NON_ASCII_CODES = ["\uff11\uff12\uff13\uff14\uff15\uff16", "\u0661\u0662\u0663\u0664\u0665\u0666", "12345\u0666",
                   "\u00b2\u00b3\u2074\u2075\u2076\u2077"]


@pytest.mark.parametrize("code", NON_ASCII_CODES)
def test_totp_code_in_non_ascii_digits_is_a_code_mismatch(local_pool: LocalUserPool, code: str) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("tina", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA")
    client = idp(local_pool)
    challenge = password_auth(client, local_pool.client_id, "tina", PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        respond(client, local_pool.client_id, challenge, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code})
    assert error(excinfo)[0] == "CodeMismatchException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # the Session survives the wrong code: the right one still signs in
    right = local_pool.totp_code("tina")
    answer = respond(client, local_pool.client_id, challenge, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": right})
    assert "AccessToken" in answer["AuthenticationResult"]


# --- attempt limits on codes outside sign-in --------------------------------------------------------

LIMIT = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")


def refused(call: Any, **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error(excinfo)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def signed_up(pool: LocalUserPool, username: str = "nina") -> str:
    idp(pool).sign_up(ClientId=pool.client_id, Username=username, Password=PASSWORD,
                      UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    return pool.last_code(username, purpose="CONFIRM_SIGN_UP")


def test_confirm_sign_up_stops_after_five_wrong_codes_even_for_the_right_one(local_pool: LocalUserPool) -> None:
    client = idp(local_pool)
    code = signed_up(local_pool)
    for _ in range(MAX_WRONG_CODES):
        assert refused(client.confirm_sign_up, ClientId=local_pool.client_id, Username="nina",
                       ConfirmationCode=wrong(code))[0] == "CodeMismatchException"
    assert refused(client.confirm_sign_up, ClientId=local_pool.client_id, Username="nina",
                   ConfirmationCode=code) == LIMIT
    assert local_pool.user("nina").status == "UNCONFIRMED"
    # a new code (ResendConfirmationCode) may be tried again, and confirms
    client.resend_confirmation_code(ClientId=local_pool.client_id, Username="nina")
    fresh = local_pool.last_code("nina", purpose="CONFIRM_SIGN_UP")
    assert "Session" in client.confirm_sign_up(ClientId=local_pool.client_id, Username="nina", ConfirmationCode=fresh)


def test_confirm_forgot_password_stops_after_five_wrong_codes(local_pool: LocalUserPool) -> None:
    local_pool.add_user("rita", PASSWORD, attributes={"email": "rita@example.com", "email_verified": "true"})
    client = idp(local_pool)
    client.forgot_password(ClientId=local_pool.client_id, Username="rita")
    code = local_pool.last_code("rita", purpose="FORGOT_PASSWORD")
    new = "N3w-Passw0rd!"
    for _ in range(MAX_WRONG_CODES):
        assert refused(client.confirm_forgot_password, ClientId=local_pool.client_id, Username="rita",
                       ConfirmationCode=wrong(code), Password=new)[0] == "CodeMismatchException"
    assert refused(client.confirm_forgot_password, ClientId=local_pool.client_id, Username="rita",
                   ConfirmationCode=code, Password=new) == LIMIT
    password_auth(client, local_pool.client_id, "rita", PASSWORD)  # the old password still works
    with pytest.raises(ClientError):
        password_auth(client, local_pool.client_id, "rita", new)


def test_code_requests_are_limited_per_hour(local_pool: LocalUserPool) -> None:
    local_pool.add_user("rita", PASSWORD, attributes={"email": "rita@example.com", "email_verified": "true"})
    client = idp(local_pool)
    for _ in range(CODE_REQUESTS_PER_WINDOW):
        client.forgot_password(ClientId=local_pool.client_id, Username="rita")
    assert refused(client.forgot_password, ClientId=local_pool.client_id, Username="rita") == LIMIT
    assert len(local_pool.outbox("rita")) == CODE_REQUESTS_PER_WINDOW  # no code went out for the refused one
    local_pool.clock.advance(CODE_REQUEST_WINDOW)
    client.forgot_password(ClientId=local_pool.client_id, Username="rita")

    signed_up(local_pool, "nina")  # SignUp's own code counts
    for _ in range(CODE_REQUESTS_PER_WINDOW - 1):
        client.resend_confirmation_code(ClientId=local_pool.client_id, Username="nina")
    assert refused(client.resend_confirmation_code, ClientId=local_pool.client_id, Username="nina") == LIMIT


def test_attribute_verification_code_requests_are_limited(local_pool: LocalUserPool) -> None:
    local_pool.add_user("vera", PASSWORD, attributes={"email": "vera@example.com"})
    client = idp(local_pool)
    token = password_auth(client, local_pool.client_id, "vera", PASSWORD)["AuthenticationResult"]["AccessToken"]
    for _ in range(CODE_REQUESTS_PER_WINDOW):
        client.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert refused(client.get_user_attribute_verification_code, AccessToken=token, AttributeName="email") == LIMIT


# --- SignUp as Cognito validates it ---------------------------------------------------------------


def sign_up_refused(pool: LocalUserPool, username: str = "nina", password: str = PASSWORD,
                    attributes: dict[str, str] | None = None) -> tuple[str, str]:
    given = attributes if attributes is not None else {"email": "nina@example.com"}
    return refused(idp(pool).sign_up, ClientId=pool.client_id, Username=username, Password=password,
                   UserAttributes=[{"Name": k, "Value": v} for k, v in given.items()])


def validation(member: str, constraint: str) -> tuple[str, str]:
    return ("InvalidParameterException",
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}")


USERNAME_PATTERN = "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"


@pytest.mark.parametrize("username", ["with space", "nul\x00char", "tab\there", "bell\x07", "line\nbreak",
                                      "nbsp\u00a0here", "ideographic\u3000space"])
def test_sign_up_refuses_usernames_outside_cognitos_pattern(local_pool: LocalUserPool, username: str) -> None:
    assert sign_up_refused(local_pool, username) == validation("username", USERNAME_PATTERN)
    assert len(local_pool.pool().users) == 0


def test_sign_up_username_and_password_lengths(local_pool: LocalUserPool) -> None:
    assert sign_up_refused(local_pool, "n" * 129) == validation(
        "username", "Member must have length less than or equal to 128")
    long_password = "Aa1!" * 75  # 300 characters, policy-compliant
    assert sign_up_refused(local_pool, password=long_password) == validation(
        "password", "Member must have length less than or equal to 256")
    assert sign_up_refused(local_pool, password=" " + PASSWORD)[0] == "InvalidParameterException"
    idp(local_pool).sign_up(ClientId=local_pool.client_id, Username="n" * 128, Password=("Aa1!" * 64),
                            UserAttributes=[{"Name": "email", "Value": "n@example.com"}])  # both at the limit


def test_sign_up_refuses_unknown_attributes_sub_and_verified_flags(local_pool: LocalUserPool) -> None:
    assert sign_up_refused(local_pool, attributes={"email": "n@example.com", "favorite_flavor": "x"}) == (
        "InvalidParameterException",
        "Attributes did not conform to the schema: favorite_flavor: Attribute does not exist in the schema.\n")
    assert sign_up_refused(local_pool, attributes={"custom:team": "x"})[0] == "InvalidParameterException"
    code, message = sign_up_refused(local_pool, attributes={"sub": "11111111-2222-3333-4444-555555555555"})
    assert code == "InvalidParameterException" and "sub" in message
    assert sign_up_refused(local_pool, attributes={"email": "n@example.com", "email_verified": "true"}) == (
        "NotAuthorizedException", "A client attempted to write unauthorized attribute")
    assert len(local_pool.pool().users) == 0


def test_sign_up_accepts_the_pools_custom_attributes(local_pool: LocalUserPool) -> None:
    local_pool.pool().custom_attributes.append("custom:team")
    idp(local_pool).sign_up(ClientId=local_pool.client_id, Username="nina", Password=PASSWORD,
                            UserAttributes=[{"Name": "custom:team", "Value": "blue"}])
    assert local_pool.user("nina").attributes["custom:team"] == "blue"


def test_two_sign_ups_never_share_a_sub(local_pool: LocalUserPool) -> None:
    client = idp(local_pool)
    subs = {client.sign_up(ClientId=local_pool.client_id, Username=name, Password=PASSWORD)["UserSub"]
            for name in ("a1", "a2")}
    assert len(subs) == 2


@pytest.mark.parametrize("email", ["not-an-email", "two@@example.com", "sp ace@example.com", "nodot@example",
                                   "@example.com", "a@", "a@.com."])
def test_sign_up_refuses_malformed_email(local_pool: LocalUserPool, email: str) -> None:
    assert sign_up_refused(local_pool, attributes={"email": email}) == (
        "InvalidParameterException", "Invalid email address format.")


@pytest.mark.parametrize("phone", ["5555550100", "+1 555 555 0100", "+", "+0123456", "+1555555010012345",
                                   "+1555abc0100"])
def test_sign_up_refuses_malformed_phone_numbers(local_pool: LocalUserPool, phone: str) -> None:
    assert sign_up_refused(local_pool, attributes={"phone_number": phone}) == (
        "InvalidParameterException", "Invalid phone number format.")


def test_attribute_values_are_at_most_2048_characters(local_pool: LocalUserPool) -> None:
    assert sign_up_refused(local_pool, attributes={"email": "n@example.com", "name": "x" * 2049}) == validation(
        "userAttributes.2.member.value", "Member must have length less than or equal to 2048")
    local_pool.add_user("vera", PASSWORD)
    client = idp(local_pool)
    token = password_auth(client, local_pool.client_id, "vera", PASSWORD)["AuthenticationResult"]["AccessToken"]
    assert refused(client.update_user_attributes, AccessToken=token,
                   UserAttributes=[{"Name": "name", "Value": "y" * 2049}])[0] == "InvalidParameterException"
    client.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "name", "Value": "y" * 2048}])
    assert local_pool.user("vera").attributes["name"] == "y" * 2048


ALIAS_POOL = {"pools": [{"id": "us-east-1_Alias", "alias_attributes": ["email", "phone_number"],
                         "clients": [{"id": "aliasclient"}]}]}


@pytest.mark.parametrize("local_pool", [ALIAS_POOL], indirect=True)
def test_email_or_phone_format_username_refused_in_an_alias_pool(local_pool: LocalUserPool) -> None:
    client = idp(local_pool)
    with pytest.raises(ClientError) as excinfo:
        client.sign_up(ClientId="aliasclient", Username="nina@example.com", Password=PASSWORD)
    assert error(excinfo) == ("InvalidParameterException",
                              "Username cannot be of email format, since user pool is configured for email alias.")
    with pytest.raises(ClientError) as excinfo:
        client.sign_up(ClientId="aliasclient", Username="+15555550100", Password=PASSWORD)
    assert error(excinfo)[0] == "InvalidParameterException"
    client.sign_up(ClientId="aliasclient", Username="nina", Password=PASSWORD,
                   UserAttributes=[{"Name": "email", "Value": "nina@example.com"}])


# --- sizes of what a client stores: passkeys, devices ------------------------------------------------


def signed_in(pool: LocalUserPool, username: str = "pat") -> str:
    pool.add_user(username, PASSWORD)
    reply = password_auth(idp(pool), pool.client_id, username, PASSWORD)
    token: str = reply["AuthenticationResult"]["AccessToken"]
    return token


def registration(pool: LocalUserPool, token: str, tmp_path: Path) -> dict[str, Any]:
    """A software passkey's answer to StartWebAuthnRegistration (a real, verifiable credential)."""
    options = idp(pool).start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    tmp_path.mkdir(parents=True, exist_ok=True)
    key = SoftwarePasskey.generate(tmp_path / "pat.passkey")
    credential: dict[str, Any] = key.create_credential(options, "https://localhost")
    return credential


def test_passkey_transports_are_bounded(local_pool: LocalUserPool, tmp_path: Path) -> None:
    token = signed_in(local_pool)
    client = idp(local_pool)
    credential = registration(local_pool, token, tmp_path)
    credential["response"]["transports"] = ["usb"] * 1000
    code, message = refused(client.complete_web_authn_registration, AccessToken=token, Credential=credential)
    assert code == "InvalidParameterException" and "transports" in message
    assert local_pool.user("pat").passkeys == {}
    credential = registration(local_pool, token, tmp_path / "again")
    credential["response"]["transports"] = ["x" * 33]
    assert refused(client.complete_web_authn_registration, AccessToken=token,
                   Credential=credential)[0] == "InvalidParameterException"
    credential = registration(local_pool, token, tmp_path / "third")
    credential["response"]["transports"] = ["usb", "nfc", "usb", "hybrid"]
    client.complete_web_authn_registration(AccessToken=token, Credential=credential)
    (listed,) = client.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert listed["AuthenticatorTransports"] == ["usb", "nfc", "hybrid"]


def test_a_huge_credential_is_refused(local_pool: LocalUserPool, tmp_path: Path) -> None:
    token = signed_in(local_pool)
    credential = registration(local_pool, token, tmp_path)
    credential["clientExtensionResults"] = {"padding": "x" * PASSKEY_CREDENTIAL_MAX}
    code, message = refused(idp(local_pool).complete_web_authn_registration, AccessToken=token,
                            Credential=credential)
    assert code == "InvalidParameterException" and "longer than" in message


DEVICE_POOL = {"pools": [{"device_tracking": "always",
                          "clients": [{"id": "devices", "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH"]}]}]}


@pytest.mark.parametrize("local_pool", [DEVICE_POOL], indirect=True)
def test_device_name_and_verifier_are_bounded(local_pool: LocalUserPool) -> None:
    local_pool.add_user("dan", PASSWORD)
    client = idp(local_pool)
    result = password_auth(client, "devices", "dan", PASSWORD)["AuthenticationResult"]
    token, device = result["AccessToken"], result["NewDeviceMetadata"]["DeviceKey"]
    config = {"PasswordVerifier": base64.b64encode(b"\x05" * 64).decode(), "Salt": base64.b64encode(b"s" * 16).decode()}
    assert refused(client.confirm_device, AccessToken=token, DeviceKey=device, DeviceSecretVerifierConfig=config,
                   DeviceName="d" * (DEVICE_NAME_MAX + 1)) == validation(
        "deviceName", "Member must have length less than or equal to 1024")
    huge = {**config, "PasswordVerifier": base64.b64encode(b"\xff" * 4096).decode()}
    assert refused(client.confirm_device, AccessToken=token, DeviceKey=device, DeviceSecretVerifierConfig=huge,
                   DeviceName="phone")[0] == "InvalidParameterException"
    client.confirm_device(AccessToken=token, DeviceKey=device, DeviceSecretVerifierConfig=config,
                          DeviceName="d" * DEVICE_NAME_MAX)


def test_attempt_limits_hold_across_a_restart_with_data(tmp_path: Path) -> None:
    """The wrong tries and the code requests are kept with the user: a restarted durable pool still refuses."""
    data = tmp_path / "pool.db"
    with LocalUserPool(data=data) as first:
        first.add_user("rita", PASSWORD, attributes={"email": "rita@example.com", "email_verified": "true"})
        client = idp(first)
        for _ in range(CODE_REQUESTS_PER_WINDOW):
            client.forgot_password(ClientId=first.client_id, Username="rita")
        code = first.last_code("rita", purpose="FORGOT_PASSWORD")
        for _ in range(MAX_WRONG_CODES):
            refused(client.confirm_forgot_password, ClientId=first.client_id, Username="rita",
                    ConfirmationCode=wrong(code), Password="N3w-Passw0rd!")
        client_id = first.client_id
    with LocalUserPool(data=data) as again:
        client = idp(again)
        assert refused(client.confirm_forgot_password, ClientId=client_id, Username="rita", ConfirmationCode=code,
                       Password="N3w-Passw0rd!") == LIMIT
        assert refused(client.forgot_password, ClientId=client_id, Username="rita") == LIMIT
