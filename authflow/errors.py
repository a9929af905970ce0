"""One hierarchy of typed errors.

Every error carries ``code``: the Cognito error code (``NotAuthorizedException``...) when Cognito said
no, or a local code (``SRPError``, ``MalformedResponse``...) when we did. No error ever carries a
password, a code, a TOTP secret, a session or a token: messages are Cognito's own text or ours.

    AuthflowError
    +-- CognitoError                      any error answer from Cognito (.code, .operation)
    |   +-- NotAuthorizedError
    |   |   +-- IncorrectCredentialsError "Incorrect username or password."
    |   |   +-- SessionExpiredError       "Invalid session for the user, session is expired."
    |   |   +-- InvalidSessionError       session used twice, superseded or unknown
    |   |   +-- UserDisabledError, LockedOutError, SecretHashError
    |   +-- UserNotFoundError, UserNotConfirmedError, PasswordResetRequiredError
    |   +-- RefreshTokenReuseError        a rotated-out refresh token used after its grace period
    |   +-- CodeMismatchError             wrong code: the same session may be retried
    |   +-- ExpiredCodeError              code expired or TOTP code already used: retry with a new one
    |   +-- InvalidPasswordError          new password breaks the policy: retry with another
    |   +-- TooManyRequestsError          throttled (botocore already retried)
    |   +-- ResourceNotFoundError
    |   |   +-- DeviceNotFoundError       the remembered device is not known (forgotten on the server)
    |   +-- InvalidParameterError, ...
    +-- ProtocolError                     Cognito's answer makes no sense to us
    |   +-- UnsupportedChallengeError     a ChallengeName we do not handle
    |   |   +-- UnexpectedChallengeError  a known one, where the transition table has no row for it
    |   +-- MalformedResponseError        a field missing or of the wrong shape
    |   +-- SRPError                      an SRP value that fails a safety check (B mod N, u, A)
    +-- PasskeyError                      an authenticator gave no passkey answer (authflow.passkeys)
    |   +-- NoSecurityKeyError, PasskeyTimeoutError, PinInvalidError, PasskeyCancelled,
    |       NoPasskeyForPoolError, PasskeyFileError
    +-- MissingAnswerError                the handler had no answer (non-interactive runs)
    +-- InvalidAnswerError                an answer refused before anything was sent (breaks the field's pattern)
    |   +-- RepeatedAnswerError           the answer Cognito just refused, given again: not sent twice
    +-- SignInCancelled                   the person left or the handler gave up
    |   +-- Interrupted, EndOfInput       Ctrl-C, Ctrl-D at a prompt
    +-- UsageError                        a setting or answer given to a command is not usable (exit 2)
    |   +-- InvalidTotpSecretError        a TOTP secret that is not base32, naming where it came from
    +-- UnexpectedError                   a batch sign-in stopped on something else (a handler's bug)
    +-- FlowStateError                    the step API was called out of order
    |   +-- SnapshotError                 a snapshot that cannot be resumed
    +-- EndpointError                     the endpoint could not be reached
    |   +-- ConnectionLostError           the connection broke after the request went: it may have arrived
    +-- UnknownOperationError             UserPool.call of an operation cognito-idp does not have
    +-- DeadlineError                     a read timeout, a call timeout or the sign-in's deadline passed
"""

from __future__ import annotations


class AuthflowError(Exception):
    """Base of every authflow error. ``code`` names the Cognito error code or the local failure; ``advice``,
    when set, says what a person can do about it (the ``authflow`` command prints it after the error)."""

    code: str = "AuthflowError"
    advice: str = ""
    #: True when the same challenge may be answered again in the same session.
    retryable: bool = False
    #: Set by the sign-in on Cognito's refusal of an answer sent again after a lost connection: the first sending
    #: may have reached Cognito and used the Session or the code (what a person is told says so).
    after_lost_connection: bool = False

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


# --- Cognito's own errors ------------------------------------------------------------------------


class CognitoError(AuthflowError):
    """Cognito answered with an error. ``operation`` is the API call (``RespondToAuthChallenge``...)."""

    code = "CognitoError"

    def __init__(self, message: str = "", *, code: str | None = None, operation: str | None = None) -> None:
        super().__init__(message, code=code)
        self.operation = operation


