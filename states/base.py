"""What every challenge module works with: the challenge as received, and small parsing helpers.

Modules in ``states/`` are pure: no I/O, no boto3, no clock or randomness of their own. Each turns a
challenge into a :class:`~authflow.prompts.Prompt` (what to ask) and an answer into ChallengeResponses
(what to send). The engine adds the parts common to every response (USERNAME, SECRET_HASH, DEVICE_KEY).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from authflow.errors import AuthflowError, MalformedResponseError, MissingAnswerError
from authflow.prompts import Field, Prompt, PromptKind

#: Six digits, as SoftwareTokenMFAUserCodeType requires.
TOTP_CODE = r"^[0-9]{6}$"
#: Codes Cognito delivers by SMS or email: six digits by default, eight for some passwordless setups.
DELIVERED_CODE = r"^[0-9]{6,8}$"


@dataclass(frozen=True)
class Challenge:
    """One challenge as Cognito sent it."""

    name: str  # ChallengeName
    parameters: Mapping[str, str] = field(default_factory=dict)  # ChallengeParameters
    username: str = ""  # what the person typed (may be an alias)
    user_id: str = ""  # the internal username Cognito wants back as USERNAME
    available_challenges: tuple[str, ...] = ()  # top-level AvailableChallenges (USER_AUTH)


def require(challenge: Challenge, key: str) -> str:
    """A ChallengeParameter that must be present and non-empty."""
    value = challenge.parameters.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedResponseError(f"{challenge.name} arrived without {key}")
    return value


def json_string_list(challenge: Challenge, key: str, *, required: bool = True) -> tuple[str, ...]:
    """A ChallengeParameter holding a JSON array of strings (MFAS_CAN_SETUP, requiredAttributes...)."""
    raw = challenge.parameters.get(key)
    if raw is None or raw == "":
        if required:
            raise MalformedResponseError(f"{challenge.name} arrived without {key}")
        return ()
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise MalformedResponseError(f"{challenge.name}: {key} is not a JSON array") from exc
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedResponseError(f"{challenge.name}: {key} is not a JSON array of strings")
    return tuple(value)


def json_string_map(challenge: Challenge, key: str) -> dict[str, str]:
    """A ChallengeParameter holding a JSON object (userAttributes); absent means empty."""
    raw = challenge.parameters.get(key)
    if raw is None or raw == "":
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise MalformedResponseError(f"{challenge.name}: {key} is not a JSON object") from exc
    if not isinstance(value, dict):
        raise MalformedResponseError(f"{challenge.name}: {key} is not a JSON object")
    return {str(k): str(v) for k, v in value.items()}


def answer_value(answer: Mapping[str, str], name: str, what: str) -> str:
    """The answer's field ``name``, stripped; a missing or empty value is a MissingAnswerError."""
    value = answer.get(name)
    if value is None or not str(value).strip():
        raise MissingAnswerError(f"no {what} was given")
    return str(value).strip()


def clean_code(code: str) -> str:
    """A pasted code without the spaces and dashes people paste with it."""
    return re.sub(r"[\s\-]", "", code)


def code_field(pattern: str, label: str = "Code") -> Field:
    return Field(name="code", label=label, pattern=pattern)


def choice_field(label: str, choices: tuple[str, ...]) -> Field:
    return Field(name="choice", label=label, choices=choices)


def choice_prompt(
    kind: PromptKind,
    challenge: Challenge,
    label: str,
    intro: str,
    options: tuple[str, ...],
    labels: Mapping[str, str],
    error: AuthflowError | None,
    attempt: int,
) -> Prompt:
    """A prompt that picks one of ``options`` (Cognito's names), each explained by ``labels``."""
    return Prompt(
        kind=kind,
        challenge_name=challenge.name,
        fields=(choice_field(label, options),),
        message=intro + "; ".join(f"{o} ({labels.get(o, o)})" for o in options),
        username=challenge.username,
        choices=options,
        parameters=dict(challenge.parameters),
        error=error,
        attempt=attempt,
    )


def chosen(answer: Mapping[str, str], choices: tuple[str, ...], what: str) -> str:
    """The chosen option, which must be one of ``choices``."""
    value = answer_value(answer, "choice", what)
    if value not in choices:
        raise MissingAnswerError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return value
