"""A drop-in Qt sign-in dialog on the step API (``pip install 'authflow[qt]'``, PySide6).

    from authflow.qt import SignInDialog

    result = SignInDialog.sign_in(pool, parent=window)        # None when the person cancels
    if result is not None:
        result.tokens.access_token, result.device              # a remembered device, if asked for

:class:`SignInWidget` is the same sign-in as a plain widget, for apps that place it themselves: it emits
``signed_in(DialogResult)`` or ``cancelled()``.

Every question of the sign-in is one :class:`Page`, chosen by the prompt's kind (``PAGES``). A new prompt
kind is one small subclass registered with :func:`page`; a kind without a page of its own gets
:class:`FieldsPage`, a form built from the prompt's fields.

Cognito is never called on the UI thread: each ``AuthFlow.start()`` / ``respond()`` runs on a
``QThreadPool`` worker and its outcome comes back as a queued signal, so the window keeps painting,
counting down and answering Cancel while a call is under way. Cancelling (the button, Escape, closing the
window) fails the flow so it forgets its Session; a call still in flight finishes on its worker and its
result is dropped.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import segno
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from authflow.devices import Device
from authflow.errors import AuthflowError, CodeMismatchError, EndpointError, ExpiredCodeError, SignInCancelled
from authflow.flow import AuthFlow, Step
from authflow.labels import ATTRIBUTE_EXAMPLES, MEDIUM_LABELS, attribute_label, explain_refusal, in_words
from authflow.prompts import Field, Prompt
from authflow.tokencache import CacheFileError, CacheKey, TokenCache, failure_reason, internal_username
from authflow.tokens import Tokens
from authflow.transport import UserPool

if TYPE_CHECKING:
    from authflow.browser import BrowserSignIn
    from authflow.passkeys import Authenticator

__all__ = [
    "PAGES", "DialogResult", "FieldsPage", "Page", "Screen", "SignInDialog", "SignInWidget", "in_background", "page",
]

#: How long before its Session expires a sign-in starts showing the countdown (seconds).
DEFAULT_WARN_BEFORE = 60.0
#: A page's title, against the body text's font size.
TITLE_SCALE = 1.35
#: Said on the password page after "Send a new code" on a sign-in code page: why the person is back there.
NEW_CODE_NOTICE = "To get a new code, sign in again: enter your password, and a new code is sent."
#: The default button of a page whose sign-in Cognito could not be reached in and cannot stay (see
#: ``SignInWidget._cannot_stay``): it signs in again from the start.
TRY_AGAIN = "Try again"

def describe_error(error: AuthflowError) -> str:
    """One sentence for a person about why an answer was refused or the sign-in stopped
    (:func:`authflow.labels.explain_refusal`, on one line)."""
    return str(explain_refusal(error))


def __getattr__(name: str) -> Any:
    if name == "SignInResult":  # its name until it was told apart from authflow.many.SignInResult (a batch's)
        import warnings

        warnings.warn("authflow.qt.SignInResult is now DialogResult", DeprecationWarning, stacklevel=2)
        return DialogResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, repr=False)
class DialogResult:
    """A finished sign-in: the tokens, and the device Cognito will remember (when one was confirmed)."""

    username: str
    tokens: Tokens
    device: Device | None = None
    device_error: AuthflowError | None = None  # why confirming a new device failed (the sign-in stands)

    def __repr__(self) -> str:
        return f"DialogResult({self.username!r}, {self.tokens!r}, device={self.device!r})"


# --- the worker ---------------------------------------------------------------------------------------


class _Outcomes(QObject):
    """Lives on the UI thread: a worker emits here, the widget's slot runs on the UI thread (queued)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)

    finished = Signal(object, object, object)  # (the call, its result or None, its exception or None)
    opened = Signal(str)  # the browser paths: the address the browser was sent to (it may be opened again)


class _Call(QRunnable):
    """One Cognito step on a pool thread. If ``cancelled`` is set before it ends, ``on_cancel`` runs here
    and nothing is reported (the UI has moved on)."""

    def __init__(
        self,
        action: Callable[[], Any],
        outcomes: _Outcomes,
        cancelled: threading.Event | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.action, self.outcomes = action, outcomes
        self.cancelled, self.on_cancel = cancelled or threading.Event(), on_cancel

    def run(self) -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = self.action()
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the UI, none is lost
            error = exc
        if self.cancelled.is_set():
            if self.on_cancel is not None:
                self.on_cancel()
            return
        self.outcomes.finished.emit(self, result, error)


def in_background(
    receiver: QObject, action: Callable[[], Any], done: Callable[[Any, BaseException | None], None]
) -> None:
    """Run ``action`` (a Cognito call: sign out, refresh...) on a pool thread; ``done(result, error)`` then
    runs on ``receiver``'s (the UI) thread."""
    outcomes = _Outcomes(receiver)

    def finish(_call: _Call, result: Any, error: BaseException | None) -> None:
        outcomes.deleteLater()
        done(result, error)

    outcomes.finished.connect(finish)
    QThreadPool.globalInstance().start(_Call(action, outcomes))


# --- pages ----------------------------------------------------------------------------------------------


class Screen(QWidget):
    """One screen of the dialog: a title, a line or two saying what is asked, an error line, a form.

    A subclass sets ``title`` (and ``submit_text``), says what is asked in ``intro``, builds its inputs in
    ``build`` and returns the answer from ``answer`` (raising ValueError for an answer it can refuse).
    """

    title: ClassVar[str] = "Sign in"
    submit_text: ClassVar[str] = "Continue"

    def __init__(self, sign_in: SignInWidget, error: str = "") -> None:
        super().__init__()
        self.sign_in = sign_in
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(self.heading())
        heading.setObjectName("title")
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * TITLE_SCALE)
        heading.setFont(font)
        self.layout_.addWidget(heading)
        self.layout_.addSpacing(2)
        self.message = QLabel(self.intro())
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.layout_.addWidget(self.message)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.show_error(error)
        self.layout_.addWidget(self.error)
        self.form = QFormLayout()
        # Each label above its input: every page's inputs start at one left edge, the body text's, whatever
        # the length of its labels (and a long label never squeezes its input).
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.layout_.addLayout(self.form)
        self.inputs: dict[str, QLineEdit] = {}
        self.build()
        self.layout_.addStretch(1)

    def heading(self) -> str:
        return self.title

    def intro(self) -> str:
        return ""

    def build(self) -> None:
        """Add the inputs (to ``form``)."""

    def add_line(self, field: Field, label: str | None = None) -> QLineEdit:
        """A text input for ``field``: masked when secret; Enter submits."""
        line = QLineEdit()
        line.setObjectName(field.name)
        line.setAccessibleName(label or field.label)
        if field.secret:
            line.setEchoMode(QLineEdit.EchoMode.Password)
        line.returnPressed.connect(self.sign_in.submit)
        self.form.addRow(label or field.label, line)
        self.inputs[field.name] = line
        return line

    def answer(self) -> dict[str, str]:
        return {name: line.text() for name, line in self.inputs.items()}

    def show_error(self, text: str) -> None:
        self.error.setStyleSheet("")
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.sign_in.fit()

    def show_notice(self, text: str) -> None:
        """A line that explains, in the error's place but not in its colour."""
        self.show_error(text)
        self.error.setStyleSheet("color: palette(text);")

    def focus(self) -> None:
        first = next(iter(self.inputs.values()), None)
        if first is not None:
            first.setFocus()


