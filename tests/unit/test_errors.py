"""Cognito's error answers as typed errors (authflow.errors.cognito_error): what a message says decides the
subclass, so no driver reads Cognito's text."""

from __future__ import annotations

import pytest

from authflow.errors import (
    DeviceNotFoundError,
    IncorrectCredentialsError,
    ResourceNotFoundError,
    SessionExpiredError,
    cognito_error,
)


@pytest.mark.parametrize(
    ("code", "message", "cls"),
    [
        ("ResourceNotFoundException", "Device does not exist.", DeviceNotFoundError),
        ("ResourceNotFoundException", "device not found", DeviceNotFoundError),
        ("ResourceNotFoundException", "User pool client abc does not exist.", ResourceNotFoundError),
        ("NotAuthorizedException", "Incorrect username or password.", IncorrectCredentialsError),
        ("NotAuthorizedException", "Invalid session for the user, session is expired.", SessionExpiredError),
    ],
)
def test_the_message_decides_the_subclass(code: str, message: str, cls: type[Exception]) -> None:
    error = cognito_error(code, message, "InitiateAuth")
    assert type(error) is cls
    assert (error.code, error.message, error.operation) == (code, message, "InitiateAuth")


def test_an_unknown_device_is_still_a_resource_not_found() -> None:
    assert isinstance(cognito_error("ResourceNotFoundException", "Device does not exist."), ResourceNotFoundError)


@pytest.mark.parametrize(
    ("message", "line"),
    [
        ("Incorrect username or password.", "authflow: incorrect username or password (NotAuthorizedException)."),
        ("Access Token has been revoked", "authflow: Access Token has been revoked (NotAuthorizedException)."),
        ("Invalid Access Token", "authflow: Invalid Access Token (NotAuthorizedException)."),
        ("SMS quota exceeded", "authflow: SMS quota exceeded (NotAuthorizedException)."),
    ],
)
def test_the_line_lowercases_a_sentence_but_not_a_name(message: str, line: str) -> None:
    """The one-line form starts Cognito's sentence in lower case after "authflow: ", but leaves a name of
    capitalised words whole (it printed "access Token has been revoked")."""
    from authflow.cli.explain import error_line

    assert error_line(cognito_error("NotAuthorizedException", message, "GetUser")).startswith(line)
