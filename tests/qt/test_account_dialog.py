"""The account dialog (authflow.qt_account) offscreen against the local pool: the sign-in dialog's own pages
for a password change, a new authenticator app (QR code) and an email verification code; every Cognito call
on a worker; screenshots into docs/qt/ with AUTHFLOW_SAVE_SCREENSHOTS=1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QAbstractButton, QLabel

from authflow import Account, AuthFlow, ScriptedHandler, UserPool, sign_in
from authflow.labels import PREFERRED_MFA_LABEL
from authflow.localpool import LocalUserPool
from authflow.qt import ChoicePage, CodePage, EmailAddressPage, Page, TotpSetupPage
from authflow.qt_account import (
    AccountDialog,
    ChangePasswordPage,
    ConfirmPage,
    CurrentPasswordPage,
    EditAttributesScreen,
    OverviewScreen,
)
from tests.helpers.account import old_code_is_refused, reset_authenticator

from .conftest import Driver, WatchedPool, sign_in_to_code, signed_in, watched

PASSWORD = "Account-Passw0rd!"
NEW_PASSWORD = "Account-Passw0rd-2!"


@pytest.fixture
def account_dialog(qtbot: Any, local_pool: LocalUserPool) -> Iterator[tuple[Driver, WatchedPool]]:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.pool().mfa_types = {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    local_pool.add_user("ada", PASSWORD, attributes={"email": "ada@example.com", "email_verified": "false",
                                                     "name": "Ada Lovelace"})
    pool = watched(local_pool)
    tokens = sign_in(pool, "ada", ScriptedHandler(password=PASSWORD))
    pool.calls.clear()
    dialog = AccountDialog(Account(pool, tokens))
    qtbot.addWidget(dialog)
    dialog.show()
    yield Driver(qtbot, dialog), pool  # type: ignore[arg-type]
    assert QThreadPool.globalInstance().waitForDone(10_000)
    assert pool.calls and not [op for op, on_ui in pool.calls if on_ui], "a Cognito call ran on the UI thread"


def overview(d: Driver) -> OverviewScreen:
    d.qtbot.waitUntil(lambda: not d.widget.busy and isinstance(d.page, OverviewScreen)
                      and d.page.info is not None, timeout=10_000)
    page = d.page
    assert isinstance(page, OverviewScreen)
    return page


def value(d: Driver, name: str) -> str:
    label = d.page.findChild(QLabel, f"value_{name}")
    assert label is not None, f"no {name} on the overview"
    return str(label.text())


def test_change_password_then_authenticator_app(account_dialog: tuple[Driver, WatchedPool],
                                                local_pool: LocalUserPool) -> None:
    d, _ = account_dialog
    overview(d)
    assert value(d, "mfa") == "off" and value(d, "email") == "ada@example.com (not verified)"
    d.snap("account-overview")
    d.click("change_password")
    d.wait_for(CurrentPasswordPage)
    assert d.dialog.findChild(QLabel, "forgot_password") is None
    d.type("password", "wrong-password-1")
    d.submit()
    d.wait_for(ChangePasswordPage)
    d.type("new_password", NEW_PASSWORD)
    d.type("confirm", NEW_PASSWORD[:-1])
    d.submit()
    assert d.page.error.text() == "The two passwords are not the same."  # checked here, nothing sent
    d.type("confirm", NEW_PASSWORD)
    d.snap("account-new-password")
    d.submit()
    page = d.wait_for(CurrentPasswordPage)  # the current password was wrong: asked again, with why
    assert page.error.text() != ""
    d.type("password", PASSWORD)
    d.submit()  # the new password chosen is kept
    page = overview(d)
    assert page.message.text() == "Your password is changed."  # said as a person would, not the flow's name
    plain = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    sign_in(plain, "ada", ScriptedHandler(password=NEW_PASSWORD))

    d.click("set_up_totp")
    totp = d.wait_for(TotpSetupPage)
    qr = totp.findChild(QLabel, "qr")
    assert qr is not None and not qr.pixmap().isNull()
    d.snap("account-totp-setup")
    secret = totp.prompt.secret_code or ""
    d.type("code", pyotp.TOTP(secret).now())
    d.submit()
    page = overview(d)
    assert page.message.text() == "The authenticator app is set up."
    assert value(d, "mfa") == "authenticator app" and value(d, "preferred") == "authenticator app"
    assert local_pool.user("ada").totp_secret == secret


def test_email_codes_verify_the_address_in_the_code_page(account_dialog: tuple[Driver, WatchedPool],
                                                         local_pool: LocalUserPool) -> None:
    d, _ = account_dialog
    overview(d)
    d.click("enable_EMAIL_OTP")
    page = d.wait_for(CodePage)
    assert "a***@e***" in page.message.text()
    d.click("resend")  # "Send a new code": through the flow
    d.qtbot.waitUntil(lambda: len(local_pool.requests("GetUserAttributeVerificationCode")) == 2, timeout=10_000)
    d.wait_for(CodePage)
    d.snap("account-verify-email")
    d.type("code", local_pool.last_code("ada"))
    d.submit()
    assert overview(d).message.text() == "Email codes are on."  # not "Done: enable EMAIL_OTP."
    assert value(d, "mfa") == "email codes" and value(d, "email") == "ada@example.com"


def test_leaving_an_unverified_authenticator_says_so(account_dialog: tuple[Driver, WatchedPool],
                                                     local_pool: LocalUserPool) -> None:
    d, _ = account_dialog
    overview(d)
    d.click("set_up_totp")
    d.wait_for(TotpSetupPage)
    d.click("cancel")  # Back
    page = overview(d)
    assert "not verified" in page.error.text()
    assert local_pool.user("ada").totp_secret is None


def test_lost_authenticator_set_up_again_at_the_next_sign_in(open_dialog: Any, local_pool: LocalUserPool) -> None:
    """Recovery in the sign-in dialog: after AdminDeleteSoftwareToken, MFA_SETUP's QR page, a new secret."""
    local_pool.pool().mfa_configuration = "ON"
    old = pyotp.random_base32()
    local_pool.add_user("ruth", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA",
                        totp_secret=old)
    reset_authenticator(local_pool, "ruth")
    d = open_dialog(watched(local_pool))
    sign_in_to_code(d, "ruth", PASSWORD)
    if isinstance(d.wait_for(Page), ChoicePage):  # which method to set up: the authenticator app is first
        d.submit()
    page = d.wait_for(TotpSetupPage)
    new = page.prompt.secret_code or ""
    assert new and new != old
    d.type("code", pyotp.TOTP(new).now())
    d.submit()
    signed_in(d, local_pool, "ruth")
    assert local_pool.user("ruth").totp_secret == new
    # The lost authenticator's codes no longer sign in.
    plain = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    old_code_is_refused(plain, "ruth", PASSWORD, old)


