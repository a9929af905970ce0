"""The local pool's account operations added for the account handle, through boto3 as real use does:
VerifySoftwareToken's FriendlyDeviceName and a replaced authenticator, passkey MFA (WebAuthnMfaSettings: never
alone), AdminDeleteSoftwareToken (MFA_SETUP where MFA is required, a fallback to the method left otherwise),
and WebAuthnConfiguration.FactorConfiguration (a passkey with user verification satisfies required MFA;
without it, MFA follows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyotp
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from authflow.passkeys import SoftwarePasskey, passkey_answer

from .helpers import admin_idp, error, idp, password_auth

PASSWORD = "Account-Passw0rd!"


def signed_in(local: LocalUserPool, client: BaseClient, username: str = "ada") -> str:
    reply = password_auth(client, local.client_id, username, PASSWORD)
    return str(reply["AuthenticationResult"]["AccessToken"])


def new_authenticator(client: BaseClient, access_token: str, name: str | None = None) -> str:
    secret = str(client.associate_software_token(AccessToken=access_token)["SecretCode"])
    extra = {"FriendlyDeviceName": name} if name else {}
    client.verify_software_token(AccessToken=access_token, UserCode=pyotp.TOTP(secret).now(), **extra)
    return secret


def test_replacing_the_authenticator_keeps_its_name_and_retires_the_old_secret(local_pool: LocalUserPool) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("ada", PASSWORD)
    client = idp(local_pool)
    token = signed_in(local_pool, client)
    first = new_authenticator(client, token, "Old phone")
    assert local_pool.user("ada").totp_device_name == "Old phone"
    client.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    second = new_authenticator(client, token, "New phone")
    user = local_pool.user("ada")
    assert (user.totp_secret, user.totp_device_name) == (second, "New phone") and first != second
    challenge = password_auth(client, local_pool.client_id, "ada", PASSWORD)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(ClientError) as info:  # a code of the replaced secret
        client.respond_to_auth_challenge(ClientId=local_pool.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
                                         Session=challenge["Session"], ChallengeResponses={
                                             "USERNAME": "ada", "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(first).now()})
    assert error(info)[0] == "CodeMismatchException"


def test_passkey_mfa_only_beside_another_method(local_pool: LocalUserPool) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.pool().web_authn.relying_party_id = "localhost"
    local_pool.pool().web_authn.factor_configuration = "MULTI_FACTOR_WITH_USER_VERIFICATION"
    local_pool.add_user("ada", PASSWORD)
    client = idp(local_pool)
    token = signed_in(local_pool, client)
    with pytest.raises(ClientError) as info:
        client.set_user_mfa_preference(AccessToken=token, WebAuthnMfaSettings={"Enabled": True})
    assert error(info)[0] == "InvalidParameterException" and "another MFA method" in error(info)[1]
    assert local_pool.user("ada").webauthn_mfa is False
    new_authenticator(client, token)
    local_pool.pool().web_authn.factor_configuration = "SINGLE_FACTOR"
    with pytest.raises(ClientError) as info:  # a pool where a passkey is one factor: refused (botocore's model)
        client.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True},
                                       WebAuthnMfaSettings={"Enabled": True})
    assert error(info)[0] == "InvalidParameterException" and "MULTI_FACTOR_WITH_USER_VERIFICATION" in error(info)[1]
    assert (local_pool.user("ada").webauthn_mfa, local_pool.user("ada").mfa_enabled) == (False, set())  # unchanged
    local_pool.pool().web_authn.factor_configuration = "MULTI_FACTOR_WITH_USER_VERIFICATION"
    client.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True},
                                   WebAuthnMfaSettings={"Enabled": True})  # in one request: accepted
    user = client.get_user(AccessToken=token)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]  # set, never listed (test_model_values)
    assert local_pool.user("ada").webauthn_mfa is True
    with pytest.raises(ClientError) as info:  # turning the last other method off would leave it alone
        client.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False})
    assert "another MFA method" in error(info)[1]
    assert local_pool.user("ada").mfa_enabled == {"SOFTWARE_TOKEN_MFA"}  # nothing changed
    client.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False},
                                   WebAuthnMfaSettings={"Enabled": False})
    assert "UserMFASettingList" not in client.get_user(AccessToken=token)


def test_passkey_mfa_in_a_pool_without_passkeys_is_an_error_the_operation_declares(local_pool: LocalUserPool) -> None:
    """SetUserMFAPreference declares no WebAuthn* error in botocore's model (InvalidParameterException is the
    one that fits), so a pool with no WebAuthnConfiguration refuses passkey MFA with that, nothing changed."""
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("ada", PASSWORD)
    client = idp(local_pool)
    token = signed_in(local_pool, client)
    new_authenticator(client, token)
    declared = {shape.name for shape in client.meta.service_model.operation_model("SetUserMFAPreference").error_shapes}
    with pytest.raises(ClientError) as info:
        client.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True},
                                       WebAuthnMfaSettings={"Enabled": True})
    assert error(info)[0] == "InvalidParameterException" and error(info)[0] in declared
    assert "WebAuthnConfiguration" in error(info)[1]
    assert (local_pool.user("ada").webauthn_mfa, local_pool.user("ada").mfa_enabled) == (False, set())


@pytest.mark.parametrize("required", [True, False])
def test_admin_delete_software_token(local_pool: LocalUserPool, required: bool) -> None:
    """A lost authenticator: MFA_SETUP where MFA is required and nothing else is left; else the method left."""
    local_pool.pool().mfa_configuration = "ON" if required else "OPTIONAL"
    local_pool.pool().mfa_types = {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    secret = pyotp.random_base32()
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true"},
                        mfa=["SOFTWARE_TOKEN_MFA"] + ([] if required else ["EMAIL_OTP"]),
                        preferred_mfa="SOFTWARE_TOKEN_MFA", totp_secret=secret)
    client = idp(local_pool)
    assert password_auth(client, local_pool.client_id, "ada", PASSWORD)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    admin_idp(local_pool).admin_delete_software_token(UserPoolId=local_pool.pool_id, Username="ada")
    user = local_pool.user("ada")
    assert (user.totp_secret, user.preferred_mfa, "SOFTWARE_TOKEN_MFA" in user.mfa_enabled) == (None, None, False)
    reply = password_auth(client, local_pool.client_id, "ada", PASSWORD)
    if required:
        assert reply["ChallengeName"] == "MFA_SETUP"
        assert json.loads(reply["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
    else:
        assert reply["ChallengeName"] == "EMAIL_OTP"
    with pytest.raises(ClientError) as info:
        admin_idp(local_pool).admin_delete_software_token(UserPoolId=local_pool.pool_id, Username="nobody")
    assert error(info)[0] == "UserNotFoundException"


def test_factor_configuration(local_pool: LocalUserPool, tmp_path: Path) -> None:
    admin = admin_idp(local_pool)
    pool = local_pool.pool()
    pool.allowed_first_auth_factors = ["PASSWORD", "WEB_AUTHN"]
    pool.web_authn.relying_party_id = "localhost"
    with pytest.raises(ClientError) as info:  # required MFA with a passkey counted as one factor: refused
        admin.set_user_pool_mfa_config(UserPoolId=local_pool.pool_id, MfaConfiguration="ON",
                                       SoftwareTokenMfaConfiguration={"Enabled": True},
                                       WebAuthnConfiguration={"RelyingPartyId": "localhost"})
    assert "SINGLE_FACTOR" in error(info)[1]
    config = admin.set_user_pool_mfa_config(
        UserPoolId=local_pool.pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True},
        WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "preferred",
                               "FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"})
    assert config["WebAuthnConfiguration"]["FactorConfiguration"] == "MULTI_FACTOR_WITH_USER_VERIFICATION"
    secret = pyotp.random_base32()
    local_pool.add_user("ada", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], totp_secret=secret,
                        passkey_file=tmp_path / "ada.passkey")
    client = idp(local_pool)

    def passkey_sign_in(verify_user: bool) -> dict[str, Any]:
        reply = client.initiate_auth(ClientId=local_pool.client_id, AuthFlow="USER_AUTH",
                                     AuthParameters={"USERNAME": "ada", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
        key = SoftwarePasskey(tmp_path / "ada.passkey", verify_user=verify_user)
        answer = passkey_answer(key, json.loads(reply["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]))
        return dict(client.respond_to_auth_challenge(ClientId=local_pool.client_id, ChallengeName="WEB_AUTHN",
                                                     Session=reply["Session"],
                                                     ChallengeResponses={"USERNAME": "ada",
                                                                         "CREDENTIAL": answer["credential"]}))

    assert "AuthenticationResult" in passkey_sign_in(verify_user=True)  # UV: the passkey is MFA too
    assert passkey_sign_in(verify_user=False)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"  # no UV: MFA follows


def test_the_account_fields_persist(local_pool: LocalUserPool) -> None:
    """Passkey MFA, the authenticator's name and the pool's FactorConfiguration survive the durable store's codec."""
    from authflow.localpool import codec
    from authflow.localpool.model import User, WebAuthnConfig

    user = local_pool.add_user("ada", PASSWORD)
    user.webauthn_mfa, user.totp_device_name = True, "Work phone"
    again = codec.decode(User, codec.encode(user))
    assert (again.webauthn_mfa, again.totp_device_name) == (True, "Work phone")
    config = WebAuthnConfig(relying_party_id="localhost", factor_configuration="MULTI_FACTOR_WITH_USER_VERIFICATION")
    assert codec.decode(WebAuthnConfig, codec.encode(config)) == config


