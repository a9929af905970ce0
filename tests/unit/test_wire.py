"""authflow.wire's HTTP/1.1 connection against a scripted server (one socket, answers written by hand): a
Content-Length reply, a chunked one, a kept connection the server closed (sent again once), a reply without
framing read to the end, Cognito's error as its typed error, and answers that are not HTTP or too large."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from authflow.calls import Request
from authflow.errors import EndpointError, MalformedResponseError, NotAuthorizedError
from authflow.wire import MAX_REPLY, Connection, send


class Scripted:
    """Accepts connections and answers each request with the next scripted reply (bytes), closing the
    connection after a reply when told (``None`` after it in the script)."""

    def __init__(self, replies: list[bytes | None]) -> None:
        self.replies = list(replies)
        self.requests: list[bytes] = []
        self.connections = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.replies:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            with client, client.makefile("rb") as reader:
                while self.replies:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        line = reader.readline()
                        if not line:
                            break
                        head += line
                    if not head:
                        break
                    length = int(next(h.split(b":")[1] for h in head.split(b"\r\n") if h.lower().startswith(
                        b"content-length")))
                    self.requests.append(head + reader.read(length))
                    client.sendall(self.replies.pop(0) or b"")
                    if self.replies and self.replies[0] is None:
                        self.replies.pop(0)
                        break

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def scripted() -> Iterator[list[Scripted]]:
    made: list[Scripted] = []
    yield made
    for server in made:
        server.close()


def reply(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    return (f"HTTP/1.1 {status}\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n").encode() + body


def test_keep_alive_chunked_and_a_closed_connection(scripted: list[Scripted]) -> None:
    user = json.dumps({"Username": "ada", "UserAttributes": []}).encode()
    chunked = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (user[:5], user[5:])) + b"0\r\n\r\n"
    server = Scripted([
        reply(user, f"Content-Length: {len(user)}"),
        reply(chunked, "Transfer-Encoding: chunked"), None,  # then the server closes the kept connection
        reply(b'{"Devices": []}', "Connection: close"),
    ])
    scripted.append(server)
    connection = Connection(server.url, timeout=5)
    assert send(connection, Request("GetUser", {"AccessToken": "t"}))["Username"] == "ada"
    assert send(connection, Request("GetUser", {"AccessToken": "t"}))["Username"] == "ada"
    assert send(connection, Request("ListDevices", {"AccessToken": "t", "Limit": None})) == {"Devices": []}
    assert server.connections == 2  # one kept for two calls, then a new one after the server closed it
    first = server.requests[0]
    assert b"X-Amz-Target: AWSCognitoIdentityProviderService.GetUser" in first
    assert first.endswith(b'{"AccessToken": "t"}') and b"Limit" not in server.requests[-1]


def test_errors(scripted: list[Scripted]) -> None:
    refusal = json.dumps({"__type": "NotAuthorizedException", "message": "Access Token has expired"}).encode()
    server = Scripted([
        reply(refusal, f"Content-Length: {len(refusal)}", status="400 Bad Request"),
        b"SSH-2.0-OpenSSH\r\n", None,
        reply(b"", f"Content-Length: {MAX_REPLY + 10}"), None,
    ])
    scripted.append(server)
    connection = Connection(server.url, timeout=5)
    with pytest.raises(NotAuthorizedError, match="expired"):
        send(connection, Request("GetUser", {"AccessToken": "t"}))
    with pytest.raises(MalformedResponseError, match="not HTTP"):
        send(connection, Request("GetUser", {"AccessToken": "t"}))
    with pytest.raises(MalformedResponseError, match="larger than any Cognito answer"):
        send(connection, Request("GetUser", {"AccessToken": "t"}))
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(EndpointError):
        send(Connection(f"http://127.0.0.1:{port}/", timeout=2), Request("GetUser", {"AccessToken": "t"}))
    with pytest.raises(ValueError):
        Connection("ftp://example.com/")
