"""SIGTERM drains: requests in flight finish, new connections are refused, and webhook
deliveries in progress complete or are released for another worker."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from auth.secrets import fernet
from registry.services.webhook_delivery import Worker
from tests.support.listings import create, gql
from tests.support.parties import access_token
from tests.support.processes import process_env, serve_process
from tests.support.webhooks import REGISTER, SECRET, WEBHOOK_SETTINGS

QUERY = json.dumps({"query": "{ searchCredentials { totalCount } }"}).encode()


def _refuses_connections(base: str) -> bool:
    parts = urlsplit(base)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=0.5).close()
    except OSError:
        return True
    return False


def test_sigterm_lets_a_request_in_flight_finish_and_refuses_new_connections(db_dsn):
    with serve_process(process_env(DATABASE_URL=db_dsn), "--no-demo") as served:
        base, process = served.base, served.process
        parts = urlsplit(base)
        request = socket.create_connection((parts.hostname, parts.port), timeout=30)
        request.sendall(
            b"POST /graphql HTTP/1.1\r\nhost: registry\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n" % len(QUERY) + QUERY[:10]
        )
        time.sleep(0.3)  # the server has the request's headers: it is in flight
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not _refuses_connections(base):
            assert time.monotonic() < deadline, "still accepting connections 10 s after SIGTERM"
            time.sleep(0.1)
        assert process.poll() is None, "exited with a request in flight"
        request.sendall(QUERY[10:])
        answer = request.makefile("rb").read()  # the server closes the connection after answering
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["data"] == {"searchCredentials": {"totalCount": 0}}
        # uvicorn shuts down cleanly, then re-raises the signal so the exit status says why it ended.
        assert process.wait(timeout=20) == 128 + signal.SIGTERM  # the status of "ended by SIGTERM"
        assert "Application shutdown complete" in served.printed()


class SlowReceiver:
    """A webhook endpoint on loopback that takes ``delay`` seconds to answer 204."""

    def __init__(self, delay: float) -> None:
        self.started, self.answered = threading.Event(), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers["content-length"]))
                receiver.started.set()
                time.sleep(delay)
                self.send_response(204)
                self.end_headers()
                receiver.answered.append(self.headers["x-microcred-event-id"])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


async def _one_delivery_under_way(hook_client, parties, receiver: SlowReceiver) -> None:
    admin = await access_token(hook_client, parties.admin)
    await gql(hook_client, REGISTER, {"input": {"url": receiver.url, "secret": SECRET}}, admin)
    await create(hook_client, await access_token(hook_client, parties.provider), externalId="DRAIN-1")


async def _stop_while_sending(db, receiver: SlowReceiver, drain_seconds: float) -> float:
    """Run a worker, stop it (as SIGTERM does) once the receiver has the request; the seconds
    the worker took to stop."""
    settings = dataclasses.replace(WEBHOOK_SETTINGS, drain_seconds=drain_seconds)
    stop = asyncio.Event()
    running = asyncio.create_task(Worker(db, settings, fernet(settings)).run(stop, idle_seconds=0.05))
    assert await asyncio.to_thread(receiver.started.wait, 10), "the delivery never started"
    stop.set()
    stopped_at = time.monotonic()
    await asyncio.wait_for(running, 30)
    return time.monotonic() - stopped_at


async def test_stopping_lets_a_delivery_in_progress_complete(hook_client, parties, db):
    receiver = SlowReceiver(delay=1.0)
    await _one_delivery_under_way(hook_client, parties, receiver)
    await _stop_while_sending(db, receiver, drain_seconds=10)
    row = await db.fetchrow("select status, attempts from webhook_deliveries")
    assert receiver.answered and (row["status"], row["attempts"]) == ("DELIVERED", 1)
    receiver.server.shutdown()


async def test_stopping_releases_a_delivery_not_answered_within_the_drain_time(hook_client, parties, db):
    receiver = SlowReceiver(delay=8.0)
    await _one_delivery_under_way(hook_client, parties, receiver)
    took = await _stop_while_sending(db, receiver, drain_seconds=0.5)
    assert took < 3, f"the worker took {took:.1f} s to stop"
    row = await db.fetchrow("select status, attempts, next_attempt_at <= now() as due from webhook_deliveries")
    # Due again at once, for any worker, and the cut-off attempt not counted against it.
    assert dict(row) == {"status": "PENDING", "attempts": 0, "due": True}
