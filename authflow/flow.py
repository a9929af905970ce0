"""One sign-in: the model that the shared machine (``authflow/machine.py``) drives.

Three ways to drive the same flow:

* the step API, for GUIs: ``step = flow.start()``, then ``step = flow.respond(answer)`` until
  ``step.done``; nothing blocks on a person, and ``flow.session`` / ``flow.snapshot()`` let an app
  resume elsewhere;
* ``flow.run(handler)``, for scripts and the terminal wizard: the handler is asked each question;
* ``sign_in(pool, username, handler=...)``: the same in one call.

This module only drives. Each step looks the current state up in the registry
(``authflow.states.REGISTRY``), hands the answer to that state's module, sends the requests the module asks
for through :meth:`~authflow.transport.UserPool.send`, hands each reply back, and moves along the table
with :func:`~authflow.machine.fire` (a reply's ChallengeName, or an event the module names). States that
ask no one (PASSWORD_VERIFIER, the device steps) are run as soon as the flow arrives there. The shape of a
state module is described in ``states/base.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Protocol, TypeVar

from authflow import devices, srp
from authflow.devices import Device
from authflow.errors import (
    AuthflowError,
    DeviceNotFoundError,
    EndpointError,
    ExpiredCodeError,
    FlowStateError,
    InvalidAnswerError,
    InvalidSessionError,
    MalformedResponseError,
    MissingAnswerError,
    RepeatedAnswerError,
    SignInCancelled,
    SnapshotError,
    TooManyRequestsError,
    UnsupportedChallengeError,
)
from authflow.fieldcheck import check_answer
from authflow.machine import AUTHENTICATED, CHALLENGE_EVENTS, FAILED, FINAL, INITIAL, can_fire, fire
from authflow.prompts import Answer, Prompt, PromptKind, normalize_answer
from authflow.replies import printable
from authflow.states import REGISTRY
from authflow.states.base import Challenge, Context, Move, Outcome, Reply, Request, State
from authflow.states.start import AUTH_FLOWS, FIRST_FACTORS, initial_memory
from authflow.tokens import Tokens
from authflow.totp import DEFAULT_TOTP_ISSUER
from authflow.transport import UserPool

__all__ = [
    "AUTHENTICATED", "DEFAULT_DEADLINE", "DEFAULT_SESSION_VALIDITY", "FAILED", "INITIAL", "AuthFlow", "Handler",
    "HandlerLike", "Step", "sign_in",
]

T = TypeVar("T")
#: Seconds. Cognito's default AuthSessionValidity (3 minutes): a pool set otherwise must be told to the flow.
DEFAULT_SESSION_VALIDITY = 180.0
#: Seconds a sign-in may spend waiting for Cognito, all its calls together, unless the app says otherwise.
DEFAULT_DEADLINE = 60.0


class Handler(Protocol):
    """Whoever answers the questions of a sign-in: a GUI dialog, the terminal wizard, a script.

    ``answer`` gets a :class:`~authflow.prompts.Prompt` and returns a mapping from field name to value
    (or a bare string for a one-field prompt). It may raise
    :class:`~authflow.errors.MissingAnswerError` or :class:`~authflow.errors.SignInCancelled`.
    A plain function ``prompt -> answer`` is a handler too.
    """

    def answer(self, prompt: Prompt) -> Answer: ...


HandlerLike = Handler | Callable[[Prompt], Answer]


@dataclass(frozen=True)
class Step:
    """Where a flow stands: either a prompt to answer, or the tokens."""

    state: str
    prompt: Prompt | None = None
    tokens: Tokens | None = field(default=None)

    @property
    def done(self) -> bool:
        return self.tokens is not None

    @property
    def challenge_name(self) -> str | None:
        return self.prompt.challenge_name if self.prompt else None

    @property
    def error(self) -> AuthflowError | None:
        """Why the previous answer was refused (the same question is asked again)."""
        return self.prompt.error if self.prompt else None


class AuthFlow:
    """One sign-in of ``username`` to ``pool``.

    ``auth_flow`` is USER_SRP_AUTH (default), USER_PASSWORD_AUTH, USER_AUTH (choice-based; with
    ``preferred_challenge`` PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN (a passkey)) or
    CUSTOM_AUTH (``custom_srp`` to start it with SRP).

    ``session_validity``: the app must give it. It is the app client's AuthSessionValidity in seconds (the
    time a person has to answer each question), which Cognito does not tell a client; the default, 180 s,
    is Cognito's default. It is used only to tell a UI when the current Session expires
    (``flow.session_expires_at``, a ``time.time()`` value): a GUI shows a countdown from it, or starts over.

    ``totp_issuer``: the name an authenticator app shows beside a secret set up during the sign-in (MFA_SETUP);
    give the app's name. Default ``"authflow"`` (:data:`authflow.totp.DEFAULT_TOTP_ISSUER`), never the pool id.

    ``deadline`` (default :data:`DEFAULT_DEADLINE`, 60 s) bounds the time the sign-in spends waiting for
    Cognito, all its calls together (the time a handler or a person takes to answer is not counted): a server
    that trickles its reply ends the sign-in with :class:`~authflow.errors.DeadlineError` (code
    ``SignInDeadline``) instead of holding it. ``None`` turns it off (each call is then bounded only by the
    pool's own timeouts). A try that could not reach Cognito (the flow left at its question) is not counted.

    ``max_attempts`` bounds the answers tried for one question before the flow gives up. An answer that breaks
    its field's pattern is refused before anything is sent (the same prompt comes back, its ``error`` an
    :class:`~authflow.errors.InvalidAnswerError`, no attempt used), and the answer Cognito just refused is never
    sent again for the same question (:class:`~authflow.errors.RepeatedAnswerError`).

    Whether and how it ended: ``flow.ended`` (signed in or failed), ``flow.done`` (signed in, ``flow.tokens``),
    ``flow.failure`` (the error that ended it, else None), ``flow.state`` (:data:`INITIAL`,
    :data:`AUTHENTICATED`, :data:`FAILED`, or the name of the challenge being answered).

    ``begin`` starts with the account instead: ``"sign_up"`` (SignUp, asking the password and the
    ``sign_up_attributes``), ``"confirm_sign_up"`` (the code of an earlier sign-up), ``"resend_code"`` (a
    new code first) or ``"forgot_password"`` (reset it); the flow then signs the user in. A sign-in that
    Cognito refuses because the user is not confirmed or must reset the password asks for that in place
    (CONFIRM_SIGN_UP, PASSWORD_RESET_REQUIRED) and goes on; a handler that does not answer those prompts
    lets the refusal end the flow.
    """

    def __init__(
        self,
        pool: UserPool,
        username: str,
        auth_flow: str = "USER_SRP_AUTH",
        *,
        preferred_challenge: str | None = None,
        custom_srp: bool = False,
        client_metadata: Mapping[str, str] | None = None,
        session_validity: float = DEFAULT_SESSION_VALIDITY,
        totp_issuer: str | None = None,
        max_attempts: int = 5,
        clock: Callable[[], datetime] | None = None,
        device: Device | None = None,
        remember_device: bool = False,
        device_name: str | None = None,
        begin: str | None = None,
        sign_up_attributes: Sequence[str] = (),
        deadline: float | None = DEFAULT_DEADLINE,
    ) -> None:
        if auth_flow not in AUTH_FLOWS:
            raise ValueError(
                f"auth_flow must be one of {', '.join(AUTH_FLOWS)}; refresh with UserPool.refresh"
            )
        if preferred_challenge is not None:
            if auth_flow != "USER_AUTH":
                raise ValueError("preferred_challenge goes with auth_flow='USER_AUTH'")
            if preferred_challenge not in FIRST_FACTORS:
                raise ValueError(f"preferred_challenge must be one of {', '.join(FIRST_FACTORS)}")
        if not username:
            raise ValueError("username is required")
        self.pool = pool
        self.username = username
        self.user_id = username  # the internal username, learnt from USER_ID_FOR_SRP / USERNAME
        self.auth_flow = auth_flow
        self.preferred_challenge = preferred_challenge
        self.custom_srp = custom_srp
        self.client_metadata = dict(client_metadata) if client_metadata else None
        self.session_validity = session_validity
        self.totp_issuer = totp_issuer or DEFAULT_TOTP_ISSUER
        self.max_attempts = max_attempts
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self.device = device
        self.remember_device = remember_device
        self.device_name = device_name
        #: Why confirming a new device failed (the sign-in itself succeeded), or None.
        self.device_error: AuthflowError | None = None

        if deadline is not None and not deadline > 0:
            raise ValueError("deadline is a positive number of seconds")
        #: Seconds the sign-in may spend waiting for Cognito, all calls together (None: each call's own limits).
        self.deadline = deadline
        self._waited = 0.0  # seconds spent in calls to Cognito so far

        self.state = INITIAL  # set only by the machine (and by resume())
        self.history: list[str] = [INITIAL]
        self.session: str | None = None
        self.session_expires_at: float | None = None
        self.challenge: Challenge | None = None
        self.attempts = 0
        self.last_error: AuthflowError | None = None
        #: The error that ended the flow (state FAILED), or None.
        self.failure: AuthflowError | None = None
        self.tokens: Tokens | None = None
        # The answer Cognito refused last, for this question: a keyed digest, never the answer itself.
        self._refused: bytes | None = None
        self._digest_key = secrets.token_bytes(16)
        self._asked: Prompt | None = None  # the current prompt, built once per wait (see ``prompt``)
        self._replies = 0  # replies received from Cognito: a lost connection before the first of a step loses none
        # The connection was lost while an answer to the current question was on its way: it may have arrived.
        self._lost_connection = False
        # states' values kept across steps and in snapshots (what the flow begins with, first)
        self._memory: dict[str, str] = initial_memory(begin, sign_up_attributes)
        self._carry: dict[str, object] = {}  # states' values for later states of this object only

    def __repr__(self) -> str:
        return f"AuthFlow({self.username!r}, {self.auth_flow}, state={self.state!r})"

    # --- the step API ---------------------------------------------------------------------------

    def start(self, password: str | None = None) -> Step:
        """Begin the sign-in. Flows that need the password first ask for it (or take ``password``)."""
        if self.state != INITIAL:
            raise FlowStateError(f"start() was already called (the flow is at {self.state})")
        step = self._step({}, retry_prompt=False)
        if password is not None and step.prompt is not None and step.prompt.kind is PromptKind.PASSWORD:
            return self._step({"password": password}, retry_prompt=False)
        return step

    def respond(self, answer: Answer) -> Step:
        """Answer the current prompt; returns the next step (the same question again if refused).

        Checked before anything is sent: a value that breaks its field's pattern, or the very answer Cognito
        just refused for this question, brings the same prompt back with an
        :class:`~authflow.errors.InvalidAnswerError` (:class:`~authflow.errors.RepeatedAnswerError`) as its
        ``error``; nothing is sent and no attempt is used.

        When Cognito cannot be reached (:class:`~authflow.errors.EndpointError`, raised), the flow stays where it
        was, the prompt's ``error`` says why, and the same answer (or another) may be given again once the
        network or the pool is back, while the Session is valid. An answer may have reached Cognito before the
        connection broke: Cognito's refusal of the next answer then has ``after_lost_connection`` set (a code
        already used, a Session consumed)."""
        prompt = self.prompt
        if prompt is None:
            raise FlowStateError(f"nothing to answer: the flow is at {self.state}")
        given = normalize_answer(prompt, answer)
        try:
            given = check_answer(prompt, given)
            if self._refused is not None and hmac.compare_digest(self._refused, self._digest(given)):
                refused = prompt.error if not isinstance(prompt.error, InvalidAnswerError) else (
                    prompt.error.refused if isinstance(prompt.error, RepeatedAnswerError) else None)
                raise RepeatedAnswerError("this is the answer that was just refused: it was not sent again",
                                          refused=refused)
        except InvalidAnswerError as exc:
            self._asked = replace(prompt, error=exc)
            return self.step
        return self._step(given, retry_prompt=True)

    def _digest(self, answer: Mapping[str, str]) -> bytes:
        material = json.dumps(sorted(answer.items())).encode("utf-8")
        return hmac.new(self._digest_key, material, hashlib.sha256).digest()

    def conversation(self, *, retry_unreachable: bool = False) -> Generator[Prompt, Answer, Tokens]:
        """The flow as a dialogue: yields each prompt, receives its answer, returns the tokens. An
        :class:`~authflow.errors.AuthflowError` thrown in (the handler gave up) cancels the flow.
        :meth:`run` and the asyncio twin both drive this one loop.

        ``retry_unreachable`` (for a person, who decides when to try again): when Cognito cannot be reached, the
        same prompt comes back, its ``error`` the :class:`~authflow.errors.EndpointError`; otherwise that error
        ends the flow (a script would send the same answer again at once, for ever)."""
        step = self.start() if self.state == INITIAL else self.step
        refused_here = 0  # answers refused before sending, for the current question
        while step.tokens is None:
            assert step.prompt is not None
            try:
                answer = yield step.prompt
            except AuthflowError as exc:
                self._fail(exc)
                raise
            try:
                step = self.respond(answer)
            except EndpointError:
                if not retry_unreachable or self.ended:
                    self._fail_unreachable()
                    raise
                step = self.step  # the same question, its error saying Cognito could not be reached
                continue
            error = step.error
            if not isinstance(error, InvalidAnswerError):
                refused_here = 0
                continue
            refused_here += 1
            if isinstance(error, RepeatedAnswerError):
                # A handler that gives the refused answer again would give it for ever: Cognito's refusal
                # ends the sign-in, and the answer is not sent a second time.
                ending: AuthflowError = error.refused or error
            elif refused_here >= self.max_attempts:
                ending = error
            else:
                continue
            self._fail(ending)
            raise ending
        return step.tokens

    def run(self, handler: HandlerLike, *, retry_unreachable: bool = False) -> Tokens:
        """Drive the flow to the end, asking ``handler`` each question; returns the tokens.
        ``retry_unreachable``: see :meth:`conversation`."""
        ask = answerer(handler)
        conversation = self.conversation(retry_unreachable=retry_unreachable)
        question = advance(conversation, None)
        while isinstance(question, Prompt):
            try:
                answer: Answer | AuthflowError = ask(question)
            except AuthflowError as exc:
                answer = exc
            question = advance(conversation, answer)
        return question

    def cancel(self) -> None:
        """Give up this sign-in: the flow is failed and forgets its Session."""
        self._fail(SignInCancelled("the sign-in was cancelled"))

    @property
    def done(self) -> bool:
        """Signed in: ``tokens`` holds the tokens."""
        return self.state == AUTHENTICATED

    @property
    def ended(self) -> bool:
        """The flow is over: signed in (``done``) or failed (``failure`` says why); nothing more to answer."""
        return self.state in FINAL

    @property
    def failed(self) -> bool:
        """The flow ended without signing in (``failure`` says why)."""
        return self.state == FAILED

    @property
    def step(self) -> Step:
        """The current step (for a UI that resumes)."""
        if self.done:
            return Step(self.state, tokens=self.tokens)
        return Step(self.state, prompt=self.prompt)

    @property
    def prompt(self) -> Prompt | None:
        """What must be answered now, or None when nothing is (finished, failed or not started)."""
        if self._asked is None:
            state = REGISTRY.get(self.state)
            if state is None or state.prompt is None:
                return None
            self._asked = state.prompt(self._context())
        return self._asked

    # --- resuming elsewhere ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to resume this flow in another process. It holds the Session (and during
        MFA_SETUP the new TOTP secret): keep it as safely as a token. It never holds a password."""
        if self.state == INITIAL or self.state in FINAL:
            raise FlowStateError(f"nothing to resume at {self.state}")
        challenge = self.challenge
        return {
            "version": SNAPSHOT_VERSION,
            "pool_id": self.pool.pool_id,
            "client_id": self.pool.client_id,
            "username": self.username,
            "user_id": self.user_id,
            "auth_flow": self.auth_flow,
            "preferred_challenge": self.preferred_challenge,
            "state": self.state,
            "session": self.session,
            "session_expires_at": self.session_expires_at,
            "challenge": None
            if challenge is None
            else {
                "name": challenge.name,
                "parameters": dict(challenge.parameters),
                "available_challenges": list(challenge.available_challenges),
            },
            "memory": dict(self._memory),
            "attempts": self.attempts,
        }

    @classmethod
    def resume(cls, pool: UserPool, snapshot: Mapping[str, Any], **options: Any) -> AuthFlow:
        """A flow that continues where ``snapshot()`` left off. A snapshot that cannot be resumed (another
        version, another pool, a state without a question, a field of the wrong type) is a
        :class:`~authflow.errors.SnapshotError`."""
        if not isinstance(snapshot, Mapping) or snapshot.get("version") != SNAPSHOT_VERSION:
            raise SnapshotError("unknown snapshot version")
        if (snapshot.get("pool_id"), snapshot.get("client_id")) != (pool.pool_id, pool.client_id):
            raise SnapshotError("this snapshot belongs to another user pool or app client")
        state = REGISTRY.get(str(snapshot.get("state")))
        if state is None or state.prompt is None:
            raise SnapshotError(f"a flow cannot be resumed at {printable(str(snapshot.get('state')), 60)!r}")
        data = snapshot.get("challenge") or None
        memory = snapshot.get("memory") or {}
        expires = snapshot.get("session_expires_at")
        if not (
            all(isinstance(snapshot.get(k), str) and snapshot.get(k) for k in ("username", "user_id", "auth_flow"))
            and isinstance(snapshot.get("session"), str | None)
            and isinstance(snapshot.get("preferred_challenge"), str | None)
            and (expires is None or (isinstance(expires, int | float) and math.isfinite(expires)))
            and isinstance(snapshot.get("attempts", 0), int)
            and isinstance(memory, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in memory.items())
            and (data is None or _challenge_data_ok(data))
        ):
            raise SnapshotError("the snapshot is damaged: a field is missing or of the wrong type")
        try:
            flow = cls(pool, snapshot["username"], snapshot["auth_flow"],
                       preferred_challenge=snapshot.get("preferred_challenge"), **options)
        except ValueError as exc:
            raise SnapshotError(f"the snapshot is damaged: {exc}") from None
        flow.state = state.name  # the one state set by hand: where the snapshot was taken
        flow.history = ["resumed", flow.state]
        flow.user_id = snapshot["user_id"]
        flow.session = snapshot.get("session")
        flow.session_expires_at = expires
        if data:
            flow.challenge = Challenge(
                name=data["name"],
                parameters=dict(data["parameters"]),
                username=flow.username,
                user_id=flow.user_id,
                available_challenges=tuple(data.get("available_challenges", ())),
            )
        flow._memory = dict(memory)
        flow.attempts = snapshot.get("attempts", 0)
        return flow

    # --- the driver -----------------------------------------------------------------------------

    def _context(self) -> Context:
        """What the current state's module is handed (see states/base.py)."""
        return Context(
            challenge=self.challenge or Challenge(self.state, username=self.username, user_id=self.user_id),
            username=self.username,
            user_id=self.user_id,
            session=self.session,
            pool_name=self.pool.pool_name,
            auth_flow=self.auth_flow,
            preferred_challenge=self.preferred_challenge,
            custom_srp=self.custom_srp,
            totp_issuer=self.totp_issuer,
            device=self.device,
            now=self._clock,
            new_ephemeral=srp.ClientEphemeral,
            memory=self._memory,
            carry=self._carry,
            error=self.last_error,
            attempt=max(self.attempts, 1),
        )

    def _step(self, answer: Mapping[str, str], *, retry_prompt: bool) -> Step:
        """Answer the current state (or run it, at start), then follow Cognito until the flow waits or ends.

        A refused answer that the state's module says may be retried asks again; anything else fails the
        flow. An unusable answer (MissingAnswerError) was not sent: the same question stands."""
        if self.state in FINAL:
            raise FlowStateError(f"the flow has already ended ({self.state})")
        state = REGISTRY[self.state]
        self._asked = None  # whatever the answer does (a Session kept, memory, attempts), ask anew
        replies, waited = self._replies, self._waited
        try:
            self._walk(state, answer)
            self._lost_connection = False
            return self.step  # inside: a prompt that cannot be built from the challenge fails the flow
        except MissingAnswerError as exc:
            if not retry_prompt:
                self._fail(exc)
            raise
        except EndpointError as exc:
            if self.state != state.name or self._replies != replies or state.prompt is None:
                self._fail(exc)  # Cognito had answered part of this step: what it said is lost
                raise
            # Nothing Cognito said was lost: the flow stays at this question, for the same answer again. The
            # time spent trying is not the sign-in's (the deadline bounds a slow Cognito, not a person's retries).
            self._lost_connection = True
            self._waited = waited
            self._wait(state)
            if self._asked is not None:
                self._asked = replace(self._asked, error=exc)
            raise
        except AuthflowError as exc:
            if self._lost_connection:
                self._lost_connection = False
                # The Session or the code was used (not a wrong password, nor a Session that only timed out)
                if isinstance(exc, InvalidSessionError | ExpiredCodeError):
                    exc.after_lost_connection = True
            event = state.refused(self._context(), exc) if self.attempts < self.max_attempts else None
            if event is None or not can_fire(self, event):
                self._fail(exc)
                raise
            self._fire(event)
            # The same question again counts one more attempt; a refusal that leads to another question
            # (recovering an account in place) starts that one's count, with the refusal as its reason.
            again = self.state == state.name
            self.attempts = max(self.attempts, 1) + 1 if again else 1
            # The refused answer is never sent twice in a row (throttling refuses no answer: it may go again).
            self._refused = self._digest(answer) if again and not isinstance(exc, TooManyRequestsError) else None
            self.last_error = exc
            self._wait(REGISTRY[self.state])
        return self.step

    def _walk(self, state: State, answer: Mapping[str, str]) -> None:
        """Send the state's answer and follow each outcome, through states that ask no one, until the flow
        waits for a person or is signed in."""
        outcome = self._exchange(state, answer)
        while True:
            if isinstance(outcome, Move):
                self._fire(outcome.event)
            else:
                self._follow(outcome.reply)
            self.last_error = None
            if self.done:
                return
            state = REGISTRY[self.state]
            if state.prompt is not None:  # a new question: its own count of attempts
                self.attempts = 1
                self._refused = None
                self._wait(state)
                return
            outcome = self._exchange(state, {})  # a state that asks no one, run on arrival

    def _wait(self, state: State) -> None:
        """The flow waits for a person at ``state``: let it do ahead what does not need the answer, and
        build its prompt (once: ``prompt`` and ``respond`` use it until the next answer)."""
        context = self._context()
        if state.prepare is not None:
            state.prepare(context)
        self._asked = state.prompt(context) if state.prompt is not None else None

    def _exchange(self, state: State, answer: Mapping[str, str]) -> Outcome:
        """Run one state's ``respond``; a reply's new Session becomes the flow's (and the module's)."""
        context = self._context()
        return self._drive(state.respond(context, answer), context)

    def _drive(self, exchange: Generator[Request, Reply, T], context: Context | None = None) -> T:
        """Send each request ``exchange`` yields, hand back the reply (or Cognito's error), return its result."""
        try:
            request = next(exchange)
            while True:
                try:
                    reply = self._send(request)
                except EndpointError:
                    exchange.close()  # nothing came back: the step is not answered (see _step)
                    raise
                except AuthflowError as exc:
                    request = exchange.throw(exc)
                    continue
                self._replies += 1
                session = reply.get("Session")
                if context is not None and isinstance(session, str) and session:
                    context.session = self.session = session
                    self.session_expires_at = time.time() + self.session_validity
                request = exchange.send(reply)
        except StopIteration as end:
            result: T = end.value
            return result

    def _send(self, request: Request) -> dict[str, Any]:
        device_key = self.device.device_key if self.device is not None else None
        try:
            return self._timed_send(request, device_key)
        except DeviceNotFoundError:
            if device_key is None:
                raise
            # The device was forgotten on the server: sign in without it, as the AWS SDKs do.
            self.device = None
            return self._timed_send(request, None)

    def _timed_send(self, request: Request, device_key: str | None) -> dict[str, Any]:
        """One call, within what is left of the deadline (the time spent in calls to Cognito)."""
        timeout = None if self.deadline is None else self.deadline - self._waited
        started = time.monotonic()
        try:
            return self.pool.send(request, device_key=device_key, client_metadata=self.client_metadata,
                                  timeout=timeout)
        finally:
            self._waited += time.monotonic() - started

    def _follow(self, reply: Reply) -> None:
        """Cognito's answer: tokens end the sign-in; a ChallengeName is the next event of the table."""
        result = reply.get("AuthenticationResult")
        if result is not None:
            if not isinstance(result, Mapping):
                raise MalformedResponseError("AuthenticationResult is not an object")
            self._authenticated(Tokens.from_authentication_result(result))
            return
        name = reply.get("ChallengeName")
        if not isinstance(name, str) or not name:
            raise MalformedResponseError("Cognito answered with neither tokens nor a ChallengeName")
        if name not in CHALLENGE_EVENTS:
            raise UnsupportedChallengeError(
                f"Cognito asks {name}, which this client does not handle", challenge_name=name
            )
        self._take_challenge(name, reply)

    def _take_challenge(self, name: str, reply: Reply) -> None:
        parameters = reply.get("ChallengeParameters") or {}
        if not isinstance(parameters, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()
        ):
            raise MalformedResponseError(f"{name}: ChallengeParameters is not a map of strings")
        available = reply.get("AvailableChallenges") or []
        if not isinstance(available, list) or not all(isinstance(a, str) for a in available):
            raise MalformedResponseError("AvailableChallenges is not a list of challenge names")
        session = reply.get("Session")
        if session is not None and not isinstance(session, str):
            raise MalformedResponseError("Session is not a string")
        # The internal username to answer with: Cognito's USERNAME (equal to USER_ID_FOR_SRP on real
        # Cognito; moto sends a sub as USER_ID_FOR_SRP but wants USERNAME). The SRP math itself always
        # uses USER_ID_FOR_SRP (states/password_verifier.py).
        internal = parameters.get("USERNAME") or parameters.get("USER_ID_FOR_SRP")
        if internal:
            self.user_id = internal
        self.session = session
        self.session_expires_at = time.time() + self.session_validity if session else None
        self.challenge = Challenge(
            name=name,
            parameters=dict(parameters),
            username=self.username,
            user_id=self.user_id,
            available_challenges=tuple(available),
        )
        self._fire(name)

    def _authenticated(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.session = None
        self.challenge = None
        self._forget()
        self._fire(AUTHENTICATED)
        metadata = tokens.new_device_metadata
        if self.remember_device and metadata:
            self._confirm_device(tokens.access_token, metadata)

    def _confirm_device(self, access_token: str, metadata: Mapping[str, str]) -> None:
        """Keep the new device (authflow/devices.py). A failure here does not undo the sign-in: it is kept
        in ``device_error`` and ``device`` stays as it was."""
        try:
            self.device = self._drive(devices.confirm(access_token, metadata, self.device_name))
        except AuthflowError as exc:
            self.device_error = exc

    def _fire(self, event: str) -> None:
        fire(self, event)
        self._asked = None
        self.history.append(self.state)

    def _fail_unreachable(self) -> None:
        """End a flow left waiting after Cognito could not be reached (a script does not try again)."""
        error = self.prompt.error if self.prompt is not None else None
        self._fail(error if isinstance(error, EndpointError) else EndpointError("Cognito could not be reached"))

    def _fail(self, error: AuthflowError) -> None:
        if self.state not in FINAL:
            self.failure = error
            self._fire("fail")
        self.session = None
        self._forget()

    def _forget(self) -> None:
        """Drop what the states kept (a TOTP secret being set up, a password on its way to SRP)."""
        self._memory.clear()
        self._carry.clear()


SNAPSHOT_VERSION = 2


def _challenge_data_ok(data: object) -> bool:
    """The ``challenge`` of a snapshot: a name, a map of strings, a list of names."""
    if not isinstance(data, Mapping):
        return False
    parameters, available = data.get("parameters"), data.get("available_challenges", ())
    return (
        isinstance(data.get("name"), str)
        and isinstance(parameters, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in parameters.items())
        and isinstance(available, list | tuple)
        and all(isinstance(a, str) for a in available)
    )


def answerer(handler: object) -> Callable[[Prompt], Any]:
    """The function that answers a prompt: the handler's ``answer`` method, or the handler itself."""
    answer: object = getattr(handler, "answer", None)
    function = answer if callable(answer) else handler
    if not callable(function):
        raise TypeError("a handler is a function of a prompt, or has an answer(prompt) method")
    return function


def advance(conversation: Generator[Prompt, Answer, Tokens], answer: Answer | AuthflowError | None) -> Prompt | Tokens:
    """One turn of :meth:`AuthFlow.conversation`: hand it the answer (or the handler's error; None to begin)
    and get the next prompt, or the tokens at the end."""
    try:
        if answer is None:
            return next(conversation)
        if isinstance(answer, AuthflowError):
            return conversation.throw(answer)
        return conversation.send(answer)
    except StopIteration as end:
        tokens: Tokens = end.value
        return tokens


def sign_in(
    pool: UserPool,
    username: str,
    handler: HandlerLike,
    auth_flow: str = "USER_SRP_AUTH",
    **options: Any,
) -> Tokens:
    """Sign ``username`` in, asking ``handler`` whatever Cognito asks; returns the tokens."""
    return AuthFlow(pool, username, auth_flow, **options).run(handler)
