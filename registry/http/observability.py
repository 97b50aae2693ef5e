"""One JSON log line (and the metrics) per request, and a request id that ties a client's
report to the log.

Each request gets an id: the caller's `X-Request-Id` when it is a sane token, else a new
one; it goes back in the response's `X-Request-Id` and into masked internal errors. The
line says who (client id), what (method, path, GraphQL operation), how it ended (status,
cache), and what it cost (duration, SQL statements and their time).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auth.resource import SCOPE_KEY
from registry.db import track_statements
from registry.http import metrics
from registry.http.asgi import on_response_start, with_headers

STATS = "registry.stats"  # the request's StatementStats, in the ASGI scope
OPERATION = "registry.operation"  # the GraphQL operation's name (or type), set by the API layer
log = logging.getLogger("microcred.requests")
_request_id: ContextVar[str | None] = ContextVar("microcred_request_id", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def configure_logging() -> None:
    """Request lines to stderr as bare JSON (one object a line, for log shippers); the
    registry's other messages as plain text."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    return _request_id.get()


class RequestLogMiddleware:
    """Assigns request ids, counts SQL statements, and logs each request as JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        _request_id.set(request_id)
        scope[STATS] = stats = track_statements()
        started = time.perf_counter()
        status = 500
        cache: bytes | None = None  # the response's X-Cache header

        def starting(message: Message) -> Message:
            nonlocal status, cache
            status, cache = message["status"], dict(message.get("headers", [])).get(b"x-cache")
            return with_headers(message, [(b"x-request-id", request_id.encode())])

        try:
            await self.app(scope, receive, on_response_start(send, starting))
        finally:
            elapsed = time.perf_counter() - started
            app = scope.get("app")
            pool = getattr(getattr(app.state, "db", None), "pool", None) if app is not None else None
            metrics.observe(scope["path"], scope.get(OPERATION), status, elapsed, pool)
            access = scope.get(SCOPE_KEY)
            log.info(
                json.dumps(
                    {
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "operation": scope.get(OPERATION),
                        "client_id": access.client_id if access else None,
                        "status": status,
                        "cache": cache.decode() if cache else None,
                        "duration_ms": round(elapsed * 1000, 2),
                        "sql_statements": stats.count,
                        "sql_ms": round(stats.seconds * 1000, 2),
                    }
                )
            )
