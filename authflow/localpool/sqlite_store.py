"""The durable store: the local pool's state in an SQLite file (``--data``); see :mod:`authflow.localpool.store`
for how it works. Imported only when a file is asked for (``sqlite3`` costs start-up time)."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from authflow.localpool.codec import decode, encode
from authflow.localpool.model import PoolRecord, User
from authflow.localpool.sessions import AuthSession, SessionStore, SignIn
from authflow.localpool.store import OUTBOX_LIMIT, Outbox, StoreError, TrackedUsers, _pool_text, _text
from authflow.localpool.tokens import RefreshRecord, TokenIssuer

if TYPE_CHECKING:
    from authflow.localpool.service import OutboxMessage, Service

#: ``PRAGMA application_id`` of a pool database ("AFLP").
APPLICATION_ID = 0x41464C50
#: The schema this code writes; a file with a newer one is refused (an older one is migrated).
SCHEMA_VERSION = 2
SQLITE_HEADER = b"SQLite format 3\x00"


# --- the database file ----------------------------------------------------------------------------

_SCHEMA_V1 = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
    "CREATE TABLE pools (id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE users (pool_id TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,"
    " data TEXT NOT NULL, PRIMARY KEY (pool_id, key))",
    "CREATE TABLE refresh_tokens (token TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE revoked_origins (origin_jti TEXT PRIMARY KEY)",
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL)",
    "CREATE TABLE sessions (sid TEXT PRIMARY KEY, expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0,"
    " wrong_answers INTEGER NOT NULL DEFAULT 0, challenge TEXT NOT NULL, client_id TEXT NOT NULL,"
    " username TEXT, device_key TEXT, block TEXT, token TEXT)",
    "CREATE INDEX sessions_block ON sessions (block) WHERE block IS NOT NULL",
    "CREATE INDEX sessions_expiry ON sessions (expires_at)",
    "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL)",
)

_SCHEMA_V2 = (  # DEVICE_SRP_AUTH answered without a Session finds the newest one by these
    "CREATE INDEX sessions_latest ON sessions (challenge, client_id, username, device_key) WHERE token IS NOT NULL",
)

#: MIGRATIONS[n] takes a database from schema n to n + 1 (schema 0: an empty file).
MIGRATIONS: tuple[tuple[str, ...], ...] = (_SCHEMA_V1, _SCHEMA_V2)
assert len(MIGRATIONS) == SCHEMA_VERSION


def check_file(path: Path) -> None:
    """Refuse, without writing anything, a file that is not a pool database or has a newer schema."""
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot read it ({exc.strerror})") from exc
    if not header:
        return  # an empty file: a new database
    if header != SQLITE_HEADER:
        raise StoreError(f"{path} is not a local pool database (not an SQLite file)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open it ({exc})") from exc
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreError(f"{path} is locked by another program") from exc
        raise StoreError(f"{path} is not a local pool database ({exc})") from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a local pool database ({exc})") from exc
    finally:
        conn.close()
    if application_id != APPLICATION_ID and (tables or application_id):
        raise StoreError(f"{path} is not a local pool database (an SQLite file of another application)")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} has schema version {version}, newer than this authflow reads "
                         f"({SCHEMA_VERSION}): use a newer authflow")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=2.0, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout = 2000")  # at start: a file locked by another program is refused
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise StoreError(f"{path}: cannot use write-ahead logging there")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreError(f"{path} is locked by another program") from exc
        raise StoreError(f"{path}: {exc}") from exc
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to :data:`SCHEMA_VERSION`, one migration at a time, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path} has schema version {version}, newer than this authflow reads "
                             f"({SCHEMA_VERSION}): use a newer authflow")
        for step in MIGRATIONS[version:]:
            for statement in step:
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class InstanceLock:
    """One ``authflow local-pool`` (with its workers) per database: an exclusive ``flock`` on the file."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(self._fd)
            raise StoreError(f"{path} is locked: another authflow local-pool serves it") from exc

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def open_database(path: str | os.PathLike[str], *, lock: bool = True) -> tuple[sqlite3.Connection, InstanceLock | None]:
    """Check, lock (``lock``: this process is the only server of the file) and open a pool database,
    creating it if absent; StoreError with one clear line otherwise (the file left as it was)."""
    where = Path(path)
    check_file(where)
    instance: InstanceLock | None = None
    if lock:
        try:
            instance = InstanceLock(where)
        except OSError as exc:
            raise StoreError(f"{where}: cannot open it ({exc.strerror})") from exc
    try:
        conn = _connect(where)
        try:
            migrate(conn, where)
        except sqlite3.OperationalError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(f"{where} is locked by another program") from exc
            raise StoreError(f"{where}: {exc}") from exc
        conn.execute("PRAGMA busy_timeout = 60000")  # serving: wait for the other workers' operations
        os.chmod(where, 0o600)
    except BaseException:
        if instance is not None:
            instance.release()
        raise
    return conn, instance


