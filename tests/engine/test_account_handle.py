"""The account handle (authflow.account) against the local pool over boto3: each change through the step API
and ScriptedHandler, with the sign-in's own prompts; refusals asked again or typed; the access token refreshed
mid-action; the token cache told of a forgotten device and a deleted account."""

from __future__ import annotations

import stat
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest

from authflow import Account, AccountStep, AuthFlow, ScriptedHandler, TotpCodes, UserPool, sign_in
from authflow.account import AttributeNotVerifiedError, PasskeyMfaError, TotpNotVerifiedError
from authflow.errors import (
    CodeMismatchError,
    CognitoError,
    IncorrectCredentialsError,
    InvalidPasswordError,
    MissingAnswerError,
    NotAuthorizedError,
    SignInCancelled,
    UsageError,
)
from authflow.localpool import LocalUserPool
from authflow.prompts import Prompt, PromptKind
from authflow.tokencache import CacheKey, TokenCache
from tests.engine.helpers import PASSWORD, user_pool

NEW_PASSWORD = "Brand-New-Passw0rd!"


def account_of(local: LocalUserPool, pool: UserPool, username: str = "ada", **options: Any) -> Account:
    return Account(pool, sign_in(pool, username, ScriptedHandler(password=PASSWORD)), **options)


@pytest.fixture
def ada(local_pool: LocalUserPool, pool: UserPool) -> Account:
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "false"})
    return account_of(local_pool, pool)


def test_change_password_in_steps(local_pool: LocalUserPool, ada: Account, pool: UserPool) -> None:
    flow = ada.change_password()
    step = flow.start()
    assert step.prompt is not None and step.prompt.kind is PromptKind.PASSWORD
    with pytest.raises(MissingAnswerError):
        flow.respond({"password": ""})  # not sent; the same prompt stands
    assert flow.prompt is step.prompt
    step = flow.respond({"password": PASSWORD})
    assert step.prompt is not None and step.prompt.kind is PromptKind.NEW_PASSWORD
    assert step.prompt.fields[0].confirm
    step = flow.respond({"new_password": "short"})  # the policy refuses: the same prompt, with why
    assert step.prompt is not None and step.prompt.kind is PromptKind.NEW_PASSWORD
    assert isinstance(step.error, InvalidPasswordError) and step.prompt.attempt == 2
    step = flow.respond({"new_password": NEW_PASSWORD})
    assert step.done and local_pool.requests("ChangePassword")[-1].status == 200
    sign_in(pool, "ada", ScriptedHandler(password=NEW_PASSWORD))


def test_a_wrong_current_password_is_asked_again(ada: Account) -> None:
    flow = ada.change_password(new=NEW_PASSWORD)
    flow.start()
    step = flow.respond({"password": "not-it-at-all"})
    assert step.prompt is not None and step.prompt.kind is PromptKind.PASSWORD
    assert isinstance(step.error, IncorrectCredentialsError)
    assert flow.respond({"password": PASSWORD}).done
    with pytest.raises(IncorrectCredentialsError):  # a script's static answer is not sent twice
        ada.change_password().run(ScriptedHandler(password="not-it-at-all", new_password=NEW_PASSWORD))


def test_authenticator_app_added_replaced_and_left_unverified(local_pool: LocalUserPool, ada: Account,
                                                              pool: UserPool, totp_codes: TotpCodes) -> None:
    saved: list[str] = []
    handler = ScriptedHandler(totp_secret_out=saved.append, totp_codes=totp_codes)
    secret = ada.set_up_totp("Work phone").run(handler)
    assert saved == [secret] and local_pool.user("ada").totp_device_name == "Work phone"
    assert secret not in repr(ada) and secret not in repr(AccountStep(None, True, secret))  # never in a repr
    assert ada.mfa().enabled == ("SOFTWARE_TOKEN_MFA",) and ada.mfa().preferred == "SOFTWARE_TOKEN_MFA"
    verify = local_pool.requests("VerifySoftwareToken")[-1].params
    assert verify["FriendlyDeviceName"] == "Work phone" and "AccessToken" in verify

    flow = ada.set_up_totp()  # replace it: the step API shows the QR/secret prompt
    step = flow.start()
    prompt = step.prompt
    assert prompt is not None and prompt.kind is PromptKind.TOTP_SETUP and prompt.secret_code
    assert prompt.otpauth_uri and prompt.otpauth_uri.startswith("otpauth://totp/") and "ada" in prompt.otpauth_uri
    assert prompt.secret_code not in repr(prompt)
    step = flow.respond("000000" if pyotp.TOTP(prompt.secret_code).now() != "000000" else "111111")
    assert step.prompt is not None and step.prompt.kind is PromptKind.TOTP_SETUP and step.error is not None
    left = flow.cancel()  # associated, not verified: said so
    assert isinstance(left, TotpNotVerifiedError) and "not verified" in str(left)
    assert local_pool.user("ada").totp_secret == secret  # the first authenticator still works
    with pytest.raises(TotpNotVerifiedError):
        ada.set_up_totp().run(ScriptedHandler())  # nowhere to save the secret: the handler gives up
    tokens = sign_in(pool, "ada", ScriptedHandler(password=PASSWORD, totp_secret=secret, totp_codes=totp_codes))
    assert tokens.access_token


