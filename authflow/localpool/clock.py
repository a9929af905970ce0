"""The pool's notion of "now": real time plus an offset that tests can move forward."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone


class Clock:
    """Wall-clock time shifted by ``offset`` seconds, or frozen at one instant. ``advance()`` moves it.
    Session expiry, token expiry, TOTP steps, SRP TIMESTAMP checks and lockouts all read it."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._frozen: float | None = None
        self._lock = threading.Lock()

    def now(self) -> float:
        """Epoch seconds."""
        with self._lock:
            return (self._frozen if self._frozen is not None else time.time()) + self._offset

    def freeze(self, at: float | None = None) -> None:
        """Stop time at ``at`` (epoch seconds; default: now) until :meth:`unfreeze`; ``advance`` still moves it."""
        with self._lock:
            self._frozen = (at if at is not None else time.time() + self._offset) - self._offset

    def unfreeze(self) -> None:
        """Let time run again from where it stands."""
        with self._lock:
            if self._frozen is not None:
                self._offset += self._frozen - time.time()
                self._frozen = None

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        """Move the pool's time forward (or back, with a negative value) by ``seconds``."""
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._offset, self._frozen = 0.0, None

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def __repr__(self) -> str:
        state = ", frozen" if self._frozen is not None else ""
        return f"Clock(offset={self.offset:+.1f}s{state})"