class NotAuthorizedError(CognitoError):
    code = "NotAuthorizedException"


class IncorrectCredentialsError(NotAuthorizedError):
    """Wrong password (or, with PreventUserExistenceErrors, an unknown user)."""


class SessionExpiredError(NotAuthorizedError):
    """The Session outlived the pool's AuthSessionValidity (3 minutes by default): start over."""


class InvalidSessionError(NotAuthorizedError):
    """The Session was already used, superseded, or never issued."""


class UserDisabledError(NotAuthorizedError):
    pass


class LockedOutError(NotAuthorizedError):
    """Too many failed attempts: Cognito locks the user out for a while."""


class SecretHashError(NotAuthorizedError):
    """SECRET_HASH missing or wrong: the app client has a secret and it does not match."""


class UserNotFoundError(CognitoError):
    code = "UserNotFoundException"


class UserNotConfirmedError(CognitoError):
    code = "UserNotConfirmedException"


class NoConfirmationCodeError(AuthflowError):
    """SignUp made the account, unconfirmed, and Cognito sent no code (no CodeDeliveryDetails: the pool verifies
    neither email nor phone number automatically, or the user has neither): no code can confirm it, an
    administrator does (AdminConfirmSignUp), or a pre-sign-up trigger."""

    code = "NoConfirmationCode"


class PasswordResetRequiredError(CognitoError):
    code = "PasswordResetRequiredException"


class RefreshTokenReuseError(CognitoError):
    """A refresh token that rotation replaced, used after its grace period: sign in again."""

    code = "RefreshTokenReuseException"


class CodeMismatchError(CognitoError):
    code = "CodeMismatchException"
    retryable = True


class ExpiredCodeError(CognitoError):
    code = "ExpiredCodeException"
    retryable = True


class EnableSoftwareTokenMFAError(CognitoError):
    """VerifySoftwareToken refused the first TOTP code of a setup; another code may be tried."""

    code = "EnableSoftwareTokenMFAException"
    retryable = True


class InvalidPasswordError(CognitoError):
    """The new password breaks the pool's password policy; another may be tried."""

    code = "InvalidPasswordException"
    retryable = True


class TooManyRequestsError(CognitoError):
    code = "TooManyRequestsException"


class InvalidParameterError(CognitoError):
    code = "InvalidParameterException"


class ResourceNotFoundError(CognitoError):
    code = "ResourceNotFoundException"


class DeviceNotFoundError(ResourceNotFoundError):
    """The DEVICE_KEY sent is not a device Cognito knows (the device was forgotten): ResourceNotFoundException
    naming a device ("Device does not exist.")."""


class InternalError(CognitoError):
    code = "InternalErrorException"


class MFAMethodNotFoundError(CognitoError):
    code = "MFAMethodNotFoundException"


class SoftwareTokenMFANotFoundError(CognitoError):
    code = "SoftwareTokenMFANotFoundException"


class UnsupportedOperationError(CognitoError):
    code = "UnsupportedOperationException"


_BY_CODE: dict[str, type[CognitoError]] = {
    cls.code: cls
    for cls in (
        NotAuthorizedError,
        UserNotFoundError,
        UserNotConfirmedError,
        PasswordResetRequiredError,
        RefreshTokenReuseError,
        CodeMismatchError,
        ExpiredCodeError,
        EnableSoftwareTokenMFAError,
        InvalidPasswordError,
        TooManyRequestsError,
        InvalidParameterError,
        ResourceNotFoundError,
        InternalError,
        MFAMethodNotFoundError,
        SoftwareTokenMFANotFoundError,
        UnsupportedOperationError,
    )
}
_BY_CODE["PasswordHistoryPolicyViolationException"] = InvalidPasswordError


def _not_authorized_subclass(message: str) -> type[NotAuthorizedError]:
    text = message.lower()
    if "session is expired" in text:
        return SessionExpiredError
    if "invalid session" in text:
        return InvalidSessionError
    if "incorrect username or password" in text:
        return IncorrectCredentialsError
    if "disabled" in text:
        return UserDisabledError
    if "attempts exceeded" in text or "temporarily locked" in text:
        return LockedOutError
    if "secret hash" in text or "secret_hash" in text or "secrethash" in text:
        return SecretHashError
    return NotAuthorizedError


