"""Cognito sign-ins for Locust (``pip install 'authflow[locust]'``): each simulated user signs in through the
engine, then its tasks use the tokens.

    from locust import between, task
    from authflow.locust import CognitoUser

    class ApiUser(CognitoUser):
        wait_time = between(1, 2)

        @task
        def profile(self) -> None:
            self.cognito_call("get_user", AccessToken=self.tokens.access_token)

The pool comes from the same ``AUTHFLOW_*`` variables as ``authflow login`` (AUTHFLOW_POOL_ID,
AUTHFLOW_CLIENT_ID, AUTHFLOW_CLIENT_SECRET, AUTHFLOW_REGION, AUTHFLOW_ENDPOINT_URL); without
AUTHFLOW_ENDPOINT_URL, Locust's ``--host`` (or the user class's ``host``) is the endpoint, and without either,
Cognito's public endpoint for the region. The botocore client shared by a process's simulated users keeps as
many connections as there are users (``-u``). Who signs in:

- ``--cognito-users FILE`` (or AUTHFLOW_USERS): the JSON users file of ``authflow login --users`` (username,
  password, totp_secret, code_command, new_password, attributes, mfa_choice, first_factor). Simulated users
  take its entries in turn; in distributed mode the master gives each worker its own slice of the entries
  (entry i goes to worker i mod W), and a worker's users cycle through its slice only, so no two processes
  ever use one TOTP secret (as long as there are at least as many entries as workers).
- otherwise AUTHFLOW_USERNAME with the answers ``authflow login`` reads (AUTHFLOW_PASSWORD,
  AUTHFLOW_TOTP_SECRET, AUTHFLOW_CODE_COMMAND...);
- or override :meth:`CognitoUser.answers` to answer with your own callables.

Every Cognito call is reported to Locust's statistics as request type ``cognito`` named by the operation and
its step (``InitiateAuth USER_SRP_AUTH``, ``RespondToAuthChallenge PASSWORD_VERIFIER``,
``RespondToAuthChallenge SOFTWARE_TOKEN_MFA``, ``GetTokensFromRefreshToken``...), and each whole sign-in as
``authflow sign-in`` (client work included). An answer refused and then answered again within the same
sign-in (a TOTP code already used, a wrong code) is a retried step, not a failure: it is reported as request
type ``cognito-retried`` (``RespondToAuthChallenge SOFTWARE_TOKEN_MFA ExpiredCodeException``); only when the
sign-in fails is its last refusal a failure.

A user whose first sign-in fails for a reason that will not pass (no pool, an endpoint that does not answer
like Cognito, a wrong password, a missing answer) is stopped, with one line in the log for each such reason
(``authflow: stopping user alice: ...``), rather than failing again at every task.

``self.tokens`` refreshes the tokens ``refresh_leeway`` seconds before they expire, and signs in again if
refreshing fails.

``--sign-ins-per-second N`` (or AUTHFLOW_SIGN_INS_PER_SECOND) caps sign-ins for the whole run, to stay inside
Cognito's quotas: with a master and workers, each of the W workers takes N / W (the master tells them W when
the test starts). Nothing here differs between a local run and a distributed one.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import gevent  # type: ignore[import-untyped]
from locust import User, events
from locust.env import Environment
from locust.exception import RescheduleTask
from locust.runners import MasterRunner, WorkerRunner

from authflow.answers import EnvAnswers
from authflow.errors import (
    AuthflowError,
    DeadlineError,
    ExpiredCodeError,
    InternalError,
    InvalidSessionError,
    RefreshTokenReuseError,
    SessionExpiredError,
    TooManyRequestsError,
)
from authflow.flow import AuthFlow, HandlerLike
from authflow.many import RateLimit
from authflow.tokens import Tokens
from authflow.transport import UserPool

__all__ = ["CognitoUser"]

# Locust logs at INFO: the state machine library's line per transition would drown its output.
logging.getLogger("transitions").setLevel(logging.WARNING)

_WORKERS_MESSAGE = "authflow_workers"
#: How long a worker waits for the master's worker count before its first sign-in.
WORKER_COUNT_TIMEOUT = 30.0
#: The most connections one process keeps to Cognito (botocore's pool), whatever the number of users.
MAX_CONNECTIONS = 1000
#: Failures that may pass (throttling, a slow or failing server, a Session or code that expired): a user whose
#: sign-in fails so is not stopped.
TRANSIENT = (TooManyRequestsError, DeadlineError, InternalError, SessionExpiredError, InvalidSessionError,
             ExpiredCodeError, RefreshTokenReuseError)
_log = logging.getLogger("authflow.locust")
T = TypeVar("T")


@events.init_command_line_parser.add_listener
def _add_arguments(parser: Any) -> None:
    group = parser.add_argument_group("authflow")
    group.add_argument("--cognito-users", env_var="AUTHFLOW_USERS", default="",
                       help="JSON users file, as for 'authflow login --users' (default: AUTHFLOW_USERNAME)")
    group.add_argument("--sign-ins-per-second", env_var="AUTHFLOW_SIGN_INS_PER_SECOND", type=float, default=0.0,
                       help="ceiling on sign-ins per second for the whole run, all workers together (0: none)")


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    # gevent's loop keeps the time it last looked at: after the slow imports of a loaded machine it is seconds
    # behind, and Locust's --run-time timer, set next, would end the run that much early.
    gevent.get_hub().loop.update_now()
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        def workers(msg: Any, **_: Any) -> None:
            count = max(1, int(msg.data["workers"]))
            _worker_counts[id(environment)] = count
            _worker_slices[id(environment)] = min(max(0, int(msg.data.get("index", 0))), count - 1)

        runner.register_message(_WORKERS_MESSAGE, workers)
    elif isinstance(runner, MasterRunner):
        def tell_workers(**_: Any) -> None:
            # Before the users are dispatched: how many workers share the run, and each one's slice of the users.
            connected = sorted(runner.clients.ready + runner.clients.running + runner.clients.spawning,
                               key=lambda node: str(node.id))
            for index, node in enumerate(connected):
                runner.send_message(_WORKERS_MESSAGE, {"workers": len(connected), "index": index},
                                    client_id=node.id)

        environment.events.test_start.add_listener(tell_workers)


class _ReportingPool(UserPool):
    """A UserPool that reports each Cognito call to Locust's statistics. During a sign-in (:meth:`sign_in`), a
    refused answer that may be answered again is held back until the sign-in's end says what it was."""

    def __init__(self, environment: Environment, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._environment = environment
        self._held = threading.local()  # greenlet-local under Locust: this user's sign-in's refusals

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        name = self.operation_names(operation)[1]
        step = kwargs.get("ChallengeName") or kwargs.get("AuthFlow")
        if isinstance(step, str):
            name = f"{name} {step}"
        started = time.perf_counter()
        error: AuthflowError | None = None
        try:
            return super().call(operation, **kwargs)
        except AuthflowError as exc:
            error = exc
            raise
        finally:
            held: list[tuple[str, float, float, AuthflowError]] | None = getattr(self._held, "refusals", None)
            if held is not None and error is not None and error.retryable and not isinstance(
                    error, TooManyRequestsError):
                held.append((name, started, time.perf_counter(), error))
            else:
                _report(self._environment, "cognito", name, started, error)

    def sign_in(self, flow: AuthFlow, handler: HandlerLike) -> Tokens:
        """``flow.run(handler)``; its refusals are reported at the end: answered again (type
        ``cognito-retried``, not a failure), except the last of a sign-in that failed (a failure)."""
        held: list[tuple[str, float, float, AuthflowError]] = []
        self._held.refusals = held
        failed = True
        try:
            tokens = flow.run(handler)
            failed = False
            return tokens
        finally:
            self._held.refusals = None
            for number, (name, started, ended, error) in enumerate(held, 1):
                if failed and number == len(held):
                    _report(self._environment, "cognito", name, started, error, ended=ended)
                else:
                    _report(self._environment, "cognito-retried", f"{name} {error.code}", started, None, ended=ended)


def _report(environment: Environment, kind: str, name: str, started: float, error: Exception | None,
            ended: float | None = None) -> None:
    environment.events.request.fire(
        request_type=kind, name=name, response_time=((ended or time.perf_counter()) - started) * 1000,
        response_length=0, exception=error, context={},
    )


def share(entries: Sequence[T], index: int, workers: int) -> Sequence[T]:
    """Worker ``index``'s slice of ``entries`` among ``workers``: entry i goes to worker i mod ``workers``, so
    no entry is used by two workers. With fewer entries than workers, the workers past the last entry get an
    empty slice (two workers signing one TOTP user in would refuse each other's codes as already used)."""
    if workers <= 1:
        return entries
    return entries[index % workers::workers]


class _Run:
    """What the simulated users of one Locust process share: the pool, the users, the ceiling."""

    def __init__(self, environment: Environment) -> None:
        options = environment.parsed_options
        self.environment = environment
        users = getattr(options, "num_users", None) or getattr(environment.runner, "target_user_count", 0) or 0
        self.pool = _ReportingPool(environment, *_pool_settings(os.environ, environment.host),
                                   max_connections=min(MAX_CONNECTIONS, max(10, int(users))))
        users_file = getattr(options, "cognito_users", "") or ""
        self.entries = _entries(users_file)
        self.ceiling = float(getattr(options, "sign_ins_per_second", 0.0) or 0.0)
        self._limit: RateLimit | None = None
        self._started = 0
        self.stopped_for: set[str] = set()  # the reasons users were stopped for, each logged once

    def next_entry(self) -> dict[str, Any]:
        """The users-file entry for the next simulated user of this process, from this worker's slice."""
        workers, index = 1, 0
        if isinstance(self.environment.runner, WorkerRunner):
            workers = self.workers or 1
            index = _worker_slices.get(id(self.environment), 0)
        mine = share(self.entries, index, workers)
        if not mine:
            raise AuthflowError(f"worker {index + 1} of {workers} has no user of its own (the users file has "
                                f"{len(self.entries)}); give at least as many users as workers",
                                code="LocustSetupError")
        entry = mine[self._started % len(mine)]
        self._started += 1
        return entry

    @property
    def workers(self) -> int | None:
        """How many processes share the run: 1 unless a worker, then what the master said (None: not yet)."""
        if isinstance(self.environment.runner, WorkerRunner):
            return _worker_counts.get(id(self.environment))
        return 1

    def wait_for_slot(self) -> None:
        """Block (this greenlet only) until the run's ceiling allows another sign-in."""
        if self.ceiling <= 0:
            return
        waited = 0.0
        while self.workers is None:  # a worker: its share is known once the master says how many there are
            if waited >= WORKER_COUNT_TIMEOUT:
                raise AuthflowError("the Locust master never said how many workers share the sign-in ceiling "
                                    "(does its locustfile import authflow.locust?)", code="LocustSetupError")
            time.sleep(0.05)  # Locust's monkey-patching makes this a greenlet sleep
            waited += 0.05
        if self._limit is None:
            self._limit = RateLimit(self.ceiling / (self.workers or 1))
        self._limit.wait()


_runs: dict[int, _Run] = {}
_worker_counts: dict[int, int] = {}  # id(environment) -> workers in the run, as the master said
_worker_slices: dict[int, int] = {}  # id(environment) -> this worker's slice of the users, as the master said
_setup_reasons: set[str] = set()  # why users could not even be set up, each logged once


def _run_of(environment: Environment) -> _Run:
    run = _runs.get(id(environment))
    if run is None or run.environment is not environment:
        run = _runs[id(environment)] = _Run(environment)
    return run


def _pool_settings(environ: Mapping[str, str], host: str | None = None,
                   ) -> tuple[str, str, str | None, str | None, str | None]:
    """(pool id, client id, client secret, region, endpoint URL) from the AUTHFLOW_* variables; the endpoint
    is AUTHFLOW_ENDPOINT_URL, else Locust's ``--host``."""
    pool_id, client_id = environ.get("AUTHFLOW_POOL_ID"), environ.get("AUTHFLOW_CLIENT_ID")
    if not pool_id or not client_id:
        raise AuthflowError("set AUTHFLOW_POOL_ID and AUTHFLOW_CLIENT_ID (as for 'authflow login')",
                            code="LocustSetupError")
    return (pool_id, client_id, environ.get("AUTHFLOW_CLIENT_SECRET") or None,
            environ.get("AUTHFLOW_REGION") or None, environ.get("AUTHFLOW_ENDPOINT_URL") or host or None)


def _entries(users_file: str) -> list[dict[str, Any]]:
    if users_file:
        from pathlib import Path

        from authflow.many import read_users_file

        return read_users_file(Path(users_file))
    username = os.environ.get("AUTHFLOW_USERNAME")
    if not username:
        raise AuthflowError("give --cognito-users FILE (AUTHFLOW_USERS) or set AUTHFLOW_USERNAME",
                            code="LocustSetupError")
    return [{"username": username}]


class CognitoUser(User):
    """A simulated user that signs in to Cognito when it starts; its tasks use :attr:`tokens`.

    Set ``auth_flow`` / ``preferred_challenge`` as for :class:`~authflow.flow.AuthFlow`; ``refresh_leeway``
    is how many seconds before expiry the tokens are refreshed.
    """

    abstract = True
    auth_flow = "USER_SRP_AUTH"
    preferred_challenge: str | None = None
    refresh_leeway = 60.0

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self._setup_error: AuthflowError | None = None
        try:
            self._authflow = _run_of(environment)
            #: This user's entry of the users file (``username`` and its answers).
            self.entry = self._authflow.next_entry()
        except AuthflowError as exc:  # said once, in on_start
            self._setup_error = exc
            self.entry = {"username": "?"}
        self.username: str = self.entry["username"]
        self._tokens: Tokens | None = None

    def answers(self) -> HandlerLike:
        """Who answers this user's prompts: the users-file entry, then the AUTHFLOW_* answers. Override to
        answer with callables of your own (a function ``prompt -> answer``, or a ScriptedHandler)."""
        from authflow.cli.signin import NonInteractiveHandler

        given = {key: value for key, value in self.entry.items() if key != "username"}
        if "attributes" in given:
            given["attributes"] = {str(k): str(v) for k, v in given["attributes"].items()}
        return NonInteractiveHandler(replace(EnvAnswers.from_environ(), **given))

    def on_start(self) -> None:
        if self._setup_error is not None:
            self._stop_user(self._setup_error)
            return
        try:
            self.sign_in()
        except AuthflowError as exc:
            if not isinstance(exc, TRANSIENT):
                self._stop_user(exc)  # a first sign-in that cannot work: this user goes no further
            # else reported as a failed sign-in; the next use of self.tokens signs in again

    def _stop_user(self, error: AuthflowError) -> None:
        """Stop this user before its first task, saying why in one line (once per reason in this process)."""
        reason = f"{error.code}: {error.message}" if error.message else error.code
        said = self._authflow.stopped_for if self._setup_error is None else _setup_reasons
        if reason not in said:
            said.add(reason)
            _log.error("authflow: stopping user %s: %s", self.username, reason)
        self.stop()  # running: stops before the first task, without a traceback

    def sign_in(self) -> Tokens:
        """A new sign-in (within the run's ceiling), reported as ``authflow sign-in``."""
        started = time.perf_counter()
        try:
            self._authflow.wait_for_slot()
            started = time.perf_counter()  # waiting for the ceiling is not part of the sign-in's time
            flow = AuthFlow(self._authflow.pool, self.username, self.auth_flow,
                            preferred_challenge=self.preferred_challenge)
            self._tokens = self._authflow.pool.sign_in(flow, self.answers())
        except AuthflowError as exc:
            _report(self.environment, "authflow", "sign-in", started, exc)
            raise
        _report(self.environment, "authflow", "sign-in", started, None)
        return self._tokens

    @property
    def tokens(self) -> Tokens:
        """Tokens good for at least ``refresh_leeway`` seconds: refreshed when close to expiry, or a new
        sign-in when there are none or refreshing fails. A sign-in that fails here (already reported as a
        failure) ends the task that asked, without a traceback: the user goes on to its next task."""
        tokens = self._tokens
        if tokens is None or tokens.expired(leeway=self.refresh_leeway):
            if tokens is not None and tokens.refresh_token is not None:
                try:
                    self._tokens = self._authflow.pool.refresh(tokens.refresh_token, username=self.username)
                    return self._tokens
                except AuthflowError:
                    self._tokens = None  # reported as a failed refresh; sign in again
            try:
                return self.sign_in()
            except AuthflowError as exc:
                raise RescheduleTask() from exc
        return tokens

    def cognito_call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """Any cognito-idp operation (boto3 name), reported to Locust like the sign-in's calls."""
        return self._authflow.pool.call(operation, **kwargs)
