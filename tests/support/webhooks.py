"""Webhooks for tests: real receivers on loopback, an app allowed to call them, and a real
delivery worker run until nothing is pending."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from auth.secrets import fernet
from registry.app import create_app
from registry.config import Settings
from registry.services.webhook_delivery import Worker
from tests.support.apps import SETTINGS

WEBHOOK_SETTINGS = dataclasses.replace(SETTINGS, webhooks_allow_loopback=True, webhook_retry_base_seconds=0.01)
SECRET = "receiver-secret-0123456789"
REGISTER = """
mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { webhook { id url } secret userErrors { field code } }
}
"""


class Receiver:
    """A real HTTP endpoint on loopback; answers 500 to every ``fail_every``-th POST (never
    when 0) and 204 to the rest. ``stop()`` shuts it down."""

    def __init__(self, fail_every: int = 3) -> None:
        self.received: list[tuple[str, bytes, str, int]] = []  # event id, body, signature, status answered
        self.hosts: list[str] = []  # the Host header of each request
        lock, receiver = threading.Lock(), self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["content-length"]))
                with lock:
                    status = 500 if fail_every and (len(receiver.received) + 1) % fail_every == 0 else 204
                    receiver.hosts.append(self.headers["host"])
                    receiver.received.append(
                        (self.headers["x-microcred-event-id"], body, self.headers["x-microcred-signature"], status)
                    )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def events(self) -> list[dict]:
        """The JSON events answered with success, in order of arrival."""
        return [json.loads(body) for _, body, _, status in self.received if status < 300]

    def delivered(self) -> Counter:
        """How many times each event was answered with success."""
        return Counter(event for event, _, _, status in self.received if status < 300)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()


@contextmanager
def receiving(fail_every: int = 0):
    """A Receiver (by default answering 204 to everything), stopped on exit."""
    receiver = Receiver(fail_every)
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture
def receiver():
    """A receiver that fails every third request, so that retries happen."""
    with receiving(fail_every=3) as found:
        yield found


@pytest.fixture
async def hook_client(db_dsn, parties):
    """A client of an app (on a fresh database) that may deliver webhooks to loopback."""
    app = create_app(WEBHOOK_SETTINGS, db_dsn)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://registry.test") as c:
            yield c


async def deliver_all(db, settings: Settings = WEBHOOK_SETTINGS, workers: int = 2, rounds: int = 200) -> None:
    """Run real delivery workers side by side until no delivery is pending."""
    async with httpx.AsyncClient(timeout=5) as http:
        team = [Worker(db, settings, fernet(settings)) for _ in range(workers)]
        for _ in range(rounds):
            await asyncio.gather(*(w.run_once(http) for w in team))
            if not await db.fetchval("select count(*) from webhook_deliveries where status = 'PENDING'"):
                return
            await asyncio.sleep(0.02)
    raise AssertionError("webhook deliveries still pending")