def test_email_mfa_verifies_the_address_first_with_a_new_code(local_pool: LocalUserPool, ada: Account) -> None:
    flow = ada.enable_mfa("email", prefer=True)
    step = flow.start()
    prompt = step.prompt
    assert prompt is not None and prompt.kind is PromptKind.CODE and prompt.challenge_name == "VERIFY_ATTRIBUTE"
    assert prompt.destination == "a***@e***" and prompt.resend is not None
    step = flow.respond({"resend": "yes"})
    assert step.prompt is not None and step.prompt.challenge_name == "VERIFY_ATTRIBUTE" and step.error is None
    assert len(local_pool.requests("GetUserAttributeVerificationCode")) == 2
    step = flow.respond("00000000" if local_pool.last_code("ada") != "00000000" else "11111111")
    assert isinstance(step.error, CodeMismatchError)
    assert flow.respond(local_pool.last_code("ada")).done
    assert local_pool.user("ada").verified("email")
    assert ada.mfa() == ada.mfa().__class__(("EMAIL_OTP",), "EMAIL_OTP", None)


def test_passkey_mfa_goes_with_the_other_methods(local_pool: LocalUserPool, ada: Account,
                                                 totp_codes: TotpCodes) -> None:
    local_pool.pool().web_authn.relying_party_id = "localhost"
    with pytest.raises(PasskeyMfaError, match="another MFA method"):
        ada.set_passkey_mfa(True).run()
    assert local_pool.requests("SetUserMFAPreference") == []  # refused before anything was sent
    ada.set_up_totp().run(ScriptedHandler(totp_secret_out=lambda s: None, totp_codes=totp_codes))
    with pytest.raises(PasskeyMfaError, match="MULTI_FACTOR_WITH_USER_VERIFICATION"):  # Cognito's own reason, said
        ada.set_passkey_mfa(True).run()
    local_pool.pool().web_authn.factor_configuration = "MULTI_FACTOR_WITH_USER_VERIFICATION"
    ada.set_passkey_mfa(True).run()
    sent = local_pool.requests("SetUserMFAPreference")[-1].params
    assert sent["WebAuthnMfaSettings"] == {"Enabled": True}
    assert sent["SoftwareTokenMfaSettings"] == {"Enabled": True, "PreferredMfa": True}
    assert local_pool.user("ada").webauthn_mfa is True
    assert ada.mfa().passkey_mfa is None  # Cognito's documented replies do not say (PASSKEY_MFA)
    with pytest.raises(PasskeyMfaError, match="passkey MFA"):  # Cognito's refusal, explained
        ada.disable_mfa("totp").run()
    ada.set_passkey_mfa(False).run()
    ada.disable_mfa("totp").run()
    assert ada.mfa().enabled == ()


