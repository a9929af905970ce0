"""A failure said in one line, one way for every command:

    authflow: <what happened> (<the Cognito error code, or the local failure's code>). <what to do>

The code in parentheses is what scripts look for (the contract: the error code is named on stderr); what to do
is said only where it can help: the pool id and client id are named only when Cognito says that the pool or
the client does not exist, not after a wrong password.
"""

from __future__ import annotations

import argparse

from authflow.errors import (
    AuthflowError,
    BrowserTimeoutError,
    CodeMismatchError,
    DeadlineError,
    EndpointError,
    ExpiredCodeError,
    IncorrectCredentialsError,
    LockedOutError,
    MissingAnswerError,
    NotCognitoError,
    PasswordResetRequiredError,
    ResourceNotFoundError,
    SecretHashError,
    SessionExpiredError,
    SignInCancelled,
    TooManyRequestsError,
    UsageError,
    UserDisabledError,
    UserNotConfirmedError,
    UserNotFoundError,
)

#: Codes that only repeat the kind of failure (a Python class name to a person): not shown.
_PLAIN = frozenset({"UsageError", "AuthflowError", "Cancelled"})


def error_line(error: AuthflowError, args: argparse.Namespace | None = None) -> str:
    """``error`` as the one line the ``authflow`` command prints (without a newline)."""
    what = _what(error)
    if error.after_lost_connection:
        from authflow.labels import LOST_CONNECTION

        what = f"{LOST_CONNECTION.rstrip('.')}: {what}"
    code = "" if error.code in _PLAIN else f" ({error.code})"
    todo = getattr(error, "advice", "") or advice(error, args)
    if error.after_lost_connection and not todo:
        todo = "Run the command again (a new sign-in)."
    return f"authflow: {what}{code}." + (f" {todo}" if todo else "")


def _what(error: AuthflowError) -> str:
    text = " ".join((error.message or error.code).split()).rstrip(". ")
    words = text.split(" ", 2)
    first, second = words[0], words[1] if len(words) > 1 else ""
    # "Incorrect username" -> "incorrect username"; not "SMS", nor a name of two capitalised words ("Access Token")
    if first[:1].isupper() and first[1:].islower() and not second[:1].isupper():
        text = text[:1].lower() + text[1:]
    return text


def _flag(args: argparse.Namespace | None, name: str) -> str:
    value = getattr(args, name, None) if args is not None else None
    return str(value) if value else "?"


#: The settings other than --endpoint-url that name a server a command calls.
_OTHER_SERVERS = (("identity_endpoint_url", "--identity-endpoint-url (AUTHFLOW_IDENTITY_ENDPOINT_URL)"),
                  ("domain", "--domain (AUTHFLOW_DOMAIN)"))


def _unreachable_setting(error: AuthflowError, args: argparse.Namespace | None) -> str:
    """The setting that names the server ``error`` could not reach: the identity pool's endpoint or the domain
    when the message names its host (and it is not --endpoint-url's too), else --endpoint-url / --region."""
    from urllib.parse import urlsplit

    def host(name: str) -> str:
        value = getattr(args, name, None) if args is not None else None
        return urlsplit(str(value)).netloc if value else ""

    for name, setting in _OTHER_SERVERS:
        if host(name) and host(name) != host("endpoint_url") and host(name) in error.message:
            return setting
    return "--endpoint-url / --region"


def admin_confirm(args: argparse.Namespace | None) -> str:
    """How an administrator confirms an account that no code can confirm (AdminConfirmSignUp, AWS credentials)."""
    endpoint = getattr(args, "endpoint_url", None) if args is not None else None
    local = f" --endpoint-url {endpoint}" if endpoint else ""
    return (f"An administrator of the user pool confirms the account: `aws cognito-idp admin-confirm-sign-up "
            f"--user-pool-id {_flag(args, 'pool_id')} --username {_flag(args, 'username')}{local}`.")