def test_delete_asks_for_the_username(account_dialog: tuple[Driver, WatchedPool], local_pool: LocalUserPool) -> None:
    d, _ = account_dialog
    overview(d)
    deleted: list[bool] = []
    d.dialog.widget.deleted.connect(lambda: deleted.append(True))
    d.click("delete_account")
    page = d.wait_for(ConfirmPage)
    d.type("confirm", "bob")
    d.submit()
    d.qtbot.waitUntil(lambda: isinstance(d.page, ConfirmPage) and d.page is not page, timeout=10_000)
    assert d.page.error.text() != "" and local_pool.requests("DeleteUser") == []
    d.snap("account-delete")
    d.type("confirm", "ada")
    d.submit()
    d.qtbot.waitUntil(lambda: deleted == [True], timeout=10_000)
    with pytest.raises(KeyError):
        local_pool.user("ada")


def test_passkey_mfa_refusal_is_explained(account_dialog: tuple[Driver, WatchedPool],
                                          local_pool: LocalUserPool, tmp_path: Any) -> None:
    from authflow.localpool.model import Passkey

    local_pool.pool().web_authn.relying_party_id = "localhost"
    local_pool.user("ada").passkeys["id"] = Passkey(credential_id=b"id", public_key=b"k", sign_count=0, created=0.0,
                                                    name="Laptop")
    d, _ = account_dialog
    d.widget.reload()
    page = overview(d)
    assert page.info is not None and page.info.mfa.passkey_mfa is None  # Cognito does not say: both are offered
    assert page.findChild(QAbstractButton, "passkey_mfa_off") is not None
    d.click("passkey_mfa_on")
    page = overview(d)
    assert "another MFA method" in page.error.text()
    assert local_pool.requests("SetUserMFAPreference") == [] and local_pool.user("ada").webauthn_mfa is False