class Page(Screen):
    """The screen for one kind of prompt (its message, its error after a refused answer, its fields)."""

    def __init__(self, prompt: Prompt, sign_in: SignInWidget) -> None:
        self.prompt = prompt
        super().__init__(sign_in, describe_error(prompt.error) if prompt.error else "")

    def intro(self) -> str:
        return self.prompt.message

    def build(self) -> None:
        for field in self.prompt.fields:
            self.add_line(field)

    def action(self, flow: AuthFlow) -> Callable[[], Step]:
        """What Continue runs on the worker (the answer is taken now, on the UI thread)."""
        answer = self.answer()
        return lambda: flow.respond(answer)


#: The page class for each prompt kind (``PromptKind`` value).
PAGES: dict[str, type[Page]] = {}


def page(*kinds: str) -> Callable[[type[Page]], type[Page]]:
    """Register a page class for prompt ``kinds``."""

    def register(cls: type[Page]) -> type[Page]:
        for kind in kinds:
            PAGES[kind] = cls
        return cls

    return register


class FieldsPage(Page):
    """Any prompt, as a form of its fields (the page for kinds that have none of their own)."""


class UsernameScreen(Screen):
    """The first screen: who signs in (not a prompt: the flow starts from it)."""

    title = "Sign in"

    def intro(self) -> str:
        return "Sign in with your account."

    def build(self) -> None:
        line = self.add_line(Field("username", "Username or email"))
        line.setText(self.sign_in.username)
        if self.sign_in.allow_sign_up:
            self.form.addRow(_link("No account yet? Create one", "sign_up", lambda: self.sign_in.begin_with("sign_up")))
        if self.sign_in.browser is not None:  # managed login: "Sign in with the browser", "Continue with <provider>"
            add_browser_buttons(self)


class _SecretInput(QWidget):
    """A masked line with a Show / Hide button."""

    def __init__(self, field: Field, on_enter: Callable[[], None]) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.line = QLineEdit()
        self.line.setObjectName(field.name)
        self.line.setAccessibleName(field.label)
        self.line.setEchoMode(QLineEdit.EchoMode.Password)
        self.line.returnPressed.connect(on_enter)
        self.toggle = QPushButton("Show")
        self.toggle.setObjectName(f"{field.name}_show")
        self.toggle.setCheckable(True)
        self.toggle.setAutoDefault(False)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes from one password field to the next
        self.toggle.toggled.connect(self._reveal)
        row.addWidget(self.line, 1)
        row.addWidget(self.toggle)

    def _reveal(self, shown: bool) -> None:
        self.line.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.toggle.setText("Hide" if shown else "Show")


