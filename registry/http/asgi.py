"""ASGI plumbing the request layers share: reading a request body whole and handing it on
as if unread, and changing a response's start message (status, headers) on its way out."""

from __future__ import annotations

from typing import Callable, overload

from starlette.types import Message, Receive, Send


@overload
async def read_body(receive: Receive, limit: None = None) -> bytes: ...


@overload
async def read_body(receive: Receive, limit: int) -> bytes | None: ...


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The request's body, all of it; None as soon as it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """A ``receive`` callable that yields ``body`` once, then a disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def on_response_start(send: Send, change: Callable[[Message], Message]) -> Send:
    """A ``send`` that passes each response's start message through ``change``, which
    returns the message to send (the same one, or one with other headers)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = change(message)
        await send(message)

    return sending


def with_headers(message: Message, extra: list[tuple[bytes, bytes]]) -> Message:
    """A response start message with ``extra`` headers appended."""
    return {**message, "headers": [*message.get("headers", []), *extra]}