def test_devices_remembered_and_forgotten(qtbot: Any, local_pool: LocalUserPool) -> None:
    local_pool.add_pool(id="us-east-1_QtDevices1", device_tracking="opt_in",
                        clients=[{"name": "c", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH",
                                                                       "ALLOW_REFRESH_TOKEN_AUTH"]}])
    local_pool.add_user("dora", PASSWORD, pool_id="us-east-1_QtDevices1")
    client = local_pool.app_client(pool_id="us-east-1_QtDevices1")
    pool = WatchedPool("us-east-1_QtDevices1", client.id, endpoint_url=local_pool.endpoint_url)
    flow = AuthFlow(pool, "dora", remember_device=True, device_name="laptop")
    tokens = flow.run(ScriptedHandler(password=PASSWORD))
    assert flow.device is not None
    key = flow.device.device_key
    dialog = AccountDialog(Account(pool, tokens))
    qtbot.addWidget(dialog)
    dialog.show()
    d = Driver(qtbot, dialog)  # type: ignore[arg-type]
    overview(d)
    d.snap("account-devices")
    d.click(f"remember_{key}")  # "Stop remembering laptop (this one)"
    page = overview(d)
    assert page.message.text() == "laptop (this one) is no longer remembered."  # not "remember device"
    assert local_pool.user("dora", pool_id="us-east-1_QtDevices1").devices[key].remembered is False
    d.click(f"forget_{key}")
    page = overview(d)
    assert page.message.text() == "laptop (this one) is forgotten."
    assert local_pool.user("dora", pool_id="us-east-1_QtDevices1").devices == {}
    assert d.page.findChild(QAbstractButton, f"forget_{key}") is None


def test_change_email_asks_its_code(account_dialog: tuple[Driver, WatchedPool], local_pool: LocalUserPool) -> None:
    local_pool.pool().auto_verified_attributes = ["email"]
    d, _ = account_dialog
    overview(d)
    d.click("edit_attributes")
    d.wait_for(EditAttributesScreen)
    d.submit()
    assert d.page.error.text() == "Nothing was changed."  # nothing sent
    d.type("email", "ada@new.example")
    d.submit()
    d.wait_for(CodePage)
    d.type("code", local_pool.last_code("ada"))
    d.submit()
    overview(d)
    assert value(d, "email") == "ada@new.example"
    assert local_pool.requests("UpdateUserAttributes")[-1].params["UserAttributes"] == [
        {"Name": "email", "Value": "ada@new.example"}]


def no_email_dialog(qtbot: Any, local_pool: LocalUserPool, *, auto_verify: bool) -> tuple[Driver, WatchedPool]:
    """The account dialog of nell, who has no email address, in a pool with optional email MFA."""
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.pool().mfa_types = {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}
    local_pool.pool().auto_verified_attributes = ["email"] if auto_verify else []
    local_pool.add_user("nell", PASSWORD, attributes={"name": "Nell"})
    pool = watched(local_pool)
    dialog = AccountDialog(Account(pool, sign_in(pool, "nell", ScriptedHandler(password=PASSWORD))))
    qtbot.addWidget(dialog)
    dialog.show()
    return Driver(qtbot, dialog), pool  # type: ignore[arg-type]


