"""The terminal wizard, driven through prompt_toolkit pipe input, one prompt kind and path at a time.

These tests give the TerminalHandler the prompts the engine would give (the prompt is the engine's
interface to a handler); the whole sign-in through the wizard against the local pool is in
tests/test_cli_wizard.py.
"""

from __future__ import annotations

import io
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from authflow.answers import CodeCommandError, EnvAnswers, normalize_code, run_code_command
from authflow.errors import (
    CodeMismatchError,
    EnableSoftwareTokenMFAError,
    EndOfInput,
    ExpiredCodeError,
    IncorrectCredentialsError,
    Interrupted,
    InvalidPasswordError,
)
from authflow.prompts import Field, Prompt, PromptKind, Resend
from authflow.wizard import TerminalHandler

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


class Screen(io.StringIO):
    """What the wizard wrote, as a terminal would receive it."""

    encoding = "utf-8"

    def isatty(self) -> bool:
        return False

    @property
    def text(self) -> str:
        return ANSI.sub("", self.getvalue()).replace("\r", "")

    @property
    def words(self) -> str:
        """The text with each run of spaces and line ends as one space: a message wrapped to the width reads whole."""
        return " ".join(self.text.split())


class Terminal:
    def __init__(self, pipe: PipeInput) -> None:
        self.pipe = pipe
        self.screen = Screen()
        self.output = Vt100_Output(self.screen, lambda: Size(rows=50, columns=120), term="xterm")

    def type(self, text: str) -> None:
        self.pipe.send_text(text)

    def type_when(self, shown: str, text: str, timeout: float = 20.0) -> None:
        """Type ``text`` once the wizard has drawn ``shown`` (e.g. a validation message), as a person reads
        before typing; after ``timeout`` it types anyway (the test then fails, never hangs)."""
        def wait_and_type() -> None:
            deadline = time.monotonic() + timeout
            while shown not in self.screen.text and time.monotonic() < deadline:
                time.sleep(0.01)
            self.pipe.send_text(text)

        threading.Thread(target=wait_and_type, daemon=True).start()

    def handler(self, **options: object) -> TerminalHandler:
        return TerminalHandler(input=self.pipe, output=self.output, **options)  # type: ignore[arg-type]


@pytest.fixture
def term() -> Iterator[Terminal]:
    with create_pipe_input() as pipe:
        yield Terminal(pipe)


ENTER = "\r"
DOWN = "\x1b[B"
CTRL_C = "\x03"
CTRL_D = "\x04"

TOTP = r"^[0-9]{6}$"


def password_prompt(**changes: object) -> Prompt:
    prompt = Prompt(
        kind=PromptKind.PASSWORD,
        challenge_name=None,
        fields=(Field("password", "Password", secret=True),),
        message="Password for alice",
        username="alice",
    )
    return replace(prompt, **changes)  # type: ignore[arg-type]


def code_prompt(challenge: str = "SMS_MFA", **changes: object) -> Prompt:
    medium = {"SMS_MFA": "SMS", "SMS_OTP": "SMS", "EMAIL_OTP": "EMAIL"}.get(challenge)
    destination = {"SMS": "+*******0100", "EMAIL": "a***@e***"}.get(medium or "")
    prompt = Prompt(
        kind=PromptKind.TOTP_CODE if challenge == "SOFTWARE_TOKEN_MFA" else PromptKind.CODE,
        challenge_name=challenge,
        fields=(Field("code", "Code", pattern=TOTP),),
        message="Code",
        username="alice",
        destination=destination,
        delivery_medium=medium,
    )
    return replace(prompt, **changes)  # type: ignore[arg-type]


def choice_prompt(kind: PromptKind, challenge: str, choices: tuple[str, ...]) -> Prompt:
    return Prompt(
        kind=kind,
        challenge_name=challenge,
        fields=(Field("choice", "Choice", choices=choices),),
        message="Choose",
        username="alice",
        choices=choices,
    )