def _documented_codes(shape: str, member: str) -> set[str]:
    """The values botocore's own model documents for ``shape.member`` (its ``<code>`` words)."""
    import re

    from botocore.session import get_session

    model = get_session().get_service_model("cognito-idp")
    return set(re.findall(r"<code>([A-Z_]+)</code>", model.shape_for(shape).members[member].documentation))


def test_model_values_of_auth_factors_and_mfa_settings(local_pool: LocalUserPool) -> None:
    """GetUserAuthFactors and GetUser answer only what botocore's service model holds: ConfiguredUserAuthFactors
    in AuthFactorType (PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN, SOFTWARE_TOKEN: PASSWORD_SRP is a challenge
    name, not a factor), UserMFASettingList in the values its documentation names (SMS_MFA, EMAIL_OTP,
    SOFTWARE_TOKEN_MFA: passkey MFA is set with WebAuthnMfaSettings and never listed)."""
    from botocore.session import get_session

    factor_types = set(get_session().get_service_model("cognito-idp").shape_for("AuthFactorType").enum)
    assert "PASSWORD_SRP" not in factor_types
    pool = local_pool.pool()
    pool.mfa_configuration = "OPTIONAL"
    pool.mfa_types = {"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    pool.web_authn.relying_party_id = "localhost"
    pool.web_authn.factor_configuration = "MULTI_FACTOR_WITH_USER_VERIFICATION"
    pool.allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true",
                                                     "phone_number": "+15555550100", "phone_number_verified": "true"})
    client = idp(local_pool)
    token = signed_in(local_pool, client)
    new_authenticator(client, token)
    from authflow.localpool.model import Passkey

    local_pool.user("ada").passkeys["id"] = Passkey(credential_id=b"id", public_key=b"k", sign_count=0,
                                                    created=0.0, name="Laptop")
    client.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True},
                                   SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
                                   EmailMfaSettings={"Enabled": True}, WebAuthnMfaSettings={"Enabled": True})
    factors = client.get_user_auth_factors(AccessToken=token)
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN", "SOFTWARE_TOKEN"]
    assert set(factors["ConfiguredUserAuthFactors"]) <= factor_types
    for reply, shape in ((factors, "GetUserAuthFactorsResponse"), (client.get_user(AccessToken=token),
                                                                   "GetUserResponse")):
        documented = _documented_codes(shape, "UserMFASettingList")
        assert documented == {"SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA"}
        assert reply["UserMFASettingList"] == ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
        assert set(reply["UserMFASettingList"]) <= documented
