"""The state of one local user pool server and the dispatch of operations to their handlers.

The handlers come in as a table (``operations.OPERATIONS``): this module imports none of them, and they
import it only for its types.

Everything a request touches (pools, Sessions, tokens, outbox, request log, faults, clock) lives in one
:class:`Service`; one lock serialises the operations, so handlers are plain code over plain data.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from authflow.localpool.clock import Clock
from authflow.localpool.errors import (
    PoolError,
    internal_error,
    not_authorized,
    resource_not_found,
    user_not_found,
)
from authflow.localpool.identity import IDENTITY_TARGET_PREFIX, IdentityState
from authflow.localpool.model import AppClient, PoolRecord, User
from authflow.localpool.oauth_state import ManagedLoginState
from authflow.localpool.store import MemoryStore, Store, StoreError
from authflow.localpool.tokens import ACCESS_SCOPE

log = logging.getLogger("authflow.localpool")

Handler = Callable[["Service", dict[str, Any]], dict[str, Any]]
Prepare = Callable[["Service", dict[str, Any]], None]
LOG_LIMIT = 10_000


# --- what tests read back: the outbox and the request log -------------------------------------------


#: Other names an outbox filter accepts for a purpose (the Cognito operation that sends the code).
PURPOSE_ALIASES = {"FORGOT_PASSWORD": "RESET_PASSWORD"}


def outbox_purpose(name: str | None) -> str | None:
    """The purpose an outbox filter ``name`` stands for."""
    return PURPOSE_ALIASES.get(name, name) if name is not None else None


@dataclass(repr=False, slots=True)
class OutboxMessage:
    """A code (or temporary password) the pool "sent" by SMS or email."""

    pool_id: str
    username: str
    medium: str
    destination: str
    code: str
    #: Why it was sent: the ChallengeName (SMS_MFA, EMAIL_OTP, SMS_OTP) or TEMPORARY_PASSWORD,
    #: CONFIRM_SIGN_UP, RESET_PASSWORD, VERIFY_ATTRIBUTE: the AUTHFLOW_CHALLENGE of a code command.
    purpose: str
    sent_at: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "pool_id": self.pool_id, "username": self.username, "medium": self.medium,
            "destination": self.destination, "code": self.code, "purpose": self.purpose,
            "sent_at": self.sent_at,
        }

    def __repr__(self) -> str:
        return f"OutboxMessage(username={self.username!r}, medium={self.medium}, purpose={self.purpose})"


@dataclass(repr=False, slots=True)
class LoggedRequest:
    """One request as received: operation, parameters, and the answer's status and code.

    The parameters are kept as their compact JSON text (about a third of the memory of the dicts), and
    :attr:`params` is a fresh copy of them at each read."""

    operation: str
    body: str
    at: float
    status: int = 0
    error_code: str | None = None

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = json.loads(self.body)
        return params

    def __repr__(self) -> str:
        return f"LoggedRequest({self.operation}, status={self.status}, error={self.error_code})"


# --- fault injection ------------------------------------------------------------------------------


@dataclass
class _Fault:
    code: str
    message: str
    status: int
    remaining: int
    operation: str | None


@dataclass
class _Delay:
    seconds: float
    remaining: int
    operation: str | None


@dataclass
class Faults:
    """Make the next calls fail on purpose. Rules apply in the order they were added."""

    _rules: list[_Fault] = field(default_factory=list)
    _delays: list[_Delay] = field(default_factory=list)
    #: None, "zero" or "N": what PASSWORD_VERIFIER sends as SRP_B (a client must refuse both).
    srp_b: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def throttle(self, n: int = 1, operation: str | None = None) -> None:
        """The next ``n`` calls (of ``operation``, or of any) get TooManyRequestsException.

        boto3 retries throttling by itself (3 attempts in standard mode): use n >= 3 or a client with
        ``retries={"total_max_attempts": 1}`` to see the error."""
        with self._lock:
            self._rules.append(_Fault("TooManyRequestsException", "Rate exceeded", 400, n, operation))

    def fail(self, n: int = 1, operation: str | None = None) -> None:
        """The next ``n`` calls (of ``operation``, or of any) get InternalErrorException (HTTP 500)."""
        with self._lock:
            self._rules.append(_Fault("InternalErrorException", "Internal server error.", 500, n, operation))

    def slow(self, seconds: float, n: int = 1, operation: str | None = None) -> None:
        """The next ``n`` calls (of ``operation``, or of any) are answered ``seconds`` late (the pool
        keeps serving other requests meanwhile): a slow network or a slow Cognito."""
        with self._lock:
            self._delays.append(_Delay(seconds, n, operation))

    def take_delay(self, operation: str) -> float:
        with self._lock:
            for rule in self._delays:
                if rule.operation in (None, operation):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._delays.remove(rule)
                    return rule.seconds
        return 0.0

    def malicious_srp_b(self, mode: str | None = "zero") -> None:
        """PASSWORD_VERIFIER sends SRP_B = 0 (``"zero"``) or N (``"N"``); None turns it off."""
        if mode not in (None, "zero", "N"):
            raise ValueError("mode is 'zero', 'N' or None")
        self.srp_b = mode

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._delays.clear()
        self.srp_b = None

    def take(self, operation: str) -> PoolError | None:
        with self._lock:
            for rule in self._rules:
                if rule.operation in (None, operation) and rule.remaining > 0:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    return PoolError(rule.code, rule.message, rule.status)
        return None


# --- the X-Amz-Target header --------------------------------------------------------------------


_TARGET = re.compile(r"^AWSCognitoIdentityProviderService\.([A-Za-z]+)$")


def operation_of(target: str | None) -> str | None:
    match = _TARGET.match(target or "")
    return match.group(1) if match else None


_IDENTITY_TARGET = re.compile(rf"^{IDENTITY_TARGET_PREFIX}\.([A-Za-z]+)$")


def identity_operation_of(target: str | None) -> str | None:
    """The operation of an identity pool request (X-Amz-Target AWSCognitoIdentityService.<Operation>)."""
    match = _IDENTITY_TARGET.match(target or "")
    return match.group(1) if match else None


# --- the service ----------------------------------------------------------------------------------


class Service:
    """Pools, Sessions, tokens and the test hooks of one server."""

    def __init__(
        self, operations: Mapping[str, Handler], region: str = "us-east-1", clock: Clock | None = None,
        before_lock: Mapping[str, Prepare] | None = None, identity_operations: Mapping[str, Handler] | None = None,
        store: Store | None = None,
    ) -> None:
        self.region = region
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        #: Where the state lives: in memory, or in a database (``store.py``); the model below is its cache.
        self.store: Store = store or MemoryStore()
        self.pools: dict[str, PoolRecord] = {}
        self._client_pools: dict[str, str] = {}
        #: Pools an operation looked up or changed (a durable store saves the changed ones); off in memory.
        self.track_pools = False
        self.touched_pools: set[str] = set()
        self._depth = 0
        self.sessions = self.store.session_store()
        self.tokens = self.store.token_issuer()
        self.faults = Faults()
        #: The newest messages and requests (bounded, so a long-running server does not grow without end).
        self.outbox = self.store.outbox()
        self.request_log: deque[LoggedRequest] = deque(maxlen=LOG_LIMIT)
        self.endpoint_url = "http://127.0.0.1"
        #: How far a PASSWORD_VERIFIER TIMESTAMP may be from the pool's clock: AWS publishes no tolerance (only
        #: that the answer must come "within a few seconds"); five minutes is this pool's choice.
        self.timestamp_tolerance = 300.0
        #: Keys the fake SALT and USER_ID_FOR_SRP of unknown users, stable per name (PreventUserExistenceErrors).
        self.decoy_key = self.store.secret("decoy")
        #: Operation name -> handler (``operations.OPERATIONS``, handed in by the caller).
        self.operations: dict[str, Handler] = dict(operations)
        #: Operation name -> work done before the lock (``operations.BEFORE_LOCK``).
        self.before_lock: dict[str, Prepare] = dict(before_lock or {})
        #: Identity pools (cognito-identity) and the STS calls of their basic flow: their state, and their
        #: operations by name (``identity.IDENTITY_OPERATIONS`` and ``identity.STS_OPERATIONS``).
        self.identity = IdentityState()
        self.identity_operations: dict[str, Handler] = dict(identity_operations or {})
        #: Managed login's sign-ins under way, authorization codes and signed-in browsers (``oauth``).
        self.managed_login = ManagedLoginState()
        self.store.attach(self)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock; with a durable store, work on the state as saved and save what changed before
        leaving (re-entrant: the outermost one saves). Raises StoreError if it cannot be saved."""
        with self.lock:
            if self._depth == 0:
                self.store.begin(self)
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self.store.rollback(self)
                raise
            self._depth -= 1
            if self._depth == 0:
                self.store.commit(self)

    # --- lookups -----------------------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def pool(self, pool_id: str) -> PoolRecord:
        if self.track_pools:
            self.touched_pools.add(pool_id)
        pool = self.pools.get(pool_id)
        if pool is None:
            raise resource_not_found(f"User pool {pool_id} does not exist.")
        return pool

    def client(self, client_id: str) -> tuple[PoolRecord, AppClient]:
        pool_id = self._client_pools.get(client_id)
        if pool_id and self.track_pools:
            self.touched_pools.add(pool_id)
        pool = self.pools.get(pool_id) if pool_id else None
        if pool is None or client_id not in pool.clients:
            raise resource_not_found(f"User pool client {client_id} does not exist.")
        return pool, pool.clients[client_id]

    def add_pool(self, pool: PoolRecord) -> None:
        if pool.id in self.pools:
            raise ValueError(f"pool {pool.id} already exists")
        self.pools[pool.id] = pool
        if self.track_pools:
            self.touched_pools.add(pool.id)

    def add_client(self, pool: PoolRecord, client: AppClient) -> None:
        if client.id in self._client_pools:
            raise ValueError(f"client {client.id} already exists")
        pool.clients[client.id] = client
        self._client_pools[client.id] = pool.id
        if self.track_pools:
            self.touched_pools.add(pool.id)

    def remove_pool(self, pool: PoolRecord) -> None:
        for client_id in pool.clients:
            self._client_pools.pop(client_id, None)
        self.pools.pop(pool.id, None)
        if self.track_pools:
            self.touched_pools.add(pool.id)

    def issuer(self, pool_id: str) -> str:
        return f"{self.endpoint_url}/{pool_id}"

    def access_token_user(self, token: str) -> tuple[PoolRecord, User, dict[str, Any]]:
        """The pool, user and claims of a valid access token (GetUser, GlobalSignOut, ...)."""
        claims = self.tokens.access_claims(token, None, self.now())
        issuer = str(claims.get("iss", ""))
        pool = self.pools.get(issuer.rsplit("/", 1)[-1])
        if pool is not None and self.track_pools:
            self.touched_pools.add(pool.id)
        if pool is None or issuer != self.issuer(pool.id):
            raise not_authorized("Invalid Access Token")
        if ACCESS_SCOPE not in str(claims.get("scope", "")).split():
            raise not_authorized("Access Token does not have required scopes")
        user = pool.get(str(claims.get("username", "")))
        if user is None or user.sub != claims.get("sub"):
            raise user_not_found()
        if not user.enabled:
            raise not_authorized("User is disabled.")
        return pool, user, claims

    def deliver(self, pool: PoolRecord, user: User, medium: str, destination: str, code: str, purpose: str) -> None:
        self.outbox.append(OutboxMessage(
            pool_id=pool.id, username=user.username, medium=medium, destination=destination, code=code,
            purpose=purpose, sent_at=self.now(),
        ))

    # --- dispatch ----------------------------------------------------------------------------------

    def handle(self, operation: str, params: dict[str, Any], *, identity: bool = False) -> tuple[int, dict[str, Any]]:
        """Run one operation (``identity``: of the identity pool or STS); returns (HTTP status, JSON body).
        Never raises."""
        delay = self.faults.take_delay(operation)
        if delay:
            time.sleep(delay)  # outside the lock: only this request waits
        prepare = self.before_lock.get(operation)
        if prepare is not None:
            prepare(self, params)
        with self.lock:
            record = LoggedRequest(operation, json.dumps(params, separators=(",", ":")), self.now())
            self.request_log.append(record)
            try:
                self.store.begin(self)
            except StoreError:
                log.exception("%s: the database cannot be read", operation)
                failure = internal_error()
                record.status, record.error_code = failure.status, failure.body().get("__type")
                return failure.status, failure.body()
            try:
                fault = self.faults.take(operation)
                if fault is not None:
                    raise fault
                if identity:
                    self.identity.changed = True  # a durable store saves the identity pools after it
                handler = (self.identity_operations if identity else self.operations).get(operation)
                if handler is None:
                    raise PoolError(
                        "UnsupportedOperationException",
                        f"The local user pool does not implement {operation}.",
                    )
                status, body = 200, handler(self, params)
            except PoolError as error:
                status, body = error.status, error.body()
            except Exception:
                log.exception("%s failed inside the local user pool", operation)
                failure = internal_error()
                status, body = failure.status, failure.body()
            try:
                self.store.commit(self)  # saved before the reply leaves
            except StoreError:
                log.exception("%s: the change cannot be saved", operation)
                failure = internal_error()
                status, body = failure.status, failure.body()
            record.status = status
            record.error_code = body.get("__type") if status != 200 else None
        return status, body
