"""The shape of a ``states/`` module, and what every module works with.

A state of a sign-in (a Cognito challenge such as ``SMS_MFA``, or a step of the engine's own such as
``awaiting_password``) is a :class:`State`: its name, how to ask a person (``prompt``), and what to do with
the answer (``respond``). A module owns its challenge whole: the question, the check of the answer and every
Cognito request the challenge needs. Modules are pure: no I/O, no boto3, no clock or randomness of their
own. The engine (``authflow/flow.py``) sends the requests, hands back the replies and moves along the table
in ``authflow/machine.py``, which stays the one place where the moves are written.

What a module defines
    ``STATES``: a tuple of :class:`State`, one per state it owns (usually one; MFA_SETUP owns three). The
    registry in ``states/__init__.py`` lists the modules; every state there must be a state of the table
    and the other way round (a test checks both).

How it asks for a prompt
    ``prompt(ctx) -> Prompt``: what to ask now; :func:`ask` fills in what every prompt carries (the
    challenge's name and parameters, the username, ``ctx.error`` and ``ctx.attempt``: why and how often it
    is asked again). A state without ``prompt`` waits on no one: the engine calls its ``respond`` as soon
    as the flow arrives there (PASSWORD_VERIFIER, the device steps, ``start``).

How it receives the answer and returns requests
    ``respond(ctx, answer) -> Exchange``: ``answer`` is a mapping from field name to value (empty for a
    state without prompt). ``respond`` is a generator: each ``reply = yield Request(operation, parameters)``
    asks the engine to send one Cognito operation (by its API name: ``RespondToAuthChallenge``,
    ``InitiateAuth``, ``AssociateSoftwareToken``, ``ConfirmSignUp``...) and receives Cognito's reply as a
    mapping. Parameters are the operation's request body without ``ClientId``, ``ClientMetadata``,
    ``SECRET_HASH`` / ``SecretHash`` and ``DEVICE_KEY``: the transport adds those itself. A parameter whose
    value is None is left out (``"Session": ctx.session`` before there is one). An unusable answer raises
    :class:`~authflow.errors.MissingAnswerError` (nothing is sent; the same prompt stands). Cognito's
    refusals are raised as typed errors at the ``yield``: a module may catch one and go on (another
    request, another outcome); uncaught, it ends the exchange and ``refused`` below decides.

How it ends
    ``respond`` returns an outcome. ``Follow(reply)``: a reply that carries tokens (the sign-in is done) or
    the next ChallengeName (the engine fires that event and moves to the challenge's state). ``Move(event)``:
    a local event of the table (``choose_totp_setup``, ``need_password``); the flow moves and waits at the
    new state, or runs it when it has no prompt. :func:`answer_challenge` is the common case: one
    RespondToAuthChallenge for the current challenge, then follow the reply.

Work ahead of the answer
    ``prepare(ctx)``, optional: called each time the flow starts waiting at the state, to do what does not
    need the answer while the person types it (``awaiting_password`` makes SRP's A); it leaves its result
    in ``ctx.carry``.

When an answer is refused
    ``refused(ctx, error) -> event | None``: which event of the table keeps the flow going after Cognito
    refused the answer (``retry``: the same prompt again, same Session), or None to fail the flow. The
    default, :func:`retry_when_retryable`, retries errors marked ``retryable`` (a wrong code, a weak new
    password); the engine also checks the table allows the event and that attempts are left.

What a module is handed (:class:`Context`)
    The current challenge (``ctx.challenge``: the last one Cognito sent, or, before any, an empty one named
    after the state), the usernames, the Session (kept current as replies bring a new one), the flow's
    options, the device, ``now()`` and
    ``new_ephemeral()`` (the clock and SRP randomness), and two stores: ``memory`` (strings kept across steps
    and in ``snapshot()``: the first factor chosen, the TOTP secret being set up; never a password) and
    ``carry`` (objects for a later state of this flow object only, never in a snapshot: a typed hand-off such
    as ``password_verifier.SrpHandOff``, the password and the SRP ephemeral on their way to PASSWORD_VERIFIER,
    left with its ``leave`` and taken once with its ``take``).

States that are not Cognito challenges
    They are states like any other, named in the table with their rows. ``start`` sends InitiateAuth (or
    moves to ``awaiting_password``); a flow that begins with another call (SignUp, ForgotPassword) has a
    first state whose ``respond`` sends that call, and a confirmation step (CONFIRM_SIGN_UP) is a state with
    a prompt whose ``respond`` sends ConfirmSignUp, keeps what it needs in ``memory`` and goes on with
    ``InitiateAuth`` (its Session from the reply) before returning ``Follow``. Any number of requests may be
    sent in one ``respond``.

A worked example, the whole of SMS_MFA::

    NAME = "SMS_MFA"

    def prompt(ctx: Context) -> Prompt:
        return delivered_code_prompt(ctx, "SMS", DELIVERED_CODE, "SMS")

    def respond(ctx: Context, answer: Mapping[str, str]) -> Exchange:
        return answer_challenge(ctx, code_response(answer, "SMS_MFA_CODE", "SMS code"))

    STATES = (State(NAME, respond, prompt),)

plus its rows in ``authflow/machine.py`` (where Cognito may send it from) and its module in the registry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from authflow.calls import Reply as Reply  # re-exported: a module finds its whole interface here
from authflow.calls import Request as Request
from authflow.errors import AuthflowError, MalformedResponseError, MissingAnswerError, ProtocolError
from authflow.labels import choice_label
from authflow.prompts import Field, Prompt, PromptKind
from authflow.replies import check_reply, printable
from authflow.srp import ClientEphemeral

if TYPE_CHECKING:
    from authflow.devices import Device

#: Six digits, as SoftwareTokenMFAUserCodeType requires.
TOTP_CODE = r"^[0-9]{6}$"
#: Codes Cognito delivers by SMS or email: six digits by default, eight for some passwordless setups.
DELIVERED_CODE = r"^[0-9]{6,8}$"

T = TypeVar("T")


@dataclass(frozen=True)
class Challenge:
    """One challenge as Cognito sent it."""

    name: str  # ChallengeName
    parameters: Mapping[str, str] = field(default_factory=dict)  # ChallengeParameters
    username: str = ""  # what the person typed (may be an alias)
    user_id: str = ""  # the internal username Cognito wants back as USERNAME
    available_challenges: tuple[str, ...] = ()  # top-level AvailableChallenges (USER_AUTH)


@dataclass(frozen=True)
class Follow:
    """End of an exchange: Cognito's ``reply`` holds tokens or the next ChallengeName."""

    reply: Reply = field(repr=False)


