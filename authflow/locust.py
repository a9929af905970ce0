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
AUTHFLOW_CLIENT_ID, AUTHFLOW_CLIENT_SECRET, AUTHFLOW_REGION, AUTHFLOW_ENDPOINT_URL). Who signs in:

- ``--cognito-users FILE`` (or AUTHFLOW_USERS): the JSON users file of ``authflow login --users`` (username,
  password, totp_secret, code_command, new_password, attributes, mfa_choice, first_factor). Simulated users
  take its entries in turn; in distributed mode each worker takes its own share of the entries, so one TOTP
  user is never signed in by two processes at once while there are enough entries.
- otherwise AUTHFLOW_USERNAME with the answers ``authflow login`` reads (AUTHFLOW_PASSWORD,
  AUTHFLOW_TOTP_SECRET, AUTHFLOW_CODE_COMMAND...);
- or override :meth:`CognitoUser.answers` to answer with your own callables.

Every Cognito call is reported to Locust's statistics as request type ``cognito`` named by the operation and
its step (``InitiateAuth USER_SRP_AUTH``, ``RespondToAuthChallenge PASSWORD_VERIFIER``,
``RespondToAuthChallenge SOFTWARE_TOKEN_MFA``, ``GetTokensFromRefreshToken``...), and each whole sign-in as
``authflow sign-in`` (client work included). ``self.tokens`` refreshes the tokens ``refresh_leeway`` seconds
before they expire, and signs in again if refreshing fails.

``--sign-ins-per-second N`` (or AUTHFLOW_SIGN_INS_PER_SECOND) caps sign-ins for the whole run, to stay inside
Cognito's quotas: with a master and workers, each of the W workers takes N / W (the master tells them W when
the test starts). Nothing here differs between a local run and a distributed one.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from locust import User, events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from authflow.answers import EnvAnswers
from authflow.errors import AuthflowError
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


@events.init_command_line_parser.add_listener
def _add_arguments(parser: Any) -> None:
    group = parser.add_argument_group("authflow")
    group.add_argument("--cognito-users", env_var="AUTHFLOW_USERS", default="",
                       help="JSON users file, as for 'authflow login --users' (default: AUTHFLOW_USERNAME)")
    group.add_argument("--sign-ins-per-second", env_var="AUTHFLOW_SIGN_INS_PER_SECOND", type=float, default=0.0,
                       help="ceiling on sign-ins per second for the whole run, all workers together (0: none)")


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        def workers(msg: Any, **_: Any) -> None:
            _worker_counts[id(environment)] = max(1, int(msg.data["workers"]))

        runner.register_message(_WORKERS_MESSAGE, workers)
    elif isinstance(runner, MasterRunner):
        def tell_workers(**_: Any) -> None:
            connected = runner.clients.ready + runner.clients.running + runner.clients.spawning
            runner.send_message(_WORKERS_MESSAGE, {"workers": len(connected)})  # before the users are dispatched

        environment.events.test_start.add_listener(tell_workers)


class _ReportingPool(UserPool):
    """A UserPool that reports each Cognito call to Locust's statistics."""

    def __init__(self, environment: Environment, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._environment = environment

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        name = "".join(part.capitalize() for part in operation.split("_"))
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
            _report(self._environment, "cognito", name, started, error)


def _report(environment: Environment, kind: str, name: str, started: float, error: Exception | None) -> None:
    environment.events.request.fire(
        request_type=kind, name=name, response_time=(time.perf_counter() - started) * 1000,
        response_length=0, exception=error, context={},
    )


class _Run:
    """What the simulated users of one Locust process share: the pool, the users, the ceiling."""

    def __init__(self, environment: Environment) -> None:
        options = environment.parsed_options
        self.environment = environment
        self.pool = _ReportingPool(environment, *_pool_settings(os.environ))
        users_file = getattr(options, "cognito_users", "") or ""
        self.entries = _entries(users_file)
        self.ceiling = float(getattr(options, "sign_ins_per_second", 0.0) or 0.0)
        self._limit: RateLimit | None = None
        self._started = 0

    def next_entry(self) -> dict[str, Any]:
        """The users-file entry for the next simulated user of this process (this worker's share first)."""
        runner = self.environment.runner
        index = max(0, getattr(runner, "worker_index", 0)) if isinstance(runner, WorkerRunner) else 0
        stride = self.workers or 1
        entry = self.entries[(index + stride * self._started) % len(self.entries)]
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


def _run_of(environment: Environment) -> _Run:
    run = _runs.get(id(environment))
    if run is None or run.environment is not environment:
        run = _runs[id(environment)] = _Run(environment)
    return run


def _pool_settings(environ: Mapping[str, str]) -> tuple[str, str, str | None, str | None, str | None]:
    """(pool id, client id, client secret, region, endpoint URL) from the AUTHFLOW_* variables."""
    pool_id, client_id = environ.get("AUTHFLOW_POOL_ID"), environ.get("AUTHFLOW_CLIENT_ID")
    if not pool_id or not client_id:
        raise AuthflowError("set AUTHFLOW_POOL_ID and AUTHFLOW_CLIENT_ID (as for 'authflow login')",
                            code="LocustSetupError")
    return (pool_id, client_id, environ.get("AUTHFLOW_CLIENT_SECRET") or None,
            environ.get("AUTHFLOW_REGION") or None, environ.get("AUTHFLOW_ENDPOINT_URL") or None)


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
        self._authflow = _run_of(environment)
        #: This user's entry of the users file (``username`` and its answers).
        self.entry = self._authflow.next_entry()
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
        try:
            self.sign_in()
        except AuthflowError:
            return  # reported as a failed sign-in; the next use of self.tokens signs in again

    def sign_in(self) -> Tokens:
        """A new sign-in (within the run's ceiling), reported as ``authflow sign-in``."""
        started = time.perf_counter()
        try:
            self._authflow.wait_for_slot()
            started = time.perf_counter()  # waiting for the ceiling is not part of the sign-in's time
            flow = AuthFlow(self._authflow.pool, self.username, self.auth_flow,
                            preferred_challenge=self.preferred_challenge)
            self._tokens = flow.run(self.answers())
        except AuthflowError as exc:
            _report(self.environment, "authflow", "sign-in", started, exc)
            raise
        _report(self.environment, "authflow", "sign-in", started, None)
        return self._tokens

    @property
    def tokens(self) -> Tokens:
        """Tokens good for at least ``refresh_leeway`` seconds: refreshed when close to expiry, or a new
        sign-in when there are none or refreshing fails."""
        tokens = self._tokens
        if tokens is None:
            return self.sign_in()
        if tokens.expired(leeway=self.refresh_leeway):
            if tokens.refresh_token is not None:
                try:
                    self._tokens = self._authflow.pool.refresh(tokens.refresh_token, username=self.username)
                    return self._tokens
                except AuthflowError:
                    self._tokens = None  # reported as a failed refresh; sign in again
            return self.sign_in()
        return tokens

    def cognito_call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """Any cognito-idp operation (boto3 name), reported to Locust like the sign-in's calls."""
        return self._authflow.pool.call(operation, **kwargs)
