"""The pool's notion of "now": real time plus an offset that tests can move forward."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone


class Clock:
    """Wall-clock time shifted by ``offset`` seconds. ``advance()`` moves it; it never goes backwards
    by itself. Session expiry, token expiry, TOTP steps, SRP TIMESTAMP checks and lockouts all read it."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> float:
        """Epoch seconds."""
        with self._lock:
            return time.time() + self._offset

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        """Move the pool's time forward (or back, with a negative value) by ``seconds``."""
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._offset = 0.0

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def __repr__(self) -> str:
        return f"Clock(offset={self.offset:+.1f}s)"
