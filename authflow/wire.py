"""Cognito's JSON protocol over plain HTTP(S), for the calls a command must make fast: a signed-in user's own
operations, authorised by the access token (GetUser, ListDevices, ChangePassword...).

They are unsigned POSTs of JSON to the pool's endpoint with ``X-Amz-Target: AWSCognitoIdentityProviderService.
<Operation>`` (what Amplify JS sends from a browser), so they need no botocore: ``authflow account`` reads the
account in a fraction of botocore's start-up. Replies are checked as :mod:`authflow.transport` checks them and
errors come back as the same typed errors. :class:`AccountPool` sends access-token requests this way and hands
anything else (a refresh, a sign-in) to a :class:`~authflow.transport.UserPool` made when first needed.
"""

from __future__ import annotations

import http.client
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
    """One keep-alive HTTP(S) connection to a Cognito endpoint (reopened when the server closed it)."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the endpoint is not an http(s) URL")
        self.url, self.timeout = url, timeout
        self.path = parts.path or "/"
        self._parts = parts
        self._connection: http.client.HTTPConnection | None = None

    def _open(self) -> http.client.HTTPConnection:
        if self._connection is None:
            parts = self._parts
            if parts.scheme == "https":
                self._connection = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=self.timeout)
            else:
                self._connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def post(self, target: str, body: bytes) -> tuple[int, bytes]:
        headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": target, "User-Agent": "authflow"}
        for attempt in (1, 2):  # a kept connection the server closed meanwhile: once more on a new one
            connection = self._open()
            try:
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read(MAX_REPLY + 1)
                if response.will_close:
                    self.close()
                return response.status, raw
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")


def send(connection: Connection, request: Request) -> dict[str, Any]:
    """POST ``request`` (its parameters, without the None ones); Cognito's reply, or its typed error."""
    body = json.dumps({k: v for k, v in request.parameters.items() if v is not None}).encode()
    try:
        status, raw = connection.post(TARGET + request.operation, body)
    except TimeoutError:
        raise DeadlineError(f"{request.operation}: Cognito sent nothing for {connection.timeout:g} s (read timeout)",
                            code="ReadTimeout") from None
    except (OSError, http.client.HTTPException):
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
