"""Shared by the hardening tests of the local pool as a server: an unsigned client with no retries, a
USER_PASSWORD_AUTH sign-in, and the records-and-memory run made in a process of its own."""

from __future__ import annotations

from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from authflow.localpool import LocalUserPool

PASSWORD = "Alice-Passw0rd!"


def cognito(pool: LocalUserPool) -> Any:
    return boto3.client("cognito-idp", endpoint_url=pool.endpoint_url, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))  # no retry


def sign_in(client: Any, pool: LocalUserPool, client_id: str | None = None, username: str = "alice") -> dict[str, Any]:
    return dict(client.initiate_auth(ClientId=client_id or pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD}))


def records_and_memory_over_sign_ins() -> dict[str, Any]:
    """2,000 sign-ins of 40 users over HTTP with every cap small (500 refresh records, 200 logged requests):
    what the traced memory grew by over the last 750 (after 750 traced that replace the untraced), what the
    caps hold, whether the last refresh token works and the first is refused, and what a month later's
    256 sign-ins sweep. Run it in a process of its own (tests/helpers/isolated.py)."""
    import gc
    import tracemalloc
    from collections import deque

    from botocore.exceptions import ClientError

    users = [f"user-{i:02d}" for i in range(40)]
    seen: dict[str, Any] = {"users": len(users)}
    with LocalUserPool() as pool:
        for username in users:
            pool.add_user(username, PASSWORD)
        tokens = pool.service.tokens
        tokens.record_limit = 500  # below 40 users x 20 token sessions, so this cap is reached too
        pool.service.request_log = deque(maxlen=200)  # 10,000 by default: full within this run
        client = cognito(pool)
        first = sign_in(client, pool, username=users[0])["AuthenticationResult"]["RefreshToken"]
        for n in range(1, 500):
            sign_in(client, pool, username=users[n % len(users)])
        tracemalloc.start()  # what the next 750 sign-ins replace was allocated untraced: the 750 after count
        try:
            for n in range(750):
                sign_in(client, pool, username=users[n % len(users)])
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            for n in range(750):
                last = sign_in(client, pool, username=users[n % len(users)])["AuthenticationResult"]["RefreshToken"]
            gc.collect()
            seen["grown"] = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        counts = tokens.record_counts()
        seen["records"], seen["users_with_records"] = counts[0], counts[2]
        seen["requests_logged"] = len(pool.requests())
        refreshed = client.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                         AuthParameters={"REFRESH_TOKEN": last})
        seen["last_refreshed"] = bool(refreshed["AuthenticationResult"]["AccessToken"])
        try:
            client.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": first})
            seen["first_refused"] = None
        except ClientError as refused:
            seen["first_refused"] = refused.response["Error"]["Message"]
        pool.clock.advance(31 * 86400)  # every refresh token has expired: swept at the next 256 sign-ins
        for n in range(256):
            sign_in(client, pool, username=users[n % len(users)])
        seen["records_after_expiry"] = tokens.record_counts()[0]
        seen["outbox"] = len(pool.service.outbox)
    return seen