def test_attributes_update_verify_later_and_delete(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.pool().auto_verified_attributes = ["email"]
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true"})
    ada = account_of(local_pool, pool)
    pending = ada.update_attributes({"email": "ada@new.example", "name": "Ada"}, verify=False).run()
    assert pending == ("email",) and ada.attributes()["email_verified"] == "false"
    codes = ScriptedHandler(code=lambda prompt: local_pool.last_code("ada"))
    ada.verify_attribute("email", resend=False).run(codes)
    assert ada.attributes()["email_verified"] == "true"
    seen: list[Prompt] = []

    def code(prompt: Prompt) -> str:
        seen.append(prompt)
        return local_pool.last_code("ada")

    assert ada.update_attributes({"email": "ada@third.example"}).run(ScriptedHandler(code=code)) == ()
    assert [p.challenge_name for p in seen] == ["VERIFY_ATTRIBUTE"] and seen[0].destination == "a***@t***"
    ada.delete_attributes(["name"]).run()
    assert "name" not in ada.attributes()
    # One flow that removes some attributes, then sets others (the Qt dialog's cleared field and changed one).
    ada.update_attributes({"nickname": "Ada"}).run()
    ada.update_attributes({"name": "Ada L"}, delete=["nickname"]).run()
    assert [r.operation for r in local_pool.requests()][-2:] == ["DeleteUserAttributes", "UpdateUserAttributes"]
    assert ada.attributes()["name"] == "Ada L" and "nickname" not in ada.attributes()
    assert ada.update_attributes({}, delete=["name"]).run() == ()
    assert "name" not in ada.attributes()
    with pytest.raises(UsageError):
        ada.update_attributes({})


def test_devices_and_the_cache(local_pool: LocalUserPool, tmp_path: Path, totp_codes: TotpCodes) -> None:
    local_pool.add_pool(id="us-east-1_Devices1", device_tracking="opt_in",
                        clients=[{"name": "c", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH",
                                                                       "ALLOW_REFRESH_TOKEN_AUTH"]}])
    local_pool.add_user("ada", PASSWORD, pool_id="us-east-1_Devices1")
    pool = user_pool(local_pool, pool_id="us-east-1_Devices1")
    flow = AuthFlow(pool, "ada", remember_device=True, device_name="laptop")
    tokens = flow.run(ScriptedHandler(password=PASSWORD))
    assert flow.device is not None
    cache = TokenCache(tmp_path / "cache")
    key = CacheKey(pool.pool_id, pool.client_id, "ada")
    cache.store(key, tokens)
    cache.save_device(key, flow.device)
    ada = Account(pool, tokens, cache=cache, cache_key=key)
    (listed,) = ada.devices() or ()
    assert (listed.device_key, listed.name, listed.remembered) == (flow.device.device_key, "laptop", True)
    ada.remember_device(listed.device_key, False).run()
    assert (ada.devices() or ())[0].remembered is False
    ada.forget_device().run()  # the current one: forgotten on the pool and in the cache
    assert ada.devices() == () and cache.device(key) is None


def test_expired_access_token_is_refreshed_mid_action(local_pool: LocalUserPool, ada: Account) -> None:
    refreshed: list[Any] = []
    ada.on_tokens = refreshed.append
    flow = ada.change_password()
    flow.start()
    flow.respond({"password": PASSWORD})
    local_pool.clock.advance(3600 + 60)  # the access token expires while the person types
    assert flow.respond({"new_password": NEW_PASSWORD}).done
    assert len(refreshed) == 1 and refreshed[0].access_token == ada.tokens.access_token
    statuses = [(r.operation, r.status) for r in local_pool.requests()][-3:]
    assert statuses == [("ChangePassword", 400), ("GetTokensFromRefreshToken", 200), ("ChangePassword", 200)]


def test_global_sign_out_and_delete(local_pool: LocalUserPool, pool: UserPool, tmp_path: Path) -> None:
    local_pool.add_user("ada", PASSWORD)
    cache = TokenCache(tmp_path / "cache")
    key = CacheKey(pool.pool_id, pool.client_id, "ada")
    ada = account_of(local_pool, pool, cache=cache, cache_key=key)
    cache.store(key, ada.tokens)
    old = ada.tokens
    ada.global_sign_out().run()
    assert cache.load(key) is None
    with pytest.raises(NotAuthorizedError):
        pool.refresh(old.refresh_token or "")
    ada = account_of(local_pool, pool, cache=cache, cache_key=key)
    cache.store(key, ada.tokens)
    flow = ada.delete()
    step = flow.start()
    assert step.prompt is not None and step.prompt.kind is PromptKind.CONFIRM
    step = flow.respond({"confirm": "bob"})
    assert step.error is not None and local_pool.requests("DeleteUser") == []
    assert flow.respond({"confirm": "ada"}).done
    assert cache.load(key) is None
    with pytest.raises(CognitoError, match=r"UserNotFound|NotAuthorized"):
        sign_in(pool, "ada", ScriptedHandler(password=PASSWORD))
    with pytest.raises(SignInCancelled):
        local_pool.add_user("eve", PASSWORD)
        account_of(local_pool, pool, "eve").delete().run(lambda prompt: {"confirm": "nope"})
    assert local_pool.user("eve") is not None


