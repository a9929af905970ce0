"""A Qt account dialog for a signed-in user (``pip install 'authflow[qt]'``, PySide6).

    from authflow import Account
    from authflow.qt_account import AccountDialog

    AccountDialog(Account(pool, tokens, cache=cache, cache_key=key), parent=window).exec()

The first screen shows the account (attributes, MFA, passkey MFA, devices, passkeys) with a button per change:
change the password, set up or replace the authenticator app, turn email or SMS codes on or off, choose the
preferred method, passkey MFA on or off, change the email address or phone number, forget a device, sign out
everywhere, delete the account. Each change is an :class:`~authflow.account.AccountFlow` whose prompts are shown
with the sign-in dialog's own pages (``authflow.qt.PAGES``: the authenticator app's QR code, the code page with
"Send a new code", the new password typed twice), with account wording where the sign-in's would mislead.
Every Cognito call runs on a ``QThreadPool`` worker, as in the sign-in dialog; the outcome comes back as a queued
signal, and the account is read again after each change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from authflow.account import Account, AccountFlow, AccountInfo, AccountStep, TotpNotVerifiedError
from authflow.errors import AuthflowError
from authflow.labels import PREFERRED_MFA_LABEL, attribute_label
from authflow.prompts import Field
from authflow.qt import (
    PAGES,
    FieldsPage,
    Page,
    PasswordFormPage,
    Screen,
    SignInWidget,
    _add_secret,
    _button,
    _Call,
    _ScreenHost,
    describe_error,
)

__all__ = [
    "ACCOUNT_PAGES", "AccountDialog", "AccountWidget", "ChangePasswordPage", "ConfirmPage", "CurrentPasswordPage",
    "EditAttributesScreen", "OverviewScreen",
]

METHOD_LABELS = {"SOFTWARE_TOKEN_MFA": "authenticator app", "EMAIL_OTP": "email codes", "SMS_MFA": "text messages"}


class CurrentPasswordPage(Page):
    """The current password, to change it (the sign-in's password page without "Forgot your password?")."""

    title = "Change your password"

    def intro(self) -> str:
        return "Enter your current password."

    def build(self) -> None:
        for field in self.prompt.fields:
            _add_secret(self, field, field.label)


class ChangePasswordPage(PasswordFormPage):
    """The new password, typed twice (the sign-in's new-password form)."""

    title = "Choose a new password"
    submit_text = "Change password"

    def intro(self) -> str:
        return "Choose a new password for " + self.prompt.username + "."


class ConfirmPage(Page):
    """An account change that cannot be undone: type the username."""

    title = "Delete your account"
    submit_text = "Delete account"


#: The page for each prompt kind in the account dialog: the sign-in's, with account wording where it differs.
ACCOUNT_PAGES: dict[str, type[Page]] = {
    **PAGES, "PASSWORD": CurrentPasswordPage, "NEW_PASSWORD": ChangePasswordPage, "CONFIRM": ConfirmPage,
}


class OverviewScreen(Screen):
    """The account as it is, and a button for each change."""

    title = "Your account"
    submit_text = "Close"

    def __init__(self, host: AccountWidget, info: AccountInfo | None, message: str = "", error: str = "") -> None:
        self.info = info
        self.host = host
        self.notice = message
        super().__init__(cast(SignInWidget, host), error)

    def intro(self) -> str:
        if self.info is None:
            return "Reading your account…"
        return self.notice or f"Signed in as {self.info.username}."

    def build(self) -> None:
        info, host = self.info, self.host
        # What the account holds reads as a table (label, value), not as the pages' labels above inputs.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        if info is None:
            return
        attrs = info.attributes
        for name in ("name", "email", "phone_number"):
            if attrs.get(name):
                verified = attrs.get(f"{name}_verified")
                suffix = " (not verified)" if verified is not None and verified.lower() != "true" else ""
                self._row(attribute_label(name), attrs[name] + suffix, name)
        mfa = info.mfa
        enabled = ", ".join(METHOD_LABELS.get(m, m) for m in mfa.enabled) or "off"
        self._row("Two-step verification", enabled, "mfa")
        if mfa.preferred:
            self._row(PREFERRED_MFA_LABEL, METHOD_LABELS.get(mfa.preferred, mfa.preferred), "preferred")
        if mfa.passkey_mfa is not None:
            self._row("Passkey as second step", "on" if mfa.passkey_mfa else "off", "passkey_mfa")
        if info.passkeys is not None:
            self._row("Passkeys", ", ".join(p.friendly_name or "passkey" for p in info.passkeys) or "none", "passkeys")

        actions = QVBoxLayout()
        self.layout_.addLayout(actions)
        totp = "SOFTWARE_TOKEN_MFA" in mfa.enabled

        def add(text: str, name: str, start: Callable[[], AccountFlow[Any]], done: str = "") -> None:
            actions.addWidget(_button(text, name, lambda: host.begin(start, done)))

        def change(what: Callable[[str], AccountFlow[None]], argument: str) -> Callable[[], AccountFlow[None]]:
            return lambda: what(argument)

        def verify(name: str) -> Callable[[], AccountFlow[bool]]:
            return lambda: host.account.verify_attribute(name)

        def remember(key: str, on: bool) -> Callable[[], AccountFlow[None]]:
            return lambda: host.account.remember_device(key, on)

        add("Change password…", "change_password", host.account.change_password, "Your password is changed.")
        add("Replace authenticator app…" if totp else "Set up authenticator app…", "set_up_totp",
            lambda: host.account.set_up_totp(host.device_name), "The authenticator app is set up.")
        for method, word in (("EMAIL_OTP", "email codes"), ("SMS_MFA", "text message codes")):
            if method in mfa.enabled:
                add(f"Turn off {word}", f"disable_{method}", change(host.account.disable_mfa, method),
                    f"{word.capitalize()} are off.")
                if mfa.preferred != method:
                    add(f"Make {word} preferred", f"prefer_{method}", change(host.account.prefer_mfa, method),
                        f"{word.capitalize()} are now the preferred second step.")
            elif method == "EMAIL_OTP" or attrs.get("phone_number"):
                add(f"Turn on {word}…", f"enable_{method}", change(host.account.enable_mfa, method),
                    f"{word.capitalize()} are on.")
        if totp and mfa.preferred != "SOFTWARE_TOKEN_MFA" and len(mfa.enabled) > 1:
            add("Make the authenticator app preferred", "prefer_SOFTWARE_TOKEN_MFA",
                lambda: host.account.prefer_mfa("SOFTWARE_TOKEN_MFA"),
                "The authenticator app is now the preferred second step.")
        if info.passkeys:  # passkey MFA as the pool says it; where it does not say (Cognito does not), both ways
            if mfa.passkey_mfa is not True:
                add("Use a passkey as second step", "passkey_mfa_on", lambda: host.account.set_passkey_mfa(True),
                    "A passkey now counts as second step.")
            if mfa.passkey_mfa is not False:
                add("Stop using a passkey as second step", "passkey_mfa_off",
                    lambda: host.account.set_passkey_mfa(False), "A passkey no longer counts as second step.")
        actions.addWidget(_button("Change email or phone…", "edit_attributes", host.edit_attributes))
        for name in ("email", "phone_number"):  # verify later: a new code, asked on the code page
            verified = attrs.get(f"{name}_verified")
            if attrs.get(name) and (verified is None or verified.lower() != "true"):
                what = attribute_label(name).lower()
                add(f"Verify {what}…", f"verify_{name}", verify(name), f"Your {what} is verified.")
        for device in info.devices or ():
            label = device.name or device.device_key
            label += " (this one)" if device.device_key == host.account.current_device_key() else ""
            key = device.device_key
            if device.remembered is not None:  # remembered: the device may skip MFA
                add(f"Stop remembering {label}" if device.remembered else f"Remember {label}", f"remember_{key}",
                    remember(key, not device.remembered),
                    f"{label} is no longer remembered." if device.remembered else f"{label} is remembered.")
            add(f"Forget device {label}", f"forget_{key}", change(host.account.forget_device, key),
                f"{label} is forgotten.")
        add("Sign out everywhere", "global_sign_out", host.account.global_sign_out)
        add("Delete account…", "delete_account", host.account.delete)

    def _row(self, label: str, value: str, name: str) -> None:
        shown = QLabel(value)
        shown.setObjectName(f"value_{name}")
        shown.setWordWrap(True)
        self.form.addRow(label, shown)


class EditAttributesScreen(Screen):
    """Email and phone number: the changed ones are sent (a code is then asked for each Cognito sends); one
    cleared is removed (DeleteUserAttributes)."""

    title = "Change email or phone"
    submit_text = "Save"

    def __init__(self, host: AccountWidget, attributes: Mapping[str, str]) -> None:
        self.current = dict(attributes)
        super().__init__(cast(SignInWidget, host))

    def intro(self) -> str:
        return "A new address or number may need a code. Clear one to remove it."

    def build(self) -> None:
        for name in ("email", "phone_number"):
            self.add_line(Field(name, attribute_label(name))).setText(self.current.get(name, ""))

    def changes(self) -> dict[str, str]:
        """The values changed (not the ones cleared: :meth:`removals`)."""
        values = {k: v.strip() for k, v in self.answer().items()}
        changed = {k: v for k, v in values.items() if v and v != self.current.get(k, "")}
        if not changed and not self.removals():
            raise ValueError("Nothing was changed.")
        return changed

    def removals(self) -> list[str]:
        """The attributes the account has whose field was cleared."""
        return [k for k, v in self.answer().items() if not v.strip() and self.current.get(k)]


class AccountWidget(_ScreenHost):
    """The account of ``account``'s user, screen by screen (see the module docstring). Emits ``deleted`` when
    the account is deleted and ``signed_out`` after signing out everywhere (the tokens no longer work)."""

    deleted = Signal()
    signed_out = Signal()

    def __init__(self, account: Account, *, device_name: str | None = None, parent: QWidget | None = None) -> None:
        # titles: qt.Screen's font, on the body's left edge
        super().__init__(parent, "authflow_account", 480, "QLabel#error { color: #b00020; }")
        self.account = account
        self.device_name = device_name
        self.info: AccountInfo | None = None
        self.flow: AccountFlow[Any] | None = None
        self._message = ""  # said on the overview when the account has been read again
        self._done = ""  # what the overview says when the change under way is made
        self._add_progress("Contacting the user pool…")
        self.cancel_button = _button("Back", "cancel", self.back)
        self._add_buttons([], [self.cancel_button], "Close")
        self._show(OverviewScreen(self, None))
        self.reload()

    # --- what the pages call (the sign-in widget's names; ``page`` and ``busy`` are _ScreenHost's) ----------

    def submit(self) -> None:
        """Continue on a page; Close on the overview; Save on the attributes form."""
        if self.busy or not self.submit_button.isEnabled():
            return
        current = self.page
        if isinstance(current, OverviewScreen):
            self.window().close()
            return
        if isinstance(current, EditAttributesScreen):
            try:
                changes = current.changes()
            except ValueError as exc:
                current.show_error(str(exc))
                return
            removed = current.removals()
            self.begin(lambda: self.account.update_attributes(changes, delete=removed), "Your changes are saved.")
            return
        flow = self.flow
        assert flow is not None and isinstance(current, Page)
        try:
            action = current.action(cast(Any, flow))
        except ValueError as exc:
            current.show_error(str(exc))
            return
        self._run(action)

    def send(self, answer: Mapping[str, str]) -> None:
        """Answer the current prompt with ``answer`` ("Send a new code")."""
        flow = self.flow
        if flow is not None and not self.busy:
            self._run(lambda: flow.respond(answer))

    def start_over(self) -> None:
        self.back()

    # --- changes ---------------------------------------------------------------------------------------

    def begin(self, start: Callable[[], AccountFlow[Any]], done: str = "") -> None:
        """Start a change (its first call on the worker); ``done`` is what the account says once it is made."""
        if self.busy:
            return
        try:
            self.flow = start()
            self._done = done
        except AuthflowError as exc:
            self.page.show_error(describe_error(exc))
            return
        flow = self.flow
        self._run(flow.start)

    def edit_attributes(self) -> None:
        if not self.busy:
            self._show(EditAttributesScreen(self, self.info.attributes if self.info else {}))

    def back(self) -> None:
        """Leave a change (what it left half-done is said) and show the account."""
        if self.busy:
            return
        left = self.flow.cancel() if self.flow is not None else None
        self.flow = None
        self._show(OverviewScreen(self, self.info, error=describe_error(left) if left else ""))

    def reload(self, message: str = "") -> None:
        """Read the account again (on the worker) and show it."""
        self._run(self.account.info, message=message)

    def _run(self, action: Callable[[], Any], message: str = "") -> None:
        self._message = message
        self._start(_Call(action, self._outcomes))

    def _outcome(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            if not isinstance(error, AuthflowError):
                raise error
            flow = self.flow
            if flow is not None and flow.prompt is not None and isinstance(self.page, Page):
                self.page.show_error(describe_error(error))  # an unusable answer: the question stands
                return
            self.flow = None
            text = describe_error(error)
            if isinstance(error, TotpNotVerifiedError):
                text = "The new authenticator app was not verified: the previous one is still in use. " + text
            self._show(OverviewScreen(self, self.info, error=text))
            return
        if isinstance(result, AccountInfo):
            self.info = result
            self._show(OverviewScreen(self, result, self._message))
            return
        assert isinstance(result, AccountStep)
        if result.done:
            name = self.flow.name if self.flow is not None else "change"
            self.flow = None
            if name == "delete account":
                self.deleted.emit()
                self.window().close()
                return
            if name == "global sign-out":
                self.signed_out.emit()
                self.window().close()
                return
            self.reload(self._done or "Done.")
            return
        assert result.prompt is not None
        self._show(ACCOUNT_PAGES.get(result.prompt.kind.value, FieldsPage)(result.prompt, cast(SignInWidget, self)))

    def _shown(self, new: Screen) -> None:
        self.cancel_button.setVisible(not isinstance(new, OverviewScreen))


class AccountDialog(QDialog):
    """A window holding one :class:`AccountWidget`."""

    title: ClassVar[str] = "Your account"

    def __init__(self, account: Account, parent: QWidget | None = None, **options: Any) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.title)
        self.widget = AccountWidget(account, **options)
        layout = QVBoxLayout(self)
        layout.addWidget(self.widget)
