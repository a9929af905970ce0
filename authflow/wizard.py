"""The terminal wizard: a handler that asks a person, with prompt_toolkit, what Cognito asks.

:class:`TerminalHandler` answers one :class:`~authflow.prompts.Prompt` at a time, in the order the engine
asks them (which is Cognito's order): the password (masked), a one-time code (paste-friendly: spaces
and dashes are dropped, checked before it is sent, and it says where the code went), an MFA or first
factor choice as a selection, a new password twice with the pool's refusal shown, the required
attributes by name, and an authenticator setup with the secret, the otpauth URI and a QR code.

Answers found in the environment (:class:`~authflow.answers.EnvAnswers`, the variables of ``authflow login``) are used
without asking; what they don't cover is asked. When Cognito refuses an answer the engine asks again
with ``prompt.error`` set: the wizard says what was wrong and asks the person (an answer from the
environment is never sent twice).

:func:`run_wizard` drives a whole sign-in and offers to start over when the session expired. Ctrl-C
raises :class:`~authflow.errors.Interrupted` and Ctrl-D :class:`~authflow.errors.EndOfInput`.

Pass prompt_toolkit ``input``/``output`` objects to drive it from a pipe (tests) or another terminal.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.application.current import create_app_session, get_app_session
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style
from prompt_toolkit.validation import ValidationError, Validator

from authflow.answers import CodeCommandError, EnvAnswers, normalize_code
from authflow.errors import (
    CodeMismatchError,
    EndOfInput,
    EndpointError,
    ExpiredCodeError,
    Interrupted,
    InvalidSessionError,
    MissingAnswerError,
    NoPasskeyForPoolError,
    NoSecurityKeyError,
    PasskeyCancelled,
    PasskeyError,
    PasskeyFileError,
    PasskeyTimeoutError,
    PasswordResetRequiredError,
    PinInvalidError,
    SessionExpiredError,
    SignInCancelled,
    UserNotConfirmedError,
)
from authflow.labels import (
    ATTRIBUTE_EXAMPLES,
    LOST_CONNECTION,
    attribute_label,
    choice_label,
    code_origin,
    explain_refusal,
)
from authflow.prompts import Answer, Field, Prompt, PromptKind
from authflow.qr import COMPACT, qr_text

if TYPE_CHECKING:
    from authflow.devices import Device
    from authflow.passkeys import Authenticator
    from authflow.tokens import Tokens

__all__ = ["TerminalHandler", "choice_label", "run_wizard"]

DEFAULT_CODE_PATTERN = r"^[0-9]{6}$"
#: A terminal with fewer lines than this gets the compact authenticator QR code (a 24-line one fits it whole).
COMPACT_BELOW_ROWS = 32

#: Typed instead of a code where the prompt offers a new code (``Prompt.resend``); at a code Cognito sent
#: during a sign-in (which it cannot send again within the sign-in), it starts the sign-in over, which sends one.
RESEND_KEY = "r"


class StartOver(SignInCancelled):
    """The person asked for a new sign-in code: this sign-in is dropped and :func:`run_wizard` begins again."""

    code = "StartOver"


def _sent_during_sign_in(prompt: Prompt) -> bool:
    """A code Cognito sent for this sign-in (SMS or email), which only a new sign-in can replace."""
    return prompt.kind is PromptKind.CODE and prompt.resend is None and bool(
        prompt.delivery_medium or prompt.destination)

STYLE = Style.from_dict(
    {
        "title": "bold",
        "info": "",
        "dim": "#8a8a8a",
        "ok": "#5faf5f bold",
        "error": "#ff5f5f bold",
        "secret": "bold",
        "qr": "fg:#000000 bg:#ffffff",  # dark on light whatever the terminal's colours (see authflow.qr)
    }
)


def attribute_prompt(fld: Field) -> str:
    """``Full name (name)``: an attribute is asked for in words (the field's label, from
    :func:`authflow.labels.attribute_label`) and by its Cognito name, with an example where its form is not
    obvious (``Date of birth (birthdate), like YYYY-MM-DD``)."""
    name = fld.name.removeprefix("userAttributes.")
    words = fld.label if fld.label and fld.label != fld.name else attribute_label(name)
    example = ATTRIBUTE_EXAMPLES.get(name)
    return f"{words} ({name})" + (f", like {example}" if example else "")


# --- the terminal ----------------------------------------------------------------------------------


class _PatternValidator(Validator):
    def __init__(self, pattern: str, message: str, normalize: Callable[[str], str] | None = None) -> None:
        self.pattern = re.compile(pattern)
        self.message = message
        self.normalize = normalize

    def validate(self, document: Any) -> None:
        text = document.text.strip()
        if self.normalize is not None:
            text = self.normalize(text)
        if not self.pattern.fullmatch(text):
            raise ValidationError(message=self.message, cursor_position=len(document.text))


_NOT_EMPTY = _PatternValidator(r".+", "Please type something.")
_PHONE_NUMBER = _PatternValidator(r"\s*\+[0-9]{4,15}\s*",
                                  "A phone number is + and the country code, then the number, like +15555550100.")


def _refusal_names(refusal: str, name: str) -> bool:
    """Whether Cognito's refusal is about the attribute ``name`` (named, or by its label: "Invalid phone number
    format.")."""
    return name in refusal or attribute_label(name).lower() in refusal.lower()


