"""Every page of the Qt dialog, laid out as a person sees it (issue 23, items 18-19): no label is clipped (its
size hint fits the space it was given) at the default font and at 1.5x, the title and the body share one left
edge, the inputs share one left edge, the window fits each page (it does not keep the tallest page's height),
and Tab never stops on a "Show" button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractButton, QApplication, QFormLayout, QLabel, QLineEdit, QWidget

from authflow.errors import CodeMismatchError, InvalidPasswordError
from authflow.prompts import Field, Prompt, PromptKind
from authflow.qt import PAGES, FieldsPage, Page, Screen, SignInDialog, UsernameScreen
from authflow.transport import UserPool

CODE = Field("code", "Code", pattern=r"^[0-9]{6}$")
PASSWORD = Field("password", "Password", secret=True)
NEW_PASSWORD = Field("new_password", "New password", secret=True, confirm=True)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DP"


def prompt(kind: PromptKind, challenge: str | None, message: str, *fields: Field, **more: object) -> Prompt:
    return Prompt(kind=kind, challenge_name=challenge, fields=fields, message=message, username="nina@example.com",
                  **more)  # type: ignore[arg-type]


#: One prompt of every kind the dialog has a page for, with the longest texts the states send.
PROMPTS = [
    prompt(PromptKind.PASSWORD, None, "Password for nina@example.com", PASSWORD),
    prompt(PromptKind.CODE, "SOFTWARE_TOKEN_MFA", "Enter the 6-digit code from your authenticator app.", CODE),
    prompt(PromptKind.CODE, "SMS_MFA", "Enter the SMS code sent to +*******0100.", CODE, destination="+*******0100",
           delivery_medium="SMS"),
    prompt(PromptKind.CODE, "EMAIL_OTP", "Enter the email code sent to n***@e***.", CODE, destination="n***@e***",
           delivery_medium="EMAIL"),
    prompt(PromptKind.CODE, "CONFIRM_SIGN_UP",
           "Your account is not confirmed yet. Enter the confirmation code sent to n***@e*** (or ask for a new one).",
           CODE, destination="n***@e***", delivery_medium="EMAIL", choices=("RESEND",)),
    prompt(PromptKind.MFA_CHOICE, "SELECT_MFA_TYPE", "Choose how to confirm it is you: ",
           Field("choice", "MFA method", choices=("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")),
           choices=("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")),
    prompt(PromptKind.FIRST_FACTOR, "SELECT_CHALLENGE", "Choose how to sign in: ",
           Field("choice", "Sign in with", choices=("PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")),
           choices=("PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")),
    prompt(PromptKind.MFA_SETUP_CHOICE, "MFA_SETUP", "This user pool requires MFA. Set up: ",
           Field("choice", "Set up", choices=("SOFTWARE_TOKEN_MFA", "EMAIL_OTP")),
           choices=("SOFTWARE_TOKEN_MFA", "EMAIL_OTP")),
    prompt(PromptKind.TOTP_SETUP, "MFA_SETUP", "Add this account to your authenticator app.",
           Field("code", "First code from the app", pattern=r"^[0-9]{6}$"), secret_code=SECRET,
           otpauth_uri=f"otpauth://totp/Example%20App:nina%40example.com?secret={SECRET}&issuer=Example%20App"),
    prompt(PromptKind.EMAIL_ADDRESS, "MFA_SETUP", "Enter the email address that MFA codes should be sent to.",
           Field("email", "Email address", pattern=r"^[^@\s]+@[^@\s]+$")),
    prompt(PromptKind.NEW_PASSWORD, "NEW_PASSWORD_REQUIRED", "Choose a new password.", NEW_PASSWORD,
           Field("name", "name"), Field("phone_number", "phone_number"),
           required_attributes=("name", "phone_number")),
    prompt(PromptKind.SIGN_UP, "SIGN_UP", "Choose a password for the new account nina@example.com", NEW_PASSWORD,
           Field("email", "email"), Field("name", "name"), required_attributes=("email", "name")),
    prompt(PromptKind.RESET_REQUIRED, "PASSWORD_RESET_REQUIRED", "The password must be reset.",
           Field("choice", "Reset", choices=("RESET_PASSWORD",)), choices=("RESET_PASSWORD",)),
    prompt(PromptKind.RESET_PASSWORD, "CONFIRM_FORGOT_PASSWORD",
           "Enter the code sent to n***@e*** and a new password for nina@example.com.",
           Field("code", "Reset code", pattern=r"^[0-9]{6,8}$"), NEW_PASSWORD, destination="n***@e***",
           delivery_medium="EMAIL", choices=("RESEND",)),
    prompt(PromptKind.CUSTOM_ANSWER, "CUSTOM_CHALLENGE", "What is the name of the pet you had as a child, in full?",
           Field("answer", "Answer")),
]
REFUSALS = {PromptKind.CODE: CodeMismatchError("Invalid verification code provided, please try again."),
            PromptKind.NEW_PASSWORD: InvalidPasswordError("Password does not conform to policy: Password must have "
                                                          "uppercase characters and symbol characters")}


@pytest.fixture(params=[1.0, 1.5], ids=["default-font", "font-x1.5"])
def scaled(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[float]:
    original = QFont(qapp.font())
    bigger = QFont(original)
    bigger.setPointSizeF(original.pointSizeF() * request.param)
    qapp.setFont(bigger)
    try:
        yield request.param
    finally:
        qapp.setFont(original)


def pages(dialog: SignInDialog) -> Iterator[Screen]:
    """Shows every page in turn (each prompt, then with a refusal where one is likely), yields it shown."""
    widget = dialog.widget
    yield widget.page  # the first screen: the username
    for each in PROMPTS:
        for error in (None, REFUSALS.get(each.kind)):
            if each.kind is PromptKind.PASSKEY:
                continue
            shown = Prompt(**{**each.__dict__, "error": error}) if error is not None else each
            widget._show(PAGES.get(shown.kind.value, FieldsPage)(shown, widget))
            yield widget.page


def settle(qapp: QApplication) -> None:
    for _ in range(3):
        qapp.processEvents()


def clipped(label: QLabel) -> str | None:
    """Why ``label`` does not show all its text in the space it has, or None."""
    if not label.text():
        return None
    hint = label.sizeHint()
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if needed > label.height():
            return f"needs {needed} px of height, has {label.height()}"
        return None
    if hint.width() > label.width() or hint.height() > label.height():
        return f"needs {hint.width()}x{hint.height()}, has {label.width()}x{label.height()}"
    return None


def ink_left(label: QLabel, window: QWidget) -> int:
    """Where the label's text starts on the window: its leftmost pixel darker than the background."""
    image = label.grab().toImage()
    background = image.pixelColor(image.width() - 1, image.height() - 1).lightness()
    for x in range(image.width()):
        if any(image.pixelColor(x, y).lightness() < background - 80 for y in range(image.height())):
            return label.mapTo(window, QPoint(0, 0)).x() + round(x / image.devicePixelRatio())
    return label.mapTo(window, QPoint(0, 0)).x()


