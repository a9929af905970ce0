"""``authflow account mfa ...`` and ``authflow account devices ...`` at a terminal (a pseudo-terminal, pexpect), as a
person sees them: the wizard's questions where something is needed (an email address, a verification code), one
clear line for each refusal (no traceback, no dead end: what to do next is said), and the account printed after
each change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from authflow import AuthFlow, ScriptedHandler, UserPool, sign_in
from authflow.localpool import LocalUserPool
from authflow.localpool.model import Passkey
from tests.helpers.account import AccountTerminal

PASSWORD = "Terminal-Passw0rd!"


@pytest.fixture
def ada(local_pool: LocalUserPool, tmp_path: Path) -> Iterator[AccountTerminal]:
    """ada, with neither email nor phone number yet, in a pool where SMS, email and TOTP MFA are optional."""
    pool = local_pool.pool()
    pool.mfa_configuration = "OPTIONAL"
    pool.mfa_types = {"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    local_pool.add_user("ada", PASSWORD, attributes={"name": "Ada"})
    tokens = sign_in(UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url),
                     "ada", ScriptedHandler(password=PASSWORD))
    terminal = AccountTerminal(local_pool, tmp_path, "ada", tokens)
    yield terminal
    terminal.close()


def test_mfa_methods_enabled_preferred_and_disabled(ada: AccountTerminal, local_pool: LocalUserPool) -> None:
    child = ada.run("mfa", "enable", "email")  # no email address yet: asked, then verified with a code
    child.expect_exact("Email address:")
    child.send("ada@example.org\r")
    child.expect_exact("A code was sent by email to a***@e***.")
    child.expect_exact("Code:")
    child.send(local_pool.last_code("ada") + "\r")
    status, shown, _ = ada.finish(child)
    assert status == 0 and shown is not None and shown["MFA"]["Enabled"] == ["EMAIL_OTP"]
    assert shown["Attributes"]["email"] == "ada@example.org" and shown["Attributes"]["email_verified"] == "true"

    status, shown, _ = ada.finish(ada.run("mfa", "prefer", "email"))
    assert status == 0 and shown is not None and shown["MFA"]["Preferred"] == "EMAIL_OTP"

    status, shown, seen = ada.finish(ada.run("mfa", "enable", "totp"))  # no authenticator app yet
    assert status == 1 and shown is None and "Traceback" not in seen
    assert "(InvalidParameterException). No authenticator app is set up yet: add one with `authflow account mfa " \
           "totp`" in seen

    status, shown, seen = ada.finish(ada.run("mfa", "enable", "sms"))  # no phone number: what to do is said
    assert status == 2 and "set phone_number first" in seen and "Traceback" not in seen
    assert local_pool.requests("SetUserMFAPreference")[-1].params.get("SMSMfaSettings") is None

    status, shown, _ = ada.finish(ada.run("attributes", "set", "phone_number=+15555550100"))
    assert status == 0 and shown is not None and shown["Attributes"]["phone_number_verified"] == "false"
    child = ada.run("mfa", "enable", "sms")  # the number is verified first
    child.expect_exact("A code was sent by text message to +*******0100.")
    child.expect_exact("Code:")
    child.send(local_pool.last_code("ada") + "\r")
    status, shown, _ = ada.finish(child)
    assert status == 0 and shown is not None and shown["MFA"]["Enabled"] == ["SMS_MFA", "EMAIL_OTP"]
    assert shown["Attributes"]["phone_number_verified"] == "true"

    status, shown, _ = ada.finish(ada.run("mfa", "prefer", "sms"))
    assert status == 0 and shown is not None and shown["MFA"]["Preferred"] == "SMS_MFA"
    status, shown, _ = ada.finish(ada.run("mfa", "disable", "email"))
    assert status == 0 and shown is not None and shown["MFA"] == {
        "Enabled": ["SMS_MFA"], "Preferred": "SMS_MFA", "PasskeyMFA": None}


def test_passkey_mfa_on_and_off(ada: AccountTerminal, local_pool: LocalUserPool) -> None:
    local_pool.pool().web_authn.relying_party_id = "localhost"
    local_pool.pool().auto_verified_attributes = []  # the new email is set without a code (verified below)
    local_pool.user("ada").passkeys["id"] = Passkey(credential_id=b"id", public_key=b"k", sign_count=0,
                                                    created=0.0, name="Laptop")
    status, shown, seen = ada.finish(ada.run("mfa", "passkey", "on"))  # nothing else enabled: explained, unsent
    assert status == 1 and shown is None and "Traceback" not in seen
    assert "passkey MFA needs another MFA method enabled beside it" in seen and "(PasskeyMfaRefused)" in seen
    assert local_pool.requests("SetUserMFAPreference") == []

    ada.finish(ada.run("attributes", "set", "email=ada@example.org"))
    local_pool.user("ada").attributes["email_verified"] = "true"
    status, shown, _ = ada.finish(ada.run("mfa", "enable", "email"))
    assert status == 0
    status, shown, seen = ada.finish(ada.run("mfa", "passkey", "on"))  # the pool counts a passkey as one factor
    assert status == 1 and "passkey MFA on was refused: Passkey MFA (WebAuthnMfaSettings) needs the user pool's " \
                           "WebAuthnConfiguration FactorConfiguration to be MULTI_FACTOR_WITH_USER_VERIFICATION" in seen
    assert "another MFA method" not in seen and local_pool.user("ada").webauthn_mfa is False
    local_pool.pool().web_authn.factor_configuration = "MULTI_FACTOR_WITH_USER_VERIFICATION"
    status, shown, _ = ada.finish(ada.run("mfa", "passkey", "on"))
    assert status == 0 and local_pool.user("ada").webauthn_mfa is True
    assert local_pool.requests("SetUserMFAPreference")[-1].params["EmailMfaSettings"] == {"Enabled": True}

    status, shown, seen = ada.finish(ada.run("mfa", "disable", "email"))  # would leave passkey MFA alone
    assert status == 1 and shown is None and "Traceback" not in seen
    assert "turn passkey MFA off first (authflow account mfa passkey off)" in seen and "cognito" not in seen
    assert local_pool.user("ada").mfa_enabled == {"EMAIL_OTP"}  # nothing changed

    status, shown, _ = ada.finish(ada.run("mfa", "passkey", "off"))
    assert status == 0 and local_pool.user("ada").webauthn_mfa is False
    status, shown, _ = ada.finish(ada.run("mfa", "disable", "email"))
    assert status == 0 and shown is not None and shown["MFA"]["Enabled"] == []


def test_devices_listed_remembered_and_the_current_one_forgotten(local_pool: LocalUserPool, tmp_path: Path) -> None:
    local_pool.add_pool(id="us-east-1_TermDevices1", device_tracking="opt_in",
                        clients=[{"name": "c", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH",
                                                                       "ALLOW_REFRESH_TOKEN_AUTH"]}])
    local_pool.add_user("dora", PASSWORD, pool_id="us-east-1_TermDevices1")
    client = local_pool.app_client(pool_id="us-east-1_TermDevices1")
    flow = AuthFlow(UserPool("us-east-1_TermDevices1", client.id, endpoint_url=local_pool.endpoint_url), "dora",
                    remember_device=True, device_name="laptop")
    tokens = flow.run(ScriptedHandler(password=PASSWORD))
    assert flow.device is not None
    key = flow.device.device_key
    dora = AccountTerminal(local_pool, tmp_path, "dora", tokens, pool_id="us-east-1_TermDevices1",
                           client_id=client.id)
    dora.cache.save_device(dora.key, flow.device)
    try:
        status, shown, _ = dora.finish(dora.run())
        assert status == 0 and shown is not None
        assert [(d["DeviceKey"], d["Name"], d["Remembered"]) for d in shown["Devices"]] == [(key, "laptop", True)]
        status, shown, _ = dora.finish(dora.run("devices", "forget-not", key))
        assert status == 0 and shown is not None and shown["Devices"][0]["Remembered"] is False
        status, shown, _ = dora.finish(dora.run("devices", "remember", key))
        assert status == 0 and shown is not None and shown["Devices"][0]["Remembered"] is True

        status, shown, _ = dora.finish(dora.run("devices", "forget", "--current"))
        assert status == 0 and shown is not None and shown["Devices"] == []
        assert dora.cache.device(dora.key) is None  # the cache forgot it: the next sign-in does not offer it
        cached = dora.cache.load(dora.key)
        assert cached is not None and cached.new_device_metadata is None  # nor do the cached tokens name it

        status, shown, seen = dora.finish(dora.run("devices", "forget", "--current"))  # the truth, not "not found"
        assert status == 2 and "this sign-in has no device" in seen and "ResourceNotFound" not in seen
        status, shown, seen = dora.finish(dora.run("devices", "remember", key))
        assert status == 1 and "(ResourceNotFoundException)" in seen and "Traceback" not in seen
    finally:
        dora.close()


def test_verify_later_says_no_code_was_sent_and_offers_one(ada: AccountTerminal, local_pool: LocalUserPool) -> None:
    """``attributes verify NAME`` without --resend sends nothing first: the prompt says so (not "a code was sent")
    and "r" sends one; an attribute already verified is said so, and nothing is asked."""
    local_pool.user("ada").attributes.update({"email": "ada@example.org", "email_verified": "false"})
    child = ada.run("attributes", "verify", "email")
    child.expect_exact("No code was sent just now: enter the code you were sent earlier, or ask for a new code.")
    child.expect_exact("(Type r for a new code.)")
    child.expect_exact("Code:")
    assert local_pool.requests("GetUserAttributeVerificationCode") == []
    child.send("r\r")
    child.expect_exact("A code was sent by email to a***@e***.")
    child.expect_exact("Code:")
    child.send(local_pool.last_code("ada") + "\r")
    status, shown, _ = ada.finish(child)
    assert status == 0 and shown is not None and shown["Attributes"]["email_verified"] == "true"

    sent = len(local_pool.requests("GetUserAttributeVerificationCode"))
    status, shown, seen = ada.finish(ada.run("attributes", "verify", "email"))
    assert status == 0 and shown is not None and "email is verified already: no code was sent or asked for" in seen
    assert len(local_pool.requests("GetUserAttributeVerificationCode")) == sent and "Code:" not in seen
    status, shown, seen = ada.finish(ada.run("attributes", "verify", "phone_number"))
    assert status == 2 and "no phone number to verify: set one first" in seen


def test_preferring_a_method_not_on_turns_it_on_first(ada: AccountTerminal, local_pool: LocalUserPool) -> None:
    """``mfa prefer sms`` with SMS MFA off and the number unverified: the number is verified first (a code), then
    SMS MFA is on and preferred; nothing unverified is preferred."""
    local_pool.user("ada").attributes.update({"phone_number": "+15555550100", "phone_number_verified": "false"})
    child = ada.run("mfa", "prefer", "sms")
    child.expect_exact("A code was sent by text message to +*******0100.")
    child.expect_exact("Code:")
    assert local_pool.requests("SetUserMFAPreference") == []
    child.send(local_pool.last_code("ada") + "\r")
    status, shown, _ = ada.finish(child)
    assert status == 0 and shown is not None
    assert shown["MFA"] == {"Enabled": ["SMS_MFA"], "Preferred": "SMS_MFA", "PasskeyMFA": None}
    assert shown["Attributes"]["phone_number_verified"] == "true"