class NotCognitoError(CognitoError):
    """The endpoint answered with an HTTP error that is not a Cognito error at all (a 404 with an empty body, a
    web server's error page): most likely not a Cognito endpoint. ``status`` is the HTTP status."""

    code = "NotCognitoEndpoint"

    def __init__(self, status: str, reason: str = "", operation: str | None = None) -> None:
        reason = _page_words(reason)
        reason = reason.removeprefix(f"{status} ") if reason != status else ""  # "500 Internal Server Error"
        what = f"HTTP {status}" + (f" {reason}" if reason else "")
        super().__init__(f"the endpoint answered {operation or 'a call'} with {what}, not as Cognito does",
                         operation=operation)
        self.status = status
        #: The same endpoint had answered other calls as Cognito does (it may lack this one operation).
        self.answered_before = False


def _page_words(reason: str) -> str:
    """A web server's error page (botocore gives its body as the message) as a few words for one line: its
    ``<title>``, else its text without the markup; at most 80 characters. Plain text is kept as it is."""
    import html
    import re

    if "<" not in reason:
        return reason
    title = re.search(r"<title[^>]*>(.*?)</title>", reason, re.IGNORECASE | re.DOTALL)
    text = " ".join(html.unescape(title.group(1) if title else re.sub(r"<[^>]*>?", " ", reason)).split())
    text = text.replace("<", "").replace(">", "")
    return text if len(text) <= 80 else text[:77].rstrip() + "..."


def cognito_error(code: str, message: str, operation: str | None = None) -> CognitoError:
    """The typed error for a Cognito error code and message (a bare HTTP status: NotCognitoError)."""
    if code.isdigit():
        return NotCognitoError(code, message, operation)
    cls: type[CognitoError] = _BY_CODE.get(code, CognitoError)
    if cls is NotAuthorizedError:
        cls = _not_authorized_subclass(message)
    elif cls is ResourceNotFoundError and "device" in message.lower():
        cls = DeviceNotFoundError
    return cls(message, code=code, operation=operation)


# --- local failures ------------------------------------------------------------------------------


class ProtocolError(AuthflowError):
    code = "ProtocolError"


class UnsupportedChallengeError(ProtocolError):
    code = "UnsupportedChallenge"

    def __init__(self, message: str = "", *, challenge_name: str | None = None) -> None:
        super().__init__(message)
        self.challenge_name = challenge_name


class UnexpectedChallengeError(UnsupportedChallengeError):
    """A known ChallengeName that Cognito is not expected to send at this point of the sign-in."""

    code = "UnexpectedChallenge"


class MalformedResponseError(ProtocolError):
    code = "MalformedResponse"


class SRPError(ProtocolError):
    """An SRP value failed a safety check; nothing derived from it was sent."""

    code = "SRPError"


class PasskeyError(AuthflowError):
    """An authenticator could not create a passkey or sign with one; the subclasses say why."""

    code = "PasskeyError"


class NoSecurityKeyError(PasskeyError):
    code = "NoSecurityKey"


class PasskeyTimeoutError(PasskeyError):
    code = "PasskeyTimeout"


class PinInvalidError(PasskeyError):
    code = "PinInvalid"


class PasskeyCancelled(PasskeyError):
    code = "PasskeyCancelled"


class NoPasskeyForPoolError(PasskeyError):
    """The authenticator holds no passkey for this relying party (or none that Cognito allows)."""

    code = "NoPasskeyForPool"


class PasskeyFileError(PasskeyError):
    """A software passkey file that cannot be created, read or trusted."""

    code = "PasskeyFileError"


class MissingAnswerError(AuthflowError):
    """The handler has no answer for what Cognito asks (e.g. a variable not set with --non-interactive)."""

    code = "MissingAnswer"


