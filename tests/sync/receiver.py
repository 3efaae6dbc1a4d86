"""A real HTTP receiver on loopback for delivery tests and the benchmark: records every request,
answers 200 (or a chosen status), can hang a request until released, and can go down (stop listening)
and come back on the same port."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Headers(dict):
    """Header names compare case-insensitively, as in HTTP."""

    def __init__(self, items) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def get(self, key: str, default=None):  # noqa: ANN001, ANN201
        return super().get(key.lower(), default)


@dataclass
class Received:
    path: str
    headers: Headers
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def message_id(self) -> str:
        return self.headers.get("X-Message-Id", "")


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.requests: list[Received] = []
        self.status = 200
        self.hang = threading.Event()  # set: requests to `hang_path` wait until `release` is set (or 30 s)
        self.hang_path = "/"
        self.release = threading.Event()
        self.hanging = threading.Event()  # set once a request is being held
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = port
        self.up()

    def _handler(self):  # noqa: ANN202
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if receiver.hang.is_set() and self.path.startswith(receiver.hang_path):
                    receiver.hanging.set()
                    receiver.release.wait(30)
                status = receiver.status
                if 200 <= status < 300:
                    with receiver._lock:
                        receiver.requests.append(Received(self.path, Headers(self.headers.items()), body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:  # quiet
                return

        return Handler

    def up(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path_prefix: str = "") -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    def wait_for(self, path_prefix: str, count: int, timeout: float = 30) -> list[Received]:
        """Poll until `count` distinct message ids reached `path_prefix`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.received(path_prefix)
            if len({r.message_id for r in found}) >= count:
                return found
            time.sleep(0.05)
        found = self.received(path_prefix)
        raise AssertionError(f"{len({r.message_id for r in found})} of {count} message(s) at {path_prefix}")