def _button(text: str, name: str, action: Callable[[], None]) -> QPushButton:
    """A button named ``name`` that runs ``action``; Enter never presses it (Enter submits the page)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    button.clicked.connect(action)
    return button


def _link(text: str, name: str, action: Callable[[], None]) -> QPushButton:
    """A flat button that reads as a link ("Forgot your password?")."""
    button = _button(text, name, action)
    button.setFlat(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setStyleSheet("color: #0b57d0; text-align: left; padding: 2px 0;")
    return button


def _keep_typed(old: Screen, new: Screen) -> None:
    """After a refused answer (the same question again), what the person typed that is not a secret stays:
    a full name survives a password the policy refused. Where Cognito refused the code (wrong, or expired and
    sent again), the new password typed beside it stays too, with its second copy: the password was not what
    was refused (a reset page cleared both and kept only the wrong code)."""
    if not (isinstance(old, Page) and isinstance(new, Page) and new.prompt.error is not None):
        return
    if (old.prompt.kind, old.prompt.challenge_name) != (new.prompt.kind, new.prompt.challenge_name):
        return
    code_refused = isinstance(new.prompt.error, CodeMismatchError | ExpiredCodeError)
    secret = {f.name for f in new.prompt.fields if f.secret}
    for name, line in new.inputs.items():
        before = old.inputs.get(name)
        if before is not None and (name not in secret or code_refused) and before.text():
            line.setText(before.text())
    if code_refused and isinstance(old, PasswordFormPage) and isinstance(new, PasswordFormPage):
        if old.confirm is not None and new.confirm is not None:
            new.confirm[1].setText(old.confirm[1].text())


def _add_secret(page_: Screen, field: Field, label: str) -> QLineEdit:
    secret = _SecretInput(field, page_.sign_in.submit)
    page_.form.addRow(label, secret)
    page_.inputs[field.name] = secret.line
    return secret.line


@page("PASSWORD")
class PasswordPage(Page):
    title = "Password"
    submit_text = "Sign in"

    def intro(self) -> str:
        return f"Signing in as {self.prompt.username}."

    def build(self) -> None:
        for field in self.prompt.fields:
            _add_secret(self, field, "Password")
        self.form.addRow(_link("Forgot your password?", "forgot_password",
                               lambda: self.sign_in.begin_with("forgot_password")))


@page("CODE", "TOTP_CODE")
class CodePage(Page):
    """A one-time code: from the authenticator app, or sent by SMS / email (then: where, and a new one)."""

    title = "Verification code"
    submit_text = "Verify"

    def intro(self) -> str:
        prompt = self.prompt
        how = MEDIUM_LABELS.get((prompt.delivery_medium or "").upper())
        by = f" {how}" if how else ""
        if prompt.destination:
            return f"We sent a code{by} to {prompt.destination}. Enter it below."
        if by:  # where is not known (Cognito did not say), how is
            return f"We sent a code{by}. Enter it below."
        return prompt.message

    def build(self) -> None:
        super().build()
        for line in self.inputs.values():
            line.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
            line.setPlaceholderText("123456")
        _add_resend(self)


def _add_resend(page_: Page) -> None:
    """"Send a new code": through the flow where the prompt offers it (``prompt.resend``: sign-up and reset
    codes), else, for a sign-in code (Cognito cannot resend one within a Session), by starting the sign-in
    again."""
    offer = page_.prompt.resend
    if offer is not None:
        resend = _link(offer.label, "resend", lambda: page_.sign_in.send(dict(offer.answer)))
    elif page_.prompt.destination:
        resend = _link("Send a new code", "resend", lambda: page_.sign_in.start_over(NEW_CODE_NOTICE))
        resend.setToolTip("Starts the sign-in again, which sends a new code")
    else:
        return
    page_.layout_.addWidget(resend, 0, Qt.AlignmentFlag.AlignLeft)


@page("MFA_CHOICE", "FIRST_FACTOR", "MFA_SETUP_CHOICE")
class ChoicePage(Page):
    """Pick one option: an MFA method, a first factor, or the MFA method to set up."""

    def heading(self) -> str:
        return {
            "FIRST_FACTOR": "How do you want to sign in?",
            "MFA_SETUP_CHOICE": "Set up two-step verification",
        }.get(self.prompt.kind.value, "How do you want to verify it is you?")

    def intro(self) -> str:
        if self.prompt.kind.value == "MFA_SETUP_CHOICE":
            return "This app requires a second step at sign-in. Choose how you will confirm it is you."
        return "Choose one:"

    def build(self) -> None:
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for index, choice in enumerate(self.prompt.choices):
            button = QRadioButton(self.prompt.choice_label(choice))
            button.setObjectName(choice)
            button.setChecked(index == 0)
            self.group.addButton(button)
            self.buttons[choice] = button
            self.form.addRow(button)

    def answer(self) -> dict[str, str]:
        return {"choice": next(c for c, b in self.buttons.items() if b.isChecked())}

    def focus(self) -> None:
        checked = self.group.checkedButton()
        if checked is not None:
            checked.setFocus()


class PasswordFormPage(Page):
    """A form with a password to type twice (masked, Show/Hide), codes, and attributes by their names."""

    def needs(self) -> str:
        """" The app also needs your full name." for the prompt's required attributes."""
        if not self.prompt.required_attributes:
            return ""
        return " The app also needs your " + in_words(
            [attribute_label(a).lower() for a in self.prompt.required_attributes]
        ) + "."

    def build(self) -> None:
        self.confirm: tuple[str, QLineEdit] | None = None
        for field in self.prompt.fields:
            if field.secret:
                _add_secret(self, field, field.label)
                if field.confirm:
                    self.confirm = field.name, _add_secret(self, Field("confirm", "Type it again"), "Type it again")
                    del self.inputs["confirm"]  # checked here, not sent
            elif field.name == "code":
                self.add_line(field).setPlaceholderText("123456")
            else:
                line = self.add_line(field, field.label if field.label != field.name else attribute_label(field.name))
                line.setText(self.prompt.user_attributes.get(field.name, ""))
                if field.name in ATTRIBUTE_EXAMPLES:
                    line.setPlaceholderText(ATTRIBUTE_EXAMPLES[field.name])

    def answer(self) -> dict[str, str]:
        values = super().answer()
        if self.confirm is not None and self.confirm[1].text() != values.get(self.confirm[0]):
            raise ValueError("The two passwords are not the same.")
        return values


@page("NEW_PASSWORD")
class NewPasswordPage(PasswordFormPage):
    """A new password (typed twice) and the attributes the pool requires, by their names."""

    title = "Choose a new password"
    submit_text = "Save and sign in"

    def intro(self) -> str:
        return "Your password must be changed before you can sign in." + self.needs()


@page("SIGN_UP")
class SignUpPage(PasswordFormPage):
    """A new account: its password (twice) and the attributes the app asks for."""

    title = "Create your account"
    submit_text = "Create account"

    def intro(self) -> str:
        if not any(field.secret for field in self.prompt.fields):  # the pool wants attributes; the password stands
            return f"The user pool needs more about {self.prompt.username}." + self.needs()
        return f"Choose a password for {self.prompt.username}." + self.needs()


