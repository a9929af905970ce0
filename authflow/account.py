"""The signed-in user's account: what it holds, and each change as a flow of the sign-in's own prompts.

:class:`Account` is built from a signed-in user's :class:`~authflow.tokens.Tokens` and the
:class:`~authflow.transport.UserPool` they came from. Reads are typed (:meth:`Account.info`,
:meth:`~Account.attributes`, :meth:`~Account.mfa`, :meth:`~Account.auth_factors`, :meth:`~Account.devices`,
:meth:`~Account.passkeys`). Each change is an :class:`AccountFlow`, driven as a sign-in is:

* the step API: ``step = flow.start()``, then ``step = flow.respond(answer)`` until ``step.done``;
* ``flow.run(handler)``: the handler (the terminal wizard, ``ScriptedHandler``, the Qt dialog, any function of a
  prompt) is asked each question.

The questions are the sign-in's :class:`~authflow.prompts.Prompt` s: the current password is a ``PASSWORD``
prompt, the new one a ``NEW_PASSWORD`` prompt (asked twice), a new authenticator app a ``TOTP_SETUP`` prompt
(secret, otpauth URI for a QR code), a verification code a ``CODE`` prompt named ``VERIFY_ATTRIBUTE`` (with
where the code went, and ``resend``: answering ``prompt.resend.answer``, ``{"resend": "yes"}``, sends a new one), an
email address for email MFA an ``EMAIL_ADDRESS`` prompt, and deleting the account a ``CONFIRM`` prompt
answered with the username. A refusal that another answer may fix (a wrong current password, a password the
policy refuses, a wrong code) asks the same prompt again with the error; any other refusal ends the flow with
Cognito's typed error. Cognito not reached (:class:`~authflow.errors.EndpointError`) is no refusal: the flow stays
at the same prompt, keeping what the change holds (see :class:`AccountFlow`). Nothing is half-done silently: a
TOTP secret associated but never verified is said so (:class:`TotpNotVerifiedError`), and so is an attribute
changed but not verified (:class:`AttributeNotVerifiedError`).

Every call is a request sent with the access token through the pool's ``send``: a
:class:`~authflow.transport.UserPool`, the one way authflow talks to Cognito (botocore). An access token that
expired (before a call, or as Cognito refuses it) is refreshed first, from the token cache when the account has
one (the same lock and rotation rules as ``authflow token``), else from the refresh token; ``on_tokens`` hears
of new ones; a revoked one is replaced by signing in again where ``sign_in_again`` allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from authflow.calls import Request
from authflow.errors import (
    AuthflowError,
    CodeMismatchError,
    CognitoError,
    ConnectionLostError,
    EnableSoftwareTokenMFAError,
    EndpointError,
    ExpiredCodeError,
    FlowStateError,
    IncorrectCredentialsError,
    InvalidParameterError,
    InvalidPasswordError,
    MalformedResponseError,
    MissingAnswerError,
    NotAuthorizedError,
    NotCognitoError,
    SignInCancelled,
    SoftwareTokenMFANotFoundError,
    UsageError,
    UserNotFoundError,
)
from authflow.prompts import RESEND_ANSWER, Answer, Field, Prompt, PromptKind, Resend, normalize_answer
from authflow.totp import DEFAULT_TOTP_ISSUER

if TYPE_CHECKING:
    from typing import Protocol

    from authflow.tokencache import CacheKey, TokenCache
    from authflow.tokens import Tokens
    from authflow.transport import UserPool

    class AccountPool(Protocol):
        """What an account needs of its pool: :class:`~authflow.transport.UserPool` is one (a test double may be
        another)."""

        pool_name: str

        def send(self, request: Request) -> dict[str, Any]: ...

        def refresh(self, refresh_token: str, *, username: str | None = None,
                    device_key: str | None = None) -> Tokens: ...


__all__ = [
    "Account",
    "AccountFlow",
    "AccountInfo",
    "AccountStep",
    "AttributeNotVerifiedError",
    "MfaSettings",
    "PasskeyInfo",
    "PasskeyMfaError",
    "RememberedDevice",
    "TotpNotVerifiedError",
    "mfa_method",
]

T = TypeVar("T")

#: Cognito's MFA methods, in its order, and the words the command line uses for them.
MFA_METHODS = ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
METHOD_WORDS = {"sms": "SMS_MFA", "totp": "SOFTWARE_TOKEN_MFA", "email": "EMAIL_OTP"}
#: SetUserMFAPreference's settings member of each method.
SETTINGS = {"SMS_MFA": "SMSMfaSettings", "SOFTWARE_TOKEN_MFA": "SoftwareTokenMfaSettings",
            "EMAIL_OTP": "EmailMfaSettings"}
#: Passkey MFA, should a pool list it in UserMFASettingList. Cognito documents that list as SMS_MFA, EMAIL_OTP and
#: SOFTWARE_TOKEN_MFA only (botocore's model, GetUser and GetUserAuthFactors): WebAuthnMfaSettings is set, never
#: read back, so a pool that does not list it leaves passkey MFA unknown (None), never "off".
PASSKEY_MFA = "WEB_AUTHN"
#: The prompt name (``challenge_name``) of an attribute verification code; AUTHFLOW_CHALLENGE for a code command.
VERIFY_ATTRIBUTE = "VERIFY_ATTRIBUTE"
#: Offered with a verification code prompt (``prompt.resend``): its answer (``{"resend": "yes"}``) sends a new code.
RESEND = Resend()
#: The attribute each delivered MFA method sends its codes to.
MFA_ATTRIBUTE = {"SMS_MFA": "phone_number", "EMAIL_OTP": "email"}
SIX_DIGITS = r"^[0-9]{6}$"
DELIVERED_CODE = r"^[0-9]{6,8}$"
#: Answers a flow tries for one question before it gives up.
MAX_ATTEMPTS = 5


def mfa_method(word: str) -> str:
    """Cognito's name of an MFA method from ``sms`` / ``email`` / ``totp`` or the name itself."""
    name = METHOD_WORDS.get(word.strip().lower(), word.strip().upper())
    if name not in MFA_METHODS:
        raise UsageError(f"{word!r} is not an MFA method: sms, email or totp")
    return name


class TotpNotVerifiedError(AuthflowError):
    """A new authenticator app was associated but never verified: the old one (if any) is still the one in use."""

    code = "SoftwareTokenNotVerified"


