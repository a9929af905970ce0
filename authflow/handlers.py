"""Built-in handlers: :class:`ScriptedHandler` answers from values (scripts, CI, test drivers).

The terminal wizard lives in :mod:`authflow.wizard`. A handler is anything with
``answer(prompt) -> answer`` (see :class:`authflow.flow.Handler`), or a plain function.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from authflow import totp
from authflow.errors import (
    InvalidPasswordError,
    MissingAnswerError,
    PasswordResetRequiredError,
    UserNotConfirmedError,
)
from authflow.prompts import Answer, Prompt, PromptKind

if TYPE_CHECKING:
    from authflow.passkeys import Authenticator

Value = str | Callable[[Prompt], str] | None

TOTP_STEP = 30
#: Says when a TOTP code must wait for the next window (the ``authflow`` command shows it on stderr).
_log = logging.getLogger("authflow.totp")


def _code_words(prompt: Prompt) -> str:
    """The code a prompt asks for, as a person says it: "the code from the authenticator app", "the code
    sent by text message to +*******0100"."""
    if prompt.kind is PromptKind.TOTP_CODE:
        return "the code from the authenticator app"
    how = {"SMS": "by text message", "EMAIL": "by email"}.get((prompt.delivery_medium or "").upper())
    where = f"to {prompt.destination}" if prompt.destination else ""
    return " ".join(part for part in ("the code sent", how, where) if part) if how or where else "a code"


