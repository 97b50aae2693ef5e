"""The Idempotency-Key header: a client retrying a write gets the first response back.

Keys belong to the client that sent them. The same key with a different request body is
refused (422); a key whose first request is still running gives 409. Responses are kept
for a day. Requests without the header, or without a bearer token, pass through untouched.

A request's write transactions mark its key applied as part of their own commit. So when a
process dies mid-request (no response recorded), a retry after the lease learns the truth:
nothing was written, and it runs; or the writes committed, and it gets APPLIED_ANSWER_LOST
instead of writing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auth.resource import SCOPE_KEY
from registry.db import Database, Executor, in_every_transaction, is_unavailable
from registry.store import idempotency

log = logging.getLogger("microcred.idempotency")
HEADER = b"idempotency-key"
RELEASE_INTERVAL_SECONDS = 0.5
RELEASE_ATTEMPTS = 120  # a minute; past that, the lease frees the key anyway


# Answers that say the request was not processed and may simply be sent again later (rate
# limited, timed out, too early): the key is freed, like after a server error, not replayed.
NOT_PROCESSED = frozenset({408, 425, 429})


class IdempotencyMiddleware:
    """Replays the recorded response for a repeated (client, Idempotency-Key) pair."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...] = ("/graphql",)) -> None:
        self.app = app
        self.paths = paths
        self._releasing: set[asyncio.Task[None]] = set()  # keys still to free once the database is back

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, HEADER)
        access = scope.get(SCOPE_KEY)
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith(self.paths)
            or key is None
            or access is None
        ):
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255 or not key.isprintable():
            await _error(send, 400, "BAD_USER_INPUT", "An Idempotency-Key is 1 to 255 printable characters.")
            return
        body = await _read_body(receive)
        db: Database = scope["app"].state.db
        lease: float = scope["app"].state.settings.idempotency_lease_seconds
        earlier = await idempotency.claim(db, access.client_id, key, hashlib.sha256(body).digest(), lease)
        if earlier is not None:
            await _replay(send, earlier, hashlib.sha256(body).digest())
            return
        await self._run_and_remember(scope, body, send, db, access.client_id, key)

    async def _run_and_remember(
        self, scope: Scope, body: bytes, send: Send, db: Database, client_id: str, key: str
    ) -> None:
        status = 500
        chunks: list[bytes] = []

        async def receive_once() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        async def mark_applied(tx: Executor) -> None:
            await idempotency.mark_applied(tx, client_id, key)

        marking = in_every_transaction.set(mark_applied)
        try:
            await self.app(scope, receive_once, capture)
        finally:
            in_every_transaction.reset(marking)
            if status < 500 and status not in NOT_PROCESSED:
                await self._remember(db, client_id, key, status, b"".join(chunks))
            else:
                await self._release(db, client_id, key)

    async def _remember(self, db: Database, client_id: str, key: str, status: int, body: bytes) -> None:
        """Keep the answer for retries. The client already has it; if the database went away
        meanwhile, the key stays unanswered and a retry after the lease learns whether the
        request wrote (APPLIED_ANSWER_LOST) or may run again."""
        try:
            await idempotency.remember(db, client_id, key, status, body)
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning("could not record the answer for an Idempotency-Key: %s", error)

    async def _release(self, db: Database, client_id: str, key: str) -> None:
        """Free the key of a request that failed on our side. When the database is what
        failed, keep trying in the background: the client's retry need not wait out the lease."""
        try:
            await idempotency.release(db, client_id, key)
        except Exception as error:
            if not is_unavailable(error):
                raise
            task = asyncio.get_running_loop().create_task(self._release_when_back(db, client_id, key))
            self._releasing.add(task)
            task.add_done_callback(self._releasing.discard)

    async def _release_when_back(self, db: Database, client_id: str, key: str) -> None:
        for _ in range(RELEASE_ATTEMPTS):
            await asyncio.sleep(RELEASE_INTERVAL_SECONDS)
            try:
                await idempotency.release(db, client_id, key)
                return
            except Exception as error:
                if not is_unavailable(error):
                    raise


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope.get("headers", []):
        if header == name:
            return value.decode("latin-1")
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _replay(send: Send, earlier: idempotency.Remembered, request_sha256: bytes) -> None:
    if earlier.request_sha256 != request_sha256:
        await _error(
            send,
            422,
            "IDEMPOTENCY_KEY_REUSED",
            "This Idempotency-Key was used for a different request; use a new key for a new request.",
        )
        return
    if earlier.status is None and earlier.applied and earlier.abandoned:
        await _error(
            send,
            200,
            "APPLIED_ANSWER_LOST",
            "This request was applied, but the server stopped before recording its answer; read the"
            " records it changed to see their state. Do not resend it with a new key.",
        )
        return
    if earlier.status is None:
        await _error(send, 409, "CONFLICT", "A request with this Idempotency-Key is still running; retry shortly.")
        return
    await send(
        {
            "type": "http.response.start",
            "status": earlier.status,
            "headers": [(b"content-type", b"application/json"), (b"idempotent-replayed", b"true")],
        }
    )
    await send({"type": "http.response.body", "body": earlier.response or b""})


async def _error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})