class AttributeNotVerifiedError(AuthflowError):
    """An attribute was changed (UpdateUserAttributes) but its verification code was not accepted: the new value
    stands, unverified, until it is verified later."""

    code = "AttributeNotVerified"
    #: Why the code was not accepted (a MissingAnswerError: none was given).
    reason: AuthflowError | None = None


class PasskeyMfaError(AuthflowError):
    """Cognito refused passkey MFA: it needs another MFA method enabled beside it (carries Cognito's error)."""

    code = "PasskeyMfaRefused"

    def __init__(self, message: str, cause: CognitoError | None = None) -> None:
        super().__init__(message)
        self.cause = cause


# --- what the account holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class MfaSettings:
    """The user's MFA: methods enabled and preferred (Cognito's names) and passkey MFA (None: not said, which is
    what Cognito's documented replies give: see :data:`PASSKEY_MFA`)."""

    enabled: tuple[str, ...] = ()
    preferred: str | None = None
    passkey_mfa: bool | None = None


@dataclass(frozen=True)
class RememberedDevice:
    """One of ListDevices' devices."""

    device_key: str
    name: str | None
    remembered: bool | None  # dev:device_remembered_status; None where the pool does not say
    last_authenticated: datetime | None
    attributes: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        when = self.last_authenticated
        return {"DeviceKey": self.device_key, "Name": self.name, "Remembered": self.remembered,
                "LastAuthenticated": when.isoformat() if when is not None else None}


@dataclass(frozen=True)
class PasskeyInfo:
    """One of ListWebAuthnCredentials' passkeys."""

    credential_id: str
    friendly_name: str | None
    relying_party_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"CredentialId": self.credential_id, "FriendlyName": self.friendly_name}


@dataclass(frozen=True)
class AccountInfo:
    """Everything ``authflow account`` prints. ``auth_factors``, ``devices`` and ``passkeys`` are None where
    the pool does not serve them (GetUserAuthFactors unknown, device tracking off, passkeys not configured)."""

    username: str
    attributes: Mapping[str, str]
    mfa: MfaSettings
    auth_factors: tuple[str, ...] | None = None
    devices: tuple[RememberedDevice, ...] | None = None
    passkeys: tuple[PasskeyInfo, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        """The account as the command-line contract prints it (keys present only where served)."""
        out: dict[str, Any] = {
            "Username": self.username,
            "Attributes": dict(self.attributes),
            "MFA": {"Enabled": list(self.mfa.enabled), "Preferred": self.mfa.preferred,
                    "PasskeyMFA": self.mfa.passkey_mfa},
        }
        if self.auth_factors is not None:
            out["AuthFactors"] = list(self.auth_factors)
        if self.devices is not None:
            out["Devices"] = [d.to_json() for d in self.devices]
        if self.passkeys is not None:
            out["Passkeys"] = [p.to_json() for p in self.passkeys]
        return out


def _mfa_settings(reply: Mapping[str, Any]) -> MfaSettings:
    listed = reply.get("UserMFASettingList") or []
    if not isinstance(listed, list) or not all(isinstance(m, str) for m in listed):
        raise MalformedResponseError("UserMFASettingList is not a list of method names")
    preferred = reply.get("PreferredMfaSetting")
    if preferred is not None and not isinstance(preferred, str):
        raise MalformedResponseError("PreferredMfaSetting is not a string")
    passkey = True if PASSKEY_MFA in listed else None  # absent: not said (see PASSKEY_MFA), not off
    return MfaSettings(tuple(m for m in listed if m in MFA_METHODS), preferred or None, passkey)


def _attributes(reply: Mapping[str, Any], key: str = "UserAttributes") -> dict[str, str]:
    listed = reply.get(key) or []
    if not isinstance(listed, list):
        raise MalformedResponseError(f"{key} is not a list")
    out: dict[str, str] = {}
    for item in listed:
        if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str):
            raise MalformedResponseError(f"{key} holds an entry without a Name")
        out[item["Name"]] = str(item.get("Value", ""))
    return out


def _device(entry: Any) -> RememberedDevice:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("DeviceKey"), str):
        raise MalformedResponseError("a device without a DeviceKey")
    attributes = _attributes(entry, "DeviceAttributes")
    status = attributes.get("dev:device_remembered_status")
    when = entry.get("DeviceLastAuthenticatedDate")
    if isinstance(when, (int, float)):
        when = datetime.fromtimestamp(when, timezone.utc)
    return RememberedDevice(
        device_key=entry["DeviceKey"], name=attributes.get("device_name"),
        remembered=None if status is None else status == "remembered",
        last_authenticated=when if isinstance(when, datetime) else None, attributes=attributes)


# --- the flows ----------------------------------------------------------------------------------------

#: What an action is: a generator that yields requests (receiving Cognito's replies, or its typed error thrown
#: in) and prompts (receiving the answer, a mapping from field name to value); it returns the action's result.
Action = Generator["Request | Prompt", dict[str, Any], T]


@dataclass(frozen=True)
class AccountStep(Generic[T]):
    """Where an account flow stands: a prompt to answer, or done with its result."""

    prompt: Prompt | None = None
    done: bool = False
    result: T | None = field(default=None, repr=False)  # a new TOTP secret, for one: never in a repr

    @property
    def error(self) -> AuthflowError | None:
        """Why the previous answer was refused (the same question is asked again)."""
        return self.prompt.error if self.prompt else None


