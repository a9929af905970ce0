"""Where the local pool's state lives: in memory (tests, the demo), or in an SQLite file (``--data``).

Both stores answer the one interface the service uses (:class:`Store`): a transaction around each
operation (:meth:`Store.begin` / :meth:`Store.commit`), the Session store, the outbox, the token issuer
and the pool's secrets. Handlers never see the store: they change the model (``model.py``) in memory, as
always, and the durable store saves what they changed before the reply is sent.

The durable store (:class:`~authflow.localpool.sqlite_store.SqliteStore`, imported only
when a file is asked for) keeps the model in memory as a cache of the database:

- a user is one row (JSON from :mod:`~authflow.localpool.codec`, and a version), a pool one row (its
  settings and app clients), a refresh token one row, a revoked token family one row; the outbox one row
  per message; Sessions one row each (only what makes them single use: the Session itself is sealed and
  travels with the client, see :class:`SealedSessions`); the signing keys and other secrets in ``meta``;
- which rows an operation changed: the users it looked up (:class:`TrackedUsers`) and the pools it
  touched are encoded again and compared with what was saved; the token issuer reports its own changes;
- each commit also appends the keys it wrote to ``changes``; at the start of each operation a process
  reads the ones written since its last look (by other processes: ``--workers``) and reloads those rows.
  The write lock of SQLite (``BEGIN IMMEDIATE``) serialises operations across processes as the service's
  lock does inside one.

WAL mode, ``synchronous=NORMAL``: a commit is in the WAL before the reply leaves, so a killed process
loses nothing it answered (an operating-system crash or power loss may lose the last commits).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from authflow.localpool.codec import NOT_PERSISTED, encode
from authflow.localpool.model import PoolRecord, User
from authflow.localpool.sessions import SessionStore
from authflow.localpool.tokens import TokenIssuer

if TYPE_CHECKING:
    from authflow.localpool.service import OutboxMessage, Service

log = logging.getLogger("authflow.localpool")

#: The newest messages kept in the outbox.
OUTBOX_LIMIT = 10_000


class StoreError(Exception):
    """The database cannot be used (not a pool database, a newer schema, locked, unreadable)."""


class Outbox(Protocol):
    def append(self, message: OutboxMessage) -> None: ...
    def clear(self) -> None: ...
    def __iter__(self) -> Iterator[OutboxMessage]: ...
    def __len__(self) -> int: ...


class Store(Protocol):
    """What the service asks of where its state lives."""

    durable: bool

    def token_issuer(self) -> TokenIssuer: ...
    def session_store(self) -> SessionStore: ...
    def outbox(self) -> Outbox: ...
    def secret(self, name: str) -> bytes: ...
    def attach(self, svc: Service) -> None: ...
    def begin(self, svc: Service) -> None: ...
    def commit(self, svc: Service) -> None: ...
    def rollback(self, svc: Service) -> None: ...
    def get_value(self, name: str) -> Any: ...
    def set_value(self, name: str, value: Any) -> None: ...
    def close(self) -> None: ...


class MemoryStore:
    """Everything in this process's memory, gone when it ends: each call is free."""

    durable = False

    def token_issuer(self) -> TokenIssuer:
        return TokenIssuer()

    def session_store(self) -> SessionStore:
        return SessionStore()

    def outbox(self) -> Outbox:
        return deque(maxlen=OUTBOX_LIMIT)

    def secret(self, name: str) -> bytes:
        return secrets.token_bytes(32)

    def attach(self, svc: Service) -> None:
        return None

    def begin(self, svc: Service) -> None:
        return None

    def commit(self, svc: Service) -> None:
        return None

    def rollback(self, svc: Service) -> None:
        return None

    def get_value(self, name: str) -> Any:
        return None

    def set_value(self, name: str, value: Any) -> None:
        return None

    def close(self) -> None:
        return None


# --- which users an operation looked at ------------------------------------------------------------


class TrackedUsers(dict[str, User]):
    """A pool's users (by key) that remembers the keys looked up, added or removed: the users an operation
    may have changed, which the durable store encodes again at commit. Iterating records nothing (listing
    users changes none; :meth:`PoolRecord.find` looks its match up again by key)."""

    __slots__ = ("touched",)

    def __init__(self, users: Iterable[tuple[str, User]] = ()) -> None:
        super().__init__(users)
        self.touched: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.touched.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> User:
        self.touched.add(key)
        return super().__getitem__(key)

    def __setitem__(self, key: str, user: User) -> None:
        self.touched.add(key)
        super().__setitem__(key, user)

    def __delitem__(self, key: str) -> None:
        self.touched.add(key)
        super().__delitem__(key)

    def pop(self, key: str, default: Any = None) -> Any:
        self.touched.add(key)
        return super().pop(key, default)


_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def _text(value: Any) -> str:
    """Compact JSON; keys in the order the model gives them (fields in declaration order)."""
    return _JSON.encode(value)


_NOT_IN_POOL_ROW = NOT_PERSISTED | {"users"}  # each user is a row of its own


def _pool_text(pool: PoolRecord) -> str:
    return _text(encode(pool, _NOT_IN_POOL_ROW))
