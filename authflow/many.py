"""Many sign-ins at once, for test drivers: each flow independent, results in input order.

Flows share only the machine definition (read-only) and the pool's boto3 client (thread-safe). TOTP codes
come from one process-wide source that never hands out the same code twice for one secret, so two flows
of the same TOTP user never send the same code (the second waits for the next 30-second window). With
``processes``, every request of one username goes to the same process, so that promise still holds.
A :class:`RateLimit` caps how many sign-ins start per second, across threads and processes.
"""

from __future__ import annotations

import json
import multiprocessing
import pickle
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authflow.errors import AuthflowError, UnexpectedError, UsageError
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


class RateLimit:
    """At most ``per_second`` sign-ins start per second, evenly spaced: shared by threads, and by the
    processes of ``sign_in_many(processes=...)`` (the next free slot lives in shared memory)."""

    def __init__(self, per_second: float) -> None:
        if not per_second > 0:
            raise ValueError("a rate ceiling is a positive number of sign-ins per second")
        self.per_second = float(per_second)
        self._next_slot = multiprocessing.get_context("spawn").Value("d", 0.0)

    def wait(self) -> None:
        """Block until this caller may start a sign-in."""
        with self._next_slot.get_lock():
            now = time.monotonic()  # one system-wide clock, the same in every process
            slot = max(now, self._next_slot.value)
            self._next_slot.value = slot + 1.0 / self.per_second
        if slot > now:
            time.sleep(slot - now)

    def __repr__(self) -> str:
        return f"RateLimit({self.per_second:g}/s)"


def sign_in_many(
    pool: UserPool,
    requests: Iterable[SignInRequest | tuple[str, HandlerLike]],
    *,
    max_workers: int = 8,
    processes: int = 0,
    rate: float | RateLimit | None = None,
    progress: Callable[[SignInResult], None] | None = None,
    **options: Any,
) -> list[SignInResult]:
    """Sign every user in on ``max_workers`` threads; returns one result per request, in input order.

    With ``processes`` > 0 the requests are shared out to that many worker processes (``spawn``), each
    running ``max_workers`` threads: SRP's math then uses every core. Requests, handlers and options must
    then pickle (a :class:`ScriptedHandler` with strings and TOTP secrets does, a lambda does not), and a
    script that calls this must guard its top level with ``if __name__ == "__main__":``.
    ``rate`` (sign-ins per second, or a :class:`RateLimit` to share with other calls) caps how fast
    sign-ins start, across all threads and processes.

    A failure (wrong password, throttling after botocore's retries, a missing answer...) is recorded
    in that user's result and does not stop the others. ``progress`` is called with each result as soon
    as it is known (from the worker threads; with processes, as each process finishes its share).
    ``options`` go to each :class:`AuthFlow`.
    """
    items: Sequence[SignInRequest] = [
        r if isinstance(r, SignInRequest) else SignInRequest(username=r[0], handler=r[1]) for r in requests
    ]
    limit = rate if isinstance(rate, RateLimit) or rate is None else RateLimit(rate)
    if not items:
        return []
    if processes <= 0:
        return _sign_in_threads(pool, items, max_workers, limit, options, progress)
    # Every request of one username to the same process (TOTP codes are never reused within a process).
    parts: list[list[int]] = [[] for _ in range(min(processes, len({r.username for r in items})))]
    owner: dict[str, int] = {}
    for index, request in enumerate(items):
        parts[owner.setdefault(request.username, len(owner) % len(parts))].append(index)
    try:
        pickle.dumps((pool, items, options))
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise TypeError(
            f"sign_in_many(processes=...) sends the requests to other processes, and these do not pickle: {exc}"
        ) from None
    results: list[SignInResult | None] = [None] * len(items)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(len(parts), mp_context=context, initializer=_child_init, initargs=(limit,)) as executor:
        futures = [
            (part, executor.submit(_sign_in_part, pool, [items[i] for i in part], max_workers, options))
            for part in parts
        ]
        for part, future in futures:
            try:
                part_results = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker process that died fails its users only
                error = UnexpectedError.wrapping(exc)
                part_results = [SignInResult(items[i].username, None, error, 0.0) for i in part]
            for index, result in zip(part, part_results, strict=True):
                results[index] = result
                if progress is not None:
                    progress(result)
    return [r for r in results if r is not None]


def _sign_in_threads(
    pool: UserPool, items: Sequence[SignInRequest], max_workers: int, limit: RateLimit | None,
    options: dict[str, Any], progress: Callable[[SignInResult], None] | None = None,
) -> list[SignInResult]:
    def one(request: SignInRequest) -> SignInResult:
        if limit is not None:
            limit.wait()
        started = time.perf_counter()
        history: tuple[str, ...] = ()
        tokens: Tokens | None = None
        error: AuthflowError | None = None
        try:
            flow = AuthFlow(
                pool, request.username, request.auth_flow,
                preferred_challenge=request.preferred_challenge, **options,
            )
            try:
                tokens = flow.run(request.handler)
            finally:
                history = tuple(flow.history)
        except AuthflowError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - one user's failure of any kind is that user's result
            error = UnexpectedError.wrapping(exc)
        result = SignInResult(request.username, tokens, error, time.perf_counter() - started, history)
        if progress is not None:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(items)))) as executor:
        return list(executor.map(one, items))


_child_limit: RateLimit | None = None


def _child_init(limit: RateLimit | None) -> None:
    """In each worker process: the rate ceiling shared with the parent (handed over when it starts)."""
    global _child_limit
    _child_limit = limit


def _sign_in_part(
    pool: UserPool, items: Sequence[SignInRequest], max_workers: int, options: dict[str, Any]
) -> list[SignInResult]:
    return _sign_in_threads(pool, items, max_workers, _child_limit, options)


#: What an entry of a users file (``authflow login --users FILE``, Locust's ``--cognito-users``) may say;
#: a missing answer comes from AUTHFLOW_*.
USER_FIELDS = ("username", "password", "new_password", "attributes", "totp_secret", "code_command",
               "mfa_choice", "first_factor")


def read_users_file(path: Path) -> list[dict[str, Any]]:
    """The users of ``--users FILE``: a JSON array of objects, each with at least a ``username``."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--users: cannot read {path} ({exc.strerror})") from None
    except ValueError:
        raise UsageError(f"--users: {path} is not JSON") from None
    if not isinstance(entries, list) or not entries:
        raise UsageError("--users: the file must hold a non-empty JSON array of users")
    from authflow.totp import check_secret

    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("username"), str) or not entry["username"]:
            raise UsageError(f"--users: entry {number} is not an object with a username")
        unknown = sorted(set(entry) - set(USER_FIELDS))
        if unknown:
            raise UsageError(f"--users: entry {number} has unknown keys: {', '.join(unknown)}")
        if "attributes" in entry and not isinstance(entry["attributes"], dict):
            raise UsageError(f"--users: entry {number}: attributes must be an object")
        if entry.get("totp_secret"):
            check_secret(entry["totp_secret"], f"--users: entry {number}: totp_secret")
    return entries