def _describe_pattern(pattern: str) -> str:
    """What a code must look like, in words ("The code is 6 digits."), from the field's pattern."""
    match = re.fullmatch(r"\^?(?:\\d|\[0-9\])\{(\d+)(?:,(\d+))?\}\$?", pattern)
    if match is None:
        return "That does not look like a valid code."
    low, high = match.groups()
    return f"The code is {low} to {high} digits." if high else f"The code is {low} digits."


#: Styles whose text is never wrapped: a QR code's rows (their spaces are light modules).
UNBROKEN = frozenset({"class:qr"})


def wrap_parts(parts: Sequence[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """Styled text wrapped between words so that no line is wider than ``width`` columns (a terminal would
    otherwise break a long line in the middle of a word); a continued line keeps the first one's indent. A
    word wider than the line (a key, a QR row) is left whole; nothing is wrapped in a terminal narrower than 20.
    """
    if width < 20:
        return list(parts)
    out: list[tuple[str, str]] = []
    col, indent = 0, ""
    words_on_line = False
    pending: list[tuple[str, str]] = []  # the spaces after the last word, written only if a word follows here
    for style, text in parts:
        for piece in re.split(r"(\n)" if style in UNBROKEN else r"(\n|[ \t]+)", text):
            if not piece:
                continue
            if style in UNBROKEN and piece != "\n":  # a QR row: its spaces are part of the picture
                out.extend(pending)
                out.append((style, piece))
                col += len(piece) + sum(len(p) for _, p in pending)
                pending, words_on_line = [], True
            elif piece == "\n":
                out.append((style, piece))
                col, indent, words_on_line, pending = 0, "", False, []
            elif piece.isspace() and not words_on_line:
                out.append((style, piece))  # the line's own indent
                col += len(piece)
                indent = " " * col
            elif piece.isspace():
                pending.append((style, piece))
            else:
                spaces = sum(len(p) for _, p in pending)
                if words_on_line and col + spaces + len(piece) > width:
                    out.append((style, "\n" + indent))
                    col = len(indent)
                else:
                    out.extend(pending)
                    col += spaces
                pending = []
                out.append((style, piece))
                col += len(piece)
                words_on_line = True
    out.extend(pending)
    return out


class TerminalHandler:
    """Answers prompts by asking a person in the terminal (prompt_toolkit).

    ``env`` answers first (fields it knows are not asked); ``totp_secret_out`` is called with the new
    TOTP secret when an authenticator setup starts (``--totp-secret-out``); ``code_hint`` may return a
    line to show under the code prompt, asked again twice a second while the prompt is open (``authflow
    demo`` shows what an authenticator app would, counting down); ``on_answer`` sees each answer before it
    is sent (the demo notes new passwords). ``input``/``output`` are prompt_toolkit objects; None means
    the process's terminal. WEB_AUTHN is answered by ``passkey`` (an
    :class:`~authflow.passkeys.Authenticator`), else AUTHFLOW_PASSKEY_FILE, else the platform's
    authenticator (a security key over USB; the Windows WebAuthn API on Windows), asking for a touch and
    the key's PIN here.
    """

    def __init__(
        self,
        *,
        input: Input | None = None,
        output: Output | None = None,
        env: EnvAnswers | None = None,
        totp_secret_out: Callable[[str], None] | None = None,
        show_qr: bool = True,
        code_hint: Callable[[Prompt], str | None] | None = None,
        passkey: Authenticator | None = None,
        passkey_origin: str | None = None,
        on_answer: Callable[[Prompt, Answer], None] | None = None,
    ) -> None:
        self.input = input
        self.output = output
        self.env = env or EnvAnswers()
        self.totp_secret_out = totp_secret_out
        self.show_qr = show_qr
        self.code_hint = code_hint
        self.passkey = passkey
        self.passkey_origin = passkey_origin
        self.on_answer = on_answer
        self._distrust: set[PromptKind] = set()  # kinds whose environment answer Cognito refused
        self._remembered: dict[str, str] = {}  # attribute values typed before, offered again
        self._kept_new_password: str | None = None  # the new password of a reset whose code was refused: kept
        self._typed_attributes: dict[str, str] = {}  # a sign-up's attributes typed: kept when another is refused
        self._typed_password: str | None = None  # the sign-in's password, for a restart that sends a new code
        self._restarting = False
        self._unreachable = False  # Cognito could not be reached with the last answer: it is asked again

    # --- plumbing --------------------------------------------------------------------------------

    @contextmanager
    def _terminal(self) -> Iterator[None]:
        if self.input is None and self.output is None:
            yield  # the process's terminal: the current app session (patch_stdout works with it)
            return
        with create_app_session(input=self.input, output=self.output):
            yield

    def say(self, text: str, style: str = "class:info") -> None:
        """Print one line (or several) for the person, wrapped between words to the terminal's width."""
        self.say_parts((style, text))

    def say_parts(self, *parts: tuple[str, str]) -> None:
        with self._terminal():
            columns = get_app_session().output.get_size().columns
            print_formatted_text(FormattedText(wrap_parts(parts, columns)), style=STYLE)

    def _ask(
        self,
        message: str,
        *,
        secret: bool = False,
        validator: Validator | None = None,
        default: str = "",
        live: Callable[[], str] | None = None,
    ) -> str:
        """Ask for one line; ``live`` is a status line under the prompt, redrawn twice a second."""
        bindings = KeyBindings()

        @bindings.add("c-d")
        def _end(event: KeyPressEvent) -> None:
            event.app.exit(exception=EOFError())

        session: PromptSession[str] = PromptSession(
            input=self.input, output=self.output, style=STYLE, key_bindings=bindings
        )
        try:
            with self._terminal():
                return session.prompt(
                    FormattedText([("class:title", message)]),
                    is_password=secret,
                    validator=validator or _NOT_EMPTY,
                    validate_while_typing=False,
                    default=default,
                    bottom_toolbar=(lambda: FormattedText([("class:dim", live())])) if live else None,
                    refresh_interval=0.5 if live else 0,
                )
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None
        except EOFError:
            raise EndOfInput("no more input") from None

    def _select(self, message: str, choices: tuple[str, ...], prompt: Prompt) -> str:
        return self.select(message, [(choice, prompt.choice_label(choice)) for choice in choices])

    def select(self, message: str, options: Sequence[tuple[str, str]]) -> str:
        """One of ``options`` (value, label), picked with the arrow keys or its number, then Enter. More than
        nine options are a numbered list and a typed number (a key per option would read "10" as 1, then 0)."""
        if len(options) > 9:
            return self._select_by_number(message, options)
        try:
            from prompt_toolkit.shortcuts.choice_input import ChoiceInput
        except ImportError:  # prompt_toolkit < 3.0.52: a numbered list and a number
            return self._select_by_number(message, options)
        bindings = KeyBindings()

        @bindings.add("c-d")
        def _end(event: KeyPressEvent) -> None:
            event.app.exit(exception=EOFError())

        chooser: ChoiceInput[str] = ChoiceInput(
            message=FormattedText([("class:title", message)]),
            options=list(options),
            key_bindings=bindings,
            style=STYLE,
        )
        try:
            with self._terminal():
                return chooser.prompt()
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None
        except EOFError:
            raise EndOfInput("no more input") from None

    def _select_by_number(self, message: str, options: Sequence[tuple[str, str]]) -> str:
        self.say(message, "class:title")
        digits = len(str(len(options)))  # " 9." above "10.": the labels stay in one column
        for number, (_, label) in enumerate(options, start=1):
            self.say(f"  {number:>{digits}}. {label}")
        numbers = "|".join(str(n) for n in range(1, len(options) + 1))
        picked = self._ask("Number: ", validator=_PatternValidator(rf"\s*(?:{numbers})\s*", "Type one of the numbers."))
        return options[int(picked.strip()) - 1][0]

    def ask_yes_no(self, question: str, *, default: bool = True) -> bool:
        hint = "[Y/n]" if default else "[y/N]"
        validator = _PatternValidator(r"(?i)(y|yes|n|no)?", "Answer y or n.")
        reply = self._ask(f"{question} {hint} ", validator=validator).strip().lower()
        return default if not reply else reply.startswith("y")

    def ask_username(self, default: str = "") -> str:
        return self._ask("Username: ", default=default).strip()

    def _env_value(self, prompt: Prompt, fld: Field) -> str | None:
        if prompt.kind in self._distrust:
            return None
        if prompt.error is not None and prompt.attempt > 1:
            # Cognito refused the previous answer: never send the environment's answer twice.
            self._distrust.add(prompt.kind)
            return None
        try:
            value = self.env.value_for(prompt, fld)
        except MissingAnswerError:
            return None
        except CodeCommandError as exc:
            self.say(f"✗ {exc}: type the code instead.", "class:error")
            self._distrust.add(prompt.kind)
            return None
        if value is not None and self._unreachable:
            # Not sent again at once, over and over: the person says when (and a TOTP code is made anew then).
            self._unreachable = False
            self._ask("Press Enter to try again (Ctrl-C to stop): ", validator=_PatternValidator(r".*", ""))
            return self._env_value(prompt, fld)
        return value

    # --- the handler protocol ----------------------------------------------------------------------

    def answer(self, prompt: Prompt) -> Answer:
        ask = {
            PromptKind.PASSWORD: self._password,
            PromptKind.CODE: self._code,
            PromptKind.TOTP_CODE: self._code,
            PromptKind.NEW_PASSWORD: self._new_password,
            PromptKind.MFA_CHOICE: self._choice,
            PromptKind.FIRST_FACTOR: self._choice,
            PromptKind.MFA_SETUP_CHOICE: self._setup_choice,
            PromptKind.TOTP_SETUP: self._totp_setup,
            PromptKind.EMAIL_ADDRESS: self._email,
            PromptKind.CUSTOM_ANSWER: self._custom,
            PromptKind.SIGN_UP: self._sign_up,
            PromptKind.RESET_REQUIRED: self._reset_required,
            PromptKind.RESET_PASSWORD: self._reset_password,
            PromptKind.PASSKEY: self._passkey,
        }.get(prompt.kind, self._fields)
        if isinstance(prompt.error, EndpointError):
            # Nothing was refused: say so once, then the same question as it was (Ctrl-C ends the sign-in).
            refusal = explain_refusal(prompt.error)
            self.say_parts(("class:error", f"✗ {refusal.headline} "), ("class:dim", f"({refusal.detail})"))
            self._unreachable = True
            prompt = replace(prompt, error=None)
        try:
            answer = ask(prompt)
        finally:
            self._unreachable = False
        if self.on_answer is not None:
            self.on_answer(prompt, answer)
        return answer

    def _show_refusal(self, prompt: Prompt) -> None:
        error = prompt.error
        if error is None:
            return
        refusal = explain_refusal(error)
        self.say_parts(("class:error", f"✗ {refusal.headline} "), ("class:dim", f"({refusal.detail})"))
        if isinstance(error, (UserNotConfirmedError, PasswordResetRequiredError)):
            # Not a wrong answer: the account must be confirmed or its password reset first.
            self.say(prompt.message, "class:title")
            return
        if error.after_lost_connection and error.advice:  # what the answer sent then may have done, and what now
            self.say(error.advice, "class:dim")
            return
        self.say("Try again.", "class:dim")

    def _password(self, prompt: Prompt) -> Answer:
        fld = prompt.fields[0] if prompt.fields else Field("password", "Password", secret=True)
        preset = self._env_value(prompt, fld)
        if preset is not None:
            return {fld.name: preset}
        self._show_refusal(prompt)
        restarting, self._restarting = self._restarting, False
        if restarting and prompt.error is None and self._typed_password is not None:
            return {fld.name: self._typed_password}  # `r` at a code: the same password, not typed again
        # "Password for alice: " at sign-in; "Current password for alice: " when changing it (the field's label)
        self._typed_password = self._ask(f"{fld.label} for {prompt.username}: ", secret=True)
        return {fld.name: self._typed_password}

    def restart(self) -> None:
        """The sign-in starts again for a new code (``r``): its password prompt takes the one typed before."""
        self._restarting = True

    def forget_password(self) -> None:
        """The sign-in is over: the password typed for it is no longer held."""
        self._typed_password, self._restarting = None, False

    def _code(self, prompt: Prompt) -> Answer:
        fld = prompt.fields[0] if prompt.fields else Field("code", "Code", secret=True)
        preset = self._env_value(prompt, fld)
        if preset is not None:
            return {fld.name: normalize_code(preset)}
        self._show_refusal(prompt)
        if prompt.attempt <= 1 or prompt.error is None:
            self.say(code_origin(prompt))
        code = self._ask_code(prompt, fld)
        if code == RESEND_KEY and prompt.resend is not None:
            return dict(prompt.resend.answer)
        if code == RESEND_KEY and _sent_during_sign_in(prompt):
            raise StartOver("a new code was asked for")
        return {fld.name: code}

    def _ask_code(self, prompt: Prompt, fld: Field) -> str:
        """A code; where the prompt offers a new code (``prompt.resend``), ``r`` asks for one (returned as is)."""
        hint = self.code_hint
        live = (lambda: hint(prompt) or "") if hint is not None and hint(prompt) else None
        pattern = fld.pattern or DEFAULT_CODE_PATTERN
        message = _describe_pattern(pattern)
        if prompt.resend is not None:
            self.say(f"(Type {RESEND_KEY} for a new code.)", "class:dim")
            pattern, message = f"(?:{pattern})|{RESEND_KEY}", f"{message} Type {RESEND_KEY} for a new code."
        elif _sent_during_sign_in(prompt):
            self.say(f"(No code? Type {RESEND_KEY} to start the sign-in again, which sends a new one.)", "class:dim")
            pattern, message = f"(?:{pattern})|{RESEND_KEY}", f"{message} Type {RESEND_KEY} to start over."
        validator = _PatternValidator(pattern, message, normalize=normalize_code)
        return normalize_code(self._ask("Code: ", validator=validator, live=live))

    def _new_password(self, prompt: Prompt) -> Answer:
        answer: dict[str, str] = {}
        if prompt.error is None:
            self.say(f"A new password is needed for {prompt.username}.", "class:title")
        else:
            self._show_refusal(prompt)
        for fld in prompt.fields:
            preset = self._env_value(prompt, fld)
            if preset is not None:
                answer[fld.name] = preset
            elif fld.name == "new_password" or fld.confirm:
                answer[fld.name] = self._ask_new_password(fld)
            else:
                remembered = self._remembered.get(fld.name, "")
                value = self._ask(f"{attribute_prompt(fld)}: ", secret=fld.secret, default=remembered)
                if not fld.secret:
                    self._remembered[fld.name] = value
                answer[fld.name] = value
        return answer

    def _ask_new_password(self, fld: Field, *, label: str = "New password") -> str:
        while True:
            first = self._ask(f"{label}: ", secret=True)
            if not fld.confirm:
                return first
            second = self._ask(f"Repeat the {label[:1].lower()}{label[1:]}: ", secret=True)
            if first == second:
                return first
            self.say("✗ The two passwords are not the same. Try again.", "class:error")

    def _choice(self, prompt: Prompt) -> Answer:
        fld = prompt.fields[0] if prompt.fields else Field("choice", "Choice", choices=prompt.choices)
        choices = prompt.choices or fld.choices
        preset = self._env_value(prompt, fld)
        if preset is not None and (not choices or preset in choices):
            return {fld.name: preset}
        self._show_refusal(prompt)
        if prompt.kind is PromptKind.FIRST_FACTOR:
            question = f"How do you want to sign in, {prompt.username}?"
        else:
            question = "Which second factor do you want to use?"
        return {fld.name: self._select(question, choices, prompt)}

    def _setup_choice(self, prompt: Prompt) -> Answer:
        fld = prompt.fields[0] if prompt.fields else Field("choice", "Choice", choices=prompt.choices)
        choices = prompt.choices or fld.choices
        self.say(f"{prompt.username} must set up multi-factor authentication.", "class:title")
        if len(choices) == 1:
            self.say(f"Setting up: {prompt.choice_label(choices[0])}.")
            return {fld.name: choices[0]}
        return {fld.name: self._select("Which one do you want to set up?", choices, prompt)}

    def _totp_setup(self, prompt: Prompt) -> Answer:
        fld = prompt.fields[0] if prompt.fields else Field("code", "Code")
        secret = prompt.secret_code or ""
        if self._unreachable:  # asked again after Cognito could not be reached: the same secret, shown above
            self.say("The QR code and the secret above are still the ones to use.", "class:dim")
        elif prompt.error is None:
            if self.totp_secret_out is not None and secret:
                self.totp_secret_out(secret)
            if self.show_qr and prompt.otpauth_uri and self._rows() < COMPACT_BELOW_ROWS:
                self._compact_qr(prompt.otpauth_uri, secret, prompt.username)
            else:
                self.say(
                    "Add this account to your authenticator app: scan the QR code, or type the secret.",
                    "class:title",
                )
                if self.show_qr and prompt.otpauth_uri:
                    self.say(qr_text(prompt.otpauth_uri).rstrip("\n"), "class:qr")
                self.say_parts(("class:dim", "Secret: "), ("class:secret", secret))
                if prompt.otpauth_uri:
                    self.say_parts(("class:dim", "URI:    "), ("class:secret", prompt.otpauth_uri))
                self.say("Then type the 6-digit code the app shows.")
        else:
            self._show_refusal(prompt)
        return {fld.name: self._ask_code(prompt, fld)}

    def _rows(self) -> int:
        """The terminal's height (lines)."""
        from prompt_toolkit.application.current import get_app_session

        with self._terminal():
            return int(get_app_session().output.get_size().rows)

    def _compact_qr(self, uri: str, secret: str, username: str) -> None:
        """For a short terminal (80x24): the compact QR code with, beside it, which account it adds, the secret
        and what to do, so that the whole code and all the person must read stay on the screen above the code
        prompt (a heading above the code would scroll away). A terminal too narrow for text beside the code gets
        the same text under it (a line wrapped into the code would break the picture)."""
        lines = qr_text(uri, **COMPACT).rstrip("\n").split("\n")  # type: ignore[arg-type]
        with self._terminal():
            columns = int(get_app_session().output.get_size().columns)
        room = columns - len(lines[0]) - 3  # the text beside the code, wrapped to the room left
        groups = [secret[i : i + 4] for i in range(0, len(secret), 4)]
        said: list[tuple[str, str]] = [
            ("class:title", f"Add {username} to your authenticator app."),
            ("", ""),
            ("class:info", "Scan this QR code with it, or type this secret:"),
            *(("class:secret", " ".join(groups[i : i + 4])) for i in range(0, len(groups), 4)),
            ("", ""),
            ("class:info", "Then type the 6-digit code the app shows."),
        ]
        if room < 20:
            self.say("\n".join(lines), "class:qr")
            for style, text in said:
                if text:
                    self.say(text, style)
            return
        beside = [(style, line) for style, text in said for line in (textwrap.wrap(text, room) or [""])]
        for index, line in enumerate(lines):
            style, text = beside[index] if index < len(beside) else ("", "")
            self.say_parts(("class:qr", line), ("", "  "), (style, text))

    def _email(self, prompt: Prompt) -> Answer:
        fld = prompt.fields[0] if prompt.fields else Field("email", "Email address")
        self._show_refusal(prompt)
        self.say("Email codes will be sent to the address you give.")
        validator = _PatternValidator(r"[^@\s]+@[^@\s]+\.[^@\s]+", "That is not an email address.")
        return {fld.name: self._ask("Email address: ", validator=validator).strip()}

    def _custom(self, prompt: Prompt) -> Answer:
        fld = prompt.fields[0] if prompt.fields else Field("answer", "Answer")
        self._show_refusal(prompt)
        if prompt.message:
            self.say(prompt.message, "class:title")
        return {fld.name: self._ask(f"{fld.label}: ", secret=fld.secret)}

    def _sign_up(self, prompt: Prompt) -> Answer:
        """SIGN_UP: a password chosen twice, the attributes asked for (AUTHFLOW_ATTRIBUTES all sent)."""
        if prompt.error is None:
            self.say(f"Signing up {prompt.username}.", "class:title")
        else:
            self._show_refusal(prompt)
        answer: dict[str, str] = dict(self.env.attributes)
        refusal = prompt.error.message if prompt.error is not None else ""
        for fld in prompt.fields:
            preset = self._env_value(prompt, fld)
            typed = self._typed_attributes.get(fld.name)
            if preset is not None:
                answer[fld.name] = preset
            elif typed is not None and refusal and not _refusal_names(refusal, fld.name):  # it wants another one
                answer[fld.name] = typed
            elif fld.name == "password":
                answer[fld.name] = self._ask_new_password(fld, label="Password")
            elif fld.name == "email":  # where the confirmation code can go: a real address, not an empty line
                self.say("The confirmation code is sent to an email address of the account (or to its phone "
                         "number, where the pool verifies those: give it with --attribute phone_number=+1...).",
                         "class:dim")
                validator = _PatternValidator(r"[^@\s]+@[^@\s]+\.[^@\s]+", "That is not an email address.")
                answer[fld.name] = self._ask(f"{attribute_prompt(fld)}: ", validator=validator).strip()
            elif fld.name == "phone_number":  # Cognito takes only the +<country code><number> form
                answer[fld.name] = self._ask(f"{attribute_prompt(fld)}: ", validator=_PHONE_NUMBER).strip()
            else:
                answer[fld.name] = self._ask(f"{attribute_prompt(fld)}: ")
            if fld.name != "password":
                self._typed_attributes[fld.name] = answer[fld.name]
        return answer

    def _reset_required(self, prompt: Prompt) -> Answer:
        """PasswordResetRequiredException in a sign-in: offer to reset (a code is sent) or give up."""
        self._show_refusal(prompt)
        if not self.ask_yes_no("Send a code to reset the password now?"):
            raise prompt.error or SignInCancelled("the password was not reset")
        return {"choice": prompt.choices[0]}

    def _reset_password(self, prompt: Prompt) -> Answer:
        """The reset code (or ``r`` for a new one) and the new password, twice; after a refused code, the new
        password typed before is kept (Cognito refused the code, not the password)."""
        code_fld, password_fld = prompt.fields
        self._show_refusal(prompt)
        password = self._env_value(prompt, password_fld)
        if password is None and isinstance(prompt.error, CodeMismatchError | ExpiredCodeError):
            password = self._kept_new_password
            if password is not None:
                self.say("(The new password you typed is kept.)", "class:dim")
        if prompt.error is None:
            self.say(code_origin(prompt))
        code = self._env_value(prompt, code_fld)
        if code is None:
            code = self._ask_code(prompt, code_fld)
            if code == RESEND_KEY and prompt.resend is not None:
                return dict(prompt.resend.answer)
        if password is None:
            password = self._ask_new_password(password_fld)
            self._kept_new_password = password
        return {code_fld.name: normalize_code(code), password_fld.name: password}

    def _passkey(self, prompt: Prompt) -> Answer:
        from authflow.passkeys import SoftwarePasskey, passkey_answer, platform_authenticator

        authenticator = self.passkey
        if authenticator is None and self.env.passkey_file:
            authenticator = SoftwarePasskey(self.env.passkey_file)
        if authenticator is None:
            self.say(prompt.message, "class:title")
            authenticator = platform_authenticator(
                on_touch=lambda: self.say("Touch your security key now.", "class:title"),
                pin=lambda: self._ask("PIN of the security key: ", secret=True),
            )
        try:
            return passkey_answer(authenticator, prompt.webauthn_options, self.passkey_origin)
        except PasskeyError as exc:
            self.say_parts(("class:error", f"✗ {PASSKEY_FAILURES.get(type(exc), 'The passkey could not be used.')} "),
                           ("class:dim", f"({exc})"))
            raise

    def _fields(self, prompt: Prompt) -> Answer:
        """Any other prompt: each field by its label."""
        self._show_refusal(prompt)
        if prompt.message:
            self.say(prompt.message, "class:title")
        answer: dict[str, str] = {}
        for fld in prompt.fields:
            if fld.choices:
                answer[fld.name] = self._select(f"{fld.label}:", fld.choices, prompt)
            else:
                answer[fld.name] = self._ask(f"{fld.label}: ", secret=fld.secret)
        return answer


# --- a whole sign-in ---------------------------------------------------------------------------------


#: One line for each way a passkey can fail at the terminal.
PASSKEY_FAILURES: dict[type[PasskeyError], str] = {
    NoSecurityKeyError: "No security key found: plug one in.",
    PasskeyTimeoutError: "The security key was not touched in time.",
    PinInvalidError: "The security key's PIN was not accepted.",
    PasskeyCancelled: "Cancelled on the security key.",
    NoPasskeyForPoolError: "This authenticator has no passkey for this user pool.",
    PasskeyFileError: "The software passkey file cannot be used.",
}


def run_wizard(
    pool: Any,
    username: str | None,
    *,
    handler: TerminalHandler,
    auth_flow: str = "USER_SRP_AUTH",
    preferred_challenge: str | None = None,
    totp_issuer: str | None = None,
    device: Device | None = None,
) -> Tokens:
    """Sign in through the terminal; offers to start over when Cognito no longer takes the session, and starts
    over when the person asks for a new code at a code Cognito sent (``r``), as only a new sign-in sends one.

    (A wrong password or code is asked again inside the flow: the engine re-asks with ``prompt.error``.)
    """
    from authflow import AuthFlow

    name = username or handler.ask_username()
    try:
        while True:
            flow = AuthFlow(pool, name, auth_flow=auth_flow, preferred_challenge=preferred_challenge,
                            totp_issuer=totp_issuer, device=device)
            try:
                tokens: Tokens = flow.run(handler, retry_unreachable=True)
            except StartOver:
                handler.say("Starting the sign-in again: Cognito sends a new code.", "class:dim")
                handler.restart()
            except SessionExpiredError:
                handler.say("✗ The sign-in session expired (Cognito gives a few minutes a step).", "class:error")
                if not handler.ask_yes_no("Start over?"):
                    raise
            except InvalidSessionError as exc:
                # after a lost connection: the answer sent then may have been taken (and the Session used)
                lost = f"{LOST_CONNECTION} " if exc.after_lost_connection else ""
                handler.say(f"✗ {lost}Cognito no longer accepts this sign-in session.", "class:error")
                if not handler.ask_yes_no("Start over?"):
                    raise
            except EndpointError as exc:
                # Cognito could not be reached where the sign-in cannot stay (its start, or the middle of a step
                # that Cognito had partly answered): a new sign-in, when the person says so.
                refusal = explain_refusal(exc)
                handler.say_parts(("class:error", f"✗ {refusal.headline} "), ("class:dim", f"({refusal.detail})"))
                if not handler.ask_yes_no("Start over?"):
                    raise
            except PasskeyError:
                # Choice-based sign-in offers the user's other first factors: start over and choose one.
                if auth_flow != "USER_AUTH" or not handler.ask_yes_no("Sign in another way?"):
                    raise
                preferred_challenge = None
            else:
                handler.say(f"✓ Signed in as {name}.", "class:ok")
                return tokens
    finally:
        handler.forget_password()
