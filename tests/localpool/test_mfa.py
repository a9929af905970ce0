"""MFA: SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP (TOTP and email), preferences."""

from __future__ import annotations

import json

import pyotp
import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import admin_idp, error, freeze_where_codes_differ, idp, password_auth, respond, srp_auth

PASSWORD = "Passw0rd!"
PHONE = "+15555550100"
EMAIL = "alice@example.com"


@pytest.fixture
def pool(local_pool: LocalUserPool) -> LocalUserPool:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("alice", PASSWORD, attributes={
        "email": EMAIL, "email_verified": "true", "phone_number": PHONE, "phone_number_verified": "true",
    })
    return local_pool


def sign_in(pool: LocalUserPool, username: str = "alice") -> dict:
    return password_auth(idp(pool), pool.client_id, username, PASSWORD)


def answer(pool: LocalUserPool, previous: dict, **responses: str) -> dict:
    return respond(idp(pool), pool.client_id, previous, {"USERNAME": "alice", **responses})


def refused(pool: LocalUserPool, previous: dict, **responses: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        answer(pool, previous, **responses)
    return error(excinfo)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# --- SMS and email codes ---------------------------------------------------------------------------


def test_sms_mfa(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["SMS_MFA"], preferred_mfa="SMS_MFA")
    challenge = sign_in(pool)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******0100"}
    (message,) = pool.outbox("alice")
    assert (message.medium, message.destination, message.purpose) == ("SMS", PHONE, "SMS_MFA")
    assert len(message.code) == 6 and message.code.isdigit()
    assert "AccessToken" in answer(pool, challenge, SMS_MFA_CODE=message.code)["AuthenticationResult"]


def test_email_mfa(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["EMAIL_OTP"], preferred_mfa="EMAIL_OTP")
    challenge = sign_in(pool)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "a***@e***"}
    assert pool.outbox("alice")[-1].destination == EMAIL
    done = answer(pool, challenge, EMAIL_OTP_CODE=pool.last_code("alice"))
    assert "AccessToken" in done["AuthenticationResult"]


def test_wrong_code_then_right_code_in_the_same_session(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["SMS_MFA"])
    challenge = sign_in(pool)
    code = pool.last_code("alice")
    assert refused(pool, challenge, SMS_MFA_CODE=wrong(code)) == (
        "CodeMismatchException", "Invalid code or auth state for the user.")
    assert "AuthenticationResult" in answer(pool, challenge, SMS_MFA_CODE=code)


