"""The whole transition table of a sign-in, in one place.

States are named after Cognito's ChallengeName where the flow waits on a challenge, plus a few of the
engine's own: ``start`` (nothing sent), ``awaiting_password`` (the password is needed before the next
call), ``MFA_SETUP_TOTP`` / ``MFA_SETUP_EMAIL`` (inside MFA_SETUP, after the method was chosen),
``authenticated`` and ``failed``; and the account's steps around a sign-in (``ACCOUNT``: SIGN_UP,
CONFIRM_SIGN_UP, PASSWORD_RESET_REQUIRED, CONFIRM_FORGOT_PASSWORD; ``ACCOUNT_AUTOMATIC``:
RESEND_CONFIRMATION_CODE, FORGOT_PASSWORD). What is done in each state lives in its ``states/`` module (the
registry ``authflow.states.REGISTRY``); this table says only where a flow may go.

Events are what happened: Cognito answered with a ChallengeName (the event has that name),
``authenticated`` (an AuthenticationResult arrived), ``retry`` (an answer was refused and the same
challenge may be answered again in the same session), ``fail``, and local moves that ``states/`` modules
ask for: ``need_password``, ``choose_totp_setup``, ``choose_email_setup``, ``password_refused``; where a
flow begins with the account (``sign_up``, ``confirm_sign_up``, ``resend_code``, ``forgot_password``);
a sign-in refused because the account is not ready (``user_not_confirmed``, ``password_reset_required``);
and a code sent (``code_sent``, ``reset_code_sent``).

The engine moves a flow only through :func:`fire`: a challenge that Cognito is not expected to send from
where the flow is raises :class:`~authflow.errors.UnexpectedChallengeError`. The one state set by hand is
that of a flow resumed from a snapshot (``AuthFlow.resume``), which starts where the snapshot was taken.
The machine is built once per process and shared by every flow; a flow is only a model that :func:`fire`
drives.
"""

from __future__ import annotations

import logging
from typing import Any

from transitions import Machine

from authflow.errors import FlowStateError, UnexpectedChallengeError

# --- states --------------------------------------------------------------------------------------