@page("RESET_PASSWORD")
class ResetPasswordPage(PasswordFormPage):
    """The reset code (where it went, and a new one) and the new password."""

    title = "Reset your password"
    submit_text = "Save and sign in"

    def build(self) -> None:
        super().build()
        _add_resend(self)


@page("RESET_REQUIRED")
class ResetRequiredPage(Page):
    """Cognito wants the password reset before this sign-in can go on: agree, and a code is sent."""

    title = "Your password must be reset"
    submit_text = "Send me a code"

    def intro(self) -> str:
        return "Before you can sign in, the password must be replaced. We will send you a code to set a new one."

    def build(self) -> None:
        """Nothing to type: Continue agrees."""
        self.show_error("")  # the refusal (PasswordResetRequiredException) is what this page explains

    def answer(self) -> dict[str, str]:
        return {"choice": self.prompt.choices[0]}


class _Passkey:
    """The authenticator a PasskeyPage uses. A security key (the app's, or the platform's default) gets the
    PIN typed on the page, and ``touch`` (which must be safe to call from the worker) when it waits."""

    def __init__(self, given: Authenticator | None, touch: Callable[[], None]) -> None:
        self.given, self.touch = given, touch

    @property
    def asks_pin(self) -> bool:
        from authflow.passkeys import SecurityKey

        return self.given is None or isinstance(self.given, SecurityKey)

    def with_pin(self, pin: str | None) -> Authenticator:
        from authflow.passkeys import SecurityKey, platform_authenticator

        if self.given is None:
            return platform_authenticator(on_touch=self.touch, pin=lambda: pin)
        if isinstance(self.given, SecurityKey):
            return SecurityKey(on_touch=self.touch, pin=lambda: pin, device=self.given.device)
        return self.given


@page("PASSKEY")
class PasskeyPage(Page):
    """Sign in with a passkey: the authenticator (by default the platform's: a security key over USB, or
    Windows Hello) is asked on the worker; a security key's PIN is typed here, and "Touch your security key
    now" shows when the key waits for it."""

    title = "Sign in with your passkey"
    submit_text = "Use passkey"

    def intro(self) -> str:
        rp_id = (self.prompt.webauthn_options or {}).get("rpId", "this app")
        return f"Use the passkey you made for {rp_id}: press the button, then confirm on your security key."

    def build(self) -> None:
        self.authenticator = self.sign_in.passkey_authenticator()
        self.pin: QLineEdit | None = None
        if self.authenticator.asks_pin:
            self.pin = _add_secret(self, Field("pin", "PIN"), "Security key PIN")
            self.pin.setPlaceholderText("only if your key has one")
        self.touch = QLabel("Touch your security key now.")
        self.touch.setObjectName("touch")
        self.touch.setStyleSheet("font-weight: bold; color: #0b57d0;")
        self.touch.hide()
        self.layout_.addWidget(self.touch)

    def touch_now(self) -> None:
        """The key waits for a touch (called on the UI thread)."""
        self.show_error("")
        self.touch.show()
        self.sign_in.fit()

    def answer(self) -> dict[str, str]:
        return {}

    def action(self, flow: AuthFlow) -> Callable[[], Step]:
        from authflow.passkeys import passkey_answer

        pin = self.pin.text() if self.pin is not None else ""
        authenticator = self.authenticator.with_pin(pin or None)
        options = dict(self.prompt.webauthn_options or {})
        self.touch.hide()
        return lambda: flow.respond(passkey_answer(authenticator, options))


