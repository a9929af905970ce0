"""Sign-in Sessions: opaque, bound to one user, one app client and the one challenge they answer;
single use; expiring after the client's AuthSessionValidity.

A wrong MFA/OTP code leaves the Session alive for another try (up to the pool's bound); every other
answer consumes it. Consumed Sessions are remembered until they expire so a replay gets Cognito's
"session can only be used once" instead of "Invalid session for the user.".
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any

from authflow.localpool.errors import (
    SESSION_EXPIRED,
    SESSION_UNKNOWN,
    SESSION_USED,
    TOO_MANY_CODE_ATTEMPTS,
    PoolError,
    invalid_parameter,
    not_authorized,
)
from authflow.localpool.model import opaque_token

#: What a Session issued by ConfirmSignUp is for: one InitiateAuth USER_AUTH of that user (no password).
SIGN_UP_CONFIRMED = "ConfirmSignUp"


@dataclass(repr=False)
class SignIn:
    """What one sign-in carries from challenge to challenge."""

    pool_id: str
    client_id: str
    #: The internal username, or None for a decoy sign-in of an unknown user (PreventUserExistenceErrors).
    username: str | None
    #: The name the person typed (USERNAME of InitiateAuth): may be an alias.
    typed_username: str
    auth_flow: str
    device_key: str | None = None
    #: CUSTOM_AUTH: the challenge results so far, as the Define Auth Challenge trigger sees them.
    history: list[dict[str, Any]] = field(default_factory=list)
    client_metadata: dict[str, str] = field(default_factory=dict)
    #: A sign-in on the managed login pages: it ends in a signed-in browser (an authorization code), not in
    #: an AuthenticationResult, and only those pages may answer its challenges.
    managed_login: bool = False

    def __repr__(self) -> str:
        return f"SignIn(pool_id={self.pool_id!r}, username={self.username!r}, flow={self.auth_flow})"


@dataclass(repr=False)
class AuthSession:
    id: str
    challenge: str
    sign_in: SignIn
    expires_at: float
    #: Challenge state: SRP ephemeral and SECRET_BLOCK, the expected code, a pending TOTP secret...
    data: dict[str, Any] = field(default_factory=dict)
    wrong_answers: int = 0
    used: bool = False
    #: The durable store's row for this Session (empty in memory).
    key: str = ""

    def __repr__(self) -> str:
        return f"AuthSession(challenge={self.challenge}, user={self.sign_in.username!r}, used={self.used})"


class SessionStore:
    """All live and recently consumed Sessions of one server. Not thread-safe: the service's lock
    guards it."""

    def __init__(self) -> None:
        self._sessions: dict[str, AuthSession] = {}
        self._by_secret_block: dict[str, str] = {}
        self._issued = 0

    def issue(
        self, challenge: str, sign_in: SignIn, now: float, validity: float, data: dict[str, Any] | None = None
    ) -> AuthSession:
        self._count_issued(now)
        session = AuthSession(
            id=opaque_token(96), challenge=challenge, sign_in=sign_in,
            expires_at=now + validity, data=dict(data or {}),
        )
        self._sessions[session.id] = session
        block = session.data.get("secret_block")
        if isinstance(block, str):
            self._by_secret_block[block] = session.id
        return session

    def _count_issued(self, now: float) -> None:
        """One more Session issued: every 256th, the expired ones are dropped."""
        self._issued += 1
        if self._issued % 256 == 0:
            self.prune(now)

    def find(self, session_id: str | None, secret_block: str | None = None) -> AuthSession | None:
        if session_id:
            return self._sessions.get(session_id)
        if secret_block:
            found = self._by_secret_block.get(secret_block)
            return self._sessions.get(found) if found else None
        return None

    def latest(self, challenge: str, client_id: str, username: str, device_key: str, now: float) -> AuthSession | None:
        """The newest live Session waiting for ``challenge`` from this user, client and device (pycognito
        answers DEVICE_SRP_AUTH without a Session)."""
        for session in reversed(self._sessions.values()):
            sign_in = session.sign_in
            if (session.challenge == challenge and not session.used and now <= session.expires_at
                    and sign_in.client_id == client_id and sign_in.username == username
                    and sign_in.device_key == device_key):
                return session
        return None

    def take(self, session: AuthSession | None, challenge: str, client_id: str, now: float) -> AuthSession:
        """Validate ``session`` for an answer to ``challenge`` from ``client_id``; does not consume it."""
        if session is None or session.sign_in.client_id != client_id:
            raise not_authorized(SESSION_UNKNOWN)
        if session.used:
            raise not_authorized(SESSION_USED)
        if now > session.expires_at:
            raise not_authorized(SESSION_EXPIRED)
        if session.challenge != challenge:
            raise invalid_parameter(
                f"Invalid challenge name: this session answers {session.challenge}, not {challenge}"
            )
        return session

    def consume(self, session: AuthSession) -> None:
        session.used = True
        session.data.clear()

    def wrong_answer(self, session: AuthSession, limit: int, error: PoolError) -> PoolError:
        """Count a wrong code: the same Session may be retried until ``limit`` wrong answers."""
        self.count_wrong_answer(session)
        if session.wrong_answers >= limit:
            self.consume(session)
            return not_authorized(TOO_MANY_CODE_ATTEMPTS)
        error.keep_session = True
        return error

    def secret_block_matches(self, session: AuthSession, block: str) -> bool:
        """Whether ``block`` is the SECRET_BLOCK this Session's PASSWORD_VERIFIER challenge sent."""
        expected = session.data.get("secret_block")
        return isinstance(expected, str) and hmac.compare_digest(block.encode(), expected.encode())

    def count_wrong_answer(self, session: AuthSession) -> None:
        session.wrong_answers += 1

    def prune(self, now: float) -> None:
        """Forget Sessions that expired more than a minute ago."""
        dead = [sid for sid, s in self._sessions.items() if s.expires_at + 60 < now]
        for sid in dead:
            del self._sessions[sid]
        live = set(self._sessions)
        self._by_secret_block = {b: sid for b, sid in self._by_secret_block.items() if sid in live}
