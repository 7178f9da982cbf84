"""A WebSub hub on 127.0.0.1 for tests: records every POST, answers as scripted.

A real ``ThreadingHTTPServer``: publish talks to it as to any hub. ``answers`` are the
statuses given to the next requests in turn (then 204) and ``delay`` the seconds slept before
each answer, so a test can play a hub that fails, recovers, redirects or hangs.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


@dataclass
class Hub:
    """A WebSub hub on 127.0.0.1: ``requests`` as received, ``answers`` as scripted."""

    server: ThreadingHTTPServer
    answers: list[int] = field(default_factory=list)  # statuses to give, then 204
    delay: float = 0.0  # seconds to wait before answering
    requests: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hub"

    def urls(self, index: int = -1) -> list[str]:
        return [v for k, v in self.requests[index]["form"] if k == "hub.url"]


def start_hub() -> Hub:
    hub: Hub

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hub.requests.append({"path": self.path, "type": self.headers["Content-Type"],
                                 "form": parse_qsl(body.decode(), keep_blank_values=True)})
            if hub.delay:
                time.sleep(hub.delay)
            status = hub.answers.pop(0) if hub.answers else 204
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    hub = Hub(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return hub


def closed_port_url() -> str:
    """An address where nothing listens (a port just released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hub"