class AccountFlow(Generic[T]):
    """One change to the account, asked as a sign-in asks (see the module docstring).

    ``action`` makes the change's generator (a function of no arguments; a generator itself is taken too, but
    cannot be brought back to a question: after Cognito could not be reached, the request that was not sent goes
    again whatever the next answer is). When
    Cognito cannot be reached with an answer (:class:`~authflow.errors.EndpointError`), the flow stays at the
    same prompt, its ``error`` saying why: nothing is thrown into the change, and an answer given again once the
    network or the pool is back goes through as the first would have. Where Cognito had already taken the
    answer (a reply came, and a later request of the same answer could not be sent), that later request is what
    goes again. An answer may have reached Cognito before the connection broke
    (:class:`~authflow.errors.ConnectionLostError`): Cognito's refusal of it sent again then has
    ``after_lost_connection`` set, and the change checks what it can (an attribute already verified, an
    authenticator app already verified) before it asks again."""

    def __init__(self, account: Account, action: Action[T] | Callable[[], Action[T]], name: str) -> None:
        self.account = account
        self.name = name
        self._make: Callable[[], Action[T]] | None = None if isinstance(action, Generator) else action
        self._action: Action[T] = action if isinstance(action, Generator) else action()
        self._prompt: Prompt | None = None
        self._started = False
        self.done = False
        self.failed = False
        self.result: T | None = None
        # What the action was given since it started ((thrown, value) in order), to bring a new one back to the
        # current prompt; and how much of it came before that prompt.
        self._fed: list[tuple[bool, Any]] = []
        self._at_prompt = 0
        self._pending: Request | None = None  # a request of an answer Cognito had taken, not sent: it goes again
        self._lost_connection = False  # the connection broke after a request went: it may have arrived

    def __repr__(self) -> str:  # never the result (a new TOTP secret)
        state = "done" if self.done else "failed" if self.failed else "waiting" if self._prompt else "new"
        return f"AccountFlow({self.name}, {state})"

    @property
    def prompt(self) -> Prompt | None:
        """What must be answered now (None when done, failed or not started)."""
        return self._prompt

    def start(self) -> AccountStep[T]:
        if self._started:
            raise UsageError(f"{self.name} was already started")
        self._started = True
        return self._advance(None)

    def respond(self, answer: Answer) -> AccountStep[T]:
        """Answer the current prompt. An unusable answer (a field missing, a code of the wrong shape) is a
        MissingAnswerError and the same prompt stands; nothing was sent. When Cognito cannot be reached, the
        :class:`~authflow.errors.EndpointError` is raised and the same prompt stands (``prompt.error`` is it):
        answer it again once the network is back."""
        prompt = self._prompt
        if prompt is None:
            raise UsageError(f"nothing to answer: {self.name} is {'done' if self.done else 'not waiting'}")
        checked = _checked(prompt, normalize_answer(prompt, answer))
        if self._pending is not None:  # Cognito took the answer already: what it could not be sent goes now
            request, self._pending = self._pending, None
            return self._advance(None, request)
        return self._advance(checked)

    def cancel(self, reason: AuthflowError | None = None) -> AuthflowError | None:
        """Give up (nothing more is sent). Returns what was left half-done, if anything (a new authenticator
        associated but not verified: :class:`TotpNotVerifiedError`), else None."""
        if self.done or self.failed:
            return None
        self.failed, self._prompt, self._pending, self._fed = True, None, None, []
        if not self._started:
            self._action.close()
            return None
        cause = reason or AuthflowError(f"{self.name} was cancelled", code="Cancelled")
        try:
            self._action.throw(cause)
        except AuthflowError as exc:
            return None if exc is cause else exc
        except StopIteration:
            return None
        self._action.close()
        return None

    def run(self, handler: Any = None, *, retry_unreachable: bool = False) -> T:
        """Drive the flow to its end, asking ``handler`` (``answer(prompt)`` or a function) each question;
        returns the result. A flow that asks nothing needs no handler. A handler that gives up (raises an
        AuthflowError) ends the flow with that error, or with what it left half-done.

        ``retry_unreachable`` (for a person, who says when to try again): when Cognito cannot be reached, the
        same prompt comes back to the handler, its ``error`` the :class:`~authflow.errors.EndpointError`;
        otherwise that error ends the flow (with what it left half-done), as a sign-in's ``run`` does."""
        step = self.start() if not self._started else AccountStep(self._prompt, self.done, self.result)
        while not step.done:
            assert step.prompt is not None
            try:
                if handler is None:
                    raise MissingAnswerError(
                        f"{self.name} asks a question ({step.prompt.kind.value}) and no one answers")
                answer = getattr(handler, "answer", handler)(step.prompt)
            except AuthflowError as exc:
                raise self.cancel(exc) or exc from None
            try:
                step = self.respond(answer)
            except EndpointError as exc:
                if not retry_unreachable or self._prompt is None:
                    raise self.cancel(exc) or exc from None
                step = AccountStep(self._prompt)  # the same question, its error saying Cognito cannot be reached
        return step.result  # type: ignore[return-value]

    def _feed(self, thrown: bool, value: Any) -> Request | Prompt:
        """Give the action ``value`` (a reply, an answer) or throw it in, and keep it for a replay."""
        self._fed.append((thrown, value))
        item = self._action.throw(value) if thrown else self._action.send(value)
        if isinstance(item, Prompt):
            self._at_prompt = len(self._fed)
        return item

    def _advance(self, value: dict[str, Any] | None, request: Request | None = None) -> AccountStep[T]:
        unreachable: EndpointError | None = None
        try:
            answered = self._prompt is not None  # the value is an answer to it (else the start)
            item = request if request is not None else self._feed(False, value)  # None starts the generator
            replies = 0 if request is None else 1  # a request sent again: Cognito had answered part of this step
            while isinstance(item, Request):
                try:
                    reply = self.account.send(item)
                except EndpointError as exc:
                    if answered:  # the flow stays at its question (see _stay)
                        unreachable = exc
                        self._stay(item, replies, exc)
                        break
                    item = self._feed(True, exc)
                    continue
                except AuthflowError as exc:
                    if self._lost_connection:  # the answer sent when the connection broke may have been used
                        self._lost_connection = False
                        if isinstance(exc, _USED_ANSWER):
                            exc.after_lost_connection = True
                    replies += 1  # a refusal is Cognito's answer too
                    item = self._feed(True, exc)
                    continue
                self._lost_connection = False
                replies += 1
                item = self._feed(False, reply)
        except StopIteration as end:
            self._prompt, self.done, self.result, self._fed = None, True, end.value, []
            return AccountStep(None, True, end.value)
        except BaseException:
            self.failed, self._prompt, self._pending, self._fed = True, None, None, []  # no answer kept past the end
            raise
        if unreachable is not None:
            raise unreachable
        assert isinstance(item, Prompt)
        self._prompt = item
        return AccountStep(item)

    def _stay(self, request: Request, replies: int, error: EndpointError) -> None:
        """Cognito could not be reached with ``request``, sent for the answer to the current prompt: the flow
        stays at that prompt, its error ``error``. When nothing of the answer reached Cognito (no reply since),
        the action is brought back to the prompt (its new answer goes as the first would have); else the action
        waits at ``request``, which the next answer sends again."""
        self._lost_connection = self._lost_connection or isinstance(error, ConnectionLostError)
        assert self._prompt is not None
        prompt = self._prompt
        if replies == 0 and self._make is not None:
            self._action.close()
            self._action = self._make()
            fed, self._fed = self._fed[: self._at_prompt], []
            item: Request | Prompt | None = None
            for thrown, value in fed:
                item = self._feed(thrown, value)
            if not isinstance(item, Prompt) or (item.kind, item.challenge_name) != (prompt.kind, prompt.challenge_name):
                # a change whose questions are not a function of what it was given
                raise FlowStateError(f"{self.name} did not come back to its question")
            prompt = item  # the same question, built again
        else:
            self._pending = request
        self._prompt = replace(prompt, error=error)