@pytest.mark.parametrize("auto_verify", [True, False])
def test_email_codes_for_an_account_without_email(qtbot: Any, local_pool: LocalUserPool, auto_verify: bool) -> None:
    """Turning on email codes without an email address asks for one, then its code (sent by UpdateUserAttributes
    where the pool verifies email itself, else by GetUserAttributeVerificationCode), and ends with email codes on;
    an address Cognito refuses is asked again with why, and nothing is left half-done."""
    d, _ = no_email_dialog(qtbot, local_pool, auto_verify=auto_verify)
    page = overview(d)
    assert page.findChild(QLabel, "value_email") is None
    d.click("enable_EMAIL_OTP")
    page = d.wait_for(EmailAddressPage)
    d.type("email", "not an address")
    d.submit()
    d.qtbot.waitUntil(lambda: not d.widget.busy and isinstance(d.page, EmailAddressPage) and d.page is not page,
                      timeout=10_000)
    assert "email" in d.page.error.text().lower() and local_pool.user("nell").attributes.get("email") is None
    d.type("email", "nell@example.org")
    d.submit()
    code_page = d.wait_for(CodePage)
    assert "n***@e***" in code_page.message.text()
    d.type("code", local_pool.last_code("nell"))
    d.submit()
    page = overview(d)
    assert value(d, "mfa") == "email codes" and value(d, "email") == "nell@example.org"
    assert local_pool.user("nell").mfa_enabled == {"EMAIL_OTP"}
    sent = "UpdateUserAttributes" if auto_verify else "GetUserAttributeVerificationCode"
    assert [m.purpose for m in local_pool.outbox("nell")] and local_pool.requests(sent)


def test_leaving_the_email_question_changes_nothing(qtbot: Any, local_pool: LocalUserPool) -> None:
    d, _ = no_email_dialog(qtbot, local_pool, auto_verify=True)
    overview(d)
    d.click("enable_EMAIL_OTP")
    d.wait_for(EmailAddressPage)
    d.click("cancel")  # Back
    page = overview(d)
    assert page.error.text() == "" and value(d, "mfa") == "off"
    assert local_pool.requests("UpdateUserAttributes") == [] and local_pool.requests("SetUserMFAPreference") == []


def test_global_sign_out(qtbot: Any, local_pool: LocalUserPool, tmp_path: Any) -> None:
    """"Sign out everywhere": GlobalSignOut on a worker, the cached sign-in forgotten, ``signed_out`` emitted and the
    dialog closed; every refresh token of the user stops working, this one's and another sign-in's."""
    from authflow.errors import NotAuthorizedError
    from authflow.tokencache import CacheKey, TokenCache

    local_pool.add_user("ada", PASSWORD)
    pool = watched(local_pool)
    tokens = sign_in(pool, "ada", ScriptedHandler(password=PASSWORD))
    elsewhere = sign_in(pool, "ada", ScriptedHandler(password=PASSWORD))
    cache, key = TokenCache(tmp_path / "cache"), CacheKey(local_pool.pool_id, local_pool.client_id, "ada",
                                                          local_pool.endpoint_url)
    cache.store(key, tokens)
    dialog = AccountDialog(Account(pool, tokens, cache=cache, cache_key=key))
    qtbot.addWidget(dialog)
    dialog.show()
    d = Driver(qtbot, dialog)  # type: ignore[arg-type]
    overview(d)
    signed_out: list[bool] = []
    dialog.widget.signed_out.connect(lambda: signed_out.append(True))
    d.click("global_sign_out")
    d.qtbot.waitUntil(lambda: signed_out == [True] and not dialog.isVisible(), timeout=10_000)
    assert [op for op, _ in pool.calls][-1] == "global_sign_out"
    assert cache.load(key) is None
    for refresh_token in (tokens.refresh_token, elsewhere.refresh_token):
        with pytest.raises(NotAuthorizedError):
            pool.refresh(refresh_token or "", username="ada")


