"""Cognito's JSON protocol over plain HTTP(S), for the calls a command must make fast: a signed-in user's own
operations, authorised by the access token (GetUser, ListDevices, ChangePassword...).

They are unsigned POSTs of JSON to the pool's endpoint with ``X-Amz-Target: AWSCognitoIdentityProviderService.
<Operation>`` (what Amplify JS sends from a browser), so they need no botocore: ``authflow account`` reads the
account in a fraction of botocore's start-up. Replies are checked as :mod:`authflow.transport` checks them and
errors come back as the same typed errors. :class:`AccountPool` sends access-token requests this way and hands
anything else (a refresh, a sign-in) to a :class:`~authflow.transport.UserPool` made when first needed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from authflow.calls import Request
from authflow.errors import DeadlineError, EndpointError, MalformedResponseError, cognito_error
from authflow.replies import check_reply, printable

if TYPE_CHECKING:
    from authflow.tokens import Tokens
    from authflow.transport import UserPool

TARGET = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
#: The most a reply may be: far more than any account reply.
MAX_REPLY = 4 * 1024 * 1024


def endpoint(region: str, endpoint_url: str | None) -> str:
    return endpoint_url or f"https://cognito-idp.{region}.amazonaws.com/"


class Connection:
    """One keep-alive HTTP/1.1 connection to a Cognito endpoint, reopened when the server closed it.

    It is a plain socket (TLS for https) rather than ``http.client``: what it needs of HTTP is one POST and a
    reply with Content-Length or chunked encoding, and ``http.client`` would load the ``email`` package (and
    ``ssl`` for an http endpoint), a third of an account read's start-up."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the endpoint is not an http(s) URL")
        self.url, self.timeout = url, timeout
        self.tls = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        default = (self.tls and self.port == 443) or (not self.tls and self.port == 80)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.authority = host if default else f"{host}:{self.port}"
        self.path = parts.path or "/"
        self._socket: Any = None
        self._reader: Any = None

    def _open(self) -> None:
        import socket

        connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
        if self.tls:
            import ssl

            connection = ssl.create_default_context().wrap_socket(connection, server_hostname=self.host)
        self._socket, self._reader = connection, connection.makefile("rb")

    def close(self) -> None:
        if self._socket is not None:
            self._reader.close()
            self._socket.close()
            self._socket = self._reader = None

    def post(self, target: str, body: bytes) -> tuple[int, bytes]:
        head = (f"POST {self.path} HTTP/1.1\r\nHost: {self.authority}\r\nContent-Type: {CONTENT_TYPE}\r\n"
                f"X-Amz-Target: {target}\r\nUser-Agent: authflow\r\nContent-Length: {len(body)}\r\n\r\n")
        for attempt in (1, 2):
            kept = self._socket is not None
            if not kept:
                self._open()
            try:
                self._socket.sendall(head.encode("latin-1") + body)
                status, headers = self._head()
                raw = self._body(headers)
                framed = "content-length" in headers or "chunked" in headers.get("transfer-encoding", "").lower()
                if headers.get("connection", "").lower() == "close" or not framed:
                    self.close()
                return status, raw
            except (ConnectionError, _Closed):
                self.close()
                if not kept or attempt == 2:  # a kept connection the server closed meanwhile: once more
                    raise
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")

    def _line(self) -> bytes:
        line: bytes = self._reader.readline(65537)
        if not line:
            raise _Closed("the server closed the connection")
        if len(line) > 65536:
            raise MalformedResponseError("a line of the HTTP answer is too long")
        return line

    def _head(self) -> tuple[int, dict[str, str]]:
        status_line = self._line().decode("latin-1").split(None, 2)
        if len(status_line) < 2 or not status_line[0].startswith("HTTP/") or not status_line[1].isdigit():
            raise MalformedResponseError("the answer is not HTTP")
        headers: dict[str, str] = {}
        while True:
            line = self._line().decode("latin-1").rstrip("\r\n")
            if not line:
                return int(status_line[1]), headers
            if len(headers) > 100:
                raise MalformedResponseError("the HTTP answer has too many headers")
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()

    def _body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            size = 0
            while True:
                length = int(self._line().split(b";", 1)[0].strip() or b"0", 16)
                if length == 0:
                    while self._line() not in (b"\r\n", b"\n"):  # trailers
                        pass
                    return b"".join(chunks)
                size += length
                if size > MAX_REPLY:
                    raise MalformedResponseError("the answer is larger than any Cognito answer")
                chunks.append(self._reader.read(length))
                self._line()  # the chunk's CRLF
        if "content-length" in headers:
            length = int(headers["content-length"])
            if length > MAX_REPLY:
                raise MalformedResponseError("the answer is larger than any Cognito answer")
            data: bytes = self._reader.read(length)
            if len(data) < length:
                raise MalformedResponseError("the answer ended before its Content-Length")
            return data
        rest: bytes = self._reader.read(MAX_REPLY + 1)  # until the server closes
        return rest


