"""One sign-in: the model that the shared machine (``authflow/machine.py``) drives.

Three ways to drive the same flow:

* the step API, for GUIs: ``step = flow.start()``, then ``step = flow.respond(answer)`` until
  ``step.done``; nothing blocks on a person, and ``flow.session`` / ``flow.snapshot()`` let an app
  resume elsewhere;
* ``flow.run(handler)``, for scripts and the terminal wizard: the handler is asked each question;
* ``sign_in(pool, username, handler=...)``: the same in one call.

Each step does the Cognito calls it needs (through :class:`~authflow.transport.UserPool`), asks the
``states/`` module of the challenge what to ask and what to send, and moves along the table with
:func:`~authflow.machine.fire`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

from authflow import srp, states
from authflow.devices import Device
from authflow.errors import (
    AuthflowError,
    EnableSoftwareTokenMFAError,
    FlowStateError,
    IncorrectCredentialsError,
    MalformedResponseError,
    MissingAnswerError,
    ProtocolError,
    ResourceNotFoundError,
    UnsupportedChallengeError,
)
from authflow.machine import ANSWERABLE, CHALLENGE_EVENTS, fire
from authflow.prompts import Answer, Field, Prompt, PromptKind, normalize_answer
from authflow.states import (
    device_password_verifier,
    device_srp_auth,
    mfa_setup,
    password_verifier,
    select_challenge,
)
from authflow.states.base import Challenge, answer_value
from authflow.tokens import Tokens
from authflow.transport import UserPool

AUTH_FLOWS = ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "CUSTOM_AUTH")
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
DEFAULT_SESSION_VALIDITY = 180.0  # seconds: Cognito's default AuthSessionValidity is 3 minutes


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
    ``preferred_challenge`` PASSWORD, PASSWORD_SRP, EMAIL_OTP or SMS_OTP) or CUSTOM_AUTH (``custom_srp``
    to start it with SRP). ``session_validity`` is the pool's AuthSessionValidity in seconds, used only to
    tell a UI when the current Session will expire. ``max_attempts`` bounds the answers tried for one
    question before the flow gives up.
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
        self.totp_issuer = totp_issuer or pool.pool_name
        self.max_attempts = max_attempts
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self.device = device
        self.remember_device = remember_device
        self.device_name = device_name
        #: Why confirming a new device failed (the sign-in itself succeeded), or None.
        self.device_error: AuthflowError | None = None

        self.state = "start"  # set only by the machine
        self.history: list[str] = ["start"]
        self.session: str | None = None
        self.session_expires_at: float | None = None
        self.challenge: Challenge | None = None
        self.attempts = 0
        self.last_error: AuthflowError | None = None
        self.tokens: Tokens | None = None
        self._first_factor: str | None = None  # chosen in SELECT_CHALLENGE, waiting for the password
        self._totp_secret: str | None = None  # during MFA_SETUP_TOTP only

    def __repr__(self) -> str:
        return f"AuthFlow({self.username!r}, {self.auth_flow}, state={self.state!r})"

    # --- the step API ---------------------------------------------------------------------------

    def start(self, password: str | None = None) -> Step:
        """Begin the sign-in. Flows that need the password first ask for it (or take ``password``)."""
        if self.state != "start":
            raise FlowStateError(f"start() was already called (the flow is at {self.state})")
        if self._password_first():
            self._fire("need_password")
            if password is None:
                return self.step
            return self._guard(lambda: self._send_password(password))
        parameters = {"USERNAME": self.username}
        if self.preferred_challenge:
            parameters["PREFERRED_CHALLENGE"] = self.preferred_challenge
        return self._guard(lambda: self._handle(self._initiate(parameters)))

    def respond(self, answer: Answer) -> Step:
        """Answer the current prompt; returns the next step (the same question again if refused)."""
        prompt = self.prompt
        if prompt is None:
            raise FlowStateError(f"nothing to answer: the flow is at {self.state}")
        values = normalize_answer(prompt, answer)
        return self._guard(lambda: self._answer(values), retry_prompt=True)

    def run(self, handler: HandlerLike) -> Tokens:
        """Drive the flow to the end, asking ``handler`` each question; returns the tokens."""
        ask = handler.answer if hasattr(handler, "answer") else handler
        step = self.start() if self.state == "start" else self.step
        while step.tokens is None:
            assert step.prompt is not None
            try:
                answer = ask(step.prompt)
            except AuthflowError as exc:
                self._fail()
                raise exc from None
            step = self.respond(answer)
        return step.tokens

    def cancel(self) -> None:
        """Give up this sign-in: the flow is failed and forgets its Session."""
        self._fail()

    @property
    def done(self) -> bool:
        return self.state == "authenticated"

    @property
    def step(self) -> Step:
        """The current step (for a UI that resumes)."""
        if self.state == "authenticated":
            return Step(self.state, tokens=self.tokens)
        return Step(self.state, prompt=self.prompt)

    @property
    def prompt(self) -> Prompt | None:
        """What must be answered now, or None when nothing is (finished, failed or not started)."""
        error, attempt = self.last_error, max(self.attempts, 1)
        if self.state == "awaiting_password":
            return self._password_prompt(error, attempt)
        challenge = self.challenge
        if challenge is None or self.state not in ANSWERABLE:
            return None
        if self.state == "SELECT_CHALLENGE":
            return select_challenge.prompt(challenge, error, attempt)
        if self.state == "MFA_SETUP":
            return mfa_setup.choice_prompt(challenge, error, attempt)
        if self.state == "MFA_SETUP_TOTP":
            assert self._totp_secret is not None
            return mfa_setup.totp_prompt(challenge, self._totp_secret, self.totp_issuer, error, attempt)
        if self.state == "MFA_SETUP_EMAIL":
            return mfa_setup.email_prompt(challenge, error, attempt)
        prompt: Prompt = states.ANSWERED[self.state].prompt(challenge, error, attempt)
        return prompt

    # --- resuming elsewhere ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to resume this flow in another process. It holds the Session (and during
        MFA_SETUP the new TOTP secret): keep it as safely as a token. It never holds a password."""
        if self.state in ("start", "authenticated", "failed"):
            raise FlowStateError(f"nothing to resume at {self.state}")
        challenge = self.challenge
        return {
            "version": 1,
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
            "first_factor": self._first_factor,
            "totp_secret": self._totp_secret,
            "attempts": self.attempts,
        }

    @classmethod
    def resume(cls, pool: UserPool, snapshot: Mapping[str, Any], **options: Any) -> AuthFlow:
        """A flow that continues where ``snapshot()`` left off."""
        if snapshot.get("version") != 1:
            raise ValueError("unknown snapshot version")
        if (snapshot["pool_id"], snapshot["client_id"]) != (pool.pool_id, pool.client_id):
            raise ValueError("this snapshot belongs to another user pool or app client")
        if snapshot.get("state") not in (*ANSWERABLE, "awaiting_password"):
            raise ValueError(f"a flow cannot be resumed at {snapshot.get('state')!r}")
        flow = cls(
            pool,
            snapshot["username"],
            snapshot["auth_flow"],
            preferred_challenge=snapshot.get("preferred_challenge"),
            **options,
        )
        flow.state = snapshot["state"]
        flow.history = ["resumed", flow.state]
        flow.user_id = snapshot["user_id"]
        flow.session = snapshot.get("session")
        flow.session_expires_at = snapshot.get("session_expires_at")
        data = snapshot.get("challenge")
        if data:
            flow.challenge = Challenge(
                name=data["name"],
                parameters=dict(data["parameters"]),
                username=flow.username,
                user_id=flow.user_id,
                available_challenges=tuple(data.get("available_challenges", ())),
            )
        flow._first_factor = snapshot.get("first_factor")
        flow._totp_secret = snapshot.get("totp_secret")
        flow.attempts = int(snapshot.get("attempts", 0))
        return flow

    # --- internals ------------------------------------------------------------------------------

    def _fire(self, event: str) -> None:
        fire(self, event)
        self.history.append(self.state)

    def _fail(self) -> None:
        if self.state not in ("authenticated", "failed"):
            self._fire("fail")
        self.session = None
        self._totp_secret = None

    def _guard(self, action: Callable[[], Step], *, retry_prompt: bool = False) -> Step:
        """Run one step: a refused answer that may be retried re-asks; anything else fails the flow."""
        if self.state in ("authenticated", "failed"):
            raise FlowStateError(f"the flow has already {'succeeded' if self.done else 'failed'}")
        state_before = self.state
        try:
            return action()
        except MissingAnswerError:
            if not retry_prompt:
                self._fail()
            raise  # an unusable answer was not sent: the same question stands
        except AuthflowError as exc:
            if self._may_retry(exc, state_before):
                return self._retry(exc)
            self._fail()
            raise

    def _may_retry(self, exc: AuthflowError, state_before: str) -> bool:
        if self.attempts >= self.max_attempts:
            return False
        if exc.retryable and self.state in ANSWERABLE:
            return True
        # A refused password in a flow that starts with it: ask again, with a fresh InitiateAuth.
        return (
            isinstance(exc, IncorrectCredentialsError)
            and state_before == "awaiting_password"
            and self._first_factor is None
            and self.state in ("awaiting_password", "PASSWORD_VERIFIER")
        )

    def _retry(self, exc: AuthflowError) -> Step:
        self._fire("password_refused" if isinstance(exc, IncorrectCredentialsError) else "retry")
        self.attempts = max(self.attempts, 1) + 1
        self.last_error = exc
        return self.step

    def _password_first(self) -> bool:
        if self.auth_flow in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH"):
            return True
        if self.auth_flow == "USER_AUTH":
            return self.preferred_challenge in select_challenge.NEEDS_PASSWORD
        return self.auth_flow == "CUSTOM_AUTH" and self.custom_srp

    def _password_prompt(self, error: AuthflowError | None, attempt: int) -> Prompt:
        return Prompt(
            kind=PromptKind.PASSWORD,
            challenge_name=self._first_factor,
            fields=(Field(name="password", label="Password", secret=True),),
            message=f"Password for {self.username}",
            username=self.username,
            error=error,
            attempt=attempt,
        )

    def _initiate(self, parameters: dict[str, str]) -> dict[str, Any]:
        self.pool.with_secret_hash(parameters, self.username)
        if self.device is not None:
            parameters["DEVICE_KEY"] = self.device.device_key
        try:
            return self.pool.initiate_auth(self.auth_flow, parameters, client_metadata=self.client_metadata)
        except ResourceNotFoundError as exc:
            if self.device is None or "device" not in exc.message.lower():
                raise
            # The device was forgotten on the server: sign in without it, as the AWS SDKs do.
            self.device = None
            parameters.pop("DEVICE_KEY")
            return self.pool.initiate_auth(self.auth_flow, parameters, client_metadata=self.client_metadata)

    def _send(self, challenge_name: str, responses: Mapping[str, str]) -> dict[str, Any]:
        """RespondToAuthChallenge with the parts every answer carries: USERNAME (the internal name),
        SECRET_HASH over it when the client has a secret, and DEVICE_KEY when signing in with a device."""
        full = {"USERNAME": self.user_id, **responses}
        self.pool.with_secret_hash(full, self.user_id)
        if self.device is not None:
            full.setdefault("DEVICE_KEY", self.device.device_key)
        return self.pool.respond_to_auth_challenge(
            challenge_name, full, self.session, client_metadata=self.client_metadata
        )

    def _send_password(self, password: str) -> Step:
        if not password:
            raise MissingAnswerError("no password was given")
        factor = self._first_factor
        ephemeral: srp.ClientEphemeral | None = None
        if factor is not None:  # chosen in SELECT_CHALLENGE
            if factor == "PASSWORD_SRP":
                ephemeral = srp.ClientEphemeral()
            responses = select_challenge.responses(
                factor, password=password if factor == "PASSWORD" else None,
                srp_a=ephemeral.srp_a if ephemeral else None,
            )
            response = self._send("SELECT_CHALLENGE", responses)
        else:
            parameters = {"USERNAME": self.username}
            if self.auth_flow == "USER_PASSWORD_AUTH" or self.preferred_challenge == "PASSWORD":
                parameters["PASSWORD"] = password
            else:
                ephemeral = srp.ClientEphemeral()
                parameters["SRP_A"] = ephemeral.srp_a
                if self.auth_flow == "CUSTOM_AUTH":
                    parameters["CHALLENGE_NAME"] = "SRP_A"
            if self.preferred_challenge:
                parameters["PREFERRED_CHALLENGE"] = self.preferred_challenge
            response = self._initiate(parameters)
        self.last_error = None
        return self._handle(response, password=password, ephemeral=ephemeral)

    def _handle(
        self,
        response: Mapping[str, Any],
        *,
        password: str | None = None,
        ephemeral: srp.ClientEphemeral | None = None,
    ) -> Step:
        """Follow Cognito's answer: tokens, a challenge to answer ourselves, or a prompt."""
        device_ephemeral: srp.ClientEphemeral | None = None
        while True:
            result = response.get("AuthenticationResult")
            if result is not None:
                if not isinstance(result, Mapping):
                    raise MalformedResponseError("AuthenticationResult is not an object")
                return self._authenticated(Tokens.from_authentication_result(result))
            name = response.get("ChallengeName")
            if not isinstance(name, str) or not name:
                raise MalformedResponseError("Cognito answered with neither tokens nor a ChallengeName")
            if name not in CHALLENGE_EVENTS:
                raise UnsupportedChallengeError(
                    f"Cognito asks {name}, which this client does not handle", challenge_name=name
                )
            self._take_challenge(name, response)
            challenge = self.challenge
            assert challenge is not None
            if name == "PASSWORD_VERIFIER":
                if password is None or ephemeral is None:
                    raise ProtocolError("PASSWORD_VERIFIER arrived without an SRP exchange in progress")
                responses = password_verifier.responses(
                    challenge, password=password, ephemeral=ephemeral,
                    pool_name=self.pool.pool_name, now=self._clock(),
                )
                password, ephemeral = None, None  # one use each
            elif name == "DEVICE_SRP_AUTH":
                if self.device is None:
                    raise ProtocolError("DEVICE_SRP_AUTH arrived but this sign-in has no device")
                device_ephemeral = srp.ClientEphemeral()  # fresh: never the user's ephemeral
                responses = device_srp_auth.responses(self.device, device_ephemeral.srp_a)
            elif name == "DEVICE_PASSWORD_VERIFIER":
                if self.device is None or device_ephemeral is None:
                    raise ProtocolError("DEVICE_PASSWORD_VERIFIER arrived without a device SRP exchange")
                responses = device_password_verifier.responses(
                    challenge, device=self.device, ephemeral=device_ephemeral, now=self._clock()
                )
                device_ephemeral = None
            else:
                return self.step
            response = self._send(name, responses)

    def _authenticated(self, tokens: Tokens) -> Step:
        self.tokens = tokens
        self.session = None
        self.challenge = None
        self._totp_secret = None
        self._fire("authenticated")
        metadata = tokens.new_device_metadata
        if self.remember_device and metadata:
            self._confirm_device(tokens.access_token, metadata)
        return self.step

    def _confirm_device(self, access_token: str, metadata: Mapping[str, str]) -> None:
        """ConfirmDevice (and remember it when Cognito leaves that to the user). A failure here does not
        undo the sign-in: it is kept in ``device_error`` and ``device`` stays as it was."""
        try:
            device_key, group_key = metadata["DeviceKey"], metadata["DeviceGroupKey"]
        except KeyError:
            self.device_error = MalformedResponseError("NewDeviceMetadata without DeviceKey/DeviceGroupKey")
            return
        password, verifier, salt = srp.generate_device_verifier(group_key, device_key)
        try:
            if self.pool.confirm_device(access_token, device_key, verifier, salt, self.device_name):
                self.pool.update_device_status(access_token, device_key, remembered=True)
        except AuthflowError as exc:
            self.device_error = exc
            return
        self.device = Device(device_key, group_key, password)

    def _take_challenge(self, name: str, response: Mapping[str, Any]) -> None:
        parameters = response.get("ChallengeParameters") or {}
        if not isinstance(parameters, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()
        ):
            raise MalformedResponseError(f"{name}: ChallengeParameters is not a map of strings")
        available = response.get("AvailableChallenges") or []
        if not isinstance(available, list) or not all(isinstance(a, str) for a in available):
            raise MalformedResponseError("AvailableChallenges is not a list of challenge names")
        session = response.get("Session")
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
        if name != "PASSWORD_VERIFIER":  # a refused password counts toward the password's attempts
            self.attempts = 1
        self.last_error = None

    def _answer(self, values: Mapping[str, str]) -> Step:
        state, challenge = self.state, self.challenge
        if state == "awaiting_password":
            return self._send_password(answer_value(values, "password", "password"))
        assert challenge is not None
        if state == "SELECT_CHALLENGE":
            factor = select_challenge.choose(challenge, values)
            if factor in select_challenge.NEEDS_PASSWORD:
                self._first_factor = factor
                self._fire("need_password")
                self.attempts, self.last_error = 1, None
                return self.step
            return self._handle(self._send(state, select_challenge.responses(factor)))
        if state == "MFA_SETUP":
            return self._choose_mfa_setup(challenge, mfa_setup.choose(challenge, values))
        if state == "MFA_SETUP_TOTP":
            return self._verify_totp_setup(mfa_setup.totp_code(values))
        if state == "MFA_SETUP_EMAIL":
            return self._handle(self._send("MFA_SETUP", mfa_setup.email_responses(values)))
        module = states.ANSWERED[state]
        return self._handle(self._send(state, module.responses(challenge, values)))

    def _choose_mfa_setup(self, challenge: Challenge, method: str) -> Step:
        if method == mfa_setup.EMAIL:
            self._fire("choose_email_setup")
        else:
            response = self.pool.associate_software_token(session=self.session)
            self._totp_secret = response["SecretCode"]
            self.session = response.get("Session") or self.session
            self._fire("choose_totp_setup")
        self.attempts, self.last_error = 1, None
        return self.step

    def _verify_totp_setup(self, code: str) -> Step:
        response = self.pool.verify_software_token(code, session=self.session)
        if response.get("Status") != "SUCCESS":
            raise EnableSoftwareTokenMFAError("the code did not verify", operation="VerifySoftwareToken")
        self.session = response.get("Session") or self.session
        return self._handle(self._send("MFA_SETUP", {}))


def sign_in(
    pool: UserPool,
    username: str,
    handler: HandlerLike,
    auth_flow: str = "USER_SRP_AUTH",
    **options: Any,
) -> Tokens:
    """Sign ``username`` in, asking ``handler`` whatever Cognito asks; returns the tokens."""
    return AuthFlow(pool, username, auth_flow, **options).run(handler)