def advice(error: AuthflowError, args: argparse.Namespace | None) -> str:
    """What a person can do about ``error`` (empty when the message already says, or nothing helps)."""
    command = f"authflow confirm-sign-up --username {_flag(args, 'username')}"
    endpoint = (f"Check --endpoint-url (AUTHFLOW_ENDPOINT_URL, now {_flag(args, 'endpoint_url')}): it must be a "
                "Cognito user pool endpoint, such as the URL `authflow local-pool` prints, or unset for AWS.")
    if isinstance(error, NotCognitoError):
        if error.answered_before:  # the right endpoint, which failed on this one call
            failed = error.operation or "this call"
            return (f"The same endpoint answered earlier calls as Cognito does, so it is the right one: it failed "
                    f"on {failed}, which a test server may not serve. Try again; if it keeps failing, that "
                    f"server cannot do {failed}.")
        return endpoint
    if error.code == "UnknownOperationException":  # what Cognito says to a call it has no operation for
        operation = getattr(error, "operation", None)
        return f"The endpoint does not know {operation or 'this call'}. {endpoint}"
    if isinstance(error, ResourceNotFoundError):
        text = error.message.lower()
        if "identitypool" in text or "identity pool" in text or getattr(error, "operation", None) in ("GetId",):
            return f"Check the identity pool id ({_flag(args, 'identity_pool_id')})."
        if "client" in text or "pool" in text:
            return f"Check the pool id ({_flag(args, 'pool_id')}) and the client id ({_flag(args, 'client_id')})."
        if "credential" in text:
            return "`authflow passkey list` shows the ids of this user's passkeys."
        return ""
    if isinstance(error, IncorrectCredentialsError):
        if _flag(args, "auth_flow") in ("USER_SRP_AUTH", "CUSTOM_AUTH"):  # SRP mixes the pool id into the proof
            return (f"Check the username and the password; with SRP a wrong pool id ({_flag(args, 'pool_id')}) is "
                    "refused the same way, so check it too if the password is right.")
        return "Check the username and the password (AUTHFLOW_PASSWORD when not asked)."
    if isinstance(error, UserNotFoundError):
        return "Check the username (an alias such as an email works only where the pool allows it)."
    if isinstance(error, LockedOutError):
        return "Too many wrong answers: wait a few minutes before trying again."
    if isinstance(error, UserDisabledError):
        return "An administrator of the user pool must enable the user."
    if isinstance(error, SecretHashError):
        return "Check the client secret (--client-secret, AUTHFLOW_CLIENT_SECRET)."
    if isinstance(error, SessionExpiredError):
        return "The sign-in took too long: run the command again."
    if error.code == "NoConfirmationCode" or "auto verification not turned on" in error.message.lower():
        # SignUp sent no code, or ResendConfirmationCode has nowhere to send one: no code can ever confirm it
        nowhere = "" if error.code == "NoConfirmationCode" else (
            "Cognito has no email address or phone number of this account that it verifies, so no code can "
            "confirm it: ")
        return nowhere + admin_confirm(args)
    if error.code == "UsernameExistsException":  # sign-up of a name that is taken
        name = _flag(args, "username")
        return (f"Choose another username; if the account is yours, sign in (authflow login --username {name}), "
                f"or confirm it if it never was ({command} --resend).")
    text = error.message.lower()
    if "cannot be reset in the current state" in text:  # ForgotPassword for a FORCE_CHANGE_PASSWORD user
        return (f"The password is a temporary one from an administrator: sign in with it (authflow login "
                f"--username {_flag(args, 'username')}) and choose a new one there.")
    if "no registered/verified email or phone_number" in text:  # ForgotPassword with nowhere verified
        return ("Cognito sends a reset code only to a verified email address or phone number: sign in and verify "
                "one (authflow account attributes verify email), or an administrator sets a new password "
                f"(`aws cognito-idp admin-set-user-password --user-pool-id {_flag(args, 'pool_id')} --username "
                f"{_flag(args, 'username')} --password ...`).")
    if isinstance(error, UserNotConfirmedError):
        return f"Confirm the account first: {command}."
    if isinstance(error, PasswordResetRequiredError):
        return f"Reset the password first: authflow reset-password --username {_flag(args, 'username')}."
    if isinstance(error, CodeMismatchError | ExpiredCodeError):
        return "Run the command again with a new code."
    if isinstance(error, TooManyRequestsError):
        return "Cognito is throttling requests: try again in a moment."
    if isinstance(error, EndpointError):
        return f"Check the network, and {_unreachable_setting(error, args)}."
    if isinstance(error, BrowserTimeoutError):  # nobody came back from the browser: not a slow server
        return ("Run it again and finish the sign-in in the browser (--browser-timeout SECONDS waits longer; "
                "--no-browser prints the address to open anywhere).")
    if isinstance(error, DeadlineError):
        return "The server answers too slowly: try again later (--deadline sets the limit)."
    if isinstance(error, (MissingAnswerError, UsageError, SignInCancelled)):
        return ""
    return ""