class InvalidAnswerError(AuthflowError):
    """An answer refused here, before anything was sent: it breaks its field's ``pattern`` (a code that is not
    6 digits...). The same prompt comes back with this error; no call was made, no attempt was used.
    ``field`` names the field; the message never holds the value."""

    code = "InvalidAnswer"

    def __init__(self, message: str = "", *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class RepeatedAnswerError(InvalidAnswerError):
    """The answer Cognito refused a moment ago, given again for the same question: it is not sent twice
    (each wrong password or code counts toward Cognito's lockout). ``refused`` is Cognito's refusal."""

    code = "RepeatedAnswer"

    def __init__(self, message: str = "", *, refused: AuthflowError | None = None) -> None:
        super().__init__(message)
        self.refused = refused


class SignInCancelled(AuthflowError):
    code = "Cancelled"


class Interrupted(SignInCancelled):
    """The person pressed Ctrl-C at a prompt."""


class EndOfInput(SignInCancelled):
    """The person pressed Ctrl-D at a prompt (or the input ended)."""


class UsageError(AuthflowError):
    """A setting or an answer given to a command is missing, not usable, or contradicts another: the
    ``authflow`` command says so in one line and exits 2."""

    code = "UsageError"


class InvalidTotpSecretError(UsageError, ValueError):
    """A TOTP secret that is not base32 (authflow.totp): the message names where it came from
    (AUTHFLOW_TOTP_SECRET, a --users entry, ScriptedHandler's totp_secret...), never the secret."""

    code = "InvalidTotpSecret"


class FlowStateError(AuthflowError):
    """The step API was used out of order (e.g. respond() after the flow finished)."""

    code = "FlowStateError"


class UnexpectedError(AuthflowError):
    """Something that is not an authflow error stopped one sign-in of a batch (a handler's KeyError, a
    worker process that died): recorded for that user while the others go on. The message names only
    the exception's type, since its text could hold anything."""

    code = "UnexpectedError"

    @classmethod
    def wrapping(cls, exc: BaseException) -> UnexpectedError:
        error = cls(f"the sign-in stopped on {type(exc).__name__}")
        error.__cause__ = None
        return error


class SnapshotError(FlowStateError, ValueError):
    """A snapshot that cannot be resumed: another version or pool, or damaged. (Also a ValueError, which
    resume() raised before.)"""

    code = "SnapshotError"


class DeadlineError(AuthflowError):
    """A deadline passed: ``code`` says which: ReadTimeout (no byte for the read timeout), CallTimeout (one
    call took longer than the pool's call timeout) or SignInDeadline (the sign-in's own deadline)."""

    code = "Deadline"


class EndpointError(AuthflowError):
    """The Cognito endpoint could not be reached. A sign-in stays where it was (the same answer may be sent
    again while its Session is valid)."""

    code = "EndpointConnectionError"


class ConnectionLostError(EndpointError):
    """The connection broke after the request was sent, before the answer came: Cognito may have received it
    (a code may have been used, a Session consumed)."""

    code = "ConnectionClosedError"


class UnknownOperationError(AuthflowError, AttributeError):
    """``UserPool.call`` of an operation that cognito-idp does not have (neither an API name such as
    ``ChangePassword`` nor a boto3 name such as ``change_password``). Also an AttributeError, which it was."""

    code = "UnknownOperation"


# --- sign-in through the browser (authflow.browser) ----------------------------------------------------


class OAuthError(AuthflowError):
    """The pool's domain refused an OAuth request, or sent the browser back with an error: ``code`` is the
    OAuth error (``invalid_grant``, ``access_denied``, ``invalid_scope``...), the message its description."""

    code = "OAuthError"


class StateMismatchError(OAuthError):
    """The redirect carried another ``state`` than the one sent: not the answer to this sign-in (a pasted
    address may be answered again: ``retryable``)."""

    code = "StateMismatch"
    retryable = True


class MalformedRedirectError(OAuthError):
    """The redirect is not one an authorization server sends (a parameter twice): not a real answer, so the
    sign-in may be answered again (``retryable``)."""

    code = "invalid_request"
    retryable = True


class IdTokenError(ProtocolError):
    """The id token failed a check: its signature by the pool's keys, ``iss``, ``aud``, ``exp`` or ``nonce``."""

    code = "InvalidIdToken"


class BrowserTimeoutError(DeadlineError):
    """No redirect came back in time (the browser was closed, or the sign-in abandoned)."""

    code = "BrowserTimeout"


class RedirectPortBusyError(UsageError):
    """The loopback redirect port is in use by another program."""

    code = "RedirectPortBusy"


class PasteError(UsageError):
    """What was pasted back is neither the redirected URL nor a code (it may be pasted again: ``retryable``)."""

    code = "MalformedPaste"
    retryable = True