@dataclass(frozen=True)
class Move:
    """End of an exchange: fire the local ``event`` of the table."""

    event: str


Outcome = Follow | Move
#: What ``respond`` returns: a generator that yields requests, receives replies and returns an outcome.
Exchange = Generator[Request, Reply, Outcome]


@dataclass
class Context:
    """Everything a state is handed by the engine (see the module docstring)."""

    challenge: Challenge
    username: str  # what the person typed
    user_id: str  # the internal username (USERNAME in answers)
    session: str | None
    pool_name: str  # the part of the pool id after the region, as SRP uses it
    auth_flow: str
    preferred_challenge: str | None
    custom_srp: bool
    totp_issuer: str
    device: Device | None
    now: Callable[[], datetime]
    new_ephemeral: Callable[[], ClientEphemeral]
    memory: dict[str, str] = field(default_factory=dict)
    carry: dict[str, object] = field(default_factory=dict)
    error: AuthflowError | None = None  # why the previous answer to this prompt was refused
    attempt: int = 1


def retry_when_retryable(ctx: Context, error: AuthflowError) -> str | None:
    """The default answer to a refusal: ask again (same Session) when the error says it may be retried."""
    return "retry" if error.retryable else None


@dataclass(frozen=True)
class State:
    """One state of the table and how to be in it."""

    name: str
    respond: Callable[[Context, Mapping[str, str]], Exchange]
    prompt: Callable[[Context], Prompt] | None = None  # None: the engine answers without asking anyone
    refused: Callable[[Context, AuthflowError], str | None] = retry_when_retryable
    prepare: Callable[[Context], None] | None = None  # work done while the person answers (SRP's A)


