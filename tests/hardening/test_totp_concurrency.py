"""Fifty sign-ins of one TOTP user at once all succeed: each queues for its TOTP window before its
Session starts, so none waits inside a Session until it expires.

Cognito takes one code per 30-second window from a user, so fifty sign-ins of one user need fifty
windows (25 minutes). The test runs the pool and the client on one virtual clock a hundred times faster
than real time, so a window lasts 0.3 s and a Session (3 minutes) 1.8 s: the same race, in 15 seconds.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from authflow import ScriptedHandler, TotpCodes, UserPool
from authflow.handlers import TOTP_STEP
from authflow.localpool import LocalUserPool
from authflow.many import sign_in_many

SPEED = 100.0
TINA = ("tina", "Tina-Passw0rd!", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")


class FastTime:
    """Virtual epoch seconds that run SPEED times faster than real time, from now on."""

    def __init__(self) -> None:
        self.real_start = self.virtual_start = time.time()

    def now(self) -> float:
        return self.virtual_start + (time.time() - self.real_start) * SPEED

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds / SPEED)

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)


def test_fifty_concurrent_sign_ins_of_one_totp_user_all_succeed() -> None:
    fast = FastTime()
    with LocalUserPool("demo") as local:
        local.clock.now = fast.now  # type: ignore[method-assign]  # the pool lives on the virtual clock too
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
        username, password, secret = TINA
        handler = ScriptedHandler(password=password, totp_secret=secret,
                                  totp_codes=TotpCodes(clock=fast.now, sleep=fast.sleep))
        started = fast.now()
        results = sign_in_many(pool, [(username, handler)] * 50, max_workers=50, clock=fast.datetime)
        elapsed_windows = (fast.now() - started) / TOTP_STEP
        answers = [r for r in local.requests("RespondToAuthChallenge")
                   if "SOFTWARE_TOKEN_MFA_CODE" in (r.params.get("ChallengeResponses") or {})]
    failures = [(r.error.code, r.error.message) for r in results if r.error is not None]
    assert failures == []
    assert len(answers) == 50, "one code per sign-in: none was refused and retried"
    assert 48 <= elapsed_windows <= 56, "one window per sign-in, no more"