def new_password_prompt(**changes: object) -> Prompt:
    prompt = Prompt(
        kind=PromptKind.NEW_PASSWORD,
        challenge_name="NEW_PASSWORD_REQUIRED",
        fields=(
            Field("new_password", "New password", secret=True, confirm=True),
            Field("name", "name"),
            Field("family_name", "family_name"),
        ),
        message="A new password is required",
        username="alice",
        required_attributes=("name", "family_name"),
    )
    return replace(prompt, **changes)  # type: ignore[arg-type]


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URI = f"otpauth://totp/pool:alice?secret={SECRET}&issuer=pool"


def totp_setup_prompt(**changes: object) -> Prompt:
    prompt = Prompt(
        kind=PromptKind.TOTP_SETUP,
        challenge_name="MFA_SETUP",
        fields=(Field("code", "First code from the app", pattern=TOTP),),
        message="Add this secret to your authenticator app",
        username="alice",
        secret_code=SECRET,
        otpauth_uri=URI,
    )
    return replace(prompt, **changes)  # type: ignore[arg-type]


# --- password ----------------------------------------------------------------------------------------


def test_password_is_masked(term: Terminal) -> None:
    term.type("s3cret-Pw!" + ENTER)
    assert term.handler().answer(password_prompt()) == {"password": "s3cret-Pw!"}
    assert "Password for alice:" in term.screen.text
    assert "*" * len("s3cret-Pw!") in term.screen.text
    assert "s3cret-Pw!" not in term.screen.getvalue()


def test_empty_password_is_not_sent(term: Terminal) -> None:
    term.type(ENTER)
    term.type_when("Please type something.", "pw" + ENTER)
    assert term.handler().answer(password_prompt()) == {"password": "pw"}
    assert "Please type something." in term.screen.text


def test_password_from_the_environment_is_not_asked(term: Terminal) -> None:
    handler = term.handler(env=EnvAnswers(password="from-env"))
    assert handler.answer(password_prompt()) == {"password": "from-env"}
    assert term.screen.text == ""


def test_refused_environment_password_is_asked_in_the_terminal(term: Terminal) -> None:
    handler = term.handler(env=EnvAnswers(password="wrong"))
    assert handler.answer(password_prompt()) == {"password": "wrong"}
    term.type("right" + ENTER)
    refused = IncorrectCredentialsError("Incorrect username or password.", code="NotAuthorizedException")
    assert handler.answer(password_prompt(error=refused, attempt=2)) == {"password": "right"}
    assert "Incorrect username or password." in term.screen.text
    assert "Incorrect username or password. (NotAuthorizedException)\n" in term.screen.text  # said once
    assert term.screen.text.count("Incorrect username or password.") == 1


# --- codes -------------------------------------------------------------------------------------------


def test_sms_code_says_where_it_went_and_takes_a_pasted_code(term: Terminal) -> None:
    term.type("12 34-56" + ENTER)
    assert term.handler().answer(code_prompt("SMS_MFA")) == {"code": "123456"}
    assert "A code was sent by text message to +*******0100." in term.screen.text


def test_email_code_says_where_it_went(term: Terminal) -> None:
    term.type("654321" + ENTER)
    assert term.handler().answer(code_prompt("EMAIL_OTP")) == {"code": "654321"}
    assert "A code was sent by email to a***@e***." in term.screen.text


def test_totp_code_points_at_the_app(term: Terminal) -> None:
    term.type("000111" + ENTER)
    assert term.handler().answer(code_prompt("SOFTWARE_TOKEN_MFA")) == {"code": "000111"}
    assert "authenticator app" in term.screen.text


def test_a_code_whose_delivery_is_unknown_is_not_said_to_be_sent(term: Terminal) -> None:
    """A confirmation code asked after UserNotConfirmedException (or by confirm-sign-up without --resend):
    nothing was sent now and where the sign-up's code went is unknown, so no medium is made up."""
    term.type("r" + ENTER)
    prompt = code_prompt("CONFIRM_SIGN_UP", resend=Resend())
    assert (prompt.destination, prompt.delivery_medium) == (None, None)
    assert term.handler().answer(prompt) == {"resend": "yes"}  # Prompt.resend's answer
    text = term.screen.text
    assert "No code was sent just now: enter the code you were sent earlier, or ask for a new code." in text
    assert "(Type r for a new code.)" in text
    assert "A code was sent" not in text and "text message" not in text


