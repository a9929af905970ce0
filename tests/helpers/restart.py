"""A local pool that can be stopped and started again on the same port (the same endpoint URL), for the tests of
what a client does when the pool goes away during a sign-in, or comes back with other signing keys."""

from __future__ import annotations

import os
import socket
from typing import Any

from authflow.localpool import LocalUserPool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def picture_port(port: int) -> int:
    """``port`` while the docs' screenshots are taken (a picture that shows the endpoint repeats from run to run; each
    test file that shows one has its own), else a free port."""
    return port if os.environ.get("AUTHFLOW_SAVE_SCREENSHOTS") == "1" else free_port()


def start_pool(seed: Any, port: int, **options: Any) -> LocalUserPool:
    """A pool serving ``seed`` on 127.0.0.1:``port``."""
    return LocalUserPool(seed, port=port, **options).start()


class DroppingProxy:
    """An HTTP proxy in front of ``upstream`` (a local pool's URL) that can lose an answer: after
    ``drop_next(operation)``, the next call of that operation reaches the pool, which acts on it, and the
    connection is then closed without its answer (a network that broke on the way back). After
    ``refuse_next(operation, n, containing)``, the next ``n`` calls of that operation (whose body holds
    ``containing``) never reach the pool (the connection is closed at once). ``port``: where it listens (0: a free
    port)."""

    def __init__(self, upstream: str, port: int = 0) -> None:
        import http.client
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        target = urlsplit(upstream)
        proxy = self
        self._drop: set[str] = set()
        self._refuse: dict[str, int] = {}
        self._refuse_containing = b""
        self._refuse_after = 0.0
        self._lock = threading.Lock()
        self.dropped: list[str] = []
        self.refused: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = str(self.headers.get("X-Amz-Target", "")).rsplit(".", 1)[-1]
                with proxy._lock:
                    refuse = proxy._refuse.get(operation, 0) > 0 and proxy._refuse_containing in body
                    if refuse:
                        proxy._refuse[operation] -= 1
                if refuse:
                    proxy.refused.append(operation)
                    time.sleep(proxy._refuse_after)
                    self.close_connection = True
                    return
                upstream_call = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream_call.request("POST", self.path, body=body, headers=headers)
                answer = upstream_call.getresponse()
                data = answer.read()
                upstream_call.close()
                with proxy._lock:
                    drop = operation in proxy._drop
                    proxy._drop.discard(operation)
                if drop:
                    proxy.dropped.append(operation)
                    self.close_connection = True
                    return  # nothing written: the client sees the connection closed
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.endpoint_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def drop_next(self, operation: str) -> None:
        with self._lock:
            self._drop.add(operation)

    def refuse_next(self, operation: str, times: int = 1, containing: str = "", after: float = 0.0) -> None:
        """``after``: seconds to hold each such call before closing its connection (a slow failing network)."""
        with self._lock:
            self._refuse[operation] = times
            self._refuse_containing = containing.encode()
            self._refuse_after = after

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


#: A pool for the account changes whose connection breaks: ada (email verified), with every MFA method optional
#: and codes sent to email addresses.
ACCOUNT_PASSWORD = "Lost-Passw0rd!"
ACCOUNT_POOL_ID, ACCOUNT_CLIENT_ID = "us-east-1_LostAcct1", "lostacctclient00000000001"
ACCOUNT_SEED: dict[str, Any] = {"pools": [{
    "id": ACCOUNT_POOL_ID, "name": "lost-account", "mfa": "OPTIONAL",
    "mfa_types": ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], "auto_verified_attributes": ["email"],
    "clients": [{"id": ACCOUNT_CLIENT_ID, "name": "app", "explicit_auth_flows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    "users": [{"username": "ada", "password": ACCOUNT_PASSWORD,
               "attributes": {"email": "ada@example.com", "email_verified": "true"}}],
}]}


#: Prints the newest code the pool sent to $AUTHFLOW_USERNAME (the pool's outbox, over HTTP); its argument is the
#: pool's endpoint URL. For AUTHFLOW_CODE_COMMAND.
CODE_SCRIPT = """
import json, os, sys, urllib.parse, urllib.request
query = urllib.parse.urlencode({"username": os.environ["AUTHFLOW_USERNAME"]})
print(json.load(urllib.request.urlopen(sys.argv[1] + "/_local/outbox?" + query))[-1]["code"])
"""
