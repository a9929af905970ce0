"""Many sign-ins at once, for test drivers: each flow independent, results in input order.

Flows share only the machine definition (read-only) and the pool's boto3 client (thread-safe). TOTP codes
come from one process-wide source that never hands out the same code twice for one secret, so two flows
of the same TOTP user never send the same code (the second waits for the next 30-second window).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from authflow.errors import AuthflowError
from authflow.flow import AuthFlow, HandlerLike
from authflow.tokens import Tokens
from authflow.transport import UserPool


@dataclass(frozen=True)
class SignInRequest:
    """One user to sign in: the name, who answers, and optional AuthFlow options."""

    username: str
    handler: HandlerLike
    auth_flow: str = "USER_SRP_AUTH"
    preferred_challenge: str | None = None


@dataclass(frozen=True)
class SignInResult:
    """The outcome for one user: tokens, or the error that stopped this user (and only this user)."""

    username: str
    tokens: Tokens | None
    error: AuthflowError | None
    seconds: float
    history: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.tokens is not None


def sign_in_many(
    pool: UserPool,
    requests: Iterable[SignInRequest | tuple[str, HandlerLike]],
    *,
    max_workers: int = 8,
    **options: Any,
) -> list[SignInResult]:
    """Sign every user in on ``max_workers`` threads; returns one result per request, in input order.

    A failure (wrong password, throttling after botocore's retries, a missing answer...) is recorded
    in that user's result and does not stop the others. ``options`` go to each :class:`AuthFlow`.
    """
    items: Sequence[SignInRequest] = [
        r if isinstance(r, SignInRequest) else SignInRequest(username=r[0], handler=r[1]) for r in requests
    ]

    def one(request: SignInRequest) -> SignInResult:
        started = time.perf_counter()
        flow = AuthFlow(
            pool, request.username, request.auth_flow,
            preferred_challenge=request.preferred_challenge, **options,
        )
        try:
            tokens: Tokens | None = flow.run(request.handler)
            error: AuthflowError | None = None
        except AuthflowError as exc:
            tokens, error = None, exc
        return SignInResult(request.username, tokens, error, time.perf_counter() - started, tuple(flow.history))

    if not items:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(items)))) as executor:
        return list(executor.map(one, items))