def visible_labels(root: QWidget) -> list[QLabel]:
    return [label for label in root.findChildren(QLabel) if label.isVisibleTo(root.window())]


def test_no_label_on_any_page_is_clipped(qtbot: object, qapp: QApplication, scaled: float) -> None:
    dialog = SignInDialog(UserPool("us-east-1_Layout", "client", endpoint_url="http://127.0.0.1:9"))
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    problems: list[str] = []
    for page in pages(dialog):
        settle(qapp)
        name = type(page).__name__ + (f"({page.prompt.challenge_name})" if isinstance(page, Page) else "")
        for label in visible_labels(dialog):
            why = clipped(label)
            if why:
                problems.append(f"{name}: {label.text()[:50]!r} {why}")
    assert not problems, "\n".join(problems)


def test_title_and_body_share_a_left_edge_and_inputs_line_up(qtbot: object, qapp: QApplication) -> None:
    dialog = SignInDialog(UserPool("us-east-1_Layout", "client", endpoint_url="http://127.0.0.1:9"))
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    input_edges: dict[str, int] = {}
    heights: dict[str, int] = {}
    for page in pages(dialog):
        settle(qapp)
        name = type(page).__name__ + (f"({page.prompt.challenge_name})" if isinstance(page, Page) else "")
        title, message = page.findChild(QLabel, "title"), page.findChild(QLabel, "message")
        assert title is not None and message is not None

        assert abs(ink_left(title, dialog) - ink_left(message, dialog)) <= 2, name
        form = page.form
        fields = [form.itemAt(row, QFormLayout.ItemRole.FieldRole) for row in range(form.rowCount())]
        lines = [item.widget() for item in fields if item is not None and isinstance(item.widget(), QLineEdit)]
        if lines and not isinstance(page, UsernameScreen):
            input_edges[name] = lines[0].mapTo(dialog, QPoint(0, 0)).x()
        heights[name] = dialog.height()
        outer = dialog.layout()
        needed = outer.totalHeightForWidth(dialog.width()) if outer.hasHeightForWidth() else outer.sizeHint().height()
        assert dialog.height() - needed <= 8, f"{name}: {dialog.height() - needed} px of gap"
        # Tab from the first password field goes to the next input, never to its Show button.
        secret = [line for line in page.findChildren(QLineEdit) if line.echoMode() == QLineEdit.EchoMode.Password]
        for line in secret:
            assert line.nextInFocusChain() is not None
            buttons = [b for b in page.findChildren(QAbstractButton) if b.text() in ("Show", "Hide")]
            assert all(b.focusPolicy().value & 0x1 == 0 for b in buttons), name  # no Tab focus
    assert len(set(input_edges.values())) == 1, input_edges
    assert heights["PasswordPage(None)"] < max(heights.values()) - 40, heights  # fits, not the tallest


def test_a_code_page_says_how_the_code_went_even_without_where(qtbot: object) -> None:
    from authflow.qt import CodePage

    dialog = SignInDialog(UserPool("us-east-1_Layout", "client", endpoint_url="http://127.0.0.1:9"))
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    emailed = prompt(PromptKind.CODE, "EMAIL_OTP", "Enter the code.", CODE, delivery_medium="EMAIL")
    page = CodePage(emailed, dialog.widget)
    assert page.intro() == "We sent a code by email. Enter it below."


def test_the_sign_up_page_says_what_the_app_needs_as_a_sentence(qtbot: object) -> None:
    """ "The app also needs your full name and email address." (it said "full name, email address.")."""
    from authflow.qt import SignUpPage

    dialog = SignInDialog(UserPool("us-east-1_Words01", "client", endpoint_url="http://127.0.0.1:9"))
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    password = Field("password", "Password", secret=True, confirm=True)
    for needed, said in ((("name",), "full name"), (("name", "email"), "full name and email address"),
                         (("name", "email", "phone_number"), "full name, email address and phone number")):
        prompt = Prompt(kind=PromptKind.SIGN_UP, challenge_name="SIGN_UP", fields=(password,), message="",
                        username="nina", required_attributes=needed)
        page = SignUpPage(prompt, dialog.widget)
        assert page.intro() == f"Choose a password for nina. The app also needs your {said}."