def test_each_page_is_as_tall_as_it_needs(account_dialog: tuple[Driver, WatchedPool],
                                          local_pool: LocalUserPool) -> None:
    """The dialog is sized to the page shown, as the sign-in dialog is: the short "Change email or phone" and
    "Delete your account" pages after the tall overview leave no empty area below them (they kept its height)."""
    d, _ = account_dialog
    local_pool.user("ada").mfa_enabled = {"EMAIL_OTP"}
    local_pool.user("ada").preferred_mfa = "EMAIL_OTP"
    d.widget.reload()
    page = overview(d)
    assert value(d, "preferred") == "email codes"
    row = page.form.labelForField(page.findChild(QLabel, "value_preferred"))
    assert isinstance(row, QLabel) and row.text() == PREFERRED_MFA_LABEL == "Preferred method"  # not "Used first"
    tall = d.dialog.height()

    def fitted() -> int:
        """The height the dialog's layout needs at its width; the dialog is no taller than that."""
        layout = d.dialog.layout()
        assert layout is not None
        layout.activate()
        need = layout.totalHeightForWidth(d.dialog.width()) if layout.hasHeightForWidth() else -1
        need = max(need, layout.totalMinimumSize().height())
        assert need <= d.dialog.height() <= need + 2, (d.dialog.height(), need)
        return d.dialog.height()

    d.click("edit_attributes")
    d.wait_for(EditAttributesScreen)
    d.qtbot.wait(50)
    d.snap("account-edit-attributes")
    assert fitted() < tall * 2 // 3, (d.dialog.height(), tall)
    d.click("cancel")
    overview(d)
    assert fitted() >= tall - 2  # the overview is as tall as before
    d.click("delete_account")
    d.wait_for(ConfirmPage)
    d.qtbot.wait(50)
    assert fitted() < tall * 2 // 3, (d.dialog.height(), tall)


def test_verify_later_then_remove_the_phone_number(account_dialog: tuple[Driver, WatchedPool],
                                                   local_pool: LocalUserPool) -> None:
    """"Verify email…" on the overview (an address not verified): a new code, asked on the code page with
    "Send a new code"; a field cleared on "Change email or phone" removes that attribute."""
    local_pool.user("ada").attributes.update({"phone_number": "+15555550100", "phone_number_verified": "true"})
    d, _ = account_dialog
    d.widget.reload()
    page = overview(d)
    assert page.findChild(QAbstractButton, "verify_phone_number") is None  # verified: nothing to do
    d.snap("account-verify-later")
    d.click("verify_email")
    page = d.wait_for(CodePage)
    assert "a***@e***" in page.message.text()
    d.click("resend")
    d.qtbot.waitUntil(lambda: len(local_pool.requests("GetUserAttributeVerificationCode")) == 2, timeout=10_000)
    d.wait_for(CodePage)
    d.type("code", "000000" if local_pool.last_code("ada") != "000000" else "111111")
    d.submit()
    d.qtbot.waitUntil(lambda: not d.widget.busy and isinstance(d.page, CodePage) and d.page.error.text() != "",
                      timeout=10_000)  # a wrong code: asked again on the same page, with why
    d.type("code", local_pool.last_code("ada"))
    d.submit()
    page = overview(d)
    assert page.message.text() == "Your email address is verified."
    assert value(d, "email") == "ada@example.com" and local_pool.user("ada").attributes["email_verified"] == "true"
    assert page.findChild(QAbstractButton, "verify_email") is None

    d.click("edit_attributes")
    d.wait_for(EditAttributesScreen)
    d.type("phone_number", "")
    d.submit()
    page = overview(d)
    assert page.message.text() == "Your changes are saved."
    assert page.findChild(QLabel, "value_phone_number") is None
    assert "phone_number" not in local_pool.user("ada").attributes
    assert local_pool.requests("DeleteUserAttributes")[-1].params["UserAttributeNames"] == ["phone_number"]
    assert local_pool.requests("UpdateUserAttributes") == []  # nothing else was changed