@page("TOTP_SETUP")
class TotpSetupPage(Page):
    """Set up an authenticator app: the QR code (of the otpauth:// URI), the secret to copy, the first code."""

    title = "Set up your authenticator app"
    submit_text = "Verify"

    def intro(self) -> str:
        return "Scan this QR code with your authenticator app, or type the secret into it. " \
               "Then enter the 6-digit code the app shows."

    def build(self) -> None:
        uri = self.prompt.otpauth_uri or ""
        self.qr = QLabel()
        self.qr.setObjectName("qr")
        self.qr.setAccessibleName("QR code for the authenticator app")
        self.qr.setPixmap(QPixmap.fromImage(qr_image(uri)))
        self.layout_.insertWidget(self.layout_.indexOf(self.error), self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        secret = self.prompt.secret_code or ""
        shown = QLabel(" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)))
        shown.setObjectName("secret")
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setPointSizeF(shown.font().pointSizeF())  # the body's size, so the app's font scaling reaches it
        shown.setFont(fixed)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setWordWrap(True)  # a long secret breaks between its groups of four, never out of sight
        copy = _button("Copy", "copy_secret", lambda: QGuiApplication.clipboard().setText(secret))
        row = QHBoxLayout()
        row.addWidget(QLabel("Or type this key into the app:"))
        row.addStretch(1)
        row.addWidget(copy)
        self.form.addRow(row)
        self.form.addRow(shown)
        super().build()


@page("EMAIL_ADDRESS")
class EmailAddressPage(Page):
    title = "Email for sign-in codes"


@page("CUSTOM_ANSWER")
class CustomAnswerPage(Page):
    title = "One more question"

    def build(self) -> None:
        for field in self.prompt.fields:
            self.add_line(field, "Answer")


def qr_image(data: str, scale: int = 5) -> QImage:
    """``data`` as a QR code image (black on white, with its quiet zone), drawn by segno."""
    png = io.BytesIO()
    segno.make(data, error="m").save(png, kind="png", scale=scale, border=4)
    return QImage.fromData(png.getvalue())


# --- the browser paths ------------------------------------------------------------------------------------
# "Sign in with the browser" and "Continue with <provider>": ``SignInWidget(pool, browser=BrowserSignIn(...),
# providers=("Google",))`` shows these buttons on its first screen. Each opens the system browser at the pool's
# managed login (for a provider, straight to it) and shows a waiting screen; the loopback redirect ends the
# sign-in with the same DialogResult and the same token cache as a password sign-in. Cancel (or "Back") stops
# the wait and closes the listener; "Open the browser again" shows the same sign-in page again (a browser window
# closed, or behind others), for the same wait.


def add_browser_buttons(screen: UsernameScreen) -> None:
    """The first screen's browser buttons: one for managed login, one per provider the app names."""
    widget = screen.sign_in

    def opener(provider: str | None) -> Callable[[], None]:
        return lambda: begin(widget, provider)

    for provider in widget.providers:
        screen.form.addRow(_button(f"Continue with {provider}", f"provider_{provider}", opener(provider)))
    screen.form.addRow(_button("Sign in with the browser", "browser_sign_in", opener(None)))


class BrowserWaitScreen(Screen):
    """While the browser signs in: what to do there. Its button opens the browser again at the same sign-in page
    (enabled once the browser was first sent there); the widget's Back and Cancel are the ways out."""

    title = "Continue in your browser"
    submit_text = "Open the browser again"

    def __init__(self, sign_in: SignInWidget, provider: str | None, open_browser: Callable[[str], bool]) -> None:
        self.provider = provider
        self.open_browser = open_browser
        #: The address the browser was sent to (None until the worker has sent it there).
        self.url: str | None = None
        super().__init__(sign_in)

    def intro(self) -> str:
        where = f"with {self.provider}" if self.provider else "on the sign-in page"
        return (f"Your browser has opened: sign in {where} there. This window continues by itself "
                "once you are signed in. Back or Cancel stops waiting.")

    def opened(self, url: str) -> None:
        """The browser was sent to ``url`` (on the UI thread): from now on it can be opened there again."""
        self.url = url
        if self.sign_in.page is self:
            self.sign_in.submit_button.setEnabled(True)

    def open_again(self) -> None:
        """The button: the same sign-in page in the browser again (the same wait; its listener still listens)."""
        if self.url is None:
            return
        self.show_error("" if self.open_browser(self.url) else "The browser could not be opened.")


def begin(widget: SignInWidget, provider: str | None) -> None:
    """Open the browser (on a worker: the listener and the exchange block) and wait on a screen of its own."""
    signer = widget.browser
    if signer is None or widget.busy or widget._finished:
        return
    if provider is not None:
        signer = replace(signer, identity_provider=provider)
    widget._abandon()
    cancel = widget._cancelled  # set by Cancel, Back, Start over or closing the window
    opener = signer.open_browser
    screen = BrowserWaitScreen(widget, provider, opener)
    widget._show(screen)
    widget.submit_button.setEnabled(False)  # until the browser was sent somewhere to send it again
    outcomes = _Outcomes(widget)
    outcomes.opened.connect(screen.opened)

    def open_and_tell(url: str) -> bool:  # on the worker
        outcomes.opened.emit(url)
        return opener(url)

    signer = replace(signer, open_browser=open_and_tell)

    def finished(call: _Call, tokens: Tokens | None, error: BaseException | None) -> None:
        outcomes.deleteLater()
        if cancel.is_set() or widget._finished:
            return
        if error is not None:
            if isinstance(error, SignInCancelled):
                return
            if not isinstance(error, AuthflowError):
                widget._stop_with(f"Something went wrong: {type(error).__name__}")
                raise error
            widget._stop_with(describe_error(error))
            return
        assert tokens is not None
        username = internal_username(tokens) or ""
        widget.username = username
        widget._finished = True
        widget.result = DialogResult(username, tokens)
        widget.signed_in.emit(widget.result)

    outcomes.finished.connect(finished)
    cache = widget.token_cache
    pool = widget.pool

    def sign_in() -> Tokens:  # on the worker: the browser's wait, the exchange, the cache (keyring, disk)
        tokens: Tokens = signer.sign_in(cancel=cancel)
        if cache is not None and not cancel.is_set():
            username = internal_username(tokens)
            if username:
                _keep(cache, CacheKey(pool.pool_id, pool.client_id, username, pool.endpoint_url), tokens)
        return tokens

    QThreadPool.globalInstance().start(_Call(sign_in, outcomes, cancel))


def _keep(cache: TokenCache, key: CacheKey, tokens: Tokens) -> None:
    try:
        cache.store(key, tokens)
    except (OSError, CacheFileError) as exc:  # the cache may be lost, never the sign-in
        cache.warn(f"the tokens could not be kept ({failure_reason(exc)})")


# --- the widgets ------------------------------------------------------------------------------------------


class _ScreenHost(QWidget):
    """What the sign-in widget and the account widget (authflow.qt_account) share: one :class:`Screen` at a time
    (``pages``), a "working" line (``progress``) while a Cognito call runs on a worker, and a row of buttons that
    ends with the default button (``submit_button``, which runs ``submit``).

    A subclass adds the rows below the pages in its own order (``_add_progress``, ``_add_buttons``), starts its
    calls with ``_start`` and takes their outcome, on the UI thread, in ``_outcome`` (the outcome of a call it no
    longer waits for is dropped before). ``_show`` shows a new screen; ``_replacing`` and ``_shown`` are what
    the subclass does around it."""

    progress: QWidget
    submit_button: QPushButton

    def __init__(self, parent: QWidget | None, name: str, min_width: int, style: str) -> None:
        super().__init__(parent)
        self._call: _Call | None = None
        self._outcomes = _Outcomes(self)
        self._outcomes.finished.connect(self._finished_call)
        self.setObjectName(name)
        self.setMinimumWidth(min_width)
        self.setStyleSheet(style)
        self._outer = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self._outer.addWidget(self.pages, 1)

    def _add_progress(self, text: str) -> None:
        """The line shown while a call runs: ``text`` and a "working" bar."""
        self.progress = QWidget()
        self.progress.setObjectName("busy")
        row = QHBoxLayout(self.progress)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(text))
        bar = QProgressBar()
        bar.setRange(0, 0)  # "working", animated by the event loop
        bar.setTextVisible(False)
        bar.setMaximumHeight(8)
        row.addWidget(bar, 1)
        self.progress.hide()
        self._outer.addWidget(self.progress)

    def _add_buttons(self, left: Sequence[QWidget], right: Sequence[QWidget], submit_text: str) -> None:
        """The button row: ``left`` at its start, ``right`` at its end, then the default button."""
        buttons = QHBoxLayout()
        for widget in left:
            buttons.addWidget(widget)
        buttons.addStretch(1)
        for widget in right:
            buttons.addWidget(widget)
        self.submit_button = QPushButton(submit_text)
        self.submit_button.setObjectName("submit")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        buttons.addWidget(self.submit_button)
        self._outer.addLayout(buttons)

    @property
    def page(self) -> Screen:
        """The screen shown now."""
        current = self.pages.currentWidget()
        assert isinstance(current, Screen)
        return current

    @property
    def busy(self) -> bool:
        """True while a Cognito call runs on the worker."""
        return self._call is not None

    def submit(self) -> None:
        """The default button (and Enter on a page)."""
        raise NotImplementedError

    def fit(self) -> None:
        """Size the window to what the screen now shows (a new page, an error line, a notice): as high as its
        wrapped text needs at the window's width, no higher (a short page after a tall one shrinks it)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        window = self.window()
        outer = window.layout()
        if outer is None or window is self:
            outer = layout
        outer.activate()
        width = max(window.width(), outer.totalMinimumSize().width())
        height = outer.totalHeightForWidth(width) if outer.hasHeightForWidth() else -1
        window.resize(width, max(height, outer.totalMinimumSize().height()))

    def _start(self, call: _Call) -> None:
        """Run ``call`` on a worker; its outcome comes to ``_outcome`` unless another call is started first."""
        self._call = call
        self._set_busy(True)
        QThreadPool.globalInstance().start(call)

    def _finished_call(self, call: _Call, result: Any, error: BaseException | None) -> None:
        if call is not self._call:
            return  # abandoned meanwhile
        self._call = None
        self._set_busy(False)
        self._outcome(result, error)

    def _outcome(self, result: Any, error: BaseException | None) -> None:
        """What the call returned, or the exception it raised (on the UI thread)."""
        raise NotImplementedError

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.pages.setEnabled(not busy)
        self.submit_button.setEnabled(not busy)

    def _show(self, new: Screen) -> None:
        old = self.pages.currentWidget()
        if isinstance(old, Screen):
            self._replacing(old, new)
        self.pages.addWidget(new)
        self.pages.setCurrentWidget(new)
        if old is not None:
            self.pages.removeWidget(old)
            old.deleteLater()
        self.submit_button.setText(new.submit_text)
        self._shown(new)
        new.focus()
        self.fit()
        QTimer.singleShot(0, self, self.fit)  # fit again once the old page is gone and the layout has settled

    def _replacing(self, old: Screen, new: Screen) -> None:
        """Before ``new`` takes ``old``'s place."""

    def _shown(self, new: Screen) -> None:
        """Once ``new`` is the screen shown, before it takes the focus."""


class SignInWidget(_ScreenHost):
    """One sign-in of a person to ``pool``, screen by screen. Emits ``signed_in`` or ``cancelled`` once.

    ``flow_options`` go to :class:`~authflow.flow.AuthFlow` (``auth_flow``, ``preferred_challenge``,
    ``device``, ``remember_device``, ``session_validity``...). With ``token_cache`` the tokens are kept
    there when the sign-in ends (``TokenCache(use_keyring=True)``: the system keyring), and so is the
    remembered device the sign-in ended with: the next sign-in of that username uses it (unless
    ``flow_options`` give a ``device``), so Cognito does not ask for MFA again; a device the pool has
    forgotten is removed. The countdown shows when the Session has less than ``warn_before`` seconds left.
    """

    signed_in = Signal(object)  # DialogResult
    cancelled = Signal()
    _key_waits = Signal()  # from the worker: the security key waits for a touch

    def __init__(
        self,
        pool: UserPool,
        *,
        username: str = "",
        flow_options: Mapping[str, Any] | None = None,
        token_cache: TokenCache | None = None,
        warn_before: float = DEFAULT_WARN_BEFORE,
        allow_sign_up: bool = False,
        authenticator: Authenticator | None = None,
        browser: BrowserSignIn | None = None,
        providers: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            parent, "authflow_sign_in", 460,
            "QLabel#error { color: #b00020; }"
            "QLabel#countdown { background: #fff4ce; border: 1px solid #e0c060; padding: 6px; }",
        )
        self.pool = pool
        #: Managed login (the browser paths above): the system browser signs in, for ``providers`` straight away.
        self.browser, self.providers = browser, tuple(providers)
        self.username = username
        self.flow_options = dict(flow_options or {})
        self.token_cache = token_cache
        self.warn_before = warn_before
        self.allow_sign_up = allow_sign_up
        self.authenticator = authenticator
        self._key_waits.connect(self._touch_now)
        self.flow: AuthFlow | None = None
        self.result: DialogResult | None = None
        self._cancelled = threading.Event()
        self._finished = False
        self._notice = ""  # said on the next page shown (start_over's reason)
        # The page left shown when Cognito could not be reached and the sign-in could not stay (Try again on it
        # starts a new one), and what was typed there, for the same page of the new sign-in (then sent at once).
        self._unreachable_page: Page | None = None
        self._typed_again: tuple[tuple[str, str | None], dict[str, str]] | None = None

        self.banner = QWidget()
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(0, 0, 0, 0)
        self.countdown = QLabel()
        self.countdown.setObjectName("countdown")
        self.countdown.setWordWrap(True)
        self.restart_button = _button("Start over", "start_over", self.start_over)
        banner_row.addWidget(self.countdown, 1)
        banner_row.addWidget(self.restart_button)
        self.banner.hide()
        self._outer.addWidget(self.banner)
        self._add_progress("Please wait…")

        self.remember = QCheckBox("Remember this device")
        self.remember.setObjectName("remember_device")
        self.remember.setChecked(bool(self.flow_options.get("remember_device")))
        self.remember.setVisible("remember_device" in self.flow_options)
        self.back_button = _button("Back", "back", self.back)
        self.back_button.setToolTip("Back to the first screen (this sign-in is dropped)")
        self.back_button.hide()
        self.cancel_button = _button("Cancel", "cancel", self.cancel)
        self._add_buttons([self.remember], [self.back_button, self.cancel_button], "Continue")

        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self._show_username()

    # --- what the app sees (and ``page``, ``busy``) --------------------------------------------------

    def submit(self) -> None:
        """Send the current page's answer (the Continue button, Enter)."""
        if self.busy or self._finished or not self.submit_button.isEnabled():
            return
        current = self.page
        if isinstance(current, UsernameScreen):
            self.username = current.answer()["username"].strip()
            if not self.username:
                current.show_error("Enter your username.")
                return
            self._begin()
            return
        if current is self._unreachable_page:
            self._try_again(current)
            return
        if isinstance(current, BrowserWaitScreen):
            current.open_again()
            return
        assert self.flow is not None and isinstance(current, Page)
        try:
            action = current.action(self.flow)
        except ValueError as exc:
            current.show_error(str(exc))
            return
        self._run(self.flow, action)

    def send(self, answer: Mapping[str, str]) -> None:
        """Answer the current step with ``answer`` (a page's own button: "Send a new code")."""
        flow = self.flow
        if self.busy or self._finished or flow is None:
            return
        self._run(flow, lambda: flow.respond(answer))

    def begin_with(self, begin: str) -> None:
        """Start the account's own flow for the username typed: ``"sign_up"`` or ``"forgot_password"``."""
        if self.busy or self._finished:
            return
        if isinstance(self.page, UsernameScreen):
            self.username = self.page.answer()["username"].strip()
            if not self.username:
                self.page.show_error("Enter your username.")
                return
        self._abandon()
        self._begin(begin)

    def start_over(self, notice: str = "") -> None:
        """Drop this sign-in (its Session) and begin again with the same username; ``notice`` is said on the
        first page of the new sign-in (why the person is back there)."""
        if self._finished:
            return
        self._abandon()
        if self.username:
            self._notice = notice
            self._begin()
        else:
            self._show_username()

    def back(self) -> None:
        """Leave this sign-in (its Session) for the first screen, the username still typed there."""
        if self._finished:
            return
        self._abandon()
        self._typed_again = None
        self._show_username()

    def cancel(self) -> None:
        """Give up: the flow forgets its Session, ``cancelled`` is emitted. Safe to call again."""
        if self._finished:
            return
        self._finished = True
        self._abandon()
        self._typed_again = None
        self.cancelled.emit()

    def passkey_authenticator(self) -> _Passkey:
        """The authenticator for a passkey step: the app's, else the platform's (security key / Windows)."""
        return _Passkey(self.authenticator, self._key_waits.emit)

    def _touch_now(self) -> None:
        if isinstance(self.page, PasskeyPage):
            self.page.touch_now()

    # --- running the flow ----------------------------------------------------------------------------

    def _begin(self, begin: str | None = None) -> None:
        options = dict(self.flow_options)
        if "remember_device" in options:
            options["remember_device"] = self.remember.isChecked()
        if begin is not None:
            options["begin"] = begin
        self.flow = AuthFlow(self.pool, self.username, **options)
        flow = self.flow
        cache, key = self.token_cache, self._cache_key()

        def start() -> Step:  # on the worker: the keyring may be slow too
            if cache is not None and flow.device is None:  # a device the app gave goes first
                flow.device = cache.device(key)
            return flow.start()

        self._run(flow, start)

    def _cache_key(self) -> CacheKey:
        return CacheKey(self.pool.pool_id, self.pool.client_id, self.username, self.pool.endpoint_url)

    def _abandon(self) -> None:
        """Fail the current flow; a call in flight fails it on its worker when it returns."""
        self._cancelled.set()
        if self._call is None and self.flow is not None:
            self.flow.cancel()
        self._cancelled = threading.Event()
        self._call = None
        self.flow = None
        self._unreachable_page = None
        self.ticker.stop()
        self.banner.hide()
        self._set_busy(False)

    def _run(self, flow: AuthFlow, action: Callable[[], Step]) -> None:
        cache, key = self.token_cache, self._cache_key()

        def step_and_keep() -> Step:  # on the worker: the keyring and the disk may be slow too
            step = action()
            if step.tokens is not None and cache is not None:
                try:
                    cache.store(key, step.tokens)
                    # The device the sign-in ended with: a new one confirmed, the one used, or none (the pool
                    # forgot it, or there was none).
                    if flow.device is not None:
                        cache.save_device(key, flow.device)
                    else:
                        cache.forget_device(key)
                except (OSError, CacheFileError) as exc:  # the cache may be lost, never the sign-in
                    cache.warn(f"the tokens could not be kept ({failure_reason(exc)})")
            return step

        self._start(_Call(step_and_keep, self._outcomes, self._cancelled, flow.cancel))

    def _outcome(self, step: Step | None, error: BaseException | None) -> None:
        flow = self.flow
        assert flow is not None
        if error is not None:
            if not isinstance(error, AuthflowError):
                self._stop_with(f"Something went wrong: {type(error).__name__}")
                raise error
            if flow.prompt is not None and flow.state not in ("failed", "authenticated"):
                self.page.show_error(describe_error(error))  # an unusable answer: the question stands
                return
            if isinstance(error, EndpointError) and isinstance(self.page, Page):
                self._cannot_stay(self.page, error)
                return
            self._stop_with(describe_error(error))
            return
        assert step is not None
        if step.done:
            assert step.tokens is not None
            self._finished = True
            self.ticker.stop()
            self.banner.hide()
            self.result = DialogResult(self.username, step.tokens, flow.device, flow.device_error)
            self.signed_in.emit(self.result)
            return
        assert step.prompt is not None
        self._show(PAGES.get(step.prompt.kind.value, FieldsPage)(step.prompt, self))
        self._tick()
        self.ticker.start()

    def _cannot_stay(self, page_: Page, error: EndpointError) -> None:
        """Cognito could not be reached and the sign-in cannot stay at this question (Cognito had answered part of
        the step, as SRP's first half, so the answer cannot simply go again): the page stays, what was typed
        stays, and its button, Try again, signs in again from the start with the same username (and what was
        typed here, sent at once when the new sign-in asks the same question)."""
        self.flow = None
        self.ticker.stop()
        self.banner.hide()
        self._unreachable_page = page_
        kept = "username and password" if any(f.name == "password" for f in page_.prompt.fields) else "username"
        what = (error.message or error.code).rstrip(".")
        page_.show_error(f"{what[:1].upper()}{what[1:]}. This sign-in cannot go on from here: {TRY_AGAIN} starts "
                         f"it again with the same {kept}.")
        self.submit_button.setText(TRY_AGAIN)
        self.submit_button.setEnabled(True)
        self.submit_button.setFocus()

    def _try_again(self, page_: Page) -> None:
        """Try again on a page left by ``_cannot_stay``: a new sign-in, carrying what was typed on the page."""
        try:
            typed = page_.answer()
        except ValueError as exc:
            page_.show_error(str(exc))
            return
        self._typed_again = (page_.prompt.kind.value, page_.prompt.challenge_name), typed
        self.start_over()

    def _stop_with(self, message: str) -> None:
        """The sign-in cannot go on: back to the first screen, saying why."""
        self.flow = None
        self.ticker.stop()
        self.banner.hide()
        self._show_username()
        self.page.show_error(message)

    # --- screens ---------------------------------------------------------------------------------------

    def _show_username(self) -> None:
        self._show(UsernameScreen(self))

    def _replacing(self, old: Screen, new: Screen) -> None:
        _keep_typed(old, new)

    def _shown(self, new: Screen) -> None:
        self.submit_button.setEnabled(True)
        self.remember.setVisible(isinstance(new, UsernameScreen) and "remember_device" in self.flow_options)
        self.back_button.setVisible(not isinstance(new, UsernameScreen))
        if self._notice and isinstance(new, Page):
            new.show_notice(self._notice)
            self._notice = ""
        again, self._typed_again = self._typed_again, None  # held for the next page only
        if again is not None and isinstance(new, Page) and new.prompt.error is None \
                and again[0] == (new.prompt.kind.value, new.prompt.challenge_name):
            for name, value in again[1].items():
                line = new.inputs.get(name)
                if line is not None:
                    line.setText(value)
            QTimer.singleShot(0, self, self.submit)  # the same answer, as Try again said

    def _tick(self) -> None:
        """Once a second: show the Session's countdown near its end; at the end, only Start over."""
        flow = self.flow
        expires = flow.session_expires_at if flow is not None else None
        if expires is None:
            self.banner.hide()
            return
        left = expires - time.time()
        if left > self.warn_before:
            self.banner.hide()
            return
        if left <= 0:
            self.countdown.setText("This sign-in has expired. Start over to sign in.")
            self.pages.setEnabled(False)
            self.submit_button.setEnabled(False)
            self.ticker.stop()
        else:
            seconds = int(left + 0.999)
            self.countdown.setText(f"This sign-in expires in {seconds // 60}:{seconds % 60:02d}.")
        self.banner.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        super().closeEvent(event)


class SignInDialog(QDialog):
    """A window holding one :class:`SignInWidget`: accepted with ``result`` set, or rejected (Cancel,
    Escape, closing it), which cancels the sign-in."""

    def __init__(self, pool: UserPool, parent: QWidget | None = None, **options: Any) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in")
        self.widget = SignInWidget(pool, **options)
        layout = QVBoxLayout(self)
        layout.addWidget(self.widget)
        self.widget.signed_in.connect(self.accept)
        self.widget.cancelled.connect(self.reject)

    @property
    def result_value(self) -> DialogResult | None:
        return self.widget.result

    def reject(self) -> None:
        self.widget.cancel()
        super().reject()

    @classmethod
    def sign_in(cls, pool: UserPool, parent: QWidget | None = None, **options: Any) -> DialogResult | None:
        """Show the dialog modally; the result, or None when the person cancelled."""
        dialog = cls(pool, parent, **options)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.result_value if accepted else None
