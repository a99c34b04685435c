"""A real HTTP receiver on 127.0.0.1 for webhook tests: it records every request, checks the
signature, answers with scripted status codes, and applies each Idempotency-Key once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, *, secret: str = "") -> None:
        self.secret = secret
        self.requests: list[dict] = []  # every POST seen, applied or not
        self.applied: dict[str, list[dict]] = {}  # effects, by idempotency key
        self.statuses: deque[int] = deque()  # scripted answers; 200 when empty
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, *statuses: int) -> None:
        self.statuses.extend(statuses)

    def signature_ok(self, body: bytes, header: str) -> bool:
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, header or "")

    def applied_count(self, key: str) -> int:
        return len(self.applied.get(key, []))

    def _receive(self, headers, body: bytes) -> int:
        with self._lock:
            record = {"headers": dict(headers), "body": body, "json": json.loads(body)}
            self.requests.append(record)
            if self.secret and not self.signature_ok(body, headers.get("X-Motcua-Signature")):
                return 401
            status = self.statuses.popleft() if self.statuses else 200
            key = headers.get("Idempotency-Key", "")
            if 200 <= status < 300 and key not in self.applied:
                self.applied[key] = [record]  # the effect, applied once per key
            return status

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver._receive(self.headers, body)
                reply = b'{"ok": true}' if status < 300 else b"receiver says no"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format, *args):
                pass

        return Handler
