"""A strict, Cognito-compatible user pool on 127.0.0.1, for tests and for ``authflow demo``.

    from authflow.localpool import LocalUserPool

    with LocalUserPool() as pool:                     # one pool, one client, no users (or a seed)
        pool.add_user("alice", "Passw0rd!", attributes={"email": "alice@example.com"})
        client = boto3.client("cognito-idp", endpoint_url=pool.endpoint_url, ...)
        client.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", ...)
        pool.last_code("alice")                       # a code it "sent" by SMS or email
        pool.requests("InitiateAuth")                 # what was received
        pool.faults.throttle(3)                       # TooManyRequestsException next
        pool.faults.slow(2.0)                         # the next call answers 2 s late
        pool.clock.advance(181)                       # Sessions expire

It speaks the cognito-idp JSON 1.1 protocol and refuses what Cognito refuses, with Cognito's error codes
and messages (see docs/protocol.md). Modules: ``server`` (HTTP), ``service`` (state
and dispatch), ``operations`` (the table: operation name -> handler), the handlers' modules ``auth``
(sign-in), ``account`` (a signed-in user's own operations), ``signup`` and ``admin``; the helpers they share:
``params`` (reading parameters), ``codes`` (codes, TOTP, SECRET_HASH), ``users``, ``builders``; and
``model``, ``sessions``, ``tokens``, ``seed``, ``cli``. Adding an operation is a function in a handlers'
module and one row in ``operations.OPERATIONS``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from typing import Any

from authflow.localpool.builders import build_client, build_user
from authflow.localpool.clock import Clock
from authflow.localpool.errors import PoolError
from authflow.localpool.identity import IDENTITY_OPERATIONS, STS_OPERATIONS, IdentityPool, build_identity_pool
from authflow.localpool.model import MFA_METHODS, USER_STATUSES, AppClient, PasswordRecord, PoolRecord, User
from authflow.localpool.operations import BEFORE_LOCK, OPERATIONS
from authflow.localpool.seed import add_pool, apply_seed, load_seed, seed_users
from authflow.localpool.server import ConnectionLimits, HttpServer
from authflow.localpool.service import Faults, LoggedRequest, OutboxMessage, Service, outbox_purpose
from authflow.localpool.store import MemoryStore, Store, StoreError
from authflow.localpool.users import update_attributes

__all__ = [
    "AppClient",
    "Clock",
    "CustomAuth",
    "Faults",
    "LocalUserPool",
    "LoggedRequest",
    "OutboxMessage",
    "PoolError",
    "PoolRecord",
    "StoreError",
    "User",
]

Trigger = Callable[[dict[str, Any]], Any]


class CustomAuth:
    """Python stand-ins for the Define / Create / Verify Auth Challenge Lambda triggers of CUSTOM_AUTH.

    Each is called with the Lambda event (``userName``, ``request`` {userAttributes, session,
    challengeName, privateChallengeParameters, challengeAnswer, ...}, ``response``) and returns the event,
    its ``response`` dict, or None after filling ``event["response"]`` in. With CUSTOM_AUTH and SRP
    (``CHALLENGE_NAME=SRP_A``) the define trigger is first asked with the session ``[SRP_A]``, and answers
    ``challengeName="PASSWORD_VERIFIER"`` to have the password checked (or fails the sign-in there)."""

    def __init__(self, define: Trigger, create: Trigger, verify: Trigger) -> None:
        self.define, self.create, self.verify = define, create, verify


class LocalUserPool:
    """One local server holding one or more user pools.

    ``seed``: None (one pool with one client allowing every flow, no users), ``"demo"`` (the built-in
    demo users), a seed dict, or the path of a JSON seed file (format in :mod:`authflow.localpool.seed`).
    ``pool_id`` / ``client_id`` name the first pool and its first client; methods take ``pool_id=`` to
    reach the others.
    """

    def __init__(
        self,
        seed: dict[str, Any] | str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str | None = None,
        limits: ConnectionLimits | None = None,
        data: str | os.PathLike[str] | None = None,
        lock_data: bool = True,
    ) -> None:
        """``data``: the SQLite file that keeps the state (made and seeded if absent or empty; its state,
        not the seed, otherwise); None keeps it in memory. StoreError if it cannot be used.
        ``lock_data=False``: another process holds the file's lock for this one (``--workers``)."""
        self.seed = load_seed(seed)
        self.limits = limits or ConnectionLimits()
        store: Store = MemoryStore()
        if data is not None:
            from authflow.localpool.sqlite_store import SqliteStore

            store = SqliteStore(data, lock=lock_data)
        try:
            self.service = Service(OPERATIONS, region=region or str(self.seed.get("region") or "us-east-1"),
                                   before_lock=BEFORE_LOCK, store=store,
                                   identity_operations={**IDENTITY_OPERATIONS, **STS_OPERATIONS})
            with self.service.transaction():
                if store.durable and self.service.pools:  # the file's state, not the seed
                    self._seed_users: list[dict[str, Any]] = store.get_value("seed_users") or []
                else:
                    self._seed_users = seed_users(self.seed, apply_seed(self.service, self.seed))
                    store.set_value("seed_users", self._seed_users)
        except BaseException:
            store.close()
            raise
        self._host, self._port = host, port
        self._server: HttpServer | None = None
        self._socket: socket.socket | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self, listening: socket.socket | None = None) -> LocalUserPool:
        """Serve on ``host:port`` (or on the ``listening`` socket) from a daemon thread; returns once the
        socket listens."""
        if self._server is None:
            self._server = HttpServer(self.service, self._host, self._port, limits=self.limits, listening=listening)
            self.service.endpoint_url = self._server.endpoint_url
            self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def close(self) -> None:
        """Stop serving and close the database (a durable pool; nothing more in memory)."""
        self.stop()
        self.service.store.close()

    def __enter__(self) -> LocalUserPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the local user pool is not started")
        return self._server.endpoint_url

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the local user pool is not started")
        return self._server.port

    # --- pools, clients, users ------------------------------------------------------------------------

    @property
    def pool_id(self) -> str:
        """The first pool."""
        return next(iter(self.service.pools))

    @property
    def client_id(self) -> str:
        """The first app client of the first pool."""
        return self.app_client().id

    @property
    def client_secret(self) -> str | None:
        return self.app_client().secret

    @property
    def region(self) -> str:
        return self.service.region

    def pool(self, pool_id: str | None = None) -> PoolRecord:
        with self.service.transaction():
            return self.service.pool(pool_id or self.pool_id)

    def pools(self) -> list[PoolRecord]:
        with self.service.transaction():
            return list(self.service.pools.values())

    def app_client(self, client_id: str | None = None, *, pool_id: str | None = None) -> AppClient:
        """An app client by id, or the first client of ``pool_id`` (default: the first pool)."""
        with self.service.transaction():
            if client_id is not None:
                return self.service.client(client_id)[1]
            pool = self.pool(pool_id)
            if not pool.clients:
                raise LookupError(f"pool {pool.id} has no app client")
            return next(iter(pool.clients.values()))

    def issuer(self, pool_id: str | None = None) -> str:
        """The ``iss`` of the pool's tokens: ``<endpoint_url>/<pool_id>``."""
        return self.service.issuer(pool_id or self.pool_id)

    def jwks(self) -> dict[str, Any]:
        return self.service.tokens.jwks()

    def access_token_claims(self, token: str) -> dict[str, Any]:
        """The claims of an access token this server issued and still honours (signature, expiry at the
        pool's clock, revocation); PoolError (NotAuthorizedException) otherwise."""
        with self.service.transaction():
            return self.service.access_token_user(token)[2]

    def add_pool(self, **settings: Any) -> PoolRecord:
        """A new pool; ``settings`` are the keys of a seed pool entry, ``clients`` and ``users`` included."""
        with self.service.transaction():
            return add_pool(self.service, settings)

    def add_client(self, *, pool_id: str | None = None, **settings: Any) -> AppClient:
        """A new app client (``secret=True`` generates a secret; seed client keys otherwise)."""
        with self.service.transaction():
            return build_client(self.service, self.pool(pool_id), **settings)

    @property
    def identity_pool_id(self) -> str:
        """The first identity pool (LookupError when there is none)."""
        with self.service.transaction():
            if not self.service.identity.pools:
                raise LookupError("this local pool has no identity pool")
            return next(iter(self.service.identity.pools))

    def identity_pools(self) -> list[IdentityPool]:
        with self.service.transaction():
            return list(self.service.identity.pools.values())

    def identity_pool(self, identity_pool_id: str | None = None) -> IdentityPool:
        with self.service.transaction():
            pool = self.service.identity.pools[identity_pool_id or self.identity_pool_id]
        self.service.identity.changed = True  # the caller may change it: saved at the next operation
        return pool

    def add_identity_pool(self, **settings: Any) -> IdentityPool:
        """A new identity pool; ``settings`` are the keys of a seed's identity pool entry (``user_pools``: ids of
        this server's user pools, each a provider with its first app client; ``roles``, ``custom_roles``,
        ``allow_unauthenticated``, ``allow_classic_flow``, ``credentials_validity_seconds``)."""
        with self.service.transaction():
            return build_identity_pool(self.service, **settings)

    def issued_credentials(self, access_key_id: str) -> dict[str, Any]:
        """Whom the identity pool (or its STS) gave ``access_key_id``: {"IdentityId", "RoleArn",
        "SecretAccessKey", "Expiration"}; KeyError for a key it never issued."""
        with self.service.transaction():
            return dict(self.service.identity.issued[access_key_id])

    def add_user(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        pool_id: str | None = None,
        attributes: dict[str, str] | None = None,
        status: str = "CONFIRMED",
        enabled: bool = True,
        mfa: Iterable[str] = (),
        preferred_mfa: str | None = None,
        totp_secret: str | None = None,
        sub: str | None = None,
        passkey_file: str | os.PathLike[str] | None = None,
    ) -> User:
        """A new user (see :func:`authflow.localpool.builders.build_user`); ``passkey_file``: a software
        passkey file the user signs in with (a new one is made there when there is no file)."""
        with self.service.transaction():
            return build_user(
                self.service, self.pool(pool_id), username, password, attributes=attributes, status=status,
                enabled=enabled, mfa=mfa, preferred_mfa=preferred_mfa, totp_secret=totp_secret, sub=sub,
                passkey_file=None if passkey_file is None else os.fspath(passkey_file),
            )

    def user(self, username: str, *, pool_id: str | None = None) -> User:
        """The user ``username`` (internal name or alias) signs in as; KeyError if none."""
        with self.service.transaction():
            user = self.pool(pool_id).find(username)
        if user is None:
            raise KeyError(username)
        return user

    _UNSET: Any = object()

    def update_user(
        self,
        username: str,
        *,
        pool_id: str | None = None,
        password: str | None = None,
        attributes: dict[str, str] | None = None,
        status: str | None = None,
        enabled: bool | None = None,
        mfa: Iterable[str] | None = None,
        preferred_mfa: str | None = _UNSET,
        totp_secret: str | None = _UNSET,
    ) -> User:
        """Change a user: a new password (policy not checked: tests may need any), attributes merged in,
        status, enabled flag, MFA methods, preferred method, TOTP secret."""
        with self.service.transaction():
            pool = self.pool(pool_id)
            user = self.user(username, pool_id=pool.id)
            if password is not None:
                user.password = PasswordRecord(pool.id, user.username, password)
            if attributes:
                update_attributes(pool, user, dict(attributes), self.service.now())
            if status is not None:
                if status not in USER_STATUSES:
                    raise ValueError(f"status must be one of {USER_STATUSES}")
                user.status = status
            if enabled is not None:
                user.enabled = enabled
            if mfa is not None:
                if not set(mfa) <= set(MFA_METHODS):
                    raise ValueError(f"mfa methods are among {MFA_METHODS}")
                user.mfa_enabled = set(mfa)
            if preferred_mfa is not self._UNSET:
                user.preferred_mfa = preferred_mfa
            if totp_secret is not self._UNSET:
                user.totp_secret = totp_secret
                user.last_totp_step = -1
            return user

    def delete_user(self, username: str, *, pool_id: str | None = None) -> None:
        with self.service.transaction():
            pool = self.pool(pool_id)
            pool.remove(self.user(username, pool_id=pool.id))

    def set_custom_auth(
        self, define: Trigger, create: Trigger, verify: Trigger, *, pool_id: str | None = None
    ) -> None:
        """Install CUSTOM_AUTH triggers (see :class:`CustomAuth`) on a pool."""
        with self.service.transaction():
            self.pool(pool_id).custom_auth = CustomAuth(define, create, verify)

    def totp_code(self, username: str, *, pool_id: str | None = None, steps: int = 0) -> str:
        """The user's TOTP code at the pool's clock (``steps`` later time steps)."""
        user = self.user(username, pool_id=pool_id)
        if not user.totp_secret:
            raise LookupError(f"{username} has no TOTP secret")
        from authflow.totp import code_now

        return code_now(user.totp_secret, self.clock.now() + 30 * steps, f"{username}'s totp_secret")

    def demo_users(self) -> list[dict[str, Any]]:
        """The seed's users with their passwords and scenarios (what ``authflow local-pool`` prints)."""
        return [dict(row) for row in self._seed_users]

    # --- what tests look at -------------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        return self.service.clock

    @property
    def faults(self) -> Faults:
        """``faults.throttle(n, operation)``, ``faults.fail(n, operation)``, ``faults.slow(seconds, n, operation)``,
        ``faults.malicious_srp_b(mode)``."""
        return self.service.faults

    def _usernames(self, name: str) -> set[str]:
        names = {name}
        for pool in self.service.pools.values():
            user = pool.find(name)
            if user is not None:
                names.add(user.username)
        return names

    def outbox(
        self,
        username: str | None = None,
        *,
        medium: str | None = None,
        purpose: str | None = None,
        pool_id: str | None = None,
    ) -> list[OutboxMessage]:
        """Codes the pool "sent", oldest first; filtered by user (name or alias), SMS/EMAIL, purpose
        (SMS_MFA, EMAIL_OTP, SMS_OTP, TEMPORARY_PASSWORD, CONFIRM_SIGN_UP, RESET_PASSWORD,
        VERIFY_ATTRIBUTE: the AUTHFLOW_CHALLENGE a code command is run with), pool."""
        purpose = outbox_purpose(purpose)
        with self.service.transaction():
            names = self._usernames(username) if username is not None else None
            return [
                m for m in self.service.outbox
                if (names is None or m.username in names)
                and medium in (None, m.medium) and purpose in (None, m.purpose) and pool_id in (None, m.pool_id)
            ]

    def last_code(self, username: str, *, purpose: str | None = None, pool_id: str | None = None) -> str:
        """The newest code sent to ``username``; LookupError if none was."""
        messages = self.outbox(username, purpose=purpose, pool_id=pool_id)
        if not messages:
            raise LookupError(f"no code was sent to {username}")
        return messages[-1].code

    def clear_outbox(self) -> None:
        with self.service.transaction():
            self.service.outbox.clear()

    def requests(self, operation: str | None = None) -> list[LoggedRequest]:
        """Requests as received (operation, params, status, error code), oldest first."""
        with self.service.transaction():
            return [r for r in self.service.request_log if operation in (None, r.operation)]

    def clear_requests(self) -> None:
        with self.service.transaction():
            self.service.request_log.clear()

    def __repr__(self) -> str:
        where = self._server.endpoint_url if self._server else "stopped"
        return f"LocalUserPool({where}, pools={list(self.service.pools)})"