#: Challenges a person answers (the flow waits there with a prompt).
ANSWERABLE = [
    "SMS_MFA",
    "SOFTWARE_TOKEN_MFA",
    "EMAIL_OTP",
    "SMS_OTP",
    "SELECT_MFA_TYPE",
    "SELECT_CHALLENGE",
    "NEW_PASSWORD_REQUIRED",
    "MFA_SETUP",
    "MFA_SETUP_TOTP",
    "MFA_SETUP_EMAIL",
    "CUSTOM_CHALLENGE",
    "WEB_AUTHN",
]
#: Challenges the engine answers by itself, with no prompt.
AUTOMATIC = ["PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
#: The account's own steps around a sign-in (sign-up, its confirmation, password reset): asked of a person...
ACCOUNT = ["SIGN_UP", "CONFIRM_SIGN_UP", "PASSWORD_RESET_REQUIRED", "CONFIRM_FORGOT_PASSWORD"]
#: ...or sent without asking (a new confirmation code; a reset code).
ACCOUNT_AUTOMATIC = ["RESEND_CONFIRMATION_CODE", "FORGOT_PASSWORD"]
INITIAL = "start"
AUTHENTICATED = "authenticated"
FAILED = "failed"
LOCAL = [INITIAL, "awaiting_password"]
FINAL = [AUTHENTICATED, FAILED]

STATES: list[str] = LOCAL + AUTOMATIC + ANSWERABLE + ACCOUNT + ACCOUNT_AUTOMATIC + FINAL

# Where each kind of answer was sent from: Cognito's reply is an event from that state.
_FIRST_FACTOR_SENT = ["start", "awaiting_password"]  # InitiateAuth, or a first-factor ANSWER
# The account steps that end by signing in: USER_AUTH with ConfirmSignUp's Session, or the password.
_SIGNS_IN = ["SIGN_UP", "CONFIRM_SIGN_UP", "CONFIRM_FORGOT_PASSWORD"]
_AFTER_FIRST_FACTOR = ["PASSWORD_VERIFIER", "awaiting_password", "CUSTOM_CHALLENGE", *_SIGNS_IN]
# Where Cognito may refuse a sign-in because the account is not ready (UserNotConfirmedException,
# PasswordResetRequiredException): the flow can recover there and go on.
_PASSWORD_SENT = ["awaiting_password", "PASSWORD_VERIFIER"]
_SECOND_STEP = ["NEW_PASSWORD_REQUIRED"]
# A passkey sign-in where the pool requires MFA and counts the passkey as one factor (no user verification,
# or FactorConfiguration SINGLE_FACTOR): MFA follows the WEB_AUTHN answer (or SELECT_CHALLENGE's one-step one).
_AFTER_PASSKEY = ["WEB_AUTHN", "SELECT_CHALLENGE"]
_BEFORE_MFA = _AFTER_FIRST_FACTOR + _SECOND_STEP + _AFTER_PASSKEY

# --- the table -----------------------------------------------------------------------------------
# One row per (event, from) pair family. Read it as: "when <trigger> happens in <source>, go to <dest>".

TRANSITIONS: list[dict[str, Any]] = [
    # The password is needed before InitiateAuth (USER_SRP_AUTH, USER_PASSWORD_AUTH, USER_AUTH with a
    # password preferred) or after choosing a password first factor in SELECT_CHALLENGE.
    # (Also after a confirmed sign-up, when the app client has no USER_AUTH and the password is not known.)
    {"trigger": "need_password", "source": ["start", "SELECT_CHALLENGE", "CONFIRM_SIGN_UP"],
     "dest": "awaiting_password"},
    # SRP: InitiateAuth with SRP_A (or ANSWER=PASSWORD_SRP) is answered with PASSWORD_VERIFIER.
    {"trigger": "PASSWORD_VERIFIER", "source": ["awaiting_password", *_SIGNS_IN], "dest": "PASSWORD_VERIFIER"},
    # USER_AUTH: no preferred first factor (or an unavailable one) -> choose one.
    {"trigger": "SELECT_CHALLENGE", "source": _FIRST_FACTOR_SENT, "dest": "SELECT_CHALLENGE"},
    # Passwordless first factors: a code was sent.
    {"trigger": "EMAIL_OTP", "source": ["start", "SELECT_CHALLENGE"], "dest": "EMAIL_OTP"},
    {"trigger": "SMS_OTP", "source": ["start", "SELECT_CHALLENGE"], "dest": "SMS_OTP"},
    # Passkeys: the request options arrive; an authenticator answers.
    {"trigger": "WEB_AUTHN", "source": ["start", "SELECT_CHALLENGE"], "dest": "WEB_AUTHN"},
    # CUSTOM_AUTH: the pool's triggers ask, possibly several times in a row.
    {"trigger": "CUSTOM_CHALLENGE", "source": ["start", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"],
     "dest": "CUSTOM_CHALLENGE"},
    # After the first factor: a temporary password must be replaced...
    {"trigger": "NEW_PASSWORD_REQUIRED", "source": [*_AFTER_FIRST_FACTOR, "EMAIL_OTP", "SMS_OTP"],
     "dest": "NEW_PASSWORD_REQUIRED"},
    # ...MFA is asked for (also after a new password, or after choosing a method)...
    {"trigger": "SMS_MFA", "source": [*_BEFORE_MFA, "SELECT_MFA_TYPE"],
     "dest": "SMS_MFA"},
    {"trigger": "SOFTWARE_TOKEN_MFA", "source": [*_BEFORE_MFA, "SELECT_MFA_TYPE"],
     "dest": "SOFTWARE_TOKEN_MFA"},
    {"trigger": "EMAIL_OTP", "source": _AFTER_FIRST_FACTOR + _SECOND_STEP + ["WEB_AUTHN", "SELECT_MFA_TYPE",
                                                                             "MFA_SETUP_EMAIL"],
     "dest": "EMAIL_OTP"},
    {"trigger": "SELECT_MFA_TYPE", "source": _BEFORE_MFA, "dest": "SELECT_MFA_TYPE"},
    # ...or MFA must be set up first.
    {"trigger": "MFA_SETUP", "source": _BEFORE_MFA, "dest": "MFA_SETUP"},
    {"trigger": "choose_totp_setup", "source": "MFA_SETUP", "dest": "MFA_SETUP_TOTP"},
    # A remembered device replaces MFA: prove the device password (both steps are answered unasked).
    {"trigger": "DEVICE_SRP_AUTH", "source": _BEFORE_MFA, "dest": "DEVICE_SRP_AUTH"},
    {"trigger": "DEVICE_PASSWORD_VERIFIER", "source": "DEVICE_SRP_AUTH", "dest": "DEVICE_PASSWORD_VERIFIER"},
    {"trigger": "choose_email_setup", "source": "MFA_SETUP", "dest": "MFA_SETUP_EMAIL"},
    # The account around a sign-in. A flow may begin there: sign up, confirm an earlier sign-up (asking for
    # the code, or for a new code first), reset a forgotten password...
    {"trigger": "sign_up", "source": "start", "dest": "SIGN_UP"},
    {"trigger": "confirm_sign_up", "source": "start", "dest": "CONFIRM_SIGN_UP"},
    {"trigger": "resend_code", "source": "start", "dest": "RESEND_CONFIRMATION_CODE"},
    {"trigger": "forgot_password", "source": "start", "dest": "FORGOT_PASSWORD"},
    # ...or reach it when Cognito refuses a sign-in (recovery in place; the sign-in goes on afterwards).
    {"trigger": "user_not_confirmed", "source": _PASSWORD_SENT, "dest": "CONFIRM_SIGN_UP"},
    {"trigger": "password_reset_required", "source": _PASSWORD_SENT, "dest": "PASSWORD_RESET_REQUIRED"},
    # A code was sent (again): ask for it.
    {"trigger": "code_sent", "source": ["SIGN_UP", "CONFIRM_SIGN_UP", "RESEND_CONFIRMATION_CODE"],
     "dest": "CONFIRM_SIGN_UP"},
    {"trigger": "reset_code_sent", "source": ["FORGOT_PASSWORD", "PASSWORD_RESET_REQUIRED", "CONFIRM_FORGOT_PASSWORD"],
     "dest": "CONFIRM_FORGOT_PASSWORD"},
    # A refused password in a flow that starts with it: ask for it again (a fresh InitiateAuth follows).
    {"trigger": "password_refused", "source": ["awaiting_password", "PASSWORD_VERIFIER"],
     "dest": "awaiting_password"},
    # A refused answer that may be tried again: stay on the same challenge, same session.
    {"trigger": "retry", "source": ANSWERABLE + ACCOUNT, "dest": None},
    # Tokens end the sign-in, from wherever Cognito decides it is done.
    {"trigger": "authenticated",
     "source": ["start", "awaiting_password", *AUTOMATIC, *ANSWERABLE, *_SIGNS_IN],
     "dest": "authenticated"},
    # Anything fatal.
    {"trigger": "fail", "source": [s for s in STATES if s not in FINAL], "dest": "failed"},
]

CHALLENGE_EVENTS: frozenset[str] = frozenset(
    t["trigger"] for t in TRANSITIONS if t["trigger"].isupper()
)
"""ChallengeNames the engine knows; any other ChallengeName is an UnsupportedChallengeError."""

MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=TRANSITIONS,
    initial=INITIAL,
    auto_transitions=False,
    send_event=False,
)
"""Built once at import (it checks the table: every source and destination is a state); shared by every flow."""


def _moves() -> dict[str, dict[str, str]]:
    """The machine's moves as lookups, event -> {source: destination} (an internal move stays where it is).
    The table's rows are plain moves (no conditions, no callbacks), so a lookup does exactly what the
    machine's ``trigger`` would (its first transition from the source), without ``trigger``'s per-call work:
    event data, empty callback lists, its own log lines: about 10 µs per event, a fifth of the engine's CPU
    in a USER_PASSWORD_AUTH sign-in."""
    if any(set(row) - {"trigger", "source", "dest"} for row in TRANSITIONS):
        raise TypeError("a row of the table has conditions or callbacks: fire() would not run them")
    return {
        name: {source: transitions[0].dest or source for source, transitions in event.transitions.items()}
        for name, event in MACHINE.events.items()
    }


MOVES = _moves()

_log = logging.getLogger("authflow.steps")


def fire(model: Any, event: str) -> None:
    """Move ``model`` (anything with a ``state`` attribute) along the table, or raise a typed error."""
    moves = MOVES.get(event)
    if moves is None:
        raise FlowStateError(f"no event {event!r} in the transition table")
    before = model.state
    dest = moves.get(before)
    if dest is None:
        if event in CHALLENGE_EVENTS:
            raise UnexpectedChallengeError(
                f"Cognito sent {event} while the sign-in was at {before}", challenge_name=event
            )
        raise FlowStateError(f"cannot {event} from {before}")
    model.state = dest
    _log.debug("step %s -> %s (%s)", before, dest, event)  # `authflow --verbose` shows it


def can_fire(model: Any, event: str) -> bool:
    """Whether the table has a move for ``event`` from where ``model`` is."""
    return model.state in MOVES.get(event, ())


def next_states(state: str) -> list[str]:
    """Where a flow in ``state`` may go next, by the table (for UIs and the diagram)."""
    result: list[str] = []
    for row in TRANSITIONS:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        if state in sources:
            dest = row["dest"] or state
            if dest not in result:
                result.append(dest)
    return result