#: Cognito's refusals of an answer that may mean the first sending, before the connection broke, used it: a code
#: already taken, a current password already changed, a software token already verified, an account deleted (its
#: user not found, its tokens revoked).
_USED_ANSWER = (CodeMismatchError, ExpiredCodeError, EnableSoftwareTokenMFAError, NotAuthorizedError,
                SoftwareTokenMFANotFoundError, UserNotFoundError)


def _checked(prompt: Prompt, answer: dict[str, str]) -> dict[str, str]:
    """The answer if every field is there and of its shape (a code cleaned of spaces and dashes)."""
    if prompt.resend is not None and wants_resend(answer):
        return dict(RESEND_ANSWER)
    out = dict(answer)
    for fld in prompt.fields:
        value = str(answer.get(fld.name, "")).strip()
        if not value:
            raise MissingAnswerError(f"no {fld.label.lower()} was given")
        if fld.name == "code":
            value = re.sub(r"[\s\-]", "", value)
        if fld.pattern and not re.fullmatch(fld.pattern.removeprefix("^").removesuffix("$"), value):
            raise MissingAnswerError(f"the {fld.label.lower()} is not of the expected form")
        if fld.choices and value not in fld.choices:
            raise MissingAnswerError(f"{fld.label} must be one of {', '.join(fld.choices)}")
        out[fld.name] = value if fld.name == "code" else str(answer[fld.name])
    return out


def wants_resend(answer: Mapping[str, str]) -> bool:
    return str(answer.get("resend", "")).strip().lower() in ("1", "yes", "true", "resend")


# --- the account ----------------------------------------------------------------------------------------