def test_r_is_a_code_where_no_new_code_can_be_asked_for(term: Terminal) -> None:
    term.type("r" + ENTER)  # an authenticator app's code: nothing to send again, so r is just not a code
    term.type_when("The code is 6 digits.", "\x08" + "123456" + ENTER)
    assert term.handler().answer(code_prompt("SOFTWARE_TOKEN_MFA")) == {"code": "123456"}
    assert "new code" not in term.screen.text and "start the sign-in again" not in term.screen.text


def test_r_at_a_code_sent_during_the_sign_in_starts_it_over(term: Terminal) -> None:
    """Cognito cannot send an SMS or email MFA code again within a sign-in: r starts a new sign-in, which
    sends one (issue 23, item 14)."""
    from authflow.wizard import StartOver

    term.type("r" + ENTER)
    with pytest.raises(StartOver):
        term.handler().answer(code_prompt("SMS_MFA"))
    assert "Type r to start the sign-in again, which sends a new one." in term.screen.text


def test_code_is_validated_before_it_is_sent(term: Terminal) -> None:
    term.type("12345" + ENTER)  # five digits: refused locally
    term.type_when("The code is 6 digits.",  # then letters: refused locally too (else they would be the answer)
                   "\x08" * 5 + "abcdef" + ENTER + "\x08" * 6 + "123456" + ENTER)
    assert term.handler().answer(code_prompt("SMS_MFA")) == {"code": "123456"}
    assert "The code is 6 digits." in term.screen.text


def test_delivered_code_pattern_from_the_prompt(term: Terminal) -> None:
    term.type("12345678" + ENTER)
    prompt = code_prompt("EMAIL_OTP", fields=(Field("code", "Code", pattern=r"^[0-9]{6,8}$"),))
    assert term.handler().answer(prompt) == {"code": "12345678"}


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (CodeMismatchError("Invalid code received for user"), "That code is not right."),
        (ExpiredCodeError("Your software token has already been used once."), "expired or was already used"),
    ],
)
def test_wrong_code_says_so_and_asks_again(term: Terminal, error: Exception, says: str) -> None:
    term.type("222333" + ENTER)
    prompt = code_prompt("SOFTWARE_TOKEN_MFA", error=error, attempt=2)
    assert term.handler().answer(prompt) == {"code": "222333"}
    assert says in term.screen.text
    assert "Try again." in term.screen.text


def test_code_from_environment_command(term: Terminal) -> None:
    command = f"{sys.executable} -c \"import os; print(os.environ['AUTHFLOW_CHALLENGE'] and '98 76 54')\""
    handler = term.handler(env=EnvAnswers(code_command=command))
    assert handler.answer(code_prompt("SMS_MFA")) == {"code": "987654"}
    assert term.screen.text == ""


def test_totp_code_from_environment_secret(term: Terminal) -> None:
    import pyotp

    handler = term.handler(env=EnvAnswers(totp_secret=SECRET))
    answer = handler.answer(code_prompt("SOFTWARE_TOKEN_MFA"))
    assert isinstance(answer, dict)
    assert pyotp.TOTP(SECRET).verify(answer["code"], valid_window=1)


def test_refused_environment_code_is_asked_in_the_terminal(term: Terminal) -> None:
    handler = term.handler(env=EnvAnswers(code_command="echo 111111"))
    term.type("222222" + ENTER)
    prompt = code_prompt("SMS_MFA", error=CodeMismatchError("Invalid code"), attempt=2)
    assert handler.answer(prompt) == {"code": "222222"}


# --- choices -----------------------------------------------------------------------------------------


def test_mfa_choice_is_a_selection(term: Terminal) -> None:
    term.type(DOWN + ENTER)
    prompt = choice_prompt(PromptKind.MFA_CHOICE, "SELECT_MFA_TYPE", ("SMS_MFA", "SOFTWARE_TOKEN_MFA"))
    assert term.handler().answer(prompt) == {"choice": "SOFTWARE_TOKEN_MFA"}
    text = term.screen.text
    assert "Which second factor do you want to use?" in text
    assert "Text message (SMS)" in text
    assert "Authenticator app (TOTP)" in text


