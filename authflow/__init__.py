"""authflow: sign in to Amazon Cognito user pools through every challenge.

    from authflow import UserPool, ScriptedHandler, sign_in
    pool = UserPool("us-east-1_AbC", "client-id", endpoint_url="http://127.0.0.1:9229")
    tokens = sign_in(pool, "alice", ScriptedHandler(password=..., totp_secret=...))
"""

from authflow.errors import (
    AuthflowError,
    CodeMismatchError,
    CognitoError,
    ExpiredCodeError,
    IncorrectCredentialsError,
    InvalidPasswordError,
    MalformedResponseError,
    MissingAnswerError,
    NotAuthorizedError,
    PasswordResetRequiredError,
    ProtocolError,
    SessionExpiredError,
    SignInCancelled,
    SRPError,
    TooManyRequestsError,
    UnexpectedChallengeError,
    UnsupportedChallengeError,
    UserNotConfirmedError,
    UserNotFoundError,
)
from authflow.flow import AuthFlow, Handler, Step, sign_in
from authflow.handlers import ScriptedHandler, TotpCodes
from authflow.many import RateLimit, SignInRequest, SignInResult, sign_in_many
from authflow.prompts import Field, Prompt, PromptKind
from authflow.tokens import Tokens
from authflow.transport import UserPool

__version__ = "0.1.0"

__all__ = [
    "AuthFlow",
    "AuthflowError",
    "CodeMismatchError",
    "CognitoError",
    "ExpiredCodeError",
    "Field",
    "Handler",
    "IncorrectCredentialsError",
    "InvalidPasswordError",
    "MalformedResponseError",
    "MissingAnswerError",
    "NotAuthorizedError",
    "PasswordResetRequiredError",
    "Prompt",
    "PromptKind",
    "ProtocolError",
    "RateLimit",
    "SRPError",
    "ScriptedHandler",
    "SessionExpiredError",
    "SignInCancelled",
    "SignInRequest",
    "SignInResult",
    "Step",
    "Tokens",
    "TooManyRequestsError",
    "TotpCodes",
    "UnexpectedChallengeError",
    "UnsupportedChallengeError",
    "UserNotConfirmedError",
    "UserNotFoundError",
    "UserPool",
    "sign_in",
    "sign_in_many",
]
