"""The local pool as a server under abuse: oversized and deeply nested bodies get 400 with Cognito's error
shape, slow-loris and idle connections are closed while normal requests go on, and the records kept per
sign-in stay bounded: once every cap is full, more sign-ins allocate nothing that stays."""

from __future__ import annotations

import gc
import http.client
import json
import socket
import time
import tracemalloc
from collections import deque
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from authflow.localpool.server import ConnectionLimits

PASSWORD = "Alice-Passw0rd!"
LIMITS = ConnectionLimits(idle=1.0, request=1.5)
TARGET = "AWSCognitoIdentityProviderService.InitiateAuth"


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(limits=LIMITS) as running:
        running.add_user("alice", PASSWORD)
        yield running


def cognito(pool: LocalUserPool) -> Any:
    return boto3.client("cognito-idp", endpoint_url=pool.endpoint_url, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))  # no retry


def post(pool: LocalUserPool, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", int(pool.endpoint_url.rsplit(":", 1)[1]), timeout=10)
    try:
        conn.request("POST", "/", body=body, headers={
            "X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1", **(headers or {})})
        reply = conn.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        conn.close()


def sign_in(client: Any, pool: LocalUserPool, client_id: str | None = None, username: str = "alice") -> dict[str, Any]:
    return dict(client.initiate_auth(ClientId=client_id or pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD}))


def test_a_10000_deep_body_is_400_with_cognitos_error_shape(pool: LocalUserPool) -> None:
    for body in ('{"a": ' + "[" * 10_000 + "]" * 10_000 + "}", "[" * 10_000 + "]" * 10_000,
                 '{"AuthParameters": ' + '{"x": ' * 40 + "1" + "}" * 41):
        status, reply = post(pool, body.encode())
        assert status == 400
        assert reply["__type"] == "SerializationException" and "deeper than 32" in reply["message"]
    assert sign_in(cognito(pool), pool)["AuthenticationResult"]["AccessToken"]


def test_an_oversized_body_is_400_with_cognitos_error_shape(pool: LocalUserPool) -> None:
    status, reply = post(pool, b'{"ClientId": "' + b"x" * 1_200_000 + b'"}')
    assert status == 400
    assert reply == {"__type": "SerializationException",
                     "message": "The request body must be at most 1000000 bytes (Content-Length)."}


def test_slow_loris_and_idle_connections_are_closed_while_requests_go_on(pool: LocalUserPool) -> None:
    port = int(pool.endpoint_url.rsplit(":", 1)[1])
    idle = socket.create_connection(("127.0.0.1", port))
    loris = socket.create_connection(("127.0.0.1", port))
    loris.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
    client = cognito(pool)
    started = time.monotonic()
    closed: dict[str, float] = {}
    while len(closed) < 2 and time.monotonic() - started < 5:
        assert sign_in(client, pool)["AuthenticationResult"]["AccessToken"]  # served meanwhile
        try:
            loris.sendall(b"X-Slow: 1\r\n")  # a header line every 0.2 s: never idle, never done
        except OSError:
            closed.setdefault("loris", time.monotonic() - started)
        for name, sock in (("idle", idle), ("loris", loris)):
            sock.setblocking(False)
            try:
                if sock.recv(1) == b"":
                    closed.setdefault(name, time.monotonic() - started)
            except BlockingIOError:
                pass
            except OSError:
                closed.setdefault(name, time.monotonic() - started)
        time.sleep(0.2)
    idle.close()
    loris.close()
    assert closed["idle"] < LIMITS.idle + 1.0
    assert closed["loris"] < LIMITS.request + 1.0


def test_connections_beyond_the_cap_are_refused_with_a_throttling_error() -> None:
    cap = ConnectionLimits(max_connections=20)  # idle 30 s: the held connections stay open on a slow machine
    with LocalUserPool(limits=cap) as pool:
        pool.add_user("alice", PASSWORD)
        port = int(pool.endpoint_url.rsplit(":", 1)[1])
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(cap.max_connections)]
        try:
            time.sleep(0.2)
            with pytest.raises(ClientError) as refused:
                sign_in(cognito(pool), pool)
            assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.3)
        assert sign_in(cognito(pool), pool)["AuthenticationResult"]["AccessToken"]


def test_records_kept_per_sign_in_stay_bounded_and_memory_flat_over_2000_sign_ins() -> None:
    users = [f"user-{i:02d}" for i in range(40)]
    with LocalUserPool() as pool:
        for username in users:
            pool.add_user(username, PASSWORD)
        tokens = pool.service.tokens
        tokens.record_limit = 500  # below 40 users x 20 token sessions, so this cap is reached too
        pool.service.request_log = deque(maxlen=200)  # 10,000 by default: full within this test
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
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert grown < 50_000, f"{grown} bytes more after 750 sign-ins with every cap full"
        assert tokens.record_counts()[0] == 500 and tokens.record_counts()[2] == len(users)
        assert len(pool.requests()) == 200
        refreshed = client.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                         AuthParameters={"REFRESH_TOKEN": last})
        assert refreshed["AuthenticationResult"]["AccessToken"]
        with pytest.raises(ClientError, match="Invalid Refresh Token"):
            client.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                 AuthParameters={"REFRESH_TOKEN": first})
        pool.clock.advance(31 * 86400)  # every refresh token has expired: swept at the next 256 sign-ins
        for n in range(256):
            sign_in(client, pool, username=users[n % len(users)])
        assert tokens.record_counts()[0] <= 256  # 500 unswept
        assert len(pool.service.outbox) <= 10_000