class _Closed(ConnectionError):
    """The server closed the connection (before or within an answer)."""


def send(connection: Connection, request: Request) -> dict[str, Any]:
    """POST ``request`` (its parameters, without the None ones); Cognito's reply, or its typed error."""
    body = json.dumps({k: v for k, v in request.parameters.items() if v is not None}).encode()
    try:
        status, raw = connection.post(TARGET + request.operation, body)
    except TimeoutError:
        raise DeadlineError(f"{request.operation}: Cognito sent nothing for {connection.timeout:g} s (read timeout)",
                            code="ReadTimeout") from None
    except ValueError:  # a chunk size or Content-Length that is not a number
        raise MalformedResponseError(f"{request.operation}: the HTTP answer could not be read") from None
    except OSError:
        raise EndpointError(f"cannot reach {printable(connection.url, 200)}") from None
    if len(raw) > MAX_REPLY:
        raise MalformedResponseError(f"{request.operation}: the answer is larger than any Cognito answer")
    try:
        reply = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError):
        reply = None
    if status >= 300:
        error = reply if isinstance(reply, dict) else {}
        code = str(error.get("__type") or error.get("code") or status).rsplit("#", 1)[-1]
        message = error.get("message") or error.get("Message") or ""
        raise cognito_error(printable(code, 128), printable(str(message), 1000), request.operation)
    if not isinstance(reply, dict):
        raise MalformedResponseError(f"{request.operation}: Cognito's answer could not be read")
    check_reply(reply, request.operation)
    return reply


class AccountPool:
    """What :class:`~authflow.account.Account` needs of a pool, starting fast: requests carrying an access
    token go over :func:`send`; ``refresh`` and any other request go to the real ``UserPool`` that ``make``
    builds the first time one is needed."""

    def __init__(self, pool_id: str, client_id: str, region: str, endpoint_url: str | None,
                 make: Callable[[], UserPool], *, timeout: float = 30.0) -> None:
        self.pool_id, self.client_id, self.region, self.endpoint_url = pool_id, client_id, region, endpoint_url
        self.pool_name = pool_id.partition("_")[2]
        self.connection = Connection(endpoint(region, endpoint_url), timeout=timeout)
        self._make = make
        self._pool: UserPool | None = None

    def __repr__(self) -> str:
        return f"AccountPool({self.pool_id!r}, {self.client_id!r}, endpoint_url={self.endpoint_url!r})"

    @property
    def user_pool(self) -> UserPool:
        if self._pool is None:
            self._pool = self._make()
        return self._pool

    def send(self, request: Request, **options: Any) -> dict[str, Any]:
        if "AccessToken" in request.parameters and not options:
            return send(self.connection, request)
        return self.user_pool.send(request, **options)

    def refresh(self, refresh_token: str, **options: Any) -> Tokens:
        return self.user_pool.refresh(refresh_token, **options)
