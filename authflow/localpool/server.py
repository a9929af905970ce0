"""The HTTP face of the local user pool: the cognito-idp JSON 1.1 protocol as boto3 speaks it.

    POST /   X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>
             Content-Type: application/x-amz-json-1.1
             -> 200 + JSON, or 400/500 + {"__type": "<Code>", "message": "..."}
    GET  /<pool_id>/.well-known/jwks.json               the keys that sign the pool's tokens
    GET  /<pool_id>/.well-known/openid-configuration    issuer and jwks_uri
    GET  /_local/outbox[?username=&pool_id=&medium=&purpose=]   the codes "sent" (JSON list)
    GET  /_local/health

Each request is logged (operation, status, error code) and never its parameters.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from authflow.localpool.service import Service, operation_of

log = logging.getLogger("authflow.localpool")

JSON_CONTENT_TYPES = ("application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # listen backlog: a load test opens hundreds of connections at once (default 5)

    def __init__(self, address: tuple[str, int], service: Service) -> None:
        self.service = service
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop kept-alive connections, so nothing is served after stop()."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError as exc:
                log.debug("closing a connection: %s", exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("http: " + format, *args)

    # --- responses ---------------------------------------------------------------------------------

    def _send(self, status: int, body: Any, content_type: str = "application/x-amz-json-1.1") -> None:
        payload = json.dumps(body).encode()
        head = (
            f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\n"
            f"x-amzn-RequestId: {uuid.uuid4()}\r\n"
            "\r\n"
        ).encode()
        try:
            self.wfile.write(head + payload)
        except OSError as exc:
            log.debug("client went away: %s", exc)
            self.close_connection = True

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"__type": code, "message": message})

    # --- POST /: the Cognito API ---------------------------------------------------------------------

    def do_POST(self) -> None:
        started = time.perf_counter()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > 1_000_000:
            self.close_connection = True
            self._error(400, "SerializationException", "Invalid Content-Length.")
            return
        raw = self.rfile.read(length) if length else b""
        operation = operation_of(self.headers.get("X-Amz-Target"))
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if urlsplit(self.path).path != "/":
            self._error(404, "UnknownOperationException", "Not found.")
            return
        if operation is None:
            self._error(400, "UnsupportedOperationException", "Missing or unknown X-Amz-Target.")
            log.info("POST without a Cognito X-Amz-Target -> 400")
            return
        if content_type not in JSON_CONTENT_TYPES:
            self._error(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1.")
            return
        try:
            params = json.loads(raw.decode() or "{}")
        except (UnicodeDecodeError, ValueError):
            params = None
        if not isinstance(params, dict):
            self._error(400, "SerializationException", "The request body is not a JSON object.")
            return
        status, body = self.server.service.handle(operation, params)
        self._send(status, body)
        elapsed = (time.perf_counter() - started) * 1000
        if status == 200:
            log.info("%s -> 200 (%.1f ms)", operation, elapsed)
        else:
            log.info("%s -> %d %s (%.1f ms)", operation, status, body.get("__type"), elapsed)

    # --- GET: JWKS, OpenID configuration, the outbox -------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        service = self.server.service
        if parts == ["_local", "health"]:
            self._send(200, {"status": "ok"}, "application/json")
            return
        if parts == ["_local", "outbox"]:
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            with service.lock:
                messages = [
                    m.as_dict() for m in service.outbox
                    if all(query.get(key) in (None, getattr(m, key)) for key in
                           ("username", "pool_id", "medium", "purpose"))
                ]
            self._send(200, messages, "application/json")
            return
        if len(parts) == 3 and parts[1] == ".well-known" and parts[0] in service.pools:
            pool_id = parts[0]
            if parts[2] == "jwks.json":
                self._send(200, service.tokens.jwks(), "application/json")
                return
            if parts[2] == "openid-configuration":
                issuer = service.issuer(pool_id)
                self._send(200, {
                    "issuer": issuer, "jwks_uri": f"{issuer}/.well-known/jwks.json",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "subject_types_supported": ["public"],
                    "response_types_supported": ["code", "token"],
                }, "application/json")
                return
        self._error(404, "ResourceNotFoundException", "Not found.")


class HttpServer:
    """Serves a :class:`Service` on ``host:port`` (port 0: a free one) from a daemon thread."""

    def __init__(self, service: Service, host: str = "127.0.0.1", port: int = 0) -> None:
        self.service = service
        self._httpd = _Server((host, port), service)
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