class Account:
    """The account of a signed-in user. ``tokens`` are the user's; ``cache``/``cache_key`` (optional) the
    token cache entry they live in (refreshed through it, and a forgotten current device forgotten there);
    ``on_tokens`` is called with refreshed tokens; ``username`` is what the person signs in with (default: the
    access token's ``username`` claim); ``totp_issuer`` names the app in the authenticator (default:
    ``"authflow"``, :data:`authflow.totp.DEFAULT_TOTP_ISSUER`); ``sign_in_again`` (optional) returns new
    tokens by signing in, for when Cognito has revoked the access token (a global sign-out elsewhere) or the
    refresh token no longer works."""

    def __init__(
        self,
        pool: UserPool | AccountPool,
        tokens: Tokens,
        *,
        username: str | None = None,
        cache: TokenCache | None = None,
        cache_key: CacheKey | None = None,
        on_tokens: Callable[[Tokens], None] | None = None,
        totp_issuer: str | None = None,
        leeway: float = 30.0,
        sign_in_again: Callable[[], Tokens] | None = None,
    ) -> None:
        from authflow.tokencache import internal_username

        self.pool = pool
        self.tokens = tokens
        self.username = username or internal_username(tokens) or ""
        self.cache = cache
        self.cache_key = cache_key
        self.on_tokens = on_tokens
        self.totp_issuer = totp_issuer or DEFAULT_TOTP_ISSUER
        self.leeway = leeway
        self.sign_in_again = sign_in_again

    def __repr__(self) -> str:
        return f"Account({self.username!r}, {self.pool!r})"

    # --- calls ---------------------------------------------------------------------------------------

    def send(self, request: Request) -> dict[str, Any]:
        """Send an account request with the access token (refreshed first when it has expired, and once more
        when Cognito says it has)."""
        if self.tokens.expired(leeway=min(self.leeway, 5.0)):
            self.refresh()
        try:
            return self.pool.send(self._with_token(request))
        except NotAuthorizedError as exc:
            text = exc.message.lower()
            if "access token" not in text or not any(word in text for word in ("expired", "revoked", "invalid")):
                raise
            stale = exc
        self._renew(stale)
        # Once: an access token just renewed that is refused again is Cognito's answer, not a stale token.
        return self.pool.send(self._with_token(request))

    def _renew(self, refused: NotAuthorizedError) -> None:
        """New tokens after Cognito refused the access token: refreshed when it expired or is not one Cognito
        knows ("Invalid Access Token": its signing keys changed, a local pool restarted); else (revoked, or the
        refresh token no longer works either) by signing in again where ``sign_in_again`` allows it."""
        text = refused.message.lower()
        if "expired" in text or "invalid" in text:
            try:
                self.refresh(force=True)
                return
            except NotAuthorizedError:
                if self.sign_in_again is None:
                    raise
        if self.sign_in_again is None:
            raise refused
        self.tokens = self.sign_in_again()
        if self.on_tokens is not None:
            self.on_tokens(self.tokens)

    def _with_token(self, request: Request) -> Request:
        return Request(request.operation, {**request.parameters, "AccessToken": self.tokens.access_token})

    def call(self, operation: str, **parameters: Any) -> dict[str, Any]:
        """One account operation by its API name (``GetUser``, ``ListDevices``...), with the access token."""
        return self.send(Request(operation, parameters))

    def refresh(self, *, force: bool = False) -> Tokens:
        """New tokens: through the token cache (once across processes) when the account has one, else with
        the refresh token. Nothing to refresh with is a NotAuthorizedError (sign in again)."""
        from authflow.tokencache import device_key, internal_username

        tokens: Tokens | None = None
        if self.cache is not None and self.cache_key is not None and not force:
            from authflow.refresh import cached_or_refreshed

            tokens = cached_or_refreshed(self.cache, self.cache_key, cast("UserPool", self.pool), leeway=self.leeway)
        if tokens is None or tokens.access_token == self.tokens.access_token:
            if not self.tokens.refresh_token:
                raise NotAuthorizedError("the access token has expired and there is no refresh token: sign in again",
                                         code="NotAuthorizedException")
            tokens = self.pool.refresh(self.tokens.refresh_token, username=internal_username(self.tokens),
                                       device_key=device_key(self.tokens))
            if tokens.new_device_metadata is None and self.tokens.new_device_metadata:
                tokens = replace(tokens, new_device_metadata=dict(self.tokens.new_device_metadata))
            if self.cache is not None and self.cache_key is not None:
                self.cache.store(self.cache_key, tokens)
        self.tokens = tokens
        if self.on_tokens is not None:
            self.on_tokens(tokens)
        return tokens

    # --- reads ---------------------------------------------------------------------------------------

    def get_user(self) -> dict[str, Any]:
        return self.call("GetUser")

    def attributes(self) -> dict[str, str]:
        return _attributes(self.get_user())

    def mfa(self) -> MfaSettings:
        return _mfa_settings(self.get_user())

    def auth_factors(self) -> tuple[str, ...] | None:
        """GetUserAuthFactors' ConfiguredUserAuthFactors; None where the pool does not serve it."""
        reply = self._auth_factors_reply()
        return None if reply is None else _factors(reply)

    def _auth_factors_reply(self) -> dict[str, Any] | None:
        try:
            return self.call("GetUserAuthFactors")
        except CognitoError as exc:
            if _no_such_operation(exc):
                return None
            raise

    def devices(self) -> tuple[RememberedDevice, ...] | None:
        """The user's devices (every page); None where the pool does not track devices."""
        found: list[RememberedDevice] = []
        token: str | None = None
        while True:
            try:
                reply = self.call("ListDevices", **({"PaginationToken": token} if token else {}))
            except InvalidParameterError as exc:
                if "device" in exc.message.lower() and "track" in exc.message.lower():
                    return None
                raise
            except CognitoError as exc:
                if _no_such_operation(exc):
                    return None
                raise
            devices = reply.get("Devices") or []
            if not isinstance(devices, list):
                raise MalformedResponseError("ListDevices: Devices is not a list")
            found.extend(_device(d) for d in devices)
            token = reply.get("PaginationToken")
            if not isinstance(token, str) or not token:
                return tuple(found)

    def passkeys(self) -> tuple[PasskeyInfo, ...] | None:
        """The user's passkeys (every page); None where the pool has no passkeys configured."""
        found: list[PasskeyInfo] = []
        token: str | None = None
        while True:
            try:
                reply = self.call("ListWebAuthnCredentials", **({"NextToken": token} if token else {}))
            except CognitoError as exc:
                if _no_such_operation(exc) or exc.code in ("WebAuthnConfigurationMissingException",
                                                           "WebAuthnNotEnabledException"):
                    return None
                raise
            credentials = reply.get("Credentials") or []
            if not isinstance(credentials, list):
                raise MalformedResponseError("ListWebAuthnCredentials: Credentials is not a list")
            for entry in credentials:
                if not isinstance(entry, Mapping) or not isinstance(entry.get("CredentialId"), str):
                    raise MalformedResponseError("a passkey without a CredentialId")
                name = entry.get("FriendlyCredentialName")
                rp = entry.get("RelyingPartyId")
                found.append(PasskeyInfo(entry["CredentialId"], name if isinstance(name, str) else None,
                                         rp if isinstance(rp, str) else None))
            token = reply.get("NextToken")
            if not isinstance(token, str) or not token:
                return tuple(found)

    def info(self) -> AccountInfo:
        """Everything at once (GetUser, GetUserAuthFactors, ListDevices, ListWebAuthnCredentials)."""
        user = self.get_user()
        factors_reply = self._auth_factors_reply()
        passkeys = self.passkeys()
        username = user.get("Username")
        return AccountInfo(
            username=username if isinstance(username, str) else self.username,
            attributes=_attributes(user),
            mfa=_mfa_settings(factors_reply or user),
            auth_factors=None if factors_reply is None else _factors(factors_reply),
            devices=self.devices(),
            passkeys=passkeys,
        )

    # --- prompts -------------------------------------------------------------------------------------

    def _prompt(self, kind: PromptKind, name: str, message: str, *fields: Field, error: AuthflowError | None = None,
                attempt: int = 1, **details: Any) -> Prompt:
        return Prompt(kind=kind, challenge_name=name, fields=fields, message=message, username=self.username,
                      error=error, attempt=attempt, **details)

    # --- password ------------------------------------------------------------------------------------

    def change_password(self, current: str | None = None, new: str | None = None) -> AccountFlow[None]:
        """ChangePassword. Asks the current password (a ``PASSWORD`` prompt) unless given, then the new one
        (a ``NEW_PASSWORD`` prompt, twice at a terminal) unless given. A wrong current password asks it again;
        a new password the policy refuses asks the new one again, with Cognito's reason."""
        return AccountFlow(self, lambda: self._change_password(current, new), "change password")

    def _change_password(self, current: str | None, new: str | None) -> Action[None]:
        password_field = Field("password", "Current password", secret=True)
        new_field = Field("new_password", "New password", secret=True, confirm=True)
        previous, proposed = current, new
        wrong: AuthflowError | None = None  # why the current password was refused
        refused: AuthflowError | None = None  # why the new one was
        attempt = 1
        while True:
            if previous is None:
                answer = yield self._prompt(PromptKind.PASSWORD, "CHANGE_PASSWORD",
                                            "Your current password, to change it.", password_field,
                                            error=wrong, attempt=attempt if wrong else 1)
                previous = answer["password"]
            if proposed is None:
                answer = yield self._prompt(PromptKind.NEW_PASSWORD, "CHANGE_PASSWORD", "Choose a new password.",
                                            new_field, error=refused, attempt=attempt if refused else 1)
                proposed = answer["new_password"]
            try:
                yield Request("ChangePassword", {"PreviousPassword": previous, "ProposedPassword": proposed})
                return None
            except InvalidPasswordError as exc:
                if new is not None or attempt >= MAX_ATTEMPTS:
                    raise  # a new password given up front: nothing else to try
                refused, wrong, proposed = exc, None, None
            except IncorrectCredentialsError as exc:
                if exc.after_lost_connection:
                    exc.advice = ("If Cognito took it, the password is already changed: your current password is "
                                  "then the new one.")
                if current is not None or attempt >= MAX_ATTEMPTS:
                    raise
                wrong, refused, previous = exc, None, None
            attempt += 1

    # --- MFA ----------------------------------------------------------------------------------------

    def set_up_totp(self, device_name: str | None = None, *, prefer: bool = True) -> AccountFlow[str]:
        """Add or replace the authenticator app: AssociateSoftwareToken, a ``TOTP_SETUP`` prompt (the secret,
        its otpauth URI for a QR code, and the first code), VerifySoftwareToken with ``device_name``, then TOTP
        MFA enabled (and preferred unless ``prefer=False``). Returns the new secret. A flow that ends before
        the code is verified raises :class:`TotpNotVerifiedError` (the previous authenticator stays)."""
        return AccountFlow(self, lambda: self._set_up_totp(device_name, prefer), "authenticator app")

    def _set_up_totp(self, device_name: str | None, prefer: bool) -> Action[str]:
        reply = yield Request("AssociateSoftwareToken", {})
        secret = reply.get("SecretCode")
        if not isinstance(secret, str) or not secret:
            raise MalformedResponseError("AssociateSoftwareToken: no SecretCode")
        from authflow.states.mfa_setup import otpauth_uri  # here: an account read needs no challenge module

        uri = otpauth_uri(secret, self.username, self.totp_issuer)
        code_field = Field("code", "Code from the app", pattern=SIX_DIGITS)
        error: AuthflowError | None = None
        attempt = 1
        try:
            while True:
                answer = yield self._prompt(
                    PromptKind.TOTP_SETUP, "MFA_SETUP",
                    "Add this account to your authenticator app (scan the QR code or type the secret), then type "
                    "the 6-digit code it shows.", code_field, error=error, attempt=attempt,
                    secret_code=secret, otpauth_uri=uri)
                try:
                    verified = yield Request("VerifySoftwareToken", {
                        "UserCode": answer["code"], "FriendlyDeviceName": device_name})
                except AuthflowError as exc:
                    if exc.after_lost_connection:
                        if (yield from self._enable_totp(prefer)):
                            return secret  # the code sent when the connection broke verified it
                        exc.after_lost_connection = False  # it did not: this is Cognito's refusal of the code
                    if not isinstance(exc, EnableSoftwareTokenMFAError | CodeMismatchError | InvalidParameterError) \
                            or attempt >= MAX_ATTEMPTS:
                        raise
                    error, attempt = exc, attempt + 1
                    continue
                if verified.get("Status", "SUCCESS") != "SUCCESS":
                    error, attempt = EnableSoftwareTokenMFAError("the code was not accepted"), attempt + 1
                    continue
                break
        except SignInCancelled:
            raise  # the person stopped (Ctrl-C keeps its meaning); nothing was verified
        except AuthflowError as exc:
            raise TotpNotVerifiedError(
                f"the new authenticator was associated but not verified ({exc.code}): the previous one, if any, "
                "is still the one in use") from exc
        yield Request("SetUserMFAPreference", {
            "SoftwareTokenMfaSettings": {"Enabled": True, **({"PreferredMfa": True} if prefer else {})}})
        return secret

    def _enable_totp(self, prefer: bool) -> Action[bool]:
        """After a lost connection, Cognito refused the code sent again: whether the first sending verified the
        authenticator, found by turning TOTP MFA on (Cognito refuses that for an authenticator not verified)."""
        try:
            yield Request("SetUserMFAPreference", {
                "SoftwareTokenMfaSettings": {"Enabled": True, **({"PreferredMfa": True} if prefer else {})}})
        except InvalidParameterError:
            return False
        return True

    def enable_mfa(self, method: str, *, prefer: bool = False) -> AccountFlow[None]:
        """Turn on an MFA method (``SMS_MFA``, ``EMAIL_OTP``; ``SOFTWARE_TOKEN_MFA`` where an authenticator is
        set up). Email MFA without an email address asks one (``EMAIL_ADDRESS``); a phone number or address
        not verified yet is verified first (a ``CODE`` prompt, ``VERIFY_ATTRIBUTE``)."""
        return AccountFlow(self, lambda: self._enable_mfa(mfa_method(method), prefer), f"enable {method}")

    def _enable_mfa(self, method: str, prefer: bool) -> Action[None]:
        attribute = MFA_ATTRIBUTE.get(method)
        if attribute is not None:
            user = yield Request("GetUser", {})
            attributes = _attributes(user)
            if not attributes.get(attribute):
                if method == "SMS_MFA":
                    raise UsageError("SMS MFA needs a phone number: set phone_number first "
                                     "(authflow account attributes set phone_number=+15555550100)")
                reply = yield from self._ask_email()
                yield from self._verify_delivered(reply)
                attributes = _attributes((yield Request("GetUser", {})))
            if attributes.get(f"{attribute}_verified", "false").lower() != "true":
                yield from self._verify_attribute(attribute, send_first=True)
        settings: dict[str, Any] = {"Enabled": True}
        if prefer:
            settings["PreferredMfa"] = True
        yield from self._set_preference({SETTINGS[method]: settings})

    def _ask_email(self) -> Action[dict[str, Any]]:
        """The address for email MFA (an ``EMAIL_ADDRESS`` prompt), set with UpdateUserAttributes; an address
        Cognito refuses (its form, or another account's) is asked again with why. Returns Cognito's reply."""
        error: AuthflowError | None = None
        attempt = 1
        while True:
            answer = yield self._prompt(PromptKind.EMAIL_ADDRESS, "MFA_SETUP",
                                        "The email address to send sign-in codes to.",
                                        Field("email", "Email address"), error=error, attempt=attempt)
            try:
                return (yield Request("UpdateUserAttributes", {
                    "UserAttributes": [{"Name": "email", "Value": answer["email"].strip()}]}))
            except CognitoError as exc:
                fixable = isinstance(exc, InvalidParameterError) or exc.code == "AliasExistsException"
                if not fixable or attempt >= MAX_ATTEMPTS:
                    raise
                error, attempt = exc, attempt + 1

    def disable_mfa(self, method: str) -> AccountFlow[None]:
        """Turn an MFA method off (Cognito refuses where passkey MFA would be left alone)."""
        return AccountFlow(self, lambda: self._set_preference({SETTINGS[mfa_method(method)]: {"Enabled": False}}),
                           f"disable {method}")

    def prefer_mfa(self, method: str) -> AccountFlow[None]:
        """Make an MFA method the preferred one; one not enabled yet is turned on first as :meth:`enable_mfa`
        does (an email address asked for, a phone number or address verified), so nothing unverified is
        preferred."""
        return AccountFlow(self, lambda: self._prefer_mfa(mfa_method(method)), f"prefer {method}")

    def _prefer_mfa(self, method: str) -> Action[None]:
        if method in _mfa_settings((yield Request("GetUser", {}))).enabled:
            yield from self._set_preference({SETTINGS[method]: {"Enabled": True, "PreferredMfa": True}})
        else:
            yield from self._enable_mfa(method, prefer=True)

    def set_passkey_mfa(self, enabled: bool) -> AccountFlow[None]:
        """Passkey MFA on or off (WebAuthnMfaSettings), sent with the user's other enabled methods in the same
        request, as Cognito wants them. Cognito refuses passkey MFA alone: :class:`PasskeyMfaError` says why."""
        return AccountFlow(self, lambda: self._passkey_mfa(enabled), f"passkey MFA {'on' if enabled else 'off'}")

    def _passkey_mfa(self, enabled: bool) -> Action[None]:
        current = _mfa_settings((yield Request("GetUser", {})))
        if enabled and not current.enabled:
            raise PasskeyMfaError("passkey MFA needs another MFA method enabled beside it (an authenticator app, "
                                  "SMS or email): turn one on first, e.g. authflow account mfa totp")
        parameters: dict[str, Any] = {SETTINGS[m]: {"Enabled": True, **({"PreferredMfa": True}
                                                                        if m == current.preferred else {})}
                                      for m in current.enabled}
        parameters["WebAuthnMfaSettings"] = {"Enabled": enabled}
        try:
            yield Request("SetUserMFAPreference", parameters)
        except InvalidParameterError as exc:  # the other methods went with it: Cognito's own reason, unguessed
            raise PasskeyMfaError(f"passkey MFA {'on' if enabled else 'off'} was refused: {exc.message}",
                                  exc) from exc

    def _set_preference(self, parameters: dict[str, Any]) -> Action[None]:
        try:
            yield Request("SetUserMFAPreference", parameters)
        except InvalidParameterError as exc:
            text = exc.message.lower()
            if "passkey" in text or "webauthn" in text:
                raise PasskeyMfaError(
                    "passkey MFA is on, and it needs another MFA method enabled beside it: turn passkey MFA off "
                    f"first (authflow account mfa passkey off). Cognito said: {exc.message}", exc) from exc
            totp = parameters.get(SETTINGS["SOFTWARE_TOKEN_MFA"]) or {}
            # no authenticator app verified yet: Cognito says "User does not have delivery config set to turn on
            # SOFTWARE_TOKEN_MFA" (older answers: "User has not verified software token mfa")
            if totp.get("Enabled") and ("software_token_mfa" in text or "software token" in text):
                exc.advice = ("No authenticator app is set up yet: add one with `authflow account mfa totp` "
                              "(it is then enabled and preferred).")
            raise

    # --- attributes ---------------------------------------------------------------------------------

    def update_attributes(self, values: Mapping[str, str], *, verify: bool = True,
                          delete: Iterable[str] = ()) -> AccountFlow[tuple[str, ...]]:
        """UpdateUserAttributes; where Cognito sends a verification code, the code is asked in the same flow
        (``verify=False``: verify later with :meth:`verify_attribute`). Returns the attributes still to verify.
        ``delete``: attributes removed first (DeleteUserAttributes), in the same flow; then ``values`` may be
        empty."""
        removed = list(delete)
        if not values and not removed:
            raise UsageError("no attribute to set: give NAME=VALUE")
        return AccountFlow(self, lambda: self._update_attributes(dict(values), verify, removed), "update attributes")

    def _update_attributes(self, values: dict[str, str], verify: bool,
                           removed: list[str] | None = None) -> Action[tuple[str, ...]]:
        if removed:
            yield Request("DeleteUserAttributes", {"UserAttributeNames": removed})
        if not values:
            return ()
        reply = yield Request("UpdateUserAttributes", {
            "UserAttributes": [{"Name": k, "Value": v} for k, v in values.items()]})
        pending = tuple(_delivered(reply))
        if not verify:
            return pending
        try:
            yield from self._verify_delivered(reply)
        except SignInCancelled:
            raise
        except AuthflowError as exc:
            unverified = AttributeNotVerifiedError(f"{', '.join(pending)} changed but not verified ({exc})")
            unverified.reason = exc
            unverified.advice = ("The new value stands, unverified: verify it later (Account.verify_attribute, or "
                                 f"`authflow account attributes verify {' '.join(pending)}`).")
            raise unverified from exc
        return ()

    def _verify_delivered(self, reply: Mapping[str, Any]) -> Action[None]:
        for name, details in _delivered(reply).items():
            yield from self._verify_attribute(name, details=details)

    def verify_attribute(self, name: str, *, resend: bool = True) -> AccountFlow[bool]:
        """Verify ``email`` or ``phone_number``: a new code (GetUserAttributeVerificationCode) unless
        ``resend=False`` (one was sent already), the ``CODE`` prompt, VerifyUserAttribute. Returns True once
        verified; without ``resend``, False when it was verified already (nothing is sent or asked), and the
        prompt carries no delivery (no code was sent just now) and offers a new code. Another attribute, or one
        the account does not have, is a :class:`~authflow.errors.UsageError` before anything is sent."""
        if name not in MFA_ATTRIBUTE.values():
            raise UsageError(f"only email and phone_number are verified with a code, not {name!r}")
        return AccountFlow(self, lambda: self._verify_later(name, resend), f"verify {name}")

    def _verify_later(self, name: str, resend: bool) -> Action[bool]:
        attributes = _attributes((yield Request("GetUser", {})))
        if not attributes.get(name):
            raise UsageError(f"the account has no {name.replace('_', ' ')} to verify: set one first "
                             f"(authflow account attributes set {name}=...)")
        if not resend and attributes.get(f"{name}_verified", "false").lower() == "true":
            return False  # nothing to do (a new code asked for explicitly is still sent)
        yield from self._verify_attribute(name, send_first=resend)
        return True

    def _verify_attribute(self, name: str, *, send_first: bool = False,
                          details: Mapping[str, Any] | None = None) -> Action[None]:
        if send_first:
            reply = yield Request("GetUserAttributeVerificationCode", {"AttributeName": name})
            details = _details(reply)
        details = details or {}
        error: AuthflowError | None = None
        attempt = 1
        while True:
            answer = yield self._prompt(
                PromptKind.CODE, VERIFY_ATTRIBUTE, f"The code that verifies your {name.replace('_', ' ')}"
                + (f", sent to {details['Destination']}." if details.get("Destination") else "."),
                Field("code", "Verification code", pattern=DELIVERED_CODE), error=error, attempt=attempt,
                destination=details.get("Destination"), delivery_medium=details.get("DeliveryMedium"),
                resend=RESEND, parameters={"attribute_name": name})
            if wants_resend(answer):
                details = _details((yield Request("GetUserAttributeVerificationCode", {"AttributeName": name})))
                error, attempt = None, 1
                continue
            try:
                yield Request("VerifyUserAttribute", {"AttributeName": name, "Code": answer["code"]})
                return None
            except (CodeMismatchError, ExpiredCodeError) as exc:
                if exc.after_lost_connection:  # the code sent when the connection broke may have verified it
                    verified = _attributes((yield Request("GetUser", {}))).get(f"{name}_verified", "")
                    if verified.lower() == "true":
                        return None
                    exc.after_lost_connection = False  # it did not: this is Cognito's refusal of the code
                if attempt >= MAX_ATTEMPTS:
                    raise
                error, attempt = exc, attempt + 1

    def delete_attributes(self, names: Iterable[str]) -> AccountFlow[None]:
        """DeleteUserAttributes."""
        listed = list(names)
        if not listed:
            raise UsageError("no attribute to delete: give NAME")
        return AccountFlow(self, lambda: self._one("DeleteUserAttributes", {"UserAttributeNames": listed}),
                           "delete attributes")

    def _one(self, operation: str, parameters: dict[str, Any]) -> Action[None]:
        yield Request(operation, parameters)
        return None

    # --- devices -----------------------------------------------------------------------------------

    def current_device_key(self) -> str | None:
        from authflow.tokencache import device_key

        return device_key(self.tokens)

    def remember_device(self, device_key: str, remembered: bool = True) -> AccountFlow[None]:
        """UpdateDeviceStatus: remembered (MFA may be skipped on it) or not_remembered."""
        return AccountFlow(self, lambda: self._one("UpdateDeviceStatus", {
            "DeviceKey": device_key, "DeviceRememberedStatus": "remembered" if remembered else "not_remembered"}),
            "remember device")

    def forget_device(self, device_key: str | None = None) -> AccountFlow[None]:
        """ForgetDevice (``None``: this sign-in's device). Forgetting the current device forgets it in the
        token cache too, so the next sign-in does not offer it."""
        return AccountFlow(self, lambda: self._forget_device(device_key), "forget device")

    def _forget_device(self, device_key: str | None) -> Action[None]:
        current = self.current_device_key()
        key = device_key or current
        if not key:
            raise UsageError("this sign-in has no device: give the DEVICE_KEY to forget")
        yield Request("ForgetDevice", {"DeviceKey": key})
        if key == current:
            self._drop_device()

    def _drop_device(self) -> None:
        """This sign-in's device was forgotten: its tokens stop naming it (a refresh sends no DEVICE_KEY, and
        the current device is none), in the token cache too, and the cache's remembered device is forgotten."""
        from authflow.tokencache import device_key

        forgotten = self.current_device_key()
        self.tokens = replace(self.tokens, new_device_metadata=None)
        if self.on_tokens is not None:
            self.on_tokens(self.tokens)
        if self.cache is not None and self.cache_key is not None:
            self.cache.forget_device(self.cache_key)
            cached = self.cache.load(self.cache_key)  # as kept now (another process may have refreshed them)
            if cached is not None and device_key(cached) == forgotten:
                self.cache.store(self.cache_key, replace(cached, new_device_metadata=None))

    # --- the whole account -------------------------------------------------------------------------

    def global_sign_out(self) -> AccountFlow[None]:
        """GlobalSignOut: every refresh token of the user stops working (this one's cache entry is forgotten)."""
        return AccountFlow(self, lambda: self._global_sign_out(), "global sign-out")

    def _global_sign_out(self) -> Action[None]:
        yield Request("GlobalSignOut", {})
        if self.cache is not None and self.cache_key is not None:
            self.cache.forget(self.cache_key)

    def delete(self, confirm: str | None = None) -> AccountFlow[None]:
        """DeleteUser, after the person types the username (a ``CONFIRM`` prompt) unless ``confirm`` is it.
        The cached tokens and device of the user are forgotten."""
        return AccountFlow(self, lambda: self._delete(confirm), "delete account")

    def _delete(self, confirm: str | None) -> Action[None]:
        if confirm is not None and confirm != self.username:
            raise UsageError("the confirmation is not the username: the account was not deleted")
        error: AuthflowError | None = None
        attempt = 1
        while confirm != self.username:
            answer = yield self._prompt(
                PromptKind.CONFIRM, "DELETE_USER",
                f"Deleting the account {self.username} cannot be undone. Type the username to confirm.",
                Field("confirm", "Username"), error=error, attempt=attempt)
            confirm = answer["confirm"].strip()
            if confirm != self.username:
                if attempt >= 3:
                    raise SignInCancelled("the username was not typed: the account was not deleted")
                error, attempt = MissingAnswerError("that is not the username"), attempt + 1
        try:
            yield Request("DeleteUser", {})
        except (UserNotFoundError, NotAuthorizedError) as exc:
            if not exc.after_lost_connection:
                raise
            # DeleteUser sent again after the connection broke: the first sending may have deleted the account.
            if self.cache is not None and self.cache_key is not None:  # its tokens no longer work either way
                self.cache.forget(self.cache_key)
            if not isinstance(exc, UserNotFoundError):  # revoked tokens: most likely deleted, not certainly
                exc.advice = ("The account was most likely deleted when the connection broke (Cognito then revokes "
                              "its tokens): signing in again says whether it still exists.")
                raise
        if self.cache is not None and self.cache_key is not None:
            self.cache.forget(self.cache_key)
            self.cache.forget_device(self.cache_key)


