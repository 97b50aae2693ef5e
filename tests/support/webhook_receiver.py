"""A real webhook receiver on loopback, and a way to send every due delivery to it."""

from __future__ import annotations

import asyncio
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from auth.secrets import fernet
from registry.config import Settings
from registry.webhook_delivery import Worker


class Receiver:
    """What one loopback endpoint was sent: the JSON events, in order of arrival."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.events: list[dict] = []


@contextmanager
def receiving():
    """A real HTTP endpoint on loopback that answers 204 to every POST; stopped on exit."""
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers["content-length"]))
            with lock:
                receiver.events.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def deliver_all(db, settings: Settings, rounds: int = 200) -> None:
    """Run a real delivery worker until no delivery is pending (settings must allow loopback)."""
    worker = Worker(db, settings, fernet(settings))
    async with httpx.AsyncClient(timeout=5) as http:
        for _ in range(rounds):
            await worker.run_once(http)
            if not await db.fetchval("select count(*) from webhook_deliveries where status = 'PENDING'"):
                return
            await asyncio.sleep(0.02)
    raise AssertionError("webhook deliveries still pending")
