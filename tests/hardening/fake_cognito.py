"""A fake Cognito endpoint on loopback that answers with whatever a test scripts: crafted and generated
replies, for checking that every reply becomes a typed result or a typed error."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the fake answers: an HTTP status, a body (JSON-encoded unless bytes) and headers."""

    body: Any = field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, allow_nan=True).encode()


Script = Callable[[str, dict[str, Any]], Reply]


class FakeCognito:
    """``with FakeCognito(script) as fake: UserPool(..., endpoint_url=fake.url)``; ``script(operation,
    request_body)`` returns the :class:`Reply`. ``fake.calls`` lists the operations received."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.calls: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                operation = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
                fake.calls.append(operation)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                reply = fake.script(operation, body)
                data = reply.encoded()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeCognito:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class Scripted:
    """A script that answers from a queue of replies; once it is empty, Cognito says no."""

    def __init__(self) -> None:
        self.queue: list[Reply] = []
        self.url = ""

    def load(self, *replies: Reply) -> None:
        self.queue = list(replies)

    def __call__(self, operation: str, body: dict[str, Any]) -> Reply:
        if self.queue:
            return self.queue.pop(0)
        return Reply({"__type": "NotAuthorizedException", "message": "Incorrect username or password."}, 400)
