"""The local pool as a server under abuse: oversized and deeply nested bodies get 400 with Cognito's error
shape, slow-loris and idle connections are closed while normal requests go on, and the records kept per
sign-in stay bounded: once every cap is full, more sign-ins allocate nothing that stays."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool
from authflow.localpool.server import ConnectionLimits
from tests.helpers.isolated import in_a_fresh_process

from .helpers import PASSWORD, cognito, records_and_memory_over_sign_ins, sign_in

LIMITS = ConnectionLimits(idle=1.0, request=1.5)
TARGET = "AWSCognitoIdentityProviderService.InitiateAuth"


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(limits=LIMITS) as running:
        running.add_user("alice", PASSWORD)
        yield running


def post(pool: LocalUserPool, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", int(pool.endpoint_url.rsplit(":", 1)[1]), timeout=10)
    try:
        conn.request("POST", "/", body=body, headers={
            "X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1", **(headers or {})})
        reply = conn.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        conn.close()


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
    """Measured in a process of its own (tests/helpers/isolated.py): the traced memory is the whole process's."""
    seen = in_a_fresh_process(records_and_memory_over_sign_ins)
    assert seen["grown"] < 50_000, f"{seen['grown']} bytes more after 750 sign-ins with every cap full"
    assert seen["records"] == 500 and seen["users_with_records"] == seen["users"]
    assert seen["requests_logged"] == 200
    assert seen["last_refreshed"] is True
    assert "Invalid Refresh Token" in str(seen["first_refused"])
    assert seen["records_after_expiry"] <= 256  # 500 unswept
    assert seen["outbox"] <= 10_000