def test_text_messages_on_preferred_and_off(account_dialog: tuple[Driver, WatchedPool],
                                            local_pool: LocalUserPool) -> None:
    """Text message codes turned on (the phone number verified first, on the code page), another method made
    preferred, then text messages turned off."""
    local_pool.pool().mfa_types = {"SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_MFA"}
    local_pool.user("ada").attributes.update({"phone_number": "+15555550100", "phone_number_verified": "false",
                                              "email_verified": "true"})
    d, _ = account_dialog
    d.widget.reload()
    overview(d)
    d.click("enable_SMS_MFA")
    d.wait_for(CodePage)
    d.type("code", local_pool.last_code("ada"))
    d.submit()
    page = overview(d)
    assert page.message.text() == "Text message codes are on."
    assert value(d, "mfa") == "text messages" and value(d, "phone_number") == "+15555550100"
    assert local_pool.user("ada").mfa_enabled == {"SMS_MFA"}
    d.click("enable_EMAIL_OTP")  # the address is verified: no code asked
    overview(d)
    assert value(d, "mfa") == "email codes, text messages" or value(d, "mfa") == "text messages, email codes"
    preferred = local_pool.user("ada").preferred_mfa
    other = "EMAIL_OTP" if preferred == "SMS_MFA" else "SMS_MFA"
    d.click(f"prefer_{other}")
    page = overview(d)
    assert local_pool.user("ada").preferred_mfa == other
    assert value(d, "preferred") == {"EMAIL_OTP": "email codes", "SMS_MFA": "text messages"}[other]
    assert page.findChild(QAbstractButton, f"prefer_{other}") is None
    d.click("disable_SMS_MFA")
    page = overview(d)
    assert page.message.text() == "Text message codes are off."
    assert value(d, "mfa") == "email codes" and local_pool.user("ada").mfa_enabled == {"EMAIL_OTP"}
    assert page.findChild(QAbstractButton, "enable_SMS_MFA") is not None


def test_passkey_mfa_turned_on(account_dialog: tuple[Driver, WatchedPool], local_pool: LocalUserPool) -> None:
    """Passkey MFA on, where the pool counts a passkey with user verification as two factors and email codes
    are on: sent with the other enabled method in one request."""
    from authflow.localpool.model import Passkey

    local_pool.pool().web_authn.relying_party_id = "localhost"
    local_pool.pool().web_authn.factor_configuration = "MULTI_FACTOR_WITH_USER_VERIFICATION"
    user = local_pool.user("ada")
    user.passkeys["id"] = Passkey(credential_id=b"id", public_key=b"k", sign_count=0, created=0.0, name="Laptop")
    user.attributes["email_verified"] = "true"
    user.mfa_enabled = {"EMAIL_OTP"}
    user.preferred_mfa = "EMAIL_OTP"
    d, _ = account_dialog
    d.widget.reload()
    overview(d)
    d.click("passkey_mfa_on")
    page = overview(d)
    assert page.error.text() == "" and page.message.text() == "A passkey now counts as second step."
    assert local_pool.user("ada").webauthn_mfa is True
    sent = local_pool.requests("SetUserMFAPreference")[-1].params
    assert sent["WebAuthnMfaSettings"] == {"Enabled": True} and sent["EmailMfaSettings"]["Enabled"] is True
    assert local_pool.user("ada").mfa_enabled == {"EMAIL_OTP"}


def test_password_policy_refusal_on_the_same_page(account_dialog: tuple[Driver, WatchedPool],
                                                  local_pool: LocalUserPool) -> None:
    """A new password the pool's policy refuses: the new-password page again, saying why; nothing changed."""
    d, _ = account_dialog
    overview(d)
    d.click("change_password")
    d.wait_for(CurrentPasswordPage)
    d.type("password", PASSWORD)
    d.submit()
    page = d.wait_for(ChangePasswordPage)
    d.type("new_password", "alllowercase")
    d.type("confirm", "alllowercase")
    d.submit()
    d.qtbot.waitUntil(lambda: not d.widget.busy and isinstance(d.page, ChangePasswordPage) and d.page is not page
                      and d.page.error.text() != "", timeout=10_000)
    assert "password" in d.page.error.text().lower()
    assert [r.error_code for r in local_pool.requests("ChangePassword")] == ["InvalidPasswordException"]
    d.snap("account-password-refused")
    d.type("new_password", NEW_PASSWORD)
    d.type("confirm", NEW_PASSWORD)
    d.submit()
    assert overview(d).message.text() == "Your password is changed."
    plain = UserPool(local_pool.pool_id, local_pool.client_id, endpoint_url=local_pool.endpoint_url)
    sign_in(plain, "ada", ScriptedHandler(password=NEW_PASSWORD))
