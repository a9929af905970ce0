"""The HTTP face of the local user pool: the cognito-idp JSON 1.1 protocol as boto3 speaks it.

    POST /   X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>
             Content-Type: application/x-amz-json-1.1
             -> 200 + JSON, or 400/500 + {"__type": "<Code>", "message": "..."}
    POST /   X-Amz-Target: AWSCognitoIdentityService.<Operation>     an identity pool (identity.py)
    POST /   Action=AssumeRoleWithWebIdentity (form fields)          STS's query protocol -> XML (identity.py)
    GET  /<pool_id>/.well-known/jwks.json               the keys that sign the pool's tokens
    GET  /<pool_id>/.well-known/openid-configuration    issuer and jwks_uri
    GET  /_local/outbox[?username=&pool_id=&medium=&purpose=]   the codes "sent" (JSON list; username: or an alias)
    GET  /_local/health

Each request is logged (operation, status, error code) and never its parameters.

Limits (:class:`ConnectionLimits`): a body larger than ``max_body`` bytes or JSON nested deeper than
``max_depth`` is answered 400 with Cognito's error shape; a connection that sends nothing for ``idle``
seconds, or takes longer than ``request`` seconds to send one whole request (slow-loris), is closed; one
older than ``lifetime`` seconds is closed after its current answer (``Connection: close``); beyond
``max_connections`` at once a new one is answered 400 TooManyRequestsException and closed.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from authflow.localpool import login_pages, managed_login, oauth
from authflow.localpool.identity import sts_xml
from authflow.localpool.service import Service, identity_operation_of, operation_of, outbox_purpose

log = logging.getLogger("authflow.localpool")

JSON_CONTENT_TYPES = ("application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json")


#: The most of a refused (too large) body read and dropped before answering; beyond it the client may see
#: the connection close before it has sent everything.
DISCARD_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class ConnectionLimits:
    """What one client may cost the server (see the module's docstring)."""

    max_body: int = 1_000_000
    max_depth: int = 32
    idle: float = 30.0
    request: float = 10.0
    lifetime: float = 600.0
    max_connections: int = 1000


def json_depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests (a scalar is 0, ``{}`` is 1), counting no further than ``limit + 1``."""
    depth, level = 0, [value]
    while depth <= limit:
        containers = [item for item in level if isinstance(item, (dict, list))]
        if not containers:
            break
        depth += 1
        level = [child for item in containers for child in (item.values() if isinstance(item, dict) else item)]
    return depth


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # listen backlog: a load test opens hundreds of connections at once (default 5)

    def __init__(self, address: tuple[str, int], service: Service, limits: ConnectionLimits,
                 listening: socket.socket | None = None) -> None:
        self.service = service
        self.limits = limits
        #: Each open connection and when it is closed unless it moves on (None: no deadline now).
        self._connections: dict[socket.socket, float | None] = {}
        self._connections_lock = threading.Lock()
        self._stopped = threading.Event()
        if listening is None:
            super().__init__(address, _Handler)
        else:
            super().__init__(listening.getsockname()[:2], _Handler, bind_and_activate=False)
            self.socket.close()
            self.socket = listening
            self.server_address = listening.getsockname()
        self._reaper = threading.Thread(target=self._reap, name="localpool-reaper", daemon=True)
        self._reaper.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            full = len(self._connections) >= self.limits.max_connections
            if not full:
                self._connections[request] = time.monotonic() + self.limits.idle
        if full:
            log.info("connection refused: %d open", self.limits.max_connections)
            refuse_connection(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def watch(self, conn: socket.socket, deadline: float | None) -> None:
        """``conn`` is closed at ``deadline`` (monotonic) unless watched again before."""
        with self._connections_lock:
            if conn in self._connections:
                self._connections[conn] = deadline

    def _reap(self) -> None:
        """Close connections past their deadline (idle, or a request sent too slowly)."""
        while not self._stopped.wait(0.1):
            now = time.monotonic()
            with self._connections_lock:
                late = [conn for conn, deadline in self._connections.items()
                        if deadline is not None and deadline < now]
                for conn in late:
                    self._connections[conn] = None
            for conn in late:
                log.info("closing a connection: idle or too slow")
                _shutdown(conn)

    def server_close(self) -> None:
        self._stopped.set()
        super().server_close()

    def close_connections(self) -> None:
        """Drop kept-alive connections, so nothing is served after stop()."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            _shutdown(conn)


def _shutdown(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError as exc:
        log.debug("closing a connection: %s", exc)


def refuse_connection(conn: socket.socket) -> None:
    """Answer a connection over the cap with Cognito's throttling error, without reading its request."""
    body = json.dumps({"__type": "TooManyRequestsException", "message": "Too many connections."}).encode()
    head = (f"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        conn.settimeout(1.0)
        conn.sendall(head + body)
    except OSError as exc:
        log.debug("refusing a connection: %s", exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)

    def setup(self) -> None:
        super().setup()
        self._closes_at = time.monotonic() + self.server.limits.lifetime

    def handle_one_request(self) -> None:
        """Wait (at most ``idle`` s) for a request to begin, then give it ``request`` s to arrive whole."""
        limits = self.server.limits
        self.server.watch(self.connection, min(time.monotonic() + limits.idle, self._closes_at))
        try:
            started = bool(cast(io.BufferedReader, self.rfile).peek(1))  # rbufsize -1: buffered
        except OSError:
            started = False
        if not started:
            self.close_connection = True
            return
        self.server.watch(self.connection, time.monotonic() + limits.request)
        super().handle_one_request()

    def _discard(self, length: int) -> None:
        """Read and drop ``length`` bytes of a refused body (within the request's deadline)."""
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                return
            length -= len(chunk)

    def _received(self) -> None:
        """The whole request is in: answering it has no deadline (the service bounds its own work)."""
        self.server.watch(self.connection, None)

    # --- responses ---------------------------------------------------------------------------------

    def _send(self, status: int, body: Any, content_type: str = "application/x-amz-json-1.1") -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        head = (
            f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\n"
            f"x-amzn-RequestId: {uuid.uuid4()}\r\n"
            f"{self._connection_header()}"
            "\r\n"
        ).encode()
        try:
            self.wfile.write(head + payload)
        except OSError as exc:
            log.debug("client went away: %s", exc)
            self.close_connection = True

    def _connection_header(self) -> str:
        if self.close_connection or time.monotonic() >= self._closes_at:
            self.close_connection = True
            return "Connection: close\r\n"
        return ""

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"__type": code, "message": message})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line it cannot read, a URI or headers too long, an HTTP version
        it does not speak) in Cognito's error shape, not its HTML page; the connection then closes."""
        self.close_connection = True
        reason = message or self.responses.get(code, ("Bad request",))[0]
        self._error(code, "SerializationException", f"The request could not be read: {reason}.")

    # --- other methods: Cognito's error shape, never http.server's HTML page of 501 ------------------

    def _other_method(self) -> None:
        self.close_connection = True  # a body the request may carry is not read
        self._received()
        self._error(405, "UnknownOperationException",
                    f"{self.command} is not served here: the API is POST /, the sign-in pages GET and POST.")
        log.info("%s %s -> 405", self.command, urlsplit(self.path).path)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _other_method

    def do_HEAD(self) -> None:
        """HEAD: the status and headers of a refusal, with no body (as HEAD's answers have none)."""
        self.close_connection = True
        self._received()
        try:
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n"
                             b"Allow: GET, POST\r\nConnection: close\r\n\r\n")
        except OSError as exc:
            log.debug("client went away: %s", exc)

    # --- POST /: the Cognito API ---------------------------------------------------------------------

    def do_POST(self) -> None:
        started = time.perf_counter()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        limits = self.server.limits
        if length < 0 or length > limits.max_body:
            self.close_connection = True
            self._discard(min(max(length, 0), DISCARD_LIMIT))  # read, so the client gets to see the answer
            self._received()
            self._error(400, "SerializationException",
                        f"The request body must be at most {limits.max_body} bytes (Content-Length).")
            return
        raw = self.rfile.read(length) if length else b""
        self._received()
        if managed_login.handles(urlsplit(self.path).path):
            self._managed_login("POST", raw)
            return
        target = self.headers.get("X-Amz-Target")
        operation = operation_of(target)
        identity = operation is None and identity_operation_of(target) is not None
        if identity:
            operation = identity_operation_of(target)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if urlsplit(self.path).path != "/":
            self._error(404, "UnknownOperationException", "Not found.")
            return
        if operation is None and target is None and content_type == "application/x-www-form-urlencoded":
            self._query_protocol(raw, started)
            return
        if operation is None:
            self._error(400, "UnsupportedOperationException", "Missing or unknown X-Amz-Target.")
            log.info("POST without a Cognito X-Amz-Target -> 400")
            return
        if content_type not in JSON_CONTENT_TYPES:
            self._error(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1.")
            return
        too_deep = False
        try:
            params = json.loads(raw.decode() or "{}")
        except RecursionError:  # nested deeper than Python parses
            params, too_deep = None, True
        except (UnicodeDecodeError, ValueError):
            params = None
        if too_deep or json_depth(params, limits.max_depth) > limits.max_depth:
            self._error(400, "SerializationException",
                        f"The request body nests deeper than {limits.max_depth} levels.")
            return
        if not isinstance(params, dict):
            self._error(400, "SerializationException", "The request body is not a JSON object.")
            return
        status, body = self.server.service.handle(operation, params, identity=identity)
        self._send(status, body)
        elapsed = (time.perf_counter() - started) * 1000
        if status == 200:
            log.info("%s -> 200 (%.1f ms)", operation, elapsed)
        else:
            log.info("%s -> %d %s (%.1f ms)", operation, status, body.get("__type"), elapsed)

    def _query_protocol(self, raw: bytes, started: float) -> None:
        """STS's query protocol (form fields, XML answers): AssumeRoleWithWebIdentity, for the basic flow."""
        try:
            fields = parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=100)
        except (UnicodeDecodeError, ValueError):
            fields = {}
        params: dict[str, Any] = {k: v[-1] for k, v in fields.items()}
        action = str(params.pop("Action", ""))
        params.pop("Version", None)
        if action != "AssumeRoleWithWebIdentity":
            body = {"__type": "InvalidAction", "message": "The local pool serves STS AssumeRoleWithWebIdentity only."}
            self._send(400, sts_xml(action, 400, body), "text/xml")
            return
        status, result = self.server.service.handle(action, params, identity=True)
        self._send(status, sts_xml(action, status, result), "text/xml")
        log.info("%s -> %d (%.1f ms)", action, status, (time.perf_counter() - started) * 1000)

    # --- managed login (localpool.oauth): HTML pages, redirects and the OAuth endpoints -------------------

    def _managed_login(self, method: str, raw: bytes) -> None:
        url = urlsplit(self.path)
        started = time.perf_counter()
        host = self.headers.get("Host")  # the origin the browser sees (127.0.0.1 or localhost, its port)
        origin = f"http://{host}" if host else self.server.service.endpoint_url
        try:
            query = parse_qs(url.query, keep_blank_values=True)
            form = parse_qs(raw.decode(), keep_blank_values=True) if raw else {}
        except (UnicodeDecodeError, ValueError):
            answer = oauth.html(400, login_pages.error_page("Invalid request", "The request is malformed."))
        else:
            cookies: dict[str, str] = {}
            try:
                jar = SimpleCookie(self.headers.get("Cookie") or "")
                cookies = {name: morsel.value for name, morsel in jar.items()}
            except CookieError:
                log.debug("ignoring a malformed Cookie header")
            request = oauth.WebRequest(
                method=method, path=url.path, query=query, form=form,
                headers={k.lower(): v for k, v in self.headers.items()}, cookies=cookies, origin=origin,
            )
            answer = managed_login.route(self.server.service, request)
        headers = "".join(f"{name}: {value}\r\n" for name, value in answer.headers)
        head = (
            f"HTTP/1.1 {answer.status} {self.responses.get(answer.status, ('',))[0]}\r\n"
            f"Content-Type: {answer.content_type}\r\n"
            f"Content-Length: {len(answer.body)}\r\n"
            "X-Frame-Options: DENY\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
            "frame-ancestors 'none'\r\n"
            "Cache-Control: no-store\r\n"
            f"{headers}{self._connection_header()}\r\n"
        ).encode()
        try:
            self.wfile.write(head + answer.body)
        except OSError as exc:
            log.debug("client went away: %s", exc)
            self.close_connection = True
        log.info("%s %s -> %d (%.1f ms)", method, url.path, answer.status, (time.perf_counter() - started) * 1000)

    # --- GET: JWKS, OpenID configuration, the outbox -------------------------------------------------

    def do_GET(self) -> None:
        self._received()
        url = urlsplit(self.path)
        if managed_login.handles(url.path):
            self._managed_login("GET", b"")
            return
        parts = [p for p in url.path.split("/") if p]
        service = self.server.service
        if parts == ["_local", "health"]:
            self._send(200, {"status": "ok"}, "application/json")
            return
        if parts == ["_local", "outbox"]:
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if "purpose" in query:
                query["purpose"] = outbox_purpose(query["purpose"]) or ""
            with service.transaction():
                # ?username= may be an alias (an email, a phone number), as a sign-in's username may be
                names = None if "username" not in query else {query["username"]} | {
                    user.username for user in (pool.find(query["username"]) for pool in service.pools.values())
                    if user is not None}
                messages = [
                    m.as_dict() for m in service.outbox
                    if (names is None or m.username in names) and all(
                        query.get(key) in (None, getattr(m, key)) for key in ("pool_id", "medium", "purpose"))
                ]
            self._send(200, messages, "application/json")
            return
        if len(parts) == 3 and parts[1] == ".well-known" and parts[0] in service.pools:
            pool_id = parts[0]
            if parts[2] == "jwks.json":
                self._send(200, service.tokens.jwks(), "application/json")
                return
            if parts[2] == "openid-configuration":
                self._send(200, oauth.openid_configuration(service, pool_id), "application/json")
                return
        self._error(404, "ResourceNotFoundException", "Not found.")


class HttpServer:
    """Serves a :class:`Service` on ``host:port`` (port 0: a free one) from a daemon thread."""

    def __init__(
        self, service: Service, host: str = "127.0.0.1", port: int = 0, *, limits: ConnectionLimits | None = None,
        listening: socket.socket | None = None,
    ) -> None:
        """``listening``: serve on this socket, bound and listening already (shared by ``--workers``)."""
        self.service = service
        self._httpd = _Server((host, port), service, limits or ConnectionLimits(), listening)
        bound_host, bound_port = self._httpd.server_address[:2]
        self.host = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        self.port = int(bound_port)
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"localpool-{self.port}", daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout)
            self._thread = None
        self._httpd.close_connections()
        self._httpd.server_close()
