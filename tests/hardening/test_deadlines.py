"""Deadlines: a silent or trickling server cannot hold a sign-in longer than its timeouts say."""

from __future__ import annotations

import inspect
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from authflow import ScriptedHandler, UserPool, sign_in
from authflow.errors import DeadlineError


class LoopbackServer:
    """A server on 127.0.0.1 that answers each connection on a thread of its own with ``_answer``."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


class SlowServer(LoopbackServer):
    """Answers every request by trickling a byte every ``gap`` seconds, for ever (or never a byte)."""

    def __init__(self, gap: float | None) -> None:
        self.gap = gap
        super().__init__()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100000\r\n\r\n"
            for byte in head + b" " * 100000:
                if self.stop.wait(self.gap if self.gap is not None else 3600):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return


@pytest.fixture
def trickling() -> Iterator[SlowServer]:
    server = SlowServer(gap=0.2)
    yield server
    server.close()


def test_a_trickling_server_meets_the_call_timeout(trickling: SlowServer) -> None:
    pool = UserPool("us-east-1_Slow", "slowclient", endpoint_url=trickling.url, max_attempts=1, read_timeout=1,
                    call_timeout=2)
    started = time.monotonic()
    with pytest.raises(DeadlineError) as caught:
        sign_in(pool, "ann", ScriptedHandler(password="Passw0rd!"), "USER_PASSWORD_AUTH")
    assert caught.value.code == "CallTimeout"
    assert 1.9 < time.monotonic() - started < 4


def test_the_sign_in_deadline_holds_against_a_trickling_server(trickling: SlowServer) -> None:
    pool = UserPool("us-east-1_Slow", "slowclient", endpoint_url=trickling.url, max_attempts=1)
    started = time.monotonic()
    with pytest.raises(DeadlineError) as caught:
        sign_in(pool, "ann", ScriptedHandler(password="Passw0rd!"), "USER_PASSWORD_AUTH", deadline=1.5)
    assert caught.value.code == "SignInDeadline"
    assert time.monotonic() - started < 3


def test_a_silent_server_meets_the_read_timeout() -> None:
    server = SlowServer(gap=None)
    try:
        pool = UserPool("us-east-1_Slow", "slowclient", endpoint_url=server.url, max_attempts=1, read_timeout=1)
        started = time.monotonic()
        with pytest.raises(DeadlineError) as caught:
            sign_in(pool, "ann", ScriptedHandler(password="Passw0rd!"), "USER_PASSWORD_AUTH")
        assert caught.value.code == "ReadTimeout"
        assert time.monotonic() - started < 3
    finally:
        server.close()


def test_the_cli_says_which_deadline_passed(trickling: SlowServer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTHFLOW_"))}
    env["AUTHFLOW_PASSWORD"] = "Passw0rd!"
    command = [sys.executable, "-m", "authflow", "login", "--non-interactive", "--no-cache", "--pool-id",
               "us-east-1_Slow", "--client-id", "slowclient", "--endpoint-url", trickling.url, "--username", "ann",
               "--auth-flow", "USER_PASSWORD_AUTH", "--deadline", "1.5"]
    started = time.monotonic()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 15
    assert proc.returncode == 1
    assert proc.stderr.startswith("authflow: ") and "(SignInDeadline)." in proc.stderr, proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    bad = subprocess.run([*command[:-1], "soon"], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "number of seconds" in bad.stderr


class SlowReply(LoopbackServer):
    """Answers every request with a whole Cognito error (NotAuthorizedException), sent in pieces over ``total``
    seconds: a pool that is slow but does answer."""

    REPLY = b'{"__type":"NotAuthorizedException","message":"Incorrect username or password."}'

    def __init__(self, total: float, pieces: int = 15) -> None:
        self.total, self.pieces = total, pieces
        super().__init__()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            whole = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(self.REPLY)) + self.REPLY
            size = -(-len(whole) // self.pieces)
            for start in range(0, len(whole), size):
                try:
                    conn.sendall(whole[start:start + size])
                except OSError:
                    return
                if self.stop.wait(self.total / self.pieces):
                    return


def test_deadline_none_turns_the_sign_in_deadline_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the default deadline made short (1 s), a pool taking 3 s to answer ends the sign-in at the deadline;
    ``deadline=None`` waits for the pool's own answer instead (each call's own limits still hold)."""
    from authflow.errors import NotAuthorizedError
    from authflow.flow import DEFAULT_DEADLINE, AuthFlow

    init = AuthFlow.__init__
    assert inspect.signature(init).parameters["deadline"].default == DEFAULT_DEADLINE
    assert init.__kwdefaults__ is not None and "deadline" in init.__kwdefaults__
    monkeypatch.setattr(init, "__kwdefaults__", {**init.__kwdefaults__, "deadline": 1.0})
    assert inspect.signature(init).parameters["deadline"].default == 1.0
    server = SlowReply(total=3.0)
    try:
        pool = UserPool("us-east-1_Slow", "slowclient", endpoint_url=server.url, max_attempts=1)
        started = time.monotonic()
        with pytest.raises(DeadlineError) as caught:
            sign_in(pool, "ann", ScriptedHandler(password="Passw0rd!"), "USER_PASSWORD_AUTH")
        assert caught.value.code == "SignInDeadline"
        assert time.monotonic() - started < 2.5

        started = time.monotonic()
        with pytest.raises(NotAuthorizedError) as refused:
            sign_in(pool, "ann", ScriptedHandler(password="Passw0rd!"), "USER_PASSWORD_AUTH", deadline=None)
        assert refused.value.code == "NotAuthorizedException"
        assert time.monotonic() - started > 2.5
    finally:
        server.close()