class TotpCodes:
    """Hands out TOTP codes so that this process never gives the same code twice for one secret.

    Cognito accepts each code once, and never one older than a code it accepted ("Your software token has
    already been used once"). So codes go out in increasing windows, and a second sign-in of the same
    user within one 30-second window waits for the next window. Each code is taken under a lock, so concurrent flows
    of one user get distinct codes.

    :meth:`reserve` is called before a sign-in starts (when the password is given): it takes a window for
    that sign-in and waits until it comes, so that many sign-ins of one user queue up *before* their
    Sessions begin, and each then finishes well within its Session instead of waiting in it. A reservation
    belongs to the calling thread (a flow's ``run`` asks every question on one thread): it ends when that
    thread takes a code, reserves again for its next sign-in, or when its window is long past, so a sign-in
    that never got to MFA holds up no one.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last: dict[str, int] = {}  # the last window whose code was handed out, per secret
        self._reserved: dict[str, set[int]] = {}  # windows held by sign-ins about to need a code, per secret
        self._mine = threading.local()  # this thread's reservation per secret: {key: window}

    def __reduce__(self) -> str:
        """The process-wide source goes to another process as that process's own (``sign_in_many``)."""
        if self is not TOTP_CODES:
            raise TypeError("a TotpCodes of your own cannot be sent to another process")
        return "TOTP_CODES"

    @staticmethod
    def _key(secret: str) -> str:
        return hashlib.sha256(secret.replace(" ", "").upper().encode()).hexdigest()

    def _wait_for(self, counter: int, why: str) -> None:
        """Sleep until ``counter``'s own window begins."""
        wait = counter * TOTP_STEP - self._clock()
        if wait > 0:
            _log.info("waiting %.0f s for %s", wait + 0.05, why)
            self._sleep(wait + 0.05)

    def _drop_mine(self, key: str, now: int) -> None:
        """(Under the lock.) End this thread's reservation and any whose window is long past."""
        mine: dict[str, int] = self._mine.__dict__.setdefault("windows", {})
        held = self._reserved.setdefault(key, set())
        held.discard(mine.pop(key, -1))
        held.difference_update({w for w in held if w < now - 2})

    def reserve(self, secret: str) -> None:
        """Before a sign-in that will need a code of ``secret``: wait until a window is free for it."""
        key = self._key(secret)
        with self._lock:
            now = int(self._clock() // TOTP_STEP)
            self._drop_mine(key, now)
            held = self._reserved[key]
            counter = max(now, self._last.get(key, -1) + 1)
            while counter in held:
                counter += 1
            held.add(counter)
            self._mine.windows[key] = counter
        self._wait_for(counter, "a free TOTP window before signing in (other sign-ins of this user hold the "
                                "earlier ones)")

    def next_code(self, secret: str, source: str = "the TOTP secret") -> str:
        """The next code of base32 ``secret`` (InvalidTotpSecretError naming ``source`` if it is not one)."""
        key = self._key(secret)
        with self._lock:
            now = int(self._clock() // TOTP_STEP)
            self._drop_mine(key, now)
            counter = max(now, self._last.get(key, -1) + 1)
            self._last[key] = counter
        self._wait_for(counter, "the next TOTP code (the current one was used already)")
        return totp.code_at(secret, counter, source)


#: The process-wide source used by ScriptedHandler unless it is given another.
TOTP_CODES = TotpCodes()


class ScriptedHandler:
    """Answers every question from values given up front: no prompts, for scripts and CI.

    Each value is a string or a callable ``prompt -> str`` (e.g. a function that reads an SMS code from
    a test inbox). ``totp_secret`` makes SOFTWARE_TOKEN_MFA codes from the user's base32 secret.
    MFA_SETUP for an authenticator app is only done when ``totp_secret_out`` is given: it receives the
    new secret before the first code is sent, so the secret is saved before anything else can fail.
    A static value that Cognito refused is not sent again: the refusal is raised instead.
    ``passkey`` answers WEB_AUTHN: a software passkey file's path or any
    :class:`~authflow.passkeys.Authenticator`; it is also the first factor chosen in SELECT_CHALLENGE when
    offered and no other is named (origin ``https://<rpId>`` unless ``passkey_origin``).
    """

    def __init__(
        self,
        *,
        password: Value = None,
        new_password: Value = None,
        attributes: Mapping[str, str] | None = None,
        totp_secret: str | None = None,
        code: Value = None,
        mfa_choice: str | None = None,
        first_factor: str | None = None,
        mfa_setup_choice: str | None = None,
        email: str | None = None,
        custom_answer: Value = None,
        totp_secret_out: Callable[[str], None] | None = None,
        totp_codes: TotpCodes | None = None,
        passkey: Authenticator | str | os.PathLike[str] | None = None,
        passkey_origin: str | None = None,
    ) -> None:
        self._password = password
        self._new_password = new_password
        self._attributes = dict(attributes or {})
        if totp_secret:
            totp.check_secret(totp_secret, "ScriptedHandler's totp_secret")
        self._totp_secret = totp_secret
        self._code = code
        self._mfa_choice = mfa_choice
        self._first_factor = first_factor
        self._mfa_setup_choice = mfa_setup_choice
        self._email = email
        self._custom_answer = custom_answer
        self._totp_secret_out = totp_secret_out
        self._totp_codes = totp_codes or TOTP_CODES
        self._passkey = passkey
        self._passkey_origin = passkey_origin

    def __repr__(self) -> str:
        given = [name for name, value in vars(self).items() if value and name != "_totp_codes"]
        return f"ScriptedHandler(<answers for {', '.join(n.lstrip('_') for n in given) or 'nothing'}>)"

    def __call__(self, prompt: Prompt) -> Answer:
        return self.answer(prompt)

    def answer(self, prompt: Prompt) -> Answer:
        try:
            return self._answer(prompt)
        except MissingAnswerError:
            if isinstance(prompt.error, (UserNotConfirmedError, PasswordResetRequiredError)):
                raise prompt.error from None  # not equipped to recover: Cognito's refusal ends the sign-in
            raise

    def _answer(self, prompt: Prompt) -> Answer:
        kind = prompt.kind
        if kind is PromptKind.PASSWORD:
            password = self._value(self._password, prompt, "a password")
            if self._totp_secret:  # queue for a TOTP window before the Session starts, not inside it
                self._totp_codes.reserve(self._totp_secret)
            return {"password": password}
        if kind is PromptKind.TOTP_CODE and self._totp_secret:
            return {"code": self._totp_codes.next_code(self._totp_secret, "ScriptedHandler's totp_secret")}
        if kind in (PromptKind.CODE, PromptKind.TOTP_CODE):
            return {"code": self._value(self._code, prompt, _code_words(prompt))}
        if kind is PromptKind.TOTP_SETUP:
            if self._totp_secret_out is None:
                raise MissingAnswerError("MFA_SETUP: nowhere to save the new TOTP secret")
            assert prompt.secret_code is not None
            if prompt.attempt == 1:
                self._totp_secret_out(prompt.secret_code)
            return {"code": self._totp_codes.next_code(prompt.secret_code, "AssociateSoftwareToken's SecretCode")}
        if kind is PromptKind.NEW_PASSWORD:
            answer = {"new_password": self._value(self._new_password, prompt, "a new password")}
            for name in prompt.required_attributes:
                if name not in self._attributes:
                    raise MissingAnswerError(f"NEW_PASSWORD_REQUIRED needs the attribute {name!r}")
                answer[name] = self._attributes[name]
            return answer
        if kind is PromptKind.MFA_CHOICE:
            return {"choice": self._choose(prompt, self._mfa_choice, self._mfa_default(prompt))}
        if kind is PromptKind.FIRST_FACTOR:
            return {"choice": self._choose(prompt, self._first_factor, self._first_factor_default(prompt))}
        if kind is PromptKind.MFA_SETUP_CHOICE:
            return {"choice": self._choose(prompt, self._mfa_setup_choice, self._setup_default(prompt))}
        if kind is PromptKind.EMAIL_ADDRESS:
            return {"email": self._value(self._email, prompt, "an email address for MFA")}
        if kind is PromptKind.CUSTOM_ANSWER:
            return {"answer": self._value(self._custom_answer, prompt, "an answer to CUSTOM_CHALLENGE")}
        if kind is PromptKind.SIGN_UP:
            return {**self._attributes, "password": self._value(self._password, prompt, "a password")}
        if kind is PromptKind.RESET_REQUIRED:  # reset only with what it takes: a code and a new password
            if self._code is None or self._new_password is None:
                raise MissingAnswerError("PASSWORD_RESET_REQUIRED needs a code and a new password")
            return {"choice": prompt.choices[0]}
        if kind is PromptKind.RESET_PASSWORD:
            return {"code": self._value(self._code, prompt, "the reset code"),
                    "new_password": self._new_password_for_reset(prompt)}
        if kind is PromptKind.PASSKEY:
            return self._passkey_answer(prompt)
        raise MissingAnswerError(f"no scripted answer for {kind.value}")

    # --- helpers --------------------------------------------------------------------------------

    def _value(self, value: Value, prompt: Prompt, what: str) -> str:
        if value is None:
            raise MissingAnswerError(f"asked for {what}, and none was given")  # a sign-in or an account change
        if callable(value):
            result = value(prompt)
            if not result:
                raise MissingAnswerError(f"{prompt.challenge_name or 'sign-in'}: no {what} was produced")
            return result
        if prompt.error is not None:
            raise prompt.error  # the same static value would be refused again
        return value

    def _new_password_for_reset(self, prompt: Prompt) -> str:
        """The new password; a static one the policy refused is not sent again (a refused code is no
        reason not to send it again)."""
        if isinstance(prompt.error, InvalidPasswordError) or callable(self._new_password):
            return self._value(self._new_password, prompt, "a new password")
        if self._new_password is None:
            raise MissingAnswerError("RESET_PASSWORD needs a new password")
        return self._new_password

    @staticmethod
    def _choose(prompt: Prompt, explicit: str | None, default: str | None) -> str:
        choice = explicit or default
        if choice is None:
            raise MissingAnswerError(
                f"{prompt.challenge_name}: choose one of {', '.join(prompt.choices)}"
            )
        if choice not in prompt.choices:
            raise MissingAnswerError(
                f"{prompt.challenge_name}: {choice} is not offered (offered: {', '.join(prompt.choices)})"
            )
        return choice

    def _mfa_default(self, prompt: Prompt) -> str | None:
        if self._totp_secret and "SOFTWARE_TOKEN_MFA" in prompt.choices:
            return "SOFTWARE_TOKEN_MFA"
        return prompt.choices[0] if len(prompt.choices) == 1 else None

    def _passkey_answer(self, prompt: Prompt) -> Answer:
        from authflow.passkeys import SoftwarePasskey, passkey_answer

        if self._passkey is None:
            raise MissingAnswerError("WEB_AUTHN needs a passkey (a software passkey file or an authenticator)")
        if prompt.error is not None:
            raise prompt.error
        authenticator = self._passkey
        if isinstance(authenticator, (str, os.PathLike)):
            authenticator = SoftwarePasskey(os.fspath(authenticator))
        return passkey_answer(authenticator, prompt.webauthn_options, self._passkey_origin)

    def _first_factor_default(self, prompt: Prompt) -> str | None:
        if self._passkey is not None and "WEB_AUTHN" in prompt.choices:
            return "WEB_AUTHN"
        if self._password is not None:
            for factor in ("PASSWORD_SRP", "PASSWORD"):
                if factor in prompt.choices:
                    return factor
        return prompt.choices[0] if len(prompt.choices) == 1 else None

    def _setup_default(self, prompt: Prompt) -> str | None:
        if self._totp_secret_out is not None and "SOFTWARE_TOKEN_MFA" in prompt.choices:
            return "SOFTWARE_TOKEN_MFA"
        if self._email is not None and "EMAIL_OTP" in prompt.choices:
            return "EMAIL_OTP"
        return None