def test_account_info_as_json(local_pool: LocalUserPool, ada: Account) -> None:
    info = ada.info().to_json()
    assert info["Username"] == "ada" and info["Attributes"]["email"] == "ada@example.com"
    assert info["MFA"] == {"Enabled": [], "Preferred": None, "PasskeyMFA": None}
    assert info["AuthFactors"] == ["PASSWORD"]
    assert "Devices" not in info or info["Devices"] == []


def test_sms_mfa_needs_a_verified_phone_number(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.add_user("ada", PASSWORD, attributes={"phone_number": "+15555550100"})
    ada = account_of(local_pool, pool)
    seen: list[Prompt] = []

    def code(prompt: Prompt) -> str:
        seen.append(prompt)
        return local_pool.last_code("ada")

    ada.enable_mfa("sms").run(ScriptedHandler(code=code))
    assert [(p.challenge_name, p.delivery_medium) for p in seen] == [("VERIFY_ATTRIBUTE", "SMS")]
    assert ada.mfa().enabled == ("SMS_MFA",) and ada.attributes()["phone_number_verified"] == "true"
    local_pool.add_user("bea", PASSWORD)
    with pytest.raises(UsageError, match="phone number"):
        account_of(local_pool, pool, "bea").enable_mfa("sms").run()
    assert local_pool.requests("SetUserMFAPreference")[-1].status == 200  # bea's was never sent


def test_an_attribute_changed_but_not_verified_is_said(local_pool: LocalUserPool, pool: UserPool) -> None:
    local_pool.pool().auto_verified_attributes = ["email"]
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true"})
    ada = account_of(local_pool, pool)
    wrong = "00000000"  # eight digits: never one of the pool's six-digit codes
    with pytest.raises(AttributeNotVerifiedError, match="email changed but not verified") as info:
        ada.update_attributes({"email": "ada@new.example"}).run(lambda prompt: wrong)
    assert info.value.__cause__ is not None
    attributes = ada.attributes()
    assert (attributes["email"], attributes["email_verified"]) == ("ada@new.example", "false")


def test_expired_access_token_is_refreshed_through_the_token_cache(local_pool: LocalUserPool, tmp_path: Path) -> None:
    """``Account(cache=, cache_key=)``: an access token that expires while the person types is renewed through the
    cache, once for every handle (process) sharing it, and the renewed tokens are cached (0600)."""
    short = local_pool.add_client(explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                                  access_token_validity_seconds=3, id_token_validity_seconds=3)
    pool = user_pool(local_pool, client_id=short.id)
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "true"})
    cache = TokenCache(tmp_path / "cache")
    key = CacheKey(pool.pool_id, pool.client_id, "ada")
    ada = account_of(local_pool, pool, cache=cache, cache_key=key, leeway=0)
    cache.store(key, ada.tokens)
    # Another process acting for the same sign-in, with the same (soon expired) tokens.
    other = Account(pool, ada.tokens, cache=cache, cache_key=key, leeway=0)
    first = ada.tokens
    short.access_token_validity = short.id_token_validity = 3600  # the renewed tokens last
    flow = ada.change_password()
    flow.start()
    flow.respond({"password": PASSWORD})
    time.sleep(3.5)  # the access token expires while the person types
    assert first.expired(leeway=0)
    assert flow.respond({"new_password": NEW_PASSWORD}).done
    assert ada.tokens.access_token != first.access_token
    assert ada.tokens.refresh_token == first.refresh_token
    cached = cache.load(key)
    assert cached is not None and cached.access_token == ada.tokens.access_token
    (entry,) = [p for p in (tmp_path / "cache").rglob("*.json")]
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert [(r.operation, r.status) for r in local_pool.requests()][-2:] == [
        ("GetTokensFromRefreshToken", 200), ("ChangePassword", 200)]
    # The other handle takes the renewed tokens from the cache: no second refresh.
    assert other.attributes()["email"] == "ada@example.com"
    assert other.tokens.access_token == ada.tokens.access_token
    assert len(local_pool.requests("GetTokensFromRefreshToken")) == 1
