"""The one exception the local user pool raises: a Cognito error code, a message and an HTTP status.

Messages are Cognito's own wording (see docs/protocol.md, "Errors and lockout") and never
carry a secret: no password, code, TOTP secret, session or token is ever formatted into one.
"""

from __future__ import annotations

INCORRECT_CREDENTIALS = "Incorrect username or password."
USER_NOT_FOUND = "User does not exist."
USER_DISABLED = "User is disabled."
USER_NOT_CONFIRMED = "User is not confirmed."
PASSWORD_RESET_REQUIRED = "Password reset required for the user"
PASSWORD_ATTEMPTS_EXCEEDED = "Password attempts exceeded"
SESSION_UNKNOWN = "Invalid session for the user."
SESSION_USED = "Invalid session for the user, session can only be used once."
SESSION_EXPIRED = "Invalid session for the user, session is expired."
CODE_MISMATCH = "Invalid code or auth state for the user."
TOTP_REUSED = "Your software token has already been used once."
TOO_MANY_CODE_ATTEMPTS = (
    "Too many invalid credentials attempts. User temporarily locked. Please try again after few seconds."
)
TOTP_SETUP_MISMATCH = "Code mismatch and fail enable Software Token MFA"
DEVICE_NOT_FOUND = "Device does not exist."
INVALID_REFRESH_TOKEN = "Invalid Refresh Token"


class PoolError(Exception):
    """An error answer: ``{"__type": code, "message": message}`` with HTTP ``status``.

    ``keep_session``: raised while answering a challenge, the Session survives for another try
    (a wrong code, a new password that breaks the policy, a missing parameter); otherwise it is consumed.
    """

    def __init__(self, code: str, message: str, status: int = 400, *, keep_session: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.keep_session = keep_session

    def body(self) -> dict[str, str]:
        return {"__type": self.code, "message": self.message}


def not_authorized(message: str = INCORRECT_CREDENTIALS) -> PoolError:
    return PoolError("NotAuthorizedException", message)


def invalid_parameter(message: str) -> PoolError:
    return PoolError("InvalidParameterException", message)


def missing_parameter(name: str) -> PoolError:
    return PoolError("InvalidParameterException", f"Missing required parameter {name}", keep_session=True)


def resource_not_found(message: str) -> PoolError:
    return PoolError("ResourceNotFoundException", message)


def user_not_found() -> PoolError:
    return PoolError("UserNotFoundException", USER_NOT_FOUND)


#: UserNotFoundException's message in the code operations (ForgotPassword, ConfirmForgotPassword, SignUp's
#: confirmation and its resending) with PreventUserExistenceErrors LEGACY; sign-in says USER_NOT_FOUND.
NO_SUCH_USERNAME = "Username/client id combination not found."


def username_not_found() -> PoolError:
    return PoolError("UserNotFoundException", NO_SUCH_USERNAME)


def code_mismatch() -> PoolError:
    return PoolError("CodeMismatchException", CODE_MISMATCH)


def internal_error(message: str = "Internal server error.") -> PoolError:
    return PoolError("InternalErrorException", message, status=500)