def test_wrong_codes_are_bounded_per_session(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["EMAIL_OTP"])
    challenge = sign_in(pool)
    code = pool.last_code("alice")
    assert refused(pool, challenge, EMAIL_OTP_CODE=wrong(code))[0] == "CodeMismatchException"
    assert refused(pool, challenge, EMAIL_OTP_CODE=wrong(code))[0] == "CodeMismatchException"
    code_, message = refused(pool, challenge, EMAIL_OTP_CODE=wrong(code))
    assert code_ == "NotAuthorizedException" and "Too many invalid credentials attempts" in message
    assert refused(pool, challenge, EMAIL_OTP_CODE=code) == (
        "NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def test_bound_is_configurable(pool: LocalUserPool) -> None:
    pool.pool().max_code_attempts = 5
    pool.update_user("alice", mfa=["SMS_MFA"])
    challenge = sign_in(pool)
    code = pool.last_code("alice")
    for _ in range(4):
        assert refused(pool, challenge, SMS_MFA_CODE=wrong(code))[0] == "CodeMismatchException"
    assert "AuthenticationResult" in answer(pool, challenge, SMS_MFA_CODE=code)


def test_code_expires_with_the_session(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["SMS_MFA"])
    challenge = sign_in(pool)
    pool.clock.advance(181)
    assert refused(pool, challenge, SMS_MFA_CODE=pool.last_code("alice")) == (
        "NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_missing_code_keeps_the_session(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["SMS_MFA"])
    challenge = sign_in(pool)
    assert refused(pool, challenge) == ("InvalidParameterException", "Missing required parameter SMS_MFA_CODE")
    assert "AuthenticationResult" in answer(pool, challenge, SMS_MFA_CODE=pool.last_code("alice"))


def test_code_of_another_challenge_key_is_not_accepted(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["SMS_MFA"])
    challenge = sign_in(pool)
    assert refused(pool, challenge, EMAIL_OTP_CODE=pool.last_code("alice"))[0] == "InvalidParameterException"


def test_mfa_after_srp(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["SMS_MFA"])
    assert srp_auth(idp(pool), pool, "alice", PASSWORD)["ChallengeName"] == "SMS_MFA"


def test_pool_mfa_off_ignores_user_mfa(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["SMS_MFA"], preferred_mfa="SMS_MFA")
    pool.pool().mfa_configuration = "OFF"
    assert "AuthenticationResult" in sign_in(pool)


def test_method_disabled_on_the_pool_is_not_used(pool: LocalUserPool) -> None:
    pool.update_user("alice", mfa=["SMS_MFA"])
    pool.pool().mfa_types = {"SOFTWARE_TOKEN_MFA"}
    assert "AuthenticationResult" in sign_in(pool)


# --- TOTP ----------------------------------------------------------------------------------------------


@pytest.fixture
def totp(pool: LocalUserPool) -> pyotp.TOTP:
    user = pool.update_user("alice", mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                            totp_secret=pyotp.random_base32())
    assert user.totp_secret
    # codes computed here and checked there fall in the same 30 s step, and neighbouring steps' codes differ
    freeze_where_codes_differ(pool.clock, user.totp_secret)
    return pyotp.TOTP(user.totp_secret)


def test_software_token_mfa(pool: LocalUserPool, totp: pyotp.TOTP) -> None:
    challenge = sign_in(pool)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = answer(pool, challenge, SOFTWARE_TOKEN_MFA_CODE=totp.at(pool.clock.now()))
    assert "AccessToken" in done["AuthenticationResult"]


def test_totp_wrong_code_retry(pool: LocalUserPool, totp: pyotp.TOTP) -> None:
    challenge = sign_in(pool)
    code = totp.at(pool.clock.now())
    assert refused(pool, challenge, SOFTWARE_TOKEN_MFA_CODE=wrong(code)) == (
        "CodeMismatchException", "Invalid code or auth state for the user.")
    assert "AuthenticationResult" in answer(pool, challenge, SOFTWARE_TOKEN_MFA_CODE=code)


@pytest.mark.parametrize(("steps", "accepted"), [(-1, True), (1, True), (-2, False), (2, False)])
def test_totp_window_is_one_step_each_side(pool: LocalUserPool, totp: pyotp.TOTP, steps: int, accepted: bool) -> None:
    challenge = sign_in(pool)
    code = totp.at(pool.clock.now() + 30 * steps)
    # the fixture froze the clock where the five steps' codes differ: this code is only its own step's
    assert code not in {totp.at(pool.clock.now() + 30 * s) for s in (-1, 0, 1) if s != steps}
    if accepted:
        assert "AuthenticationResult" in answer(pool, challenge, SOFTWARE_TOKEN_MFA_CODE=code)
    else:
        assert refused(pool, challenge, SOFTWARE_TOKEN_MFA_CODE=code)[0] == "CodeMismatchException"


def test_totp_code_reuse_is_expired_code(pool: LocalUserPool, totp: pyotp.TOTP) -> None:
    code = totp.at(pool.clock.now())
    assert "AuthenticationResult" in answer(pool, sign_in(pool), SOFTWARE_TOKEN_MFA_CODE=code)
    second = sign_in(pool)
    assert refused(pool, second, SOFTWARE_TOKEN_MFA_CODE=code) == (
        "ExpiredCodeException", "Your software token has already been used once.")
    # An earlier step's code is a reuse too.
    assert refused(pool, second, SOFTWARE_TOKEN_MFA_CODE=totp.at(pool.clock.now() - 30))[0] in (
        "ExpiredCodeException", "NotAuthorizedException")
    pool.clock.advance(30)
    third = sign_in(pool)
    assert "AuthenticationResult" in answer(pool, third, SOFTWARE_TOKEN_MFA_CODE=totp.at(pool.clock.now()))


# --- SELECT_MFA_TYPE ---------------------------------------------------------------------------------


@pytest.fixture
def multi(pool: LocalUserPool) -> LocalUserPool:
    pool.update_user("alice", mfa=["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], preferred_mfa=None,
                     totp_secret=pyotp.random_base32())
    return pool


def test_select_mfa_type(multi: LocalUserPool) -> None:
    challenge = sign_in(multi)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"] == '["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'
    chosen = answer(multi, challenge, ANSWER="SMS_MFA")
    assert chosen["ChallengeName"] == "SMS_MFA"
    assert "AuthenticationResult" in answer(multi, chosen, SMS_MFA_CODE=multi.last_code("alice"))


@pytest.mark.parametrize("choice", ["EMAIL_OTP", "EMAIL_MFA"])
def test_select_email(multi: LocalUserPool, choice: str) -> None:
    chosen = answer(multi, sign_in(multi), ANSWER=choice)
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert "AuthenticationResult" in answer(multi, chosen, EMAIL_OTP_CODE=multi.last_code("alice"))


def test_select_totp(multi: LocalUserPool) -> None:
    chosen = answer(multi, sign_in(multi), ANSWER="SOFTWARE_TOKEN_MFA")
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code = multi.totp_code("alice")
    assert "AuthenticationResult" in answer(multi, chosen, SOFTWARE_TOKEN_MFA_CODE=code)


def test_select_something_not_offered(multi: LocalUserPool) -> None:
    multi.update_user("alice", mfa=["SMS_MFA", "EMAIL_OTP"])
    challenge = sign_in(multi)
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "EMAIL_OTP"]
    assert refused(multi, challenge, ANSWER="SOFTWARE_TOKEN_MFA")[0] == "InvalidParameterException"
    assert answer(multi, challenge, ANSWER="SMS_MFA")["ChallengeName"] == "SMS_MFA"


def test_preferred_wins_over_selection(multi: LocalUserPool) -> None:
    multi.update_user("alice", preferred_mfa="EMAIL_OTP")
    assert sign_in(multi)["ChallengeName"] == "EMAIL_OTP"


# --- MFA_SETUP -------------------------------------------------------------------------------------


@pytest.fixture
def required(pool: LocalUserPool) -> LocalUserPool:
    pool.pool().mfa_configuration = "ON"
    pool.pool().mfa_types = {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    return pool


def test_mfa_setup_offered(required: LocalUserPool) -> None:
    challenge = sign_in(required)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert challenge["ChallengeParameters"] == {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]'}


def test_mfa_setup_with_totp(required: LocalUserPool) -> None:
    required.clock.freeze()
    client = idp(required)
    challenge = sign_in(required)
    associated = client.associate_software_token(Session=challenge["Session"])
    secret = associated["SecretCode"]
    assert len(secret) == 32 and pyotp.TOTP(secret).now()
    totp = pyotp.TOTP(secret)
    freeze_where_codes_differ(required.clock, secret)  # wrong(code) is no neighbouring step's code
    # A wrong code: refused, the session stays for another try.
    with pytest.raises(ClientError) as excinfo:
        client.verify_software_token(Session=associated["Session"], UserCode=wrong(totp.at(required.clock.now())))
    assert error(excinfo) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    verified = client.verify_software_token(Session=associated["Session"], UserCode=totp.at(required.clock.now()),
                                            FriendlyDeviceName="phone")
    assert verified["Status"] == "SUCCESS" and verified["Session"] != associated["Session"]
    done = client.respond_to_auth_challenge(ClientId=required.client_id, ChallengeName="MFA_SETUP",
                                            Session=verified["Session"], ChallengeResponses={"USERNAME": "alice"})
    assert "AccessToken" in done["AuthenticationResult"]
    user = required.user("alice")
    assert user.totp_secret == secret and "SOFTWARE_TOKEN_MFA" in user.mfa_enabled
    # Next sign-in asks for the code; the one used to verify is spent.
    challenge = sign_in(required)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert refused(required, challenge, SOFTWARE_TOKEN_MFA_CODE=totp.at(required.clock.now()))[0] == (
        "ExpiredCodeException")


def test_mfa_setup_needs_the_verified_session(required: LocalUserPool) -> None:
    client = idp(required)
    challenge = sign_in(required)
    associated = client.associate_software_token(Session=challenge["Session"])
    # The MFA_SETUP session was consumed by AssociateSoftwareToken.
    assert refused(required, challenge)[1] == "Invalid session for the user, session can only be used once."
    # The associated (not yet verified) session cannot finish the setup.
    assert refused(required, {**associated, "ChallengeName": "MFA_SETUP"})[0] == "InvalidParameterException"


def test_mfa_setup_with_email(required: LocalUserPool) -> None:
    required.update_user("alice", attributes={"email": "", "email_verified": "false"})
    challenge = sign_in(required)
    sent = answer(required, challenge, EMAIL="new@example.org")
    assert sent["ChallengeName"] == "EMAIL_OTP"
    assert sent["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "n***@e***"
    message = required.outbox("alice")[-1]
    assert message.destination == "new@example.org"
    assert refused(required, sent, EMAIL_OTP_CODE=wrong(message.code))[0] == "CodeMismatchException"
    assert "AuthenticationResult" in answer(required, sent, EMAIL_OTP_CODE=message.code)
    user = required.user("alice")
    assert user.attributes["email"] == "new@example.org" and user.verified("email")
    assert "EMAIL_OTP" in user.mfa_enabled
    assert sign_in(required)["ChallengeName"] == "EMAIL_OTP"


def test_mfa_setup_email_not_enabled_on_pool(required: LocalUserPool) -> None:
    required.pool().mfa_types = {"SOFTWARE_TOKEN_MFA"}
    assert refused(required, sign_in(required), EMAIL="x@example.org")[0] == "InvalidParameterException"


# --- preferences over HTTP ---------------------------------------------------------------------------


def test_associate_and_verify_with_access_token_then_prefer(pool: LocalUserPool) -> None:
    pool.clock.freeze()
    client = idp(pool)
    access = sign_in(pool)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as excinfo:
        client.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})
    assert error(excinfo) == ("InvalidParameterException",
                              "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
    secret = client.associate_software_token(AccessToken=access)["SecretCode"]
    totp = pyotp.TOTP(secret)
    freeze_where_codes_differ(pool.clock, secret)  # wrong(code) is no neighbouring step's code
    with pytest.raises(ClientError) as excinfo:
        client.verify_software_token(AccessToken=access, UserCode=wrong(totp.at(pool.clock.now())))
    assert error(excinfo)[0] == "EnableSoftwareTokenMFAException"
    assert client.verify_software_token(AccessToken=access, UserCode=totp.at(pool.clock.now()))["Status"] == "SUCCESS"
    client.set_user_mfa_preference(AccessToken=access,
                                   SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = client.get_user(AccessToken=access)
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert sign_in(pool)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_admin_set_user_mfa_preference(pool: LocalUserPool) -> None:
    admin_idp(pool).admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id, Username="alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert sign_in(pool)["ChallengeName"] == "SMS_MFA"
    admin_idp(pool).admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id, Username="alice", SMSMfaSettings={"Enabled": False})
    assert "AuthenticationResult" in sign_in(pool)


def test_sms_mfa_needs_a_phone_number(local_pool: LocalUserPool) -> None:
    local_pool.add_user("nophone", PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        admin_idp(local_pool).admin_set_user_mfa_preference(
            UserPoolId=local_pool.pool_id, Username="nophone", SMSMfaSettings={"Enabled": True})
    assert error(excinfo)[0] == "InvalidParameterException"
