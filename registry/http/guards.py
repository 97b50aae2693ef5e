"""Guards at the HTTP edge: a cap on request bodies, security headers on every response, and
a 503 (with Retry-After) instead of a 500 when the database cannot serve for now.

Refusals are shaped for who asks: GraphQL errors (`errors[].extensions.code`) on /graphql,
RFC 6749-style `error` objects elsewhere.
"""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.db import is_unavailable
from registry.http.asgi import on_response_start, read_body, replay, with_headers

log = logging.getLogger("microcred.http")
RETRY_AFTER_SECONDS = 1
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"cross-origin"),  # public data, meant to be fetched from portals
]
JSON_POLICY = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


async def refuse(
    scope: Scope, send: Send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer ``status`` with ``code`` and ``message`` in the shape the path's clients expect."""
    body: dict[str, object]
    if scope["path"].startswith("/graphql"):
        body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    else:
        body = {"error": code.lower(), "error_description": message}
    content = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"cache-control", b"no-store"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes`` with 413, before anything reads them whole."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, send)
            return
        body = await read_body(receive, limit=self.max_bytes)
        if body is None:
            await self._too_large(scope, send)
            return
        await self.app(scope, replay(body), send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await refuse(scope, send, 413, "REQUEST_TOO_LARGE", f"Request bodies may be at most {self.max_bytes} bytes.")


class SecurityHeadersMiddleware:
    """Adds the security headers to every response; JSON answers also get a CSP that forbids
    everything (HTML pages, GraphiQL among them, keep their own)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = SECURITY_HEADERS + ([(b"strict-transport-security", b"max-age=31536000")] if https else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        await self.app(scope, receive, on_response_start(send, self._secured))

    def _secured(self, message: Message) -> Message:
        present = {name.lower() for name, _ in message.get("headers", [])}
        if _lets_others_frame(message):  # the page's own frame-ancestors decides (the embed)
            present.add(b"x-frame-options")
        extra = [(name, value) for name, value in self.headers if name not in present]
        if dict(message.get("headers", [])).get(b"content-type", b"").startswith(b"application/json"):
            extra.append(JSON_POLICY)
        return with_headers(message, extra)


def _lets_others_frame(message: Message) -> bool:
    """Whether the response's own content security policy lets other sites frame it."""
    policy = dict(message.get("headers", [])).get(b"content-security-policy", b"")
    ancestors = [d.strip() for d in policy.split(b";") if d.strip().startswith(b"frame-ancestors")]
    return bool(ancestors) and ancestors[0] not in (b"frame-ancestors 'none'", b"frame-ancestors 'self'")


class ServiceUnavailableMiddleware:
    """Turns "the database cannot serve now" (pool exhausted, restarting, unreachable) into
    503 with Retry-After, wherever it surfaces outside GraphQL's own error handling."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started: list[bool] = []

        def starting(message: Message) -> Message:
            started.append(True)
            return message

        try:
            await self.app(scope, receive, on_response_start(send, starting))
        except Exception as error:
            if not is_unavailable(error) or started:
                raise
            log.warning("database unavailable for %s: %s", scope["path"], error)
            await refuse(
                scope,
                send,
                503,
                "SERVICE_UNAVAILABLE",
                "The registry's database is busy or restarting; retry shortly.",
                [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())],
            )