def test_first_factor_choice_by_number(term: Terminal) -> None:
    term.type("3" + ENTER)
    choices = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP")
    prompt = choice_prompt(PromptKind.FIRST_FACTOR, "SELECT_CHALLENGE", choices)
    assert term.handler().answer(prompt) == {"choice": "EMAIL_OTP"}
    assert "How do you want to sign in, alice?" in term.screen.text


def test_choice_from_the_environment(term: Terminal) -> None:
    prompt = choice_prompt(PromptKind.MFA_CHOICE, "SELECT_MFA_TYPE", ("SMS_MFA", "EMAIL_OTP"))
    handler = term.handler(env=EnvAnswers(mfa_choice="EMAIL_OTP"))
    assert handler.answer(prompt) == {"choice": "EMAIL_OTP"}


def test_choice_from_the_environment_that_is_not_offered_is_asked(term: Terminal) -> None:
    term.type(ENTER)
    prompt = choice_prompt(PromptKind.MFA_CHOICE, "SELECT_MFA_TYPE", ("SMS_MFA", "EMAIL_OTP"))
    handler = term.handler(env=EnvAnswers(mfa_choice="SOFTWARE_TOKEN_MFA"))
    assert handler.answer(prompt) == {"choice": "SMS_MFA"}


def test_single_mfa_setup_choice_is_taken_without_asking(term: Terminal) -> None:
    prompt = choice_prompt(PromptKind.MFA_SETUP_CHOICE, "MFA_SETUP", ("SOFTWARE_TOKEN_MFA",))
    assert term.handler().answer(prompt) == {"choice": "SOFTWARE_TOKEN_MFA"}
    assert "must set up multi-factor authentication" in term.screen.text
    assert "Setting up: Authenticator app (TOTP)." in term.screen.text