#: Error codes of a server that does not know an operation (as authflow.transport tells them; a bare HTTP status
#: means the answer was not a Cognito error at all: moto answers an operation it lacks with an HTML page).
_UNKNOWN_OPERATION_CODES = frozenset({
    "UnsupportedOperationException", "UnknownOperationException", "InvalidAction", "NotImplemented",
})


def _no_such_operation(exc: CognitoError) -> bool:
    return exc.code in _UNKNOWN_OPERATION_CODES or isinstance(exc, NotCognitoError)


def _factors(reply: Mapping[str, Any]) -> tuple[str, ...]:
    factors = reply.get("ConfiguredUserAuthFactors") or []
    if not isinstance(factors, list) or not all(isinstance(f, str) for f in factors):
        raise MalformedResponseError("ConfiguredUserAuthFactors is not a list of names")
    return tuple(factors)


def _details(reply: Mapping[str, Any]) -> dict[str, Any]:
    details = reply.get("CodeDeliveryDetails")
    return dict(details) if isinstance(details, Mapping) else {}


def _delivered(reply: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """UpdateUserAttributes' CodeDeliveryDetailsList by attribute name."""
    listed = reply.get("CodeDeliveryDetailsList") or []
    if not isinstance(listed, list):
        raise MalformedResponseError("CodeDeliveryDetailsList is not a list")
    return {str(d["AttributeName"]): d for d in listed if isinstance(d, Mapping) and d.get("AttributeName")}