def answer_challenge(ctx: Context, responses: Mapping[str, str], *, name: str | None = None) -> Exchange:
    """RespondToAuthChallenge to the current challenge (or ``name``) as the internal username; follow the reply."""
    reply = yield Request("RespondToAuthChallenge", {
        "ChallengeName": name or ctx.challenge.name,
        "ChallengeResponses": {"USERNAME": ctx.user_id, **responses},
        "Session": ctx.session,
    })
    return Follow(reply)


def take(ctx: Context, key: str, kind: type[T], what: str) -> T:
    """A value an earlier state left in ``ctx.carry`` for this one (used once), or a ProtocolError."""
    value = ctx.carry.pop(key, None)
    if not isinstance(value, kind):
        raise ProtocolError(f"{ctx.challenge.name} arrived without {what}")
    return value


def require(challenge: Challenge, key: str) -> str:
    """A ChallengeParameter that must be present and non-empty."""
    value = challenge.parameters.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedResponseError(f"{challenge.name} arrived without {key}")
    return value


def json_parameter(challenge: Challenge, key: str, raw: object) -> Any:
    """A ChallengeParameter holding JSON, parsed; not JSON, or nested past what any reply is, is malformed."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
        check_reply(value, f"{challenge.name}: {key}")
    except (ValueError, RecursionError) as exc:
        raise MalformedResponseError(f"{challenge.name}: {key} is not JSON of a sane shape") from exc
    return value


def json_string_list(challenge: Challenge, key: str, *, required: bool = True) -> tuple[str, ...]:
    """A ChallengeParameter holding a JSON array of strings (MFAS_CAN_SETUP, requiredAttributes...)."""
    raw = challenge.parameters.get(key)
    if raw is None or raw == "":
        if required:
            raise MalformedResponseError(f"{challenge.name} arrived without {key}")
        return ()
    value = json_parameter(challenge, key, raw)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedResponseError(f"{challenge.name}: {key} is not a JSON array of strings")
    return tuple(value)


def json_string_map(challenge: Challenge, key: str) -> dict[str, str]:
    """A ChallengeParameter holding a JSON object (userAttributes); absent means empty."""
    raw = challenge.parameters.get(key)
    if raw is None or raw == "":
        return {}
    value = json_parameter(challenge, key, raw)
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


def ask(ctx: Context, kind: PromptKind, message: str, *fields: Field, **details: Any) -> Prompt:
    """A prompt for the current challenge: ``fields`` to fill and ``message``, with what every prompt carries
    (the challenge's name and parameters, the username, the refused answer's error and the attempt).
    ``details`` sets any other :class:`~authflow.prompts.Prompt` field (destination, choices...)."""
    values: dict[str, Any] = {
        "challenge_name": ctx.challenge.name,
        "username": ctx.username,
        "error": ctx.error,
        "attempt": ctx.attempt,
        **details,
    }
    if "parameters" not in details:
        values["parameters"] = dict(ctx.challenge.parameters)
    # What a server sent is shown to a person: no control characters or escape sequences, bounded length.
    shown = tuple(f if printable(f.label, 200) == f.label else replace(f, label=printable(f.label, 200))
                  for f in fields)
    if isinstance(details.get("destination"), str):
        values["destination"] = printable(details["destination"], 256)
    return Prompt(kind=kind, fields=shown, message=printable(message, 1000), **values)


def choice_prompt(kind: PromptKind, ctx: Context, label: str, intro: str, options: tuple[str, ...]) -> Prompt:
    """A prompt that picks one of ``options`` (Cognito's names), each labelled from the one table of
    choice labels (:data:`authflow.labels.CHOICE_LABELS`)."""
    labels = {o: choice_label(o) for o in options}
    message = intro + "; ".join(f"{o} ({labels[o]})" for o in options)
    return ask(ctx, kind, message, choice_field(label, options), choices=options, choice_labels=labels)


def chosen(answer: Mapping[str, str], choices: tuple[str, ...], what: str) -> str:
    """The chosen option, which must be one of ``choices``."""
    value = answer_value(answer, "choice", what)
    if value not in choices:
        raise MissingAnswerError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return value