# --- the durable store ---------------------------------------------------------------------------------


class SqliteOutbox:
    """The outbox as rows (the newest :data:`OUTBOX_LIMIT`): every worker reads every message."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._added = 0

    def append(self, message: OutboxMessage) -> None:
        self._conn.execute("INSERT INTO outbox (data) VALUES (?)", (_text(message.as_dict()),))
        self._added += 1
        if self._added % 512 == 0:
            self._conn.execute("DELETE FROM outbox WHERE seq <= (SELECT max(seq) FROM outbox) - ?",
                               (OUTBOX_LIMIT,))

    def clear(self) -> None:
        self._conn.execute("DELETE FROM outbox")

    def _rows(self) -> list[Any]:
        return self._conn.execute(
            "SELECT data FROM outbox WHERE seq > (SELECT coalesce(max(seq), 0) FROM outbox) - ? ORDER BY seq",
            (OUTBOX_LIMIT,),
        ).fetchall()

    def __iter__(self) -> Iterator[OutboxMessage]:
        from authflow.localpool.service import OutboxMessage

        return iter([OutboxMessage(**json.loads(row[0])) for row in self._rows()])

    def __len__(self) -> int:
        return len(self._rows())


_SEAL_AAD = b"authflow-localpool-session"
_BLOCK_DIGEST = "secret_block_sha256"
#: Sealed Sessions decoded lately (their SRP work done before the lock is found there by the handler).
SESSION_CACHE = 256


class SealedSessions(SessionStore):
    """Sessions any process of the pool can continue: the Session a client holds is the sign-in's state
    (challenge, user, client, expiry, challenge data) sealed with AES-GCM under the pool's key, so no one
    can read or forge it. The database keeps one small row per Session, which makes it single use, counts
    its wrong answers and finds it when a client answers without it (PASSWORD_CLAIM_SECRET_BLOCK,
    DEVICE_SRP_AUTH)."""

    def __init__(self, conn: sqlite3.Connection, key: bytes) -> None:
        super().__init__()
        self._conn = conn
        self._aead = AESGCM(key)
        self._recent: OrderedDict[str, AuthSession] = OrderedDict()

    def issue(
        self, challenge: str, sign_in: SignIn, now: float, validity: float, data: dict[str, Any] | None = None
    ) -> AuthSession:
        self._count_issued(now)
        sid = secrets.token_urlsafe(16)
        session = AuthSession(id="", challenge=challenge, sign_in=sign_in, expires_at=now + validity,
                              data=dict(data or {}), key=sid)
        block = session.data.pop("secret_block", None)
        if isinstance(block, str):  # its digest is enough to check it (and the Session stays short)
            session.data[_BLOCK_DIGEST] = _digest(block)
        state = _text({"sid": sid, "challenge": challenge, "sign_in": encode(sign_in),
                       "expires_at": session.expires_at, "data": encode(session.data)})
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, zlib.compress(state.encode()), _SEAL_AAD)
        # Base64url, never starting with "-" (a command line would read it as an option).
        session.id = "A" + base64.urlsafe_b64encode(sealed).decode().rstrip("=")
        findable = isinstance(block, str) or challenge == "DEVICE_SRP_AUTH"
        self._conn.execute(
            "INSERT INTO sessions (sid, expires_at, challenge, client_id, username, device_key, block, token)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (sid, session.expires_at, challenge, sign_in.client_id, sign_in.username, sign_in.device_key,
             _digest(block) if isinstance(block, str) else None, session.id if findable else None),
        )
        self._remember(session)
        return session

    def _remember(self, session: AuthSession) -> None:
        self._recent[session.id] = session
        while len(self._recent) > SESSION_CACHE:
            self._recent.popitem(last=False)

    def _unseal(self, token: str) -> AuthSession | None:
        known = self._recent.get(token)
        if known is not None:
            return known
        if not token.startswith("A"):
            return None
        try:
            raw = base64.urlsafe_b64decode(token[1:] + "=" * (-len(token[1:]) % 4))
            state = json.loads(zlib.decompress(self._aead.decrypt(raw[:12], raw[12:], _SEAL_AAD)))
        except (InvalidTag, ValueError, zlib.error):
            return None
        session = AuthSession(
            id=token, challenge=state["challenge"], sign_in=decode(SignIn, state["sign_in"]),
            expires_at=float(state["expires_at"]), data=decode(dict[str, Any], state["data"]), key=state["sid"],
        )
        self._remember(session)
        return session

    def find(self, session_id: str | None, secret_block: str | None = None) -> AuthSession | None:
        if session_id:
            session = self._unseal(session_id)
        elif secret_block:
            row = self._conn.execute("SELECT token FROM sessions WHERE block = ?", (_digest(secret_block),)).fetchone()
            session = self._unseal(row[0]) if row and row[0] else None
        else:
            return None
        if session is None:
            return None
        row = self._conn.execute("SELECT used, wrong_answers FROM sessions WHERE sid = ?", (session.key,)).fetchone()
        # No row: pruned a minute after its expiry, which the sealed expiry tells take() anyway.
        session.used = bool(row[0]) if row else True
        session.wrong_answers = int(row[1]) if row else 0
        if session.used:
            session.data.clear()
        return session

    def secret_block_matches(self, session: AuthSession, block: str) -> bool:
        expected = session.data.get(_BLOCK_DIGEST)
        return isinstance(expected, str) and hmac.compare_digest(_digest(block), expected)

    def latest(self, challenge: str, client_id: str, username: str, device_key: str, now: float) -> AuthSession | None:
        row = self._conn.execute(
            "SELECT token FROM sessions WHERE challenge = ? AND client_id = ? AND username = ? AND device_key = ?"
            " AND used = 0 AND expires_at >= ? AND token IS NOT NULL ORDER BY rowid DESC LIMIT 1",
            (challenge, client_id, username, device_key, now),
        ).fetchone()
        return self.find(row[0]) if row else None

    def consume(self, session: AuthSession) -> None:
        self._conn.execute("UPDATE sessions SET used = 1, token = NULL WHERE sid = ?", (session.key,))
        super().consume(session)

    def count_wrong_answer(self, session: AuthSession) -> None:
        self._conn.execute("UPDATE sessions SET wrong_answers = wrong_answers + 1 WHERE sid = ?", (session.key,))
        super().count_wrong_answer(session)

    def prune(self, now: float) -> None:
        self._conn.execute("DELETE FROM sessions WHERE expires_at + 60 < ?", (now,))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _Saved:
    """What was last saved of one row: its text and version."""

    text: str
    version: int


class SqliteStore:
    """The pool's state in an SQLite file (see the module's docstring)."""

    durable = True

    def __init__(self, path: str | os.PathLike[str], *, lock: bool = True) -> None:
        self.path = Path(path)
        self._conn, self._instance = open_database(self.path, lock=lock)
        #: With --workers (``lock=False``): a lock file the workers queue on before SQLite's write lock, so a
        #: waiting worker wakes as soon as the other commits (SQLite's own wait polls, sleeping up to 100 ms).
        self._writer: int | None = None
        if not lock:
            self._writer = os.open(f"{self.path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
        self._users: dict[tuple[str, str], _Saved] = {}
        self._pools: dict[str, _Saved] = {}
        self._last_change = 0
        self._commits = 0
        self._issuer: TokenIssuer | None = None
        self._in_transaction = False
        #: The identity pools as last saved (identity.IdentityState.saved, one value in ``meta``).
        self._identity_text = ""

    # --- what the service is made of ---------------------------------------------------------------

    def _meta(self, name: str) -> bytes | None:
        row = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return bytes(row[0]) if row else None

    def _set_meta(self, name: str, value: bytes) -> None:
        self._conn.execute("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE"
                           " SET value = excluded.value", (name, value))

    def secret(self, name: str) -> bytes:
        """A 32-byte secret kept in the database, made the first time (the same for every worker)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            value = self._meta(f"secret:{name}")
            if value is None:
                value = secrets.token_bytes(32)
                self._set_meta(f"secret:{name}", value)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return value

    def token_issuer(self) -> TokenIssuer:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            saved = self._meta("signing_keys")
            if saved is None:
                issuer = TokenIssuer()
                self._set_meta("signing_keys", json.dumps(issuer.saved_keys()).encode())
            else:
                issuer = TokenIssuer(saved_keys=json.loads(saved))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        issuer.changed, issuer.changed_origins = set(), set()
        self._issuer = issuer
        return issuer

    def session_store(self) -> SessionStore:
        return SealedSessions(self._conn, self.secret("sessions"))

    def outbox(self) -> Outbox:
        return SqliteOutbox(self._conn)

    def get_value(self, name: str) -> Any:
        """A JSON value kept under ``name`` (None if none was)."""
        value = self._meta(f"value:{name}")
        return None if value is None else json.loads(value)

    def set_value(self, name: str, value: Any) -> None:
        self._set_meta(f"value:{name}", json.dumps(value).encode())

    # --- loading -------------------------------------------------------------------------------------

    def attach(self, svc: Service) -> None:
        """Load every pool, user, refresh token and revoked family into ``svc``."""
        svc.track_pools = True
        self._full_load(svc)

    def _full_load(self, svc: Service) -> None:
        for pool in list(svc.pools.values()):
            svc.remove_pool(pool)
        self._users.clear()
        self._pools.clear()
        self._last_change = self._conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        for pool_id, version, text in self._conn.execute("SELECT id, version, data FROM pools ORDER BY rowid"):
            self._load_pool(svc, pool_id, version, text)
        issuer = svc.tokens
        for token, text in self._conn.execute("SELECT token, data FROM refresh_tokens ORDER BY rowid"):
            issuer.load_record(token, decode(RefreshRecord, json.loads(text)))
        for (origin,) in self._conn.execute("SELECT origin_jti FROM revoked_origins ORDER BY rowid"):
            issuer.load_origin(origin, True)
        self._load_identity(svc)
        svc.touched_pools.clear()

    def _load_identity(self, svc: Service) -> None:
        saved = self.get_value("identity")
        if saved is not None:
            svc.identity.load(saved)
            self._identity_text = _text(saved)
        svc.identity.changed = False

    def _load_pool(self, svc: Service, pool_id: str, version: int, text: str) -> None:
        pool: PoolRecord = decode(PoolRecord, json.loads(text))
        existing = svc.pools.get(pool_id)
        users = TrackedUsers()
        if existing is not None:
            pool.custom_auth = existing.custom_auth
            users = existing.users if isinstance(existing.users, TrackedUsers) else TrackedUsers(existing.users.items())
            svc.remove_pool(existing)
        else:
            rows = self._conn.execute("SELECT key, version, data FROM users WHERE pool_id = ? ORDER BY rowid",
                                      (pool_id,)).fetchall()
            for key, user_version, user_text in rows:
                dict.__setitem__(users, key, decode(User, json.loads(user_text)))
                self._users[(pool_id, key)] = _Saved(user_text, user_version)
        pool.users = users
        clients = pool.clients
        pool.clients = {}
        svc.add_pool(pool)
        for client in clients.values():
            svc.add_client(pool, client)
        self._pools[pool_id] = _Saved(text, version)

    def _apply_change(self, svc: Service, kind: str, key: str) -> None:
        if kind == "pool":
            row = self._conn.execute("SELECT version, data FROM pools WHERE id = ?", (key,)).fetchone()
            if row is None:
                pool = svc.pools.get(key)
                if pool is not None:
                    svc.remove_pool(pool)
                self._pools.pop(key, None)
            else:
                self._load_pool(svc, key, row[0], row[1])
        elif kind == "user":
            pool_id, user_key = json.loads(key)
            pool = svc.pools.get(pool_id)
            if pool is None:
                return
            row = self._conn.execute("SELECT version, data FROM users WHERE pool_id = ? AND key = ?",
                                     (pool_id, user_key)).fetchone()
            if row is None:
                dict.pop(pool.users, user_key, None)
                self._users.pop((pool_id, user_key), None)
            else:
                dict.__setitem__(pool.users, user_key, decode(User, json.loads(row[1])))
                self._users[(pool_id, user_key)] = _Saved(row[1], row[0])
        elif kind == "refresh":
            row = self._conn.execute("SELECT data FROM refresh_tokens WHERE token = ?", (key,)).fetchone()
            svc.tokens.load_record(key, decode(RefreshRecord, json.loads(row[0])) if row else None)
        elif kind == "identity":
            self._load_identity(svc)
        elif kind == "revoked":
            row = self._conn.execute("SELECT 1 FROM revoked_origins WHERE origin_jti = ?", (key,)).fetchone()
            svc.tokens.load_origin(key, row is not None)

    # --- one operation -----------------------------------------------------------------------------------

    def begin(self, svc: Service) -> None:
        """Take the database's write lock and catch up with what other processes saved."""
        if self._writer is not None:
            fcntl.lockf(self._writer, fcntl.LOCK_EX)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._release()
            raise StoreError(f"{self.path}: cannot write ({exc})") from exc
        self._in_transaction = True
        first = self._conn.execute("SELECT min(seq) FROM changes").fetchone()[0]
        if first is not None and first > self._last_change + 1:
            self._full_load(svc)  # this process fell behind the kept changes
            return
        rows = self._conn.execute("SELECT seq, kind, key FROM changes WHERE seq > ? ORDER BY seq",
                                  (self._last_change,)).fetchall()
        for seq, kind, key in rows:
            self._apply_change(svc, kind, key)
            self._last_change = seq

    def commit(self, svc: Service) -> None:
        """Save what the operation changed, and commit; on failure nothing is saved and the next operation
        starts again from the database."""
        try:
            changes = self._save(svc)
            if changes:
                self._conn.executemany("INSERT INTO changes (kind, key) VALUES (?, ?)", changes)
                self._commits += 1
                if self._commits % 1024 == 0:
                    self._conn.execute("DELETE FROM changes WHERE seq <= (SELECT max(seq) FROM changes) - 100000")
            self._conn.execute("COMMIT")
            self._in_transaction = False
            if changes:
                self._last_change = self._conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        except sqlite3.Error as exc:
            self.rollback(svc)
            raise StoreError(f"{self.path}: cannot save ({exc})") from exc
        finally:
            self._release()

    def _release(self) -> None:
        if self._writer is not None:
            fcntl.lockf(self._writer, fcntl.LOCK_UN)

    def rollback(self, svc: Service) -> None:
        if self._in_transaction:
            self._conn.execute("ROLLBACK")
            self._in_transaction = False
        # What memory holds may now differ from the file: start again from the file.
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._full_load(svc)
            finally:
                self._conn.execute("COMMIT")
        finally:
            self._release()

    def _save(self, svc: Service) -> list[tuple[str, str]]:
        changes: list[tuple[str, str]] = []
        conn = self._conn
        for pool_id in svc.touched_pools:
            pool = svc.pools.get(pool_id)
            saved = self._pools.get(pool_id)
            if pool is None:
                if saved is not None:
                    conn.execute("DELETE FROM pools WHERE id = ?", (pool_id,))
                    conn.execute("DELETE FROM users WHERE pool_id = ?", (pool_id,))
                    for gone in [k for k in self._users if k[0] == pool_id]:
                        del self._users[gone]
                    del self._pools[pool_id]
                    changes.append(("pool", pool_id))
                continue
            if not isinstance(pool.users, TrackedUsers):
                pool.users = TrackedUsers(pool.users.items())
                pool.users.touched.update(pool.users)
            text = _pool_text(pool)
            if saved is None or saved.text != text:
                version = saved.version + 1 if saved else 1
                conn.execute("INSERT INTO pools (id, version, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE"
                             " SET version = excluded.version, data = excluded.data", (pool_id, version, text))
                self._pools[pool_id] = _Saved(text, version)
                changes.append(("pool", pool_id))
        svc.touched_pools.clear()
        for pool in svc.pools.values():
            users = pool.users
            if not isinstance(users, TrackedUsers) or not users.touched:
                continue
            for key in users.touched:
                user = dict.get(users, key)
                saved_user = self._users.get((pool.id, key))
                if user is None:
                    if saved_user is not None:
                        conn.execute("DELETE FROM users WHERE pool_id = ? AND key = ?", (pool.id, key))
                        del self._users[(pool.id, key)]
                        changes.append(("user", _text([pool.id, key])))
                    continue
                text = _text(encode(user))
                if saved_user is not None and saved_user.text == text:
                    continue
                version = saved_user.version + 1 if saved_user else 1
                conn.execute("INSERT INTO users (pool_id, key, version, data) VALUES (?, ?, ?, ?)"
                             " ON CONFLICT (pool_id, key) DO UPDATE SET version = excluded.version,"
                             " data = excluded.data", (pool.id, key, version, text))
                self._users[(pool.id, key)] = _Saved(text, version)
                changes.append(("user", _text([pool.id, key])))
            users.touched.clear()
        issuer = svc.tokens
        if issuer.changed:
            for token in issuer.changed:
                record = issuer.record_of(token)
                if record is None:
                    conn.execute("DELETE FROM refresh_tokens WHERE token = ?", (token,))
                else:
                    conn.execute("INSERT INTO refresh_tokens (token, version, data) VALUES (?, 1, ?)"
                                 " ON CONFLICT (token) DO UPDATE SET version = version + 1, data = excluded.data",
                                 (token, _text(encode(record))))
                changes.append(("refresh", token))
            issuer.changed.clear()
        if issuer.changed_origins:
            for origin in issuer.changed_origins:
                if issuer.is_revoked_origin(origin):
                    conn.execute("INSERT OR IGNORE INTO revoked_origins (origin_jti) VALUES (?)", (origin,))
                else:
                    conn.execute("DELETE FROM revoked_origins WHERE origin_jti = ?", (origin,))
                changes.append(("revoked", origin))
            issuer.changed_origins.clear()
        if svc.identity.changed:
            identity = svc.identity.saved()
            text = _text(identity)
            if text != self._identity_text:
                self.set_value("identity", identity)
                self._identity_text = text
                changes.append(("identity", "identity"))
            svc.identity.changed = False
        return changes

    def close(self) -> None:
        self._conn.close()
        if self._writer is not None:
            os.close(self._writer)
            self._writer = None
        if self._instance is not None:
            self._instance.release()
