"""A case-management system for the tests: a real HTTP server that checks the HMAC signature,
records every delivery, can be down (port closed) and can hold a request without answering."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Delivery:
    key: str
    kind: str
    body: dict[str, Any]
    at: float


@dataclass
class Receiver:
    port: int
    secret: bytes
    deliveries: list[Delivery] = field(default_factory=list)
    bad_signatures: int = 0
    hold_first: bool = False  # keep the first request open (to kill the sender mid-delivery)
    fail_first: int = 0  # answer 503 to this many requests (an outage behind a live port)
    attempts: list[tuple[str, bytes]] = field(default_factory=list)  # every (key, body) seen
    held_key: str = ""
    held: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stamp = self.headers.get("X-Lotse-Timestamp", "")
                expected = "sha256=" + hmac.new(receiver.secret, stamp.encode() + b"." + body,
                                                hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get("X-Lotse-Signature", "")):
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                key = self.headers.get("Idempotency-Key", "")
                with receiver.lock:
                    receiver.attempts.append((key, body))
                    failing = len(receiver.attempts) <= receiver.fail_first
                if failing:
                    self.send_response(503)
                    self.end_headers()
                    return
                if receiver.hold_first and not receiver.held.is_set():
                    receiver.held_key = key
                    receiver.held.set()
                    time.sleep(30)  # the sender is killed meanwhile; this answer goes nowhere
                    return
                with receiver.lock:
                    receiver.deliveries.append(Delivery(self.headers["Idempotency-Key"],
                                                        self.headers["X-Lotse-Event"],
                                                        json.loads(body), time.monotonic()))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def keys(self) -> list[str]:
        with self.lock:
            return [d.key for d in self.deliveries]

    def wait_for_keys(self, wanted: set[str], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not wanted <= set(self.keys()):
            if time.monotonic() > deadline:
                missing = len(wanted - set(self.keys()))
                raise AssertionError(f"{missing} events never arrived")
            time.sleep(0.02)
