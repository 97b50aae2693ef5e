"""A real HTTP server on loopback serving files with ETags, as a provider's site would."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Iterator

from tests.support.loopback import serving


@dataclass
class Site:
    """What the server serves (path -> bytes), what it answers instead (path -> a status, or
    statuses answered once each first), the requests it received (path, If-None-Match; POST
    too, its body unread) and the statuses it answered."""

    base: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    statuses: dict[str, int | list[int]] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # the status of each answer, in order

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@contextmanager
def file_server() -> Iterator[Site]:
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        def send_response(self, code: int, message: str | None = None) -> None:
            site.answers.append(code)
            super().send_response(code, message)

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            site.requests.append((self.path, self.headers.get("if-none-match")))
            status = site.statuses.get(self.path)
            if isinstance(status, list):  # answered once each, in turn, before the file is served
                status = status.pop(0) if status else None
            if status is not None:
                self.send_response(status)
                if status == 429:
                    self.send_header("retry-after", "0")
                self.send_header("content-length", "0")
                self.end_headers()
                return
            body = site.files.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("if-none-match") == etag:
                self.send_response(304)
                self.send_header("etag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("etag", etag)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - the standard library's name
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.do_GET()

        def log_message(self, *args) -> None:
            pass

    with serving(Handler) as base:
        site.base = base
        yield site