def test_several_mfa_setup_choices_are_a_selection(term: Terminal) -> None:
    term.type(DOWN + ENTER)
    prompt = choice_prompt(PromptKind.MFA_SETUP_CHOICE, "MFA_SETUP", ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP"))
    assert term.handler().answer(prompt) == {"choice": "EMAIL_OTP"}
    assert "Which one do you want to set up?" in term.screen.text


# --- new password ------------------------------------------------------------------------------------


def test_new_password_twice_and_required_attributes(term: Terminal) -> None:
    term.type("N3w-Passw0rd!" + ENTER + "N3w-Passw0rd?" + ENTER)  # not the same: asked again
    term.type("N3w-Passw0rd!" + ENTER + "N3w-Passw0rd!" + ENTER)
    term.type("Alice" + ENTER + "Liddell" + ENTER)
    answer = term.handler().answer(new_password_prompt())
    assert answer == {"new_password": "N3w-Passw0rd!", "name": "Alice", "family_name": "Liddell"}
    text = term.screen.text
    assert "A new password is needed for alice." in text
    assert "The two passwords are not the same." in text
    assert "Full name (name): " in text and "Family name (family_name): " in text  # in words
    assert "N3w-Passw0rd" not in term.screen.getvalue()


def test_policy_violation_is_shown_and_attributes_are_offered_again(term: Terminal) -> None:
    handler = term.handler()
    term.type("weak" + ENTER + "weak" + ENTER + "Alice" + ENTER + "Liddell" + ENTER)
    handler.answer(new_password_prompt())
    refusal = InvalidPasswordError("Password does not conform to policy: Password not long enough")
    term.type("Str0ng-Enough!" + ENTER + "Str0ng-Enough!" + ENTER + ENTER + ENTER)  # keep the names
    answer = handler.answer(new_password_prompt(error=refusal, attempt=2))
    assert answer == {"new_password": "Str0ng-Enough!", "name": "Alice", "family_name": "Liddell"}
    assert "The new password was refused." in term.screen.text
    assert "Password not long enough" in term.screen.words


def test_new_password_and_attributes_from_the_environment(term: Terminal) -> None:
    env = EnvAnswers(new_password="Env-Passw0rd!", attributes={"name": "Alice"})
    term.type("Liddell" + ENTER)  # the one attribute the environment lacks
    answer = term.handler(env=env).answer(new_password_prompt())
    assert answer == {"new_password": "Env-Passw0rd!", "name": "Alice", "family_name": "Liddell"}
    assert "Env-Passw0rd!" not in term.screen.getvalue()


def reset_password_prompt(**changes: object) -> Prompt:
    prompt = Prompt(
        kind=PromptKind.RESET_PASSWORD,
        challenge_name="RESET_PASSWORD",
        fields=(Field("code", "Reset code", pattern=r"^[0-9]{6,8}$"),
                Field("new_password", "New password", secret=True, confirm=True)),
        message="Enter the password reset code and a new password for alice.",
        username="alice",
        destination="a***@e***",
        delivery_medium="EMAIL",
        resend=Resend(),
    )
    return replace(prompt, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("refusal", [CodeMismatchError("Invalid verification code provided, please try again."),
                                     ExpiredCodeError("Invalid code provided, please request a code again.")])
def test_a_refused_reset_code_keeps_the_new_password(term: Terminal, refusal: Exception) -> None:
    """Cognito refused the code, not the new password: only the code is asked again (the password was asked
    twice more, after every wrong code)."""
    handler = term.handler()
    term.type("111111" + ENTER + "N3w-Passw0rd!" + ENTER + "N3w-Passw0rd!" + ENTER)
    assert handler.answer(reset_password_prompt()) == {"code": "111111", "new_password": "N3w-Passw0rd!"}
    term.type("222222" + ENTER + "Other-Passw0rd!" + ENTER + "Other-Passw0rd!" + ENTER)  # read if it is asked
    answer = handler.answer(reset_password_prompt(error=refusal, attempt=2))
    assert answer == {"code": "222222", "new_password": "N3w-Passw0rd!"}
    after_refusal = term.screen.text.split("Try again.", 1)[1]
    assert "New password" not in after_refusal and "The new password you typed is kept." in after_refusal


def test_a_refused_new_password_of_a_reset_is_asked_again(term: Terminal) -> None:
    handler = term.handler()
    term.type("111111" + ENTER + "weak" + ENTER + "weak" + ENTER)
    handler.answer(reset_password_prompt())
    term.type("111111" + ENTER + "L0nger-Passw0rd!" + ENTER + "L0nger-Passw0rd!" + ENTER)
    weak = InvalidPasswordError("Password does not conform to policy: Password not long enough")
    answer = handler.answer(reset_password_prompt(error=weak, attempt=2))
    assert answer == {"code": "111111", "new_password": "L0nger-Passw0rd!"}


# --- authenticator setup -----------------------------------------------------------------------------


def test_totp_setup_shows_secret_uri_and_qr_then_asks_the_first_code(term: Terminal) -> None:
    saved: list[str] = []
    term.type("123 456" + ENTER)
    answer = term.handler(totp_secret_out=saved.append).answer(totp_setup_prompt())
    assert answer == {"code": "123456"}
    assert saved == [SECRET]
    text = term.screen.text
    assert SECRET in text
    assert URI in text
    assert "▀" in text or "▄" in text  # the QR code, drawn with half blocks
    assert text.index("Secret:") < text.index("Code:")


def test_refused_first_totp_code_asks_again_without_the_qr(term: Terminal) -> None:
    saved: list[str] = []
    term.type("654321" + ENTER)
    refusal = EnableSoftwareTokenMFAError("Code mismatch and fail enable Software Token MFA")
    prompt = totp_setup_prompt(error=refusal, attempt=2)
    assert term.handler(totp_secret_out=saved.append).answer(prompt) == {"code": "654321"}
    assert saved == []
    assert "was not accepted" in term.screen.text
    assert SECRET not in term.screen.text


def test_email_address_for_email_mfa(term: Terminal) -> None:
    term.type("not-an-address" + ENTER)
    term.type_when("That is not an email address.", "\x08" * 14 + "alice@example.com" + ENTER)
    prompt = Prompt(
        kind=PromptKind.EMAIL_ADDRESS,
        challenge_name="MFA_SETUP",
        fields=(Field("email", "Email address"),),
        message="Email",
        username="alice",
    )
    assert term.handler().answer(prompt) == {"email": "alice@example.com"}
    assert "That is not an email address." in term.screen.text


def test_custom_challenge_shows_the_question(term: Terminal) -> None:
    term.type("blue" + ENTER)
    prompt = Prompt(
        kind=PromptKind.CUSTOM_ANSWER,
        challenge_name="CUSTOM_CHALLENGE",
        fields=(Field("answer", "Answer"),),
        message="What is your favourite colour?",
        username="alice",
    )
    assert term.handler().answer(prompt) == {"answer": "blue"}
    assert "What is your favourite colour?" in term.screen.text


# --- leaving -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "error"), [(CTRL_C, Interrupted), (CTRL_D, EndOfInput)])
def test_ctrl_c_and_ctrl_d_at_a_text_prompt(term: Terminal, key: str, error: type[Exception]) -> None:
    term.type(key)
    with pytest.raises(error):
        term.handler().answer(password_prompt())


@pytest.mark.parametrize(("key", "error"), [(CTRL_C, Interrupted), (CTRL_D, EndOfInput)])
def test_ctrl_c_and_ctrl_d_at_a_selection(term: Terminal, key: str, error: type[Exception]) -> None:
    term.type(key)
    prompt = choice_prompt(PromptKind.MFA_CHOICE, "SELECT_MFA_TYPE", ("SMS_MFA", "SOFTWARE_TOKEN_MFA"))
    with pytest.raises(error):
        term.handler().answer(prompt)


# --- environment answers -----------------------------------------------------------------------------


def test_env_answers_from_environ() -> None:
    env = EnvAnswers.from_environ(
        {
            "AUTHFLOW_PASSWORD": "pw",
            "AUTHFLOW_ATTRIBUTES": '{"name": "Alice", "userAttributes.family_name": "L"}',
            "AUTHFLOW_MFA_CHOICE": "",
        }
    )
    assert env.password == "pw"
    assert env.attributes == {"name": "Alice", "family_name": "L"}
    assert env.mfa_choice is None
    assert "pw" not in repr(env)


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"text"'])
def test_env_attributes_must_be_a_json_object(raw: str) -> None:
    with pytest.raises(Exception, match="AUTHFLOW_ATTRIBUTES is not a JSON object"):
        EnvAnswers.from_environ({"AUTHFLOW_ATTRIBUTES": raw})


def test_code_command_sees_challenge_and_destination() -> None:
    command = 'printf \'%s|%s\' "$AUTHFLOW_CHALLENGE" "$AUTHFLOW_DESTINATION" >&2; echo 123-456'
    assert run_code_command(command, code_prompt("SMS_MFA")) == "123456"


def test_code_command_environment_values() -> None:
    command = 'test "$AUTHFLOW_CHALLENGE" = EMAIL_OTP && test "$AUTHFLOW_DESTINATION" = \'a***@e***\' && echo 123456'
    assert run_code_command(command, code_prompt("EMAIL_OTP")) == "123456"


@pytest.mark.parametrize(
    ("command", "message"),
    [("exit 3", "failed with exit status 3"), ("true", "printed no code"), ("echo '  '", "printed no code")],
)
def test_code_command_failures_are_clear(command: str, message: str) -> None:
    with pytest.raises(CodeCommandError, match=message):
        run_code_command(command, code_prompt("SMS_MFA"))


def test_normalize_code() -> None:
    assert normalize_code(" 123 456\n") == "123456"
    assert normalize_code("123-456") == "123456"


def test_what_the_environment_lacks_is_asked(term: Terminal) -> None:
    # The environment has nothing for an email address: the terminal is asked.
    term.type("bob@example.com" + ENTER)
    prompt = Prompt(
        kind=PromptKind.EMAIL_ADDRESS,
        challenge_name="MFA_SETUP",
        fields=(Field("email", "Email address"),),
        message="Email",
        username="alice",
    )
    handler = term.handler(env=EnvAnswers(password="x"))
    assert handler.answer(prompt) == {"email": "bob@example.com"}


def test_failing_code_command_falls_back_to_the_terminal(term: Terminal) -> None:
    handler = term.handler(env=EnvAnswers(code_command="exit 4"))
    term.type("445566" + ENTER)
    assert handler.answer(code_prompt("SMS_MFA")) == {"code": "445566"}
    assert "AUTHFLOW_CODE_COMMAND failed with exit status 4: type the code instead." in term.screen.text
