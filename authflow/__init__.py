"""authflow: sign in to Amazon Cognito user pools through every challenge.

    from authflow import UserPool, ScriptedHandler, sign_in
    pool = UserPool("us-east-1_AbC", "client-id", endpoint_url="http://127.0.0.1:9229")
    tokens = sign_in(pool, "alice", ScriptedHandler(password=..., totp_secret=...))

The public names are imported on first use (``authflow.UserPool`` brings botocore in, ``authflow.errors``
does not), so that ``import authflow`` and the ``authflow`` command start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authflow.account import Account, AccountFlow, AccountInfo, AccountStep
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

#: Where each public name lives.
_HOMES: dict[str, tuple[str, ...]] = {
    "authflow.account": ("Account", "AccountFlow", "AccountInfo", "AccountStep"),
    "authflow.errors": (
        "AuthflowError",
        "CodeMismatchError",
        "CognitoError",
        "ExpiredCodeError",
        "IncorrectCredentialsError",
        "InvalidPasswordError",
        "MalformedResponseError",
        "MissingAnswerError",
        "NotAuthorizedError",
        "PasswordResetRequiredError",
        "ProtocolError",
        "SRPError",
        "SessionExpiredError",
        "SignInCancelled",
        "TooManyRequestsError",
        "UnexpectedChallengeError",
        "UnsupportedChallengeError",
        "UserNotConfirmedError",
        "UserNotFoundError",
    ),
    "authflow.flow": ("AuthFlow", "Handler", "Step", "sign_in"),
    "authflow.handlers": ("ScriptedHandler", "TotpCodes"),
    "authflow.many": ("RateLimit", "SignInRequest", "SignInResult", "sign_in_many"),
    "authflow.prompts": ("Field", "Prompt", "PromptKind"),
    "authflow.tokens": ("Tokens",),
    "authflow.transport": ("UserPool",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "Account",
    "AccountFlow",
    "AccountInfo",
    "AccountStep",
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


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'authflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found once; later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
