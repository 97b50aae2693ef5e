"""ASGI plumbing the request layers share: reading a request body whole and handing it on
as if unread, and changing a response's start message (status, headers) on its way out."""

from __future__ import annotations


async def read_body(receive, limit: int | None = None) -> bytes | None:
    """The request's body, all of it; None as soon as it grows past ``limit`` bytes."""
    chunks, size = [], 0
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


def replay(body: bytes):
    """A ``receive`` callable that yields ``body`` once, then a disconnect."""
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def on_response_start(send, change):
    """A ``send`` that passes each response's start message through ``change``, which
    returns the message to send (the same one, or one with other headers)."""

    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            message = change(message)
        await send(message)

    return sending


def with_headers(message: dict, extra: list[tuple[bytes, bytes]]) -> dict:
    """A response start message with ``extra`` headers appended."""
    return {**message, "headers": [*message.get("headers", []), *extra]}
